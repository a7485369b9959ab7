/**
 * The audit service between real nodes (memory transport): every envelope
 * crossing the boundary is in the audit log; members cosign each other's
 * checkpoints (the second one through a consistency proof served on
 * /fedmesh/audit/1.0.0) and hand the cosignature straight to the origin on
 * /fedmesh/audit-cosign/1.0.0; a node that forks its log is caught by the member
 * that cosigned the other history, and the evidence is gossiped.
 */
import test from 'ava'
import { membershipOfKeys } from '../../fixtures/federation.ts'
import { createHash } from 'node:crypto'
import { generateKeyPairFromSeed } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import type { PrivateKey } from '@libp2p/interface'
import { FedmeshNode } from '../../../src/node/node.ts'
import { parseConfig } from '../../../src/config/load.ts'
import { hybridSignerFromSeeds, hybridVerifier } from '../../../src/crypto/hybrid.ts'
import { AuditWitnessStore } from '../../../src/store/audit-witness.ts'
import { verifySplitViewEvidence } from '../../../src/core/audit/split-view.ts'
import { checkpointOrigin, AUDIT_CHECKPOINT_CLASS, AUDIT_COSIGN_PROTOCOL } from '../../../src/services/audit/index.ts'
import type { HybridSigner } from '../../../src/core/signature.ts'
import { signGenesis, verifyGenesis } from '../../../src/core/consensus/genesis.ts'
import { publicKeyToJson } from '../../../src/core/consensus/member.ts'
import { initialTrust } from '../../../src/core/consensus/trust.ts'
import { ConsensusStore } from '../../../src/store/consensus.ts'
import type { MemberIdentity } from '../../../src/services/members/index.ts'
import { seededRandom, type Random } from '../../../src/runtime/random.ts'
import { WITNESS_DRAW_BYTES, witnessesThis } from '../../../src/core/audit/witness.ts'
import { signCosignature } from '../../../src/core/audit/checkpoint.ts'
import { CosignatureRefusedError } from '../../../src/core/audit/errors.ts'
import { sendCosignature } from '../../../src/services/audit/cosign-stream.ts'
import { DATA_CLASSES } from '../../../src/wire/envelope.ts'
import { LOAD_CONTENT_TYPE, LOAD_SCHEMA_ID, decodeLoadPayload, encodeLoadPayload } from '../../../sim/load.ts'

const FEDERATION = 'audit-net'
const seed = (label: string): Uint8Array => new Uint8Array(createHash('sha256').update(label).digest())

interface Identity { key: PrivateKey, signer: HybridSigner, id: string }

async function identities (size: number, tag: string): Promise<Identity[]> {
  return await Promise.all(Array.from({ length: size }, async (_, i) => {
    const key = await generateKeyPairFromSeed('Ed25519', seed(`${tag}/ed25519/${i}`))
    const signer = hybridSignerFromSeeds({ ed25519Seed: key.raw.subarray(0, 32), mldsaSeed: seed(`${tag}/mldsa/${i}`) })
    return { key, signer, id: peerIdFromPrivateKey(key).toString() }
  }))
}

/** A started node of identity `i`, knowing every identity's key; `listenTag` makes its memory address unique. */
async function startNode (all: Identity[], i: number, listenTag: string, bootstrap: string[], options: { witnesses?: number, random?: Random, checkpointsRetained?: number, retention?: Record<string, number>, syncIntervalMs?: number } = {}): Promise<FedmeshNode> {
  const config = parseConfig({
    site_id: `site_${i}`, jurisdiction: 'UK', listen: [`/memory/${listenTag}-${process.pid}-${i}`],
    federation: { enabled: true, federation_id: FEDERATION, bootstrap, metrics_interval_seconds: 3600, ...(options.retention === undefined ? {} : { default_allowed_data: [...DATA_CLASSES] }) },
    // checkpoints are driven by the test
    audit: {
      checkpoint_interval_seconds: 86_400,
      ...(options.witnesses === undefined ? {} : { witnesses_per_checkpoint: options.witnesses }),
      ...(options.checkpointsRetained === undefined ? {} : { checkpoints_retained: options.checkpointsRetained })
    },
    ...(options.retention === undefined ? {} : { sync: { retention: options.retention } })
  })
  const knownMembers: Array<[string, MemberIdentity]> = all.map((identity, j) => [identity.id, { key: identity.signer.publicKey, siteId: `site_${j}` }])
  const node = await FedmeshNode.create({
    config, privateKey: all[i].key, signer: all[i].signer, transport: 'memory', libp2pMetrics: false, gossipHeartbeatMs: 100, preloadedMembership: membershipOfKeys(config.federation.federation_id, knownMembers),
    // no relation handshake: these tests count the log's records from an empty log (handshakes are audited too)
    handshake: { onConnect: false },
    ...(options.random === undefined ? {} : { random: options.random }),
    ...(options.syncIntervalMs === undefined ? {} : { syncIntervalMs: options.syncIntervalMs })
  })
  await node.start()
  return node
}

