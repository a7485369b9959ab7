/**
 * Data policies on the send path between two real nodes: a class one site
 * may not receive never leaves a node that knows the policy (refused before
 * gossip, and audited), and one that arrives anyway is rejected and audited.
 */
import test from 'ava'
import { membershipOfKeys } from '../../fixtures/federation.ts'
import { createHash } from 'node:crypto'
import { generateKeyPairFromSeed } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { FedmeshNode } from '../../../src/node/node.ts'
import { parseConfig } from '../../../src/config/load.ts'
import { hybridSignerFromSeeds } from '../../../src/crypto/hybrid.ts'
import { DataClassNotAllowedError } from '../../../src/services/policies/index.ts'
import type { MemberIdentity } from '../../../src/services/members/index.ts'

const FEDERATION = 'policy-net'
const seed = (label: string): Uint8Array => new Uint8Array(createHash('sha256').update(label).digest())

async function until (what: string, check: () => Promise<boolean> | boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

const entries = async (node: FedmeshNode): Promise<any[]> => ((await node.operations.run('audit.export', {})) as { entries: any[] }).entries

test('aggregated_metrics withheld from one site never leaves the node that knows it, and is rejected and audited when it comes in', async (t) => {
  const ids = await Promise.all([0, 1].map(async (i) => {
    const key = await generateKeyPairFromSeed('Ed25519', seed(`policy/ed25519/${i}`))
    return { key, signer: hybridSignerFromSeeds({ ed25519Seed: key.raw.subarray(0, 32), mldsaSeed: seed(`policy/mldsa/${i}`) }), id: peerIdFromPrivateKey(key).toString() }
  }))
  const knownMembers: Array<[string, MemberIdentity]> = ids.map((identity, i) => [identity.id, { key: identity.signer.publicKey, siteId: `site_${i}` }])
  const nodes: FedmeshNode[] = []
  for (const i of [0, 1]) {
    const config = parseConfig({
      site_id: `site_${i}`, jurisdiction: 'UK', listen: [`/memory/policy-${process.pid}-${i}`],
      federation: {
        enabled: true, federation_id: FEDERATION, bootstrap: i === 0 ? [] : [nodes[0].multiaddrs()[0]], metrics_interval_seconds: 3600,
        // node 1 knows that site_0 may not receive aggregated metrics; node 0 is configured without the policy
        ...(i === 1 ? { sites: [{ site_id: 'site_0', allowed_data: ['summary', 'attestation', 'vote', 'audit_checkpoint'] }] } : {})
      },
      audit: { checkpoint_interval_seconds: 86_400 }
    })
    const node = await FedmeshNode.create({ config, privateKey: ids[i].key, signer: ids[i].signer, transport: 'memory', libp2pMetrics: false, gossipHeartbeatMs: 100, preloadedMembership: membershipOfKeys(config.federation.federation_id, knownMembers) })
    await node.start()
    nodes.push(node)
  }
  const [open, restricted] = nodes
  t.teardown(async () => { await Promise.all(nodes.map(async (node) => { await node.stop() })) })
  await until('both on the metrics topic', () => nodes.every((node) => node.libp2p.services.pubsub.getSubscribers(`/fedmesh/${FEDERATION}/aggregated_metrics/1`).length === 1))

  // the send path refuses before anything reaches gossip
  const sentBefore = restricted.metrics.messagesOut
  t.throws(() => restricted.envelopes.seal('aggregated_metrics', 'fedmesh.metrics/1', new Uint8Array([1])), { instanceOf: DataClassNotAllowedError })
  // bytes sealed elsewhere are refused at publish too
  const sealed = open.envelopes.seal('aggregated_metrics', 'fedmesh.metrics/1', new Uint8Array([1]))
  await t.throwsAsync(restricted.envelopes.publish('aggregated_metrics', sealed), { instanceOf: DataClassNotAllowedError })
  t.is(restricted.metrics.messagesOut, sentBefore, 'nothing was published')
  await until('both refusals to be audited', async () => (await entries(restricted)).filter((e) => e.kind === 'boundary' && e.direction === 'out' && e.data_class === 'aggregated_metrics' && e.verdict === 'rejected' && e.reason === 'DataClassNotAllowedError').length === 2)
  // a class the policy allows still goes out
  t.false(restricted.policies.mayGossip('aggregated_metrics'))
  t.true(restricted.policies.mayGossip('vote'))

  // the other node, without the policy, publishes: the restricted node rejects it and audits the rejection
  await open.publishMetrics()
  await until('the restricted node to audit the refused metrics', async () =>
    (await entries(restricted)).some((e) => e.kind === 'boundary' && e.direction === 'in' && e.data_class === 'aggregated_metrics' && e.reason === 'reject:class_not_allowed' && e.peer === ids[0].id))
  t.is(restricted.status().members.length, 1, 'the refused report was not taken in')
})
