/**
 * Junk from made-up senders costs the receiver no network work: 1,000
 * envelopes whose sources are PeerIds no membership holds, published by a
 * compromised member, are each refused and counted (by the pipeline's
 * membership check, in memory, or — once the sender is graylisted for them —
 * by gossipsub before decoding), the receiver makes zero DHT queries, and a
 * valid envelope another member sends in the middle is delivered.
 */
import test from 'ava'
import { randomBytes } from 'node:crypto'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { FedmeshNode } from '../../../src/node/node.ts'
import { parseConfig } from '../../../src/config/load.ts'
import { AGGREGATED_METRICS_CLASS, METRICS_REPORT_SCHEMA_ID, METRICS_REPORT_CONTENT_TYPE, encodeMetricsReport } from '../../../src/services/aggregated-metrics/index.ts'
import { signEnvelope } from '../../../src/wire/envelope.ts'
import { gossipTopic } from '../../../src/net/gossip.ts'
import type { HybridSigner } from '../../../src/core/signature.ts'
import { ML_DSA_SIZES } from '../../../src/crypto/mldsa.ts'
import { loadTestGenesis, testGenesis, testIdentity } from '../../fixtures/federation.ts'

const FEDERATION = 'junk-test'
const JUNK = 1000

async function until (what: string, check: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

function seal (signer: HybridSigner, source: string, siteId: string): Uint8Array {
  const payload = encodeMetricsReport({ node_id: source, site_id: siteId, peers: 1, messages_in: 0, messages_out: 0, uptime_seconds: 1, timestamp: Date.now() })
  return signEnvelope({
    id: new Uint8Array(randomBytes(16)), timestampMs: Date.now(),
    source, federationId: FEDERATION, destination: gossipTopic(FEDERATION, AGGREGATED_METRICS_CLASS), dataClass: AGGREGATED_METRICS_CLASS,
    schemaId: METRICS_REPORT_SCHEMA_ID, contentType: METRICS_REPORT_CONTENT_TYPE, payload
  }, signer)
}

/** Signatures of the right sizes that verify under no key: junk costs its sender nothing to make. */
const junkSigner: HybridSigner = {
  publicKey: { ed25519: new Uint8Array(32), mldsa: new Uint8Array(ML_DSA_SIZES[65].publicKeyBytes), level: 65 } as unknown as HybridSigner['publicKey'],
  sign: () => ({ ed25519: new Uint8Array(randomBytes(64)), mldsa: new Uint8Array(randomBytes(ML_DSA_SIZES[65].signatureBytes)) }) as unknown as ReturnType<HybridSigner['sign']>
}

/** Records every call of the DHT's query methods (and libp2p's routing, which asks the DHT), with the caller's stack. */
function countDhtQueries (node: FedmeshNode): () => string[] {
  const calls: string[] = []
  const wrap = (target: Record<string, unknown>, names: string[]): void => {
    for (const name of names) {
      const original = target[name]
      if (typeof original !== 'function') continue
      target[name] = function (this: unknown, ...args: unknown[]) { calls.push(`${name}: ${new Error().stack ?? ''}`); return (original as (...a: unknown[]) => unknown).apply(this, args) }
    }
  }
  wrap(node.libp2p.services.dht as unknown as Record<string, unknown>, ['get', 'put', 'findPeer', 'findProviders', 'provide', 'getClosestPeers', 'refreshRoutingTable'])
  wrap(node.libp2p.peerRouting as unknown as Record<string, unknown>, ['findPeer', 'getClosestPeers'])
  wrap(node.libp2p.contentRouting as unknown as Record<string, unknown>, ['get', 'put', 'findProviders', 'provide'])
  return () => calls
}

test('1,000 junk envelopes from made-up senders: zero DHT queries, every one refused and counted, a member\'s envelope in the middle delivered', async (t) => {
  const [alpha, beta, gamma] = await Promise.all([testIdentity('junk/a', 'site_a'), testIdentity('junk/b', 'site_b'), testIdentity('junk/c', 'site_c')])
  const genesis = testGenesis(FEDERATION, [alpha, beta, gamma])
  const configOf = (site: string, bootstrap: string[]) => parseConfig({
    site_id: site, jurisdiction: 'UK', listen: ['/ip4/127.0.0.1/tcp/0'],
    federation: { enabled: true, federation_id: FEDERATION, bootstrap, metrics_interval_seconds: 3600 }
  })
  const nodes: FedmeshNode[] = []
  t.teardown(async () => { for (const node of nodes.reverse()) await node.stop() })
  const start = async (identity: typeof alpha, bootstrap: string[]): Promise<FedmeshNode> => {
    const node = await FedmeshNode.create({ config: configOf(identity.site, bootstrap), privateKey: identity.privateKey, signer: identity.signer, libp2pMetrics: false, gossipHeartbeatMs: 200 })
    await loadTestGenesis(node, genesis)
    await node.start()
    nodes.push(node)
    return node
  }
  const a = await start(alpha, [])
  const b = await start(beta, [a.multiaddrs()[0]!])
  const c = await start(gamma, [a.multiaddrs()[0]!])
  const topic = gossipTopic(FEDERATION, AGGREGATED_METRICS_CLASS)
  for (const sender of [b, c]) await until('the senders to see a subscribed', () => sender.libp2p.services.pubsub.getSubscribers(topic).some((p) => p.equals(a.peerId)))

  // the junk: sources are fresh PeerIds no membership holds, signatures are random bytes
  const junk = await Promise.all(Array.from({ length: JUNK }, async () => seal(junkSigner, peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString(), 'nobody')))
  const queries = countDhtQueries(a)
  const cId = c.peerId.toString()
  // b is a compromised member: it publishes the junk straight onto the topic (its own channel would refuse it)
  const pubsubB = b.libp2p.services.pubsub
  for (const bytes of junk.slice(0, JUNK / 2)) await pubsubB.publish(topic, bytes).catch(() => {})
  await c.envelopes.publish(AGGREGATED_METRICS_CLASS, seal(gamma.signer, cId, 'site_c'))
  for (const bytes of junk.slice(JUNK / 2)) await pubsubB.publish(topic, bytes).catch(() => {})

  await until('c\'s report delivered', () => a.status().members.some((r) => r.node_id === cId))
  const sample = (exposition: string, pattern: RegExp): number => Number(pattern.exec(exposition)?.[1] ?? 0)
  const refused = async (): Promise<{ nonMember: number, graylisted: number, accepted: number }> => {
    const text = await a.metrics.exposition()
    return {
      nonMember: sample(text, /data_class="aggregated_metrics",direction="in",result="reject",reason="non_member"\} (\d+)/),
      graylisted: sample(text, /data_class="rpc",direction="in",result="reject",reason="graylisted"\} (\d+)/),
      accepted: sample(text, /data_class="aggregated_metrics",direction="in",result="accept",reason="ok"\} (\d+)/)
    }
  }
  // every junk RPC is refused: by the membership check (non_member) until b is graylisted, then by gossipsub unread
  await until('every junk envelope refused and counted', async () => { const r = await refused(); return r.nonMember + r.graylisted >= JUNK })
  const counts = await refused()
  t.true(counts.nonMember >= 1, 'the first junk envelopes reach the pipeline and are REJECTed non_member')
  t.is(counts.accepted, 1, 'only c\'s envelope is accepted')
  // the node's own DHT maintenance (its self-query and retries, its node record's publication) may
  // run at any time, later under load; any other DHT call in this window is the inbound path's
  const maintenance = /^(getClosestPeers: [^]*src\/services\/joining\/|put: [^]*src\/services\/node-records\/)/
  t.deepEqual(queries().filter((stack) => !maintenance.test(stack)), [], 'no DHT query on the inbound path')
  t.false(a.status().members.some((r) => r.site_id === 'nobody'))
  t.true(a.libp2p.services.pubsub.getScore(b.peerId.toString()) < 0, 'the junk\'s sender is penalised')
  t.log(`refused: ${counts.nonMember} by the pipeline (non_member), ${counts.graylisted} RPCs by gossipsub's graylist`)
})
