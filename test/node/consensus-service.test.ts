/**
 * Brokerless consensus between real nodes: a proposal and votes travel as
 * signed envelopes on the vote topic; every node reaches the same decision,
 * with a quorum certificate and a history record in its own store.
 */
import test from 'ava'
import { createHash } from 'node:crypto'
import { generateKeyPairFromSeed } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { FedmeshNode } from '../../src/node/node.ts'
import { parseConfig } from '../../src/config/load.ts'
import { hybridSignerFromSeeds, hybridVerifier } from '../../src/crypto/hybrid.ts'
import { signGenesis, verifyGenesis } from '../../src/core/consensus/genesis.ts'
import { publicKeyToJson } from '../../src/core/consensus/member.ts'
import { initialTrust } from '../../src/core/consensus/trust.ts'
import { ConsensusStore } from '../../src/store/consensus.ts'
import { createOperations } from '../../src/operations/index.ts'
import { systemClock } from '../../src/runtime/clock.ts'
import type { HybridSigner } from '../../src/core/signature.ts'

const FEDERATION = 'consensus-net'
const seed = (label: string): Uint8Array => new Uint8Array(createHash('sha256').update(label).digest())

async function federation (size: number, tag: string, clockOf: (index: number) => () => number = () => Date.now): Promise<FedmeshNode[]> {
  const keys = await Promise.all(Array.from({ length: size }, async (_, i) => await generateKeyPairFromSeed('Ed25519', seed(`${tag}/ed25519/${i}`))))
  const signers: HybridSigner[] = keys.map((key, i) => hybridSignerFromSeeds({ ed25519Seed: key.raw.subarray(0, 32), mldsaSeed: seed(`${tag}/mldsa/${i}`) }))
  const ids = keys.map((key) => peerIdFromPrivateKey(key).toString())
  const genesis = signGenesis({
    version: 1,
    federation_id: FEDERATION,
    created_at: new Date().toISOString(),
    consensus: { threshold: 'bft', min_participating_nodes: 2, tie_breaking: 'timestamp_priority' },
    members: ids.map((id, i) => ({ node_id: id, public_key: publicKeyToJson(signers[i].publicKey), site_id: `site_${i}` }))
  }, new Map(ids.map((id, i) => [id, signers[i]])))
  const { membership, policy } = verifyGenesis(genesis, hybridVerifier())

  const nodes: FedmeshNode[] = []
  for (let i = 0; i < size; i++) {
    const config = parseConfig({
      site_id: `site_${i}`, jurisdiction: 'UK', listen: [`/memory/${tag}-${process.pid}-${i}`],
      federation: { enabled: true, federation_id: FEDERATION, bootstrap: i === 0 ? [] : [nodes[0].multiaddrs()[0]], metrics_interval_seconds: 3600 }
    })
    const node = await FedmeshNode.create({ config, privateKey: keys[i], signer: signers[i], transport: 'memory', libp2pMetrics: false, gossipHeartbeatMs: 100, clock: { now: clockOf(i) } })
    await new ConsensusStore(node.store).initGenesis(membership, policy, ids.map((id) => initialTrust(id, Date.now())))
    await node.start()
    nodes.push(node)
  }
  return nodes
}

