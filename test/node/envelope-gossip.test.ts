/**
 * Two nodes over TCP: a valid envelope is delivered; a forged one (valid
 * Ed25519 and ML-DSA from a non-member, or a member's envelope with a bad
 * ML-DSA signature) is rejected by the receiver, counted by reason, and the
 * peer that relayed it loses gossipsub score.
 */
import test from 'ava'
import { randomBytes } from 'node:crypto'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import type { PrivateKey } from '@libp2p/interface'
import { FedmeshNode } from '../../src/node/node.ts'
import { parseConfig } from '../../src/config/load.ts'
import { hybridSignerFromSeeds } from '../../src/crypto/hybrid.ts'
import { AGGREGATED_METRICS_CLASS, METRICS_REPORT_SCHEMA_ID, METRICS_REPORT_CONTENT_TYPE, encodeMetricsReport } from '../../src/services/aggregated-metrics/index.ts'
import { signEnvelope } from '../../src/wire/envelope.ts'
import { gossipTopic } from '../../src/net/gossip.ts'
import type { HybridSigner } from '../../src/core/signature.ts'
import { loadTestGenesis, testGenesis, testIdentity } from '../fixtures/federation.ts'

const FEDERATION = 'forgery-test'

function signerOf (key: PrivateKey): HybridSigner {
  return hybridSignerFromSeeds({ ed25519Seed: key.raw.subarray(0, 32), mldsaSeed: randomBytes(32) })
}

async function until (what: string, check: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

function report (nodeId: string, siteId: string): Uint8Array {
  return encodeMetricsReport({ node_id: nodeId, site_id: siteId, peers: 1, messages_in: 0, messages_out: 0, uptime_seconds: 1, timestamp: Date.now() })
}

function seal (signer: HybridSigner, source: string, payload: Uint8Array): Uint8Array {
  return signEnvelope({
    id: new Uint8Array(randomBytes(16)), timestampMs: Date.now(),
    source, federationId: FEDERATION, destination: gossipTopic(FEDERATION, AGGREGATED_METRICS_CLASS), dataClass: AGGREGATED_METRICS_CLASS,
    schemaId: METRICS_REPORT_SCHEMA_ID, contentType: METRICS_REPORT_CONTENT_TYPE, payload
  }, signer)
}

test('a forged envelope is rejected and costs its relay gossipsub score; a valid one is delivered', async (t) => {
  const [alpha, beta] = await Promise.all([testIdentity('forgery/a', 'site_a'), testIdentity('forgery/b', 'site_b')])
  const keyOutsider = await generateKeyPair('Ed25519')
  const signerB = beta.signer
  const genesis = testGenesis(FEDERATION, [alpha, beta])
  // a long metrics interval: the test publishes by hand
  const configOf = (site: string, bootstrap: string[]) => parseConfig({
    site_id: site, jurisdiction: 'UK', listen: ['/ip4/127.0.0.1/tcp/0'],
    federation: { enabled: true, federation_id: FEDERATION, bootstrap, metrics_interval_seconds: 3600 }
  })
  const a = await FedmeshNode.create({ config: configOf('site_a', []), privateKey: alpha.privateKey, signer: alpha.signer, libp2pMetrics: false, gossipHeartbeatMs: 200 })
  await loadTestGenesis(a, genesis)
  await a.start()
  t.teardown(async () => { await a.stop() })
  const b = await FedmeshNode.create({ config: configOf('site_b', [a.multiaddrs()[0]]), privateKey: beta.privateKey, signer: signerB, libp2pMetrics: false, gossipHeartbeatMs: 200 })
  await loadTestGenesis(b, genesis)
  await b.start()
  t.teardown(async () => { await b.stop() })

  const topic = gossipTopic(FEDERATION, AGGREGATED_METRICS_CLASS)
  await until('b to see a subscribed to the metrics topic', () => b.libp2p.services.pubsub.getSubscribers(topic).some((p) => p.equals(a.peerId)))
  const bId = b.peerId.toString()

  // a valid envelope from b is delivered (a has b's ML-DSA key from the genesis membership)
  await b.envelopes.publish(AGGREGATED_METRICS_CLASS, seal(signerB, bId, report(bId, 'site_b')))
  await until('a to record b\'s report', () => a.status().members.some((r) => r.node_id === bId))
  const scoreBefore = a.libp2p.services.pubsub.getScore(bId)

  // forged 1: correctly signed by a node that is not a member, relayed by b
  const outsider = signerOf(keyOutsider)
  const outsiderId = peerIdFromPrivateKey(keyOutsider).toString()
  await b.envelopes.publish(AGGREGATED_METRICS_CLASS, seal(outsider, outsiderId, report(outsiderId, 'intruder')))
  // forged 2: b's own envelope with one byte of the ML-DSA signature flipped (Ed25519 still valid)
  const tampering: HybridSigner = { publicKey: signerB.publicKey, sign: (message) => { const s = signerB.sign(message); s.mldsa[10] ^= 0xff; return s } }
  await b.envelopes.publish(AGGREGATED_METRICS_CLASS, seal(tampering, bId, report(bId, 'site_b')))

  const rejected = async (reason: string): Promise<boolean> => (await a.metrics.exposition()).includes(`data_class="aggregated_metrics",direction="in",result="reject",reason="${reason}"} 1`)
  const deadline = Date.now() + 10_000
  while (!((await rejected('non_member')) && (await rejected('bad_signature')))) {
    if (Date.now() > deadline) throw new Error(`rejections not counted:\n${(await a.metrics.exposition()).split('\n').filter((l) => l.startsWith('fedmesh_gossip')).join('\n')}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  t.false(a.status().members.some((r) => r.node_id === outsiderId), 'the outsider\'s report was not delivered')
  await until('b\'s score at a to drop', () => a.libp2p.services.pubsub.getScore(bId) < scoreBefore)
  t.true(a.libp2p.services.pubsub.getScore(bId) < 0, `score ${a.libp2p.services.pubsub.getScore(bId)} is negative after two invalid messages`)
})