async function until (what: string, check: () => Promise<boolean> | boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

async function meshed (nodes: FedmeshNode[]): Promise<void> {
  const topic = `/fedmesh/${FEDERATION}/${AUDIT_CHECKPOINT_CLASS}/1`
  // a bound for a loaded machine (a helper saw 20 s run out once under load average 7): connecting and exchanging
  // subscriptions is all this waits for
  await until('both nodes to see each other on the audit topic', () =>
    nodes.every((node) => node.libp2p.services.pubsub.getSubscribers(topic).length >= nodes.length - 1), 60_000)
}

// operation results are plain JSON; the tests read fields of several shapes
const run = async (node: FedmeshNode, name: string, args: unknown = {}): Promise<any> => await node.operations.run(name, args)
const entries = async (node: FedmeshNode): Promise<any[]> => (await run(node, 'audit.export', {})).entries

test('envelopes in and out are audited, and a member cosigns each checkpoint it can prove consistent', async (t) => {
  const all = await identities(2, 'cosign')
  const a = await startNode(all, 0, 'cosign', [])
  const b = await startNode(all, 1, 'cosign', [a.multiaddrs()[0]])
  t.teardown(async () => { await Promise.all([a.stop(), b.stop()]) })
  await meshed([a, b])
  const originA = checkpointOrigin(FEDERATION, all[0].id)

  t.is(await a.audit.checkpoint(), undefined, 'an empty log has nothing to checkpoint')
  await run(a, 'consensus.trust') // an operator action: the log's first record
  const first = await a.audit.checkpoint()
  t.is(first?.size, 1)
  const aWitness = new AuditWitnessStore(a.store)
  const bWitness = new AuditWitnessStore(b.store)
  await until('A to hold B\'s cosignature on its first checkpoint', async () => (await aWitness.cosignatures(first!.size)).length === 1)
  t.is((await aWitness.cosignatures(first!.size))[0].witness, all[1].id)
  t.is((await bWitness.latest(originA))?.size, first!.size)

  // the second checkpoint is larger: B must fetch a consistency proof from A before it cosigns
  const second = await a.audit.checkpoint()
  t.true(second!.size > first!.size)
  await until('A to hold B\'s cosignature on its second checkpoint', async () => (await aWitness.cosignatures(second!.size)).length === 1)
  t.is((await bWitness.latest(originA))?.size, second!.size)

  // A's log: its checkpoints went out; B's cosignatures came straight to A (/fedmesh/audit-cosign/1.0.0), not as gossip envelopes
  const aLog = await entries(a)
  t.true(aLog.some((e) => e.kind === 'boundary' && e.direction === 'out' && e.data_class === AUDIT_CHECKPOINT_CLASS && e.verdict === 'accepted'))
  t.false(aLog.some((e) => e.kind === 'boundary' && e.direction === 'in' && e.data_class === AUDIT_CHECKPOINT_CLASS && e.attributes?.source === all[1].id))
  await b.audit.settled()
  t.deepEqual(b.audit.cosignatureStats().sent, { kept: 2 })
  t.deepEqual(a.audit.cosignatureStats().received, { kept: 2 })
  // B's log: A's checkpoints in
  const bLog = await entries(b)
  t.is(bLog.filter((e) => e.kind === 'boundary' && e.direction === 'in' && e.attributes?.source === all[0].id && e.verdict === 'accepted').length, 2)

  // a refused envelope is audited with its reason code
  const verdict = await b.envelopes.receive(AUDIT_CHECKPOINT_CLASS, new Uint8Array([1, 2, 3]), a.peerId)
  t.is(verdict.action, 'reject')
  const refused = (await entries(b)).filter((e) => e.kind === 'boundary' && e.verdict === 'rejected')
  t.is(refused.length, 1)
  t.is(refused[0].reason, `reject:${(verdict as { code: string }).code}`)
  t.is(refused[0].result, 'reject')
  t.is(refused[0].peer, all[0].id)

  // both logs still verify
  t.true((await run(a, 'audit.verify')).ok)
  t.true((await run(b, 'audit.verify')).ok)
})

test('a node that forks its log is caught by the member that cosigned the other history; the evidence is gossiped', async (t) => {
  const all = await identities(2, 'fork')
  let a = await startNode(all, 0, 'fork-a1', [])
  const b = await startNode(all, 1, 'fork-b', [a.multiaddrs()[0]])
  t.teardown(async () => { await Promise.all([a.stop(), b.stop()]) })
  await meshed([a, b])
  const originA = checkpointOrigin(FEDERATION, all[0].id)
  const bWitness = new AuditWitnessStore(b.store)

  await run(a, 'consensus.trust')
  const cosigned = await a.audit.checkpoint()
  await until('B to cosign A\'s checkpoint', async () => (await bWitness.latest(originA))?.size === cosigned!.size)

  // A comes back with another history: same identity, a fresh log (its operator discarded the old one)
  await a.stop()
  a = await startNode(all, 0, 'fork-a2', [b.multiaddrs()[0]])
  await meshed([a, b])
  while ((await run(a, 'audit.tail', { limit: 1 })).size <= cosigned!.size) await run(a, 'consensus.trust')
  const forked = await a.audit.checkpoint()
  t.true(forked!.size > cosigned!.size)

  // B asks A for a proof from the size it cosigned; A's honest answer for its fork proves another root there
  await until('B to hold split-view evidence against A', async () => (await bWitness.evidence()).length === 1)
  const [evidence] = await bWitness.evidence()
  t.is(evidence.kind, 'inconsistent-prefix')
  t.is(evidence.origin, originA)
  t.notThrows(() => { verifySplitViewEvidence(evidence, all[0].signer.publicKey, hybridVerifier()) })
  // the fork was not cosigned: B still remembers the history it cosigned
  t.is((await bWitness.latest(originA))?.size, cosigned!.size)
  t.true((await entries(b)).some((e) => e.kind === 'membership' && e.change === 'split_view_detected' && e.node === all[0].id))
  // the evidence was gossiped: A (any member) received and kept it
  await until('A to receive the evidence against itself', async () => (await new AuditWitnessStore(a.store).evidence()).length === 1)
})

test('with more members than witnesses per checkpoint, each member witnesses a checkpoint only when its own draw says so', async (t) => {
  // 4 members, 1 witness per checkpoint: each of B, C, D witnesses A's checkpoint with chance 1/3, from its own seeded stream
  const all = await identities(4, 'sample')
  const randomOf = (i: number): Random => seededRandom(seed(`sample/random/${i}`))
  const a = await startNode(all, 0, 'sample', [], { witnesses: 1, random: randomOf(0) })
  const others = await Promise.all([1, 2, 3].map(async (i) => await startNode(all, i, 'sample', [a.multiaddrs()[0]], { witnesses: 1, random: randomOf(i) })))
  const nodes = [a, ...others]
  t.teardown(async () => { await Promise.all(nodes.map(async (node) => { await node.stop() })) })
  await meshed(nodes)

  const CHECKPOINTS = 9
  const sizes: number[] = []
  for (let k = 0; k < CHECKPOINTS; k++) {
    await run(a, 'consensus.trust') // an operator action: the log grows between checkpoints
    sizes.push((await a.audit.checkpoint())!.size)
  }
  // what each witness's stream draws for the 9 checkpoints it receives: the node forks the same stream for witnessing
  const expected = new Map([1, 2, 3].map((i) => {
    const draws = randomOf(i).fork('audit-witness')
    return [all[i].id, Array.from({ length: CHECKPOINTS }, () => witnessesThis(1 / 3, draws.bytes(WITNESS_DRAW_BYTES))).filter(Boolean).length]
  }))
  const total = [...expected.values()].reduce((sum, n) => sum + n, 0)
  t.true(total > 0 && total < 3 * CHECKPOINTS, `the seeds draw some witnesses, not all (${total} of ${3 * CHECKPOINTS})`)

  const aWitness = new AuditWitnessStore(a.store)
  const held = async (): Promise<Map<string, number>> => {
    const byWitness = new Map<string, number>()
    for (const size of sizes) {
      for (const cosignature of await aWitness.cosignatures(size)) byWitness.set(cosignature.witness, (byWitness.get(cosignature.witness) ?? 0) + 1)
    }
    return byWitness
  }
  await until(`A to hold the ${total} cosignatures its members drew`, async () => [...(await held()).values()].reduce((sum, n) => sum + n, 0) >= total, 60_000)
  // every member received every checkpoint and finished its witness steps: nobody cosigned beyond its draws
  for (const [j, node] of others.entries()) {
    await until(`member ${j + 1} to receive all checkpoints`, async () => (await entries(node)).filter((e) => e.kind === 'boundary' && e.direction === 'in' && e.data_class === AUDIT_CHECKPOINT_CLASS && e.attributes?.source === all[0].id && e.verdict === 'accepted').length >= CHECKPOINTS, 60_000)
    await node.audit.settled()
  }
  await Promise.all(nodes.map(async (node) => { await node.audit.settled() }))
  t.deepEqual(Object.fromEntries(await held()), Object.fromEntries([...expected].filter(([, n]) => n > 0)))
})

test('a decided policy change is audited by every member, with the hash of the policy now in force', async (t) => {
  const all = await identities(2, 'policy')
  const a = await startNode(all, 0, 'policy', [])
  const b = await startNode(all, 1, 'policy', [a.multiaddrs()[0]])
  t.teardown(async () => { await Promise.all([a.stop(), b.stop()]) })
  const genesis = verifyGenesis(signGenesis({
    version: 1,
    federation_id: FEDERATION,
    created_at: new Date().toISOString(),
    consensus: { threshold: 'bft', min_participating_nodes: 2, tie_breaking: 'timestamp_priority' },
    members: all.map((identity, i) => ({ node_id: identity.id, public_key: publicKeyToJson(identity.signer.publicKey), site_id: `site_${i}` }))
  }, new Map(all.map((identity) => [identity.id, identity.signer]))), hybridVerifier())
  for (const node of [a, b]) {
    await new ConsensusStore(node.store).initGenesis(genesis.membership, genesis.policy, all.map((identity) => initialTrust(identity.id, Date.now())))
    await node.consensus.reload()
  }
  await until('both nodes on the vote topic', () => [a, b].every((node) => node.libp2p.services.pubsub.getSubscribers(`/fedmesh/${FEDERATION}/vote/1`).length >= 1))

  const proposal = await run(a, 'consensus.propose', { type: 'policy_change', slot: 'policy/1', body: { tie_breaking: 'lexicographic' } })
  await until('B to learn the proposal', async () => (await entries(b)).some((e) => e.kind === 'boundary' && e.data_class === 'vote' && e.result === 'accept'))
  await run(b, 'consensus.vote', { slot: 'policy/1', event_hash: proposal.event_hash })
  for (const [name, node] of [['A', a], ['B', b]] as const) {
    await until(`${name} to audit the decided policy`, async () => (await entries(node)).some((e) => e.kind === 'policy' && e.change === 'federation_policy_decided'))
  }
  const hashes = await Promise.all([a, b].map(async (node) => (await entries(node)).find((e) => e.kind === 'policy').policy_hash))
  t.regex(hashes[0], /^[0-9a-f]{64}$/)
  t.is(hashes[0], hashes[1], 'both members audit the same policy')
  // the operator actions are recorded too, with their outcome
  t.true((await entries(a)).some((e) => e.kind === 'operator' && e.action === 'consensus.propose' && e.detail === 'ok'))
  t.true((await entries(b)).some((e) => e.kind === 'operator' && e.action === 'consensus.vote' && e.detail === 'ok'))
})

test('a cosignature goes straight to the origin: the origin keeps it, no other node receives or stores it, and a forged one is refused', async (t) => {
  const all = await identities(3, 'direct')
  const a = await startNode(all, 0, 'direct', [])
  const b = await startNode(all, 1, 'direct', [a.multiaddrs()[0]])
  const c = await startNode(all, 2, 'direct', [a.multiaddrs()[0]])
  const nodes = [a, b, c]
  t.teardown(async () => { await Promise.all(nodes.map(async (node) => { await node.stop() })) })
  await meshed(nodes)

  await run(a, 'consensus.trust')
  const checkpoint = (await a.audit.checkpoint())!
  const aWitness = new AuditWitnessStore(a.store)
  // 2 other members ≤ 8 witnesses per checkpoint: both witness it
  await until('A to hold both cosignatures', async () => (await aWitness.cosignatures(checkpoint.size)).length === 2)
  await Promise.all(nodes.map(async (node) => { await node.audit.settled() }))
  t.deepEqual((await aWitness.cosignatures(checkpoint.size)).map((cosignature) => cosignature.witness).sort(), [all[1].id, all[2].id].sort())
  t.deepEqual(a.audit.cosignatureStats().received, { kept: 2 })
  for (const witness of [b, c]) t.deepEqual(witness.audit.cosignatureStats().sent, { kept: 1 })

  // nobody else got them: no audit_checkpoint log of B or C anywhere (a gossiped cosignature would be in its witness's log),
  // A's log holds its one checkpoint, and no audit gossip from B or C reached any node
  for (const node of nodes) {
    const auditLogs = node.sync.status().logs.filter((log) => log.data_class === AUDIT_CHECKPOINT_CLASS && log.count > 0)
    t.deepEqual(auditLogs.map((log) => [log.origin, log.count]), [[all[0].id, 1]])
    t.false((await entries(node)).some((e) => e.kind === 'boundary' && e.direction === 'in' && e.data_class === AUDIT_CHECKPOINT_CLASS && e.attributes?.source !== all[0].id))
  }
  for (const witness of [b, c]) t.deepEqual(await new AuditWitnessStore(witness.store).cosignatures(checkpoint.size), [])

  // over the wire: C hands A a cosignature B's key signed in C's name (the stream says C sent it); C's genuine one stays
  const forged = signCosignature(all[1].signer, { checkpoint, witness: all[2].id, timestampMs: Date.now() })
  const refusal = await t.throwsAsync(sendCosignature(c.libp2p, { origin: all[0].id, size: checkpoint.size, root: checkpoint.root, cosignature: forged }), { instanceOf: CosignatureRefusedError })
  t.is(refusal?.reason, 'bad_signature')
  // a replay of C's genuine cosignature changes nothing
  const [genuine] = (await aWitness.cosignatures(checkpoint.size)).filter((cosignature) => cosignature.witness === all[2].id)
  const replay = await t.throwsAsync(sendCosignature(c.libp2p, { origin: all[0].id, size: checkpoint.size, root: checkpoint.root, cosignature: genuine }), { instanceOf: CosignatureRefusedError })
  t.is(replay?.reason, 'duplicate')
  // a non-member (the gater keeps it off the network; the origin's check refuses it too, before any signature work)
  const [outsider] = await identities(1, 'direct-outsider')
  const fields = { size: BigInt(checkpoint.size), root: checkpoint.root, timestampMs: BigInt(Date.now()), ed25519: forged.signature.ed25519, mldsa: forged.signature.mldsa }
  const notMember = await t.throwsAsync(a.audit.receiveCosignature(outsider.id, fields), { instanceOf: CosignatureRefusedError })
  t.is(notMember?.reason, 'not_member')
  t.deepEqual(a.audit.cosignatureStats().received, { kept: 2, bad_signature: 1, duplicate: 1, not_member: 1 })
  t.is((await aWitness.cosignatures(checkpoint.size)).length, 2)
})

test('a witness that cannot reach the origin makes one bounded attempt, then drops the cosignature and counts it', async (t) => {
  const all = await identities(2, 'unreachable')
  const a = await startNode(all, 0, 'unreachable', [])
  const b = await startNode(all, 1, 'unreachable', [a.multiaddrs()[0]])
  t.teardown(async () => { await Promise.all([a.stop(), b.stop()]) })
  await meshed([a, b])
  // A stops taking cosignatures: B's witness step still accepts the checkpoint, and its cosignature is dropped and counted
  await a.libp2p.unhandle(AUDIT_COSIGN_PROTOCOL)
  await run(a, 'consensus.trust')
  const checkpoint = (await a.audit.checkpoint())!
  await until('B to cosign', async () => (await new AuditWitnessStore(b.store).latest(checkpointOrigin(FEDERATION, all[0].id)))?.size === checkpoint.size)
  await b.audit.settled()
  t.deepEqual(b.audit.cosignatureStats().sent, { dropped: 1 })
  t.deepEqual(await new AuditWitnessStore(a.store).cosignatures(checkpoint.size), [])
  // A is gone: B's cosignature of a checkpoint it fetched is one failed attempt, counted, not retried
  await a.stop()
  let dials = 0
  const dialProtocol = b.libp2p.dialProtocol.bind(b.libp2p)
  b.libp2p.dialProtocol = (async (...args: Parameters<typeof dialProtocol>) => { dials++; return await dialProtocol(...args) }) as typeof dialProtocol
  const cosignature = signCosignature(all[1].signer, { checkpoint, witness: all[1].id, timestampMs: Date.now() })
  const error = await t.throwsAsync(sendCosignature(b.libp2p, { origin: all[0].id, size: checkpoint.size, root: checkpoint.root, cosignature }))
  t.is(error?.name, 'CosignatureUndeliveredError')
  t.is(dials, 1)
})

test('a node joining after more than K checkpoints per origin shows no gap and nothing lost for audit_checkpoint; an ordinary class still reports its real gap', async (t) => {
  const K = 4
  const CLASS = 'incident_summary'
  const all = await identities(3, 'joiner')
  const options = { checkpointsRetained: K, retention: { [CLASS]: K }, syncIntervalMs: 300 }
  const register = (node: FedmeshNode): void => {
    node.envelopes.register({ dataClass: CLASS, decodePayload: decodeLoadPayload, commit: async (_payload, _envelope, persist) => { await persist([]); return undefined } })
  }
  const a = await startNode(all, 0, 'joiner', [], options)
  const b = await startNode(all, 1, 'joiner', [a.multiaddrs()[0]], options)
  const nodes = [a, b]
  t.teardown(async () => { await Promise.all(nodes.map(async (node) => { await node.stop() })) })
  for (const node of nodes) register(node)
  await meshed(nodes)
  await until('A\'s own logs to settle', () => a.sync.status().own_logs_settled)

  // A writes 3K checkpoints and 3K messages of an ordinary class with the same retention (K)
  const ROUNDS = 3 * K
  for (let k = 0; k < ROUNDS; k++) {
    await run(a, 'consensus.trust')
    await a.audit.checkpoint()
    await a.envelopes.publish(CLASS, a.envelopes.seal(CLASS, LOAD_SCHEMA_ID, encodeLoadPayload(k, Date.now(), 64), LOAD_CONTENT_TYPE))
  }
  const logOf = (node: FedmeshNode, dataClass: string): any => node.sync.status().logs.find((log) => log.data_class === dataClass && log.origin === all[0].id)
  await until('B to have all of A\'s entries', () => logOf(b, AUDIT_CHECKPOINT_CLASS)?.frontier === ROUNDS && logOf(b, CLASS)?.frontier === ROUNDS)
  // retention: the peers keep the newest checkpoints only (pruned in batches, after the append: fewer than 2K)
  await until('the peers to prune A\'s checkpoints to the window', () => nodes.every((node) => logOf(node, AUDIT_CHECKPOINT_CLASS).count < 2 * K))

  const j = await startNode(all, 2, 'joiner', [a.multiaddrs()[0]], options)
  nodes.push(j)
  register(j)
  await until('the joiner to catch up A\'s checkpoints', () => logOf(j, AUDIT_CHECKPOINT_CLASS)?.frontier === ROUNDS, 60_000)
  await until('the joiner to fetch what the peers still keep of the ordinary class', () => logOf(j, CLASS)?.high === ROUNDS, 60_000)
  const status = j.sync.status()
  const audit = status.logs.filter((log) => log.data_class === AUDIT_CHECKPOINT_CLASS)
  t.true(audit.length > 0)
  for (const log of audit) {
    t.deepEqual(log.gaps, [], `no gap in ${log.origin}'s checkpoints`)
    t.deepEqual(log.lost, [], `nothing lost of ${log.origin}'s checkpoints`)
  }
  const ordinary = logOf(j, CLASS)
  t.true(ordinary.gaps.some((gap: any) => gap.unfillable) || ordinary.lost.length > 0, 'the ordinary class reports what it never got')
})