async function until (what: string, check: () => Promise<boolean> | boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

async function meshed (nodes: FedmeshNode[]): Promise<void> {
  const topic = `/fedmesh/${FEDERATION}/vote/1`
  await until('every node to see every other subscribed to the vote topic', () =>
    nodes.every((node) => node.libp2p.services.pubsub.getSubscribers(topic).length >= nodes.length - 1))
}

/** Waits until each node lists the event in its pending slot (nodes sign only events they have seen). */
async function eventArrived (nodes: FedmeshNode[], slot: string, eventHash: string): Promise<void> {
  for (const [i, node] of nodes.entries()) {
    await until(`node ${i} to receive the event of ${slot}`, () => node.consensus.pending().some((s) => s.slot === slot && s.events.some((e) => e.event_hash === eventHash)))
  }
}

// operation results are plain JSON; the tests read fields of several shapes
const run = async (node: FedmeshNode, name: string, args: unknown): Promise<any> => await node.operations.run(name, args)

test('a proposal gossiped to four members is decided by every one of them once a quorum votes', async (t) => {
  const nodes = await federation(4, 'decide')
  t.teardown(async () => { await Promise.all(nodes.map(async (node) => { await node.stop() })) })
  await meshed(nodes)

  const proposal = await run(nodes[0], 'consensus.propose', { type: 'governance_proposal', slot: 'gov/1', body: { title: 'Adopt the water-sharing policy', text: '' } })
  t.regex(proposal.event_hash, /^[0-9a-f]{64}$/)
  await eventArrived(nodes.slice(1, 3), 'gov/1', proposal.event_hash)
  // the quorum for n = 4 is 3: the proposer's vote plus two more
  await run(nodes[1], 'consensus.vote', { slot: 'gov/1', event_hash: proposal.event_hash })
  await run(nodes[2], 'consensus.vote', { slot: 'gov/1', event_hash: proposal.event_hash })

  for (const [i, node] of nodes.entries()) {
    await until(`node ${i} to decide`, async () => {
      try {
        return (await run(node, 'consensus.check', { event_hash: proposal.event_hash })).consensus_achieved === true
      } catch (err) {
        if ((err as Error).name === 'UnknownEventHashError') return false // not completed yet
        throw err
      }
    })
  }
  const history = await run(nodes[3], 'consensus.history', { limit: 5 })
  t.is(history.records[0].consensus_hash, proposal.event_hash)
  t.is(history.records[0].consensus_achieved, true)
  t.is(history.records[0].event_type, 'governance_proposal')
})

test('votes need the running node; a forged vote is rejected by every receiver', async (t) => {
  const nodes = await federation(3, 'forged')
  t.teardown(async () => { await Promise.all(nodes.map(async (node) => { await node.stop() })) })
  await meshed(nodes)
  const offline = createOperations({ store: nodes[0].store, config: nodes[0].config, dataDir: undefined, clock: systemClock, verifier: nodes[0].verifier })
    .run('consensus.vote', { slot: 'gov/1', event_hash: 'a'.repeat(64) })
  await t.throwsAsync(offline, { name: 'NodeNotRunningError' })

  // node 1 relays a vote claiming to be node 2's, signed with node 1's keys
  const { signVote, voteToJson } = await import('../../src/core/consensus/vote.ts')
  const forged = signVote(nodes[1].signer, { federation_id: FEDERATION, slot: 'gov/9', event_hash: 'b'.repeat(64), voter: nodes[2].peerId.toString() })
  const payload = new TextEncoder().encode(JSON.stringify({ kind: 'vote', vote: voteToJson(forged) }))
  await nodes[1].envelopes.publish('vote', nodes[1].envelopes.seal('vote', 'fedmesh.consensus/1', payload, 'application/json'))
  await until('node 0 to reject the forged vote', async () => (await nodes[0].metrics.exposition()).includes('data_class="vote",direction="in",result="reject",reason="bad_vote_signature"} 1'))
  t.is(await new ConsensusStore(nodes[0].store).votes('gov/9').then((votes) => votes.length), 0)
})

test('a slot past its deadline fails and is resolved by tie-breaking; a late vote for a completed slot does not reopen it', async (t) => {
  let skewMs = 0 // node 1's clock runs ahead by this much
  const nodes = await federation(4, 'deadline', (i) => i === 1 ? () => Date.now() + skewMs : Date.now)
  t.teardown(async () => { await Promise.all(nodes.map(async (node) => { await node.stop() })) })
  await meshed(nodes)
  // only the proposer votes: 1 of the 3 votes needed
  const proposal = await run(nodes[0], 'consensus.propose', { type: 'governance_proposal', slot: 'gov/slow', body: { title: 'Too few voters', text: '' } })
  await until('node 1 to hold the pending slot', async () => (await new ConsensusStore(nodes[1].store).votes('gov/slow')).length === 1)
  // the default timeout is an hour: let that hour pass on node 1, close its expired slots, and come back
  skewMs = 3601_000
  await nodes[1].consensus.closeExpiredSlots()
  skewMs = 0
  const history = await run(nodes[1], 'consensus.history', { limit: 5 })
  const record = history.records.find((r: { slot: string }) => r.slot === 'gov/slow')
  t.truthy(record, 'the expired slot has a history record')
  t.false(record.consensus_achieved)
  t.is(record.consensus_hash, proposal.event_hash, 'timestamp_priority picks the only event')

  // node 1 forgets completed slots (as after a restart); a late vote must not reopen gov/slow there
  await nodes[1].consensus.reload()
  await eventArrived([nodes[2]], 'gov/slow', proposal.event_hash)
  await run(nodes[2], 'consensus.vote', { slot: 'gov/slow', event_hash: proposal.event_hash })
  await until('node 1 to ignore the late vote', async () => (await nodes[1].metrics.exposition()).includes('data_class="vote",direction="in",result="ignore",reason="slot_completed"} 1'))
  t.is((await run(nodes[1], 'consensus.history', { limit: 50 })).records.filter((r: { slot: string }) => r.slot === 'gov/slow').length, 1)
  await t.throwsAsync(run(nodes[1], 'consensus.vote', { slot: 'gov/slow', event_hash: proposal.event_hash }), { name: 'SlotCompletedError' })
})
