/**
 * /fedmesh/sync/1.0.0 between real nodes (memory transport): a node that was
 * down while messages were published catches up from its peers, with its
 * store and with an empty one; a forged envelope inside a sync batch is
 * rejected while the batch's good envelopes are kept; a second envelope an
 * origin signed for one log position is caught as equivocation.
 */
import test from 'ava'
import { membershipOfKeys } from '../../fixtures/federation.ts'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import type { PrivateKey } from '@libp2p/interface'
import { FedmeshNode } from '../../../src/node/node.ts'
import { parseConfig } from '../../../src/config/load.ts'
import { hybridSignerFromSeeds } from '../../../src/crypto/hybrid.ts'
import type { HybridSigner } from '../../../src/core/signature.ts'
import { DATA_CLASSES, decodeEnvelope, signEnvelope, type DataClass } from '../../../src/wire/envelope.ts'
import { gossipTopic } from '../../../src/net/gossip.ts'
import { SYNC_LOG_SUBLEVEL, SyncLogRepository } from '../../../src/store/sync-logs.ts'
import { ConsensusStore } from '../../../src/store/consensus.ts'
import { EnvelopeBody, SignedEnvelope } from '../../../protocols/envelope.ts'
import { LogEvidence } from '../../../protocols/sync.ts'
import { LOAD_CONTENT_TYPE, LOAD_SCHEMA_ID, decodeLoadPayload, encodeLoadPayload } from '../../../sim/load.ts'

const FEDERATION = 'sync-test'
const CLASS: DataClass = 'incident_summary'
/** Messages published while the node is down (the figure). */
const MISSED = 10_000

let run = 0

interface Member { key: PrivateKey, id: string, signer: HybridSigner }
interface Running { node: FedmeshNode, got: Set<number> }

async function members (count: number): Promise<Member[]> {
  return await Promise.all(Array.from({ length: count }, async () => {
    const key = await generateKeyPair('Ed25519')
    return { key, id: peerIdFromPrivateKey(key).toString(), signer: hybridSignerFromSeeds({ ed25519Seed: key.raw.subarray(0, 32), mldsaSeed: randomBytes(32) }) }
  }))
}

async function waitFor (check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!await check()) {
    if (Date.now() > deadline) throw new Error('timed out')
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

async function until (what: string, check: () => boolean, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

function federation (all: Member[]): { address: (i: number) => string, start: (i: number, options?: { dataDir?: string, bootstrap?: number[], unlisted?: boolean, syncIntervalMs?: number }) => Promise<Running> } {
  const tag = `sync-${process.pid}-${run++}`
  const address = (i: number): string => `/memory/${tag}-${i}`
  const start = async (i: number, options: { dataDir?: string, bootstrap?: number[], unlisted?: boolean, syncIntervalMs?: number } = {}): Promise<Running> => {
    const config = parseConfig({
      site_id: `site-${i}`, jurisdiction: 'UK', listen: [options.unlisted === true ? `${address(i)}-unlisted` : address(i)], log: { level: 'silent' },
      federation: { enabled: true, federation_id: FEDERATION, bootstrap: (options.bootstrap ?? []).map((b) => `${address(b)}/p2p/${all[b].id}`), metrics_interval_seconds: 3600,
        // the load class is bilateral in production; the default data policy would keep it out of gossip (docs/policies.md)
        default_allowed_data: [...DATA_CLASSES] }
    })
    const node = await FedmeshNode.create({
      config, privateKey: all[i].key, signer: all[i].signer, transport: 'memory', libp2pMetrics: false, gossipHeartbeatMs: 200,
      syncIntervalMs: options.syncIntervalMs ?? 300, preloadedMembership: membershipOfKeys(config.federation.federation_id, all.map((m) => [m.id, { key: m.signer.publicKey }])),
      ...(options.dataDir === undefined ? {} : { dataDir: options.dataDir })
    })
    const got = new Set<number>()
    await node.start()
    node.envelopes.register({
      dataClass: CLASS,
      decodePayload: decodeLoadPayload,
      // its state (got) is in memory, taken once persist resolves: sync commits each fetched batch as one group
      groupCommit: true,
      commit: async (payload, _envelope, persist) => { await persist([]); got.add(payload.message); return undefined }
    })
    return { node, got }
  }
  return { address, start }
}

async function publish (node: FedmeshNode, from: number, count: number): Promise<void> {
  // a fresh store seals unsequenced until a member told where this node's own logs stand (protocols/sync.md)
  await until('the own logs to settle', () => node.sync.status().own_logs_settled)
  for (let message = from; message < from + count; message++) {
    await node.envelopes.publish(CLASS, node.envelopes.seal(CLASS, LOAD_SCHEMA_ID, encodeLoadPayload(message, Date.now(), 64), LOAD_CONTENT_TYPE))
  }
}

const all = (from: number, count: number): number[] => Array.from({ length: count }, (_, i) => from + i)

test.serial(`a node stopped while ${MISSED} messages are published catches up from its store, and again from an empty store`, async (t) => {
  const keys = await members(3)
  const net = federation(keys)
  const a = await net.start(0)
  const b = await net.start(1, { bootstrap: [0] })
  const dir = await mkdtemp(join(tmpdir(), 'fedmesh-sync-'))
  t.teardown(async () => { await a.node.stop(); await b.node.stop(); await rm(dir, { recursive: true, force: true }) })
  let c = await net.start(2, { dataDir: join(dir, 'c'), bootstrap: [0] })
  await publish(a.node, 0, 5)
  await publish(b.node, 5, 5)
  await until('c to get the first messages', () => c.got.size === 10)
  await c.node.stop()
  await b.node.stop()

  // a publishes while c (and b) are down: through the channel's publish (signed, logged, gossiped to nobody), so the
  // test's time is signing, not a second node verifying 10,000 gossip messages
  await publish(a.node, 10, MISSED)
  const expected = all(0, 10 + MISSED)

  c = await net.start(2, { dataDir: join(dir, 'c'), bootstrap: [0] })
  await until('c (restarted with its store) to catch up', () => all(10, MISSED).every((m) => c.got.has(m)), 150_000)
  t.false(c.got.has(0), 'what c had before the restart is not delivered twice')
  // the class takes its state as its commit runs; the log entries follow once the group's batch is durable
  await until('c\'s logs to have no gap left', () => c.node.sync.status().complete)
  t.true(c.node.sync.status().timings.links > MISSED * 0.9, 'the catch-up was authenticated by hash links, not one signature per envelope')
  await c.node.stop()

  c = await net.start(2, { dataDir: join(dir, 'c-empty'), bootstrap: [0] })
  await until('c (restarted with an EMPTY store) to catch up', () => expected.every((m) => c.got.has(m)), 150_000)
  await until('c\'s logs to have no gap left', () => c.node.sync.status().complete)
  const status = c.node.sync.status()
  const logs = status.logs.filter((log) => log.data_class === CLASS)
  t.deepEqual(logs.map((log) => log.frontier).sort((x, y) => x - y), [5, 5 + MISSED], 'b\'s log from a\'s copy (b is down), a\'s whole log')
  await c.node.stop()
})

test('a forged envelope inside a sync batch is rejected; the batch\'s good envelopes are kept; an honest peer fills the hole', async (t) => {
  const keys = await members(3)
  const net = federation(keys)
  const dir = await mkdtemp(join(tmpdir(), 'fedmesh-sync-'))
  let a = await net.start(0, { dataDir: join(dir, 'a') })
  const b = await net.start(1, { bootstrap: [0] })
  t.teardown(async () => { await a.node.stop(); await b.node.stop(); await rm(dir, { recursive: true, force: true }) })
  await publish(a.node, 0, 40)
  await until('b to get all 40', () => b.got.size === 40)
  await a.node.stop()

  // b's stored copy of a's seq 5 gets another payload (message 999) under a's original signatures: b now serves a forgery inside its batch
  const entries = b.node.store.sublevel<Uint8Array>(SYNC_LOG_SUBLEVEL, 'view')
  const key = `${CLASS}/${keys[0].id}/${String(5).padStart(16, '0')}`
  const genuine = await entries.get(key)
  if (genuine === undefined) throw new Error('b does not store a\'s seq 5')
  const signed = SignedEnvelope.decode(genuine)
  const body = EnvelopeBody.decode(signed.body)
  const forged = SignedEnvelope.encode({ ...signed, body: EnvelopeBody.encode({ ...body, payload: encodeLoadPayload(999, Number(body.timestampMs), 64) }) })
  await entries.put(key, forged)

  const c = await net.start(2, { bootstrap: [1] })
  t.teardown(async () => { await c.node.stop() })
  await until('c to take every good envelope of the batch', () => all(0, 40).every((m) => m === 4 || c.got.has(m)))
  t.false(c.got.has(4), 'the forged one (message 4 = seq 5) is not delivered')
  t.false(c.got.has(999), 'nor its forged payload')
  const status = c.node.sync.status()
  t.true(status.rejected >= 1, 'the forgery is counted as rejected')
  // the batch 1..40: seq 40's signature, links down to 6, the break at 5 (its own signature fails), seq 4's signature, links down to 1
  t.true(status.timings.links >= 37, `${status.timings.links} entries proved by hash links`)
  t.true(status.timings.breaks >= 2, 'the forged body breaks the link from seq 6, and nothing proved seq 5 to link to 4')
  const log = status.logs.find((l) => l.data_class === CLASS && l.origin === keys[0].id)
  t.is(log?.frontier, 4)
  t.deepEqual(log?.gaps.map((g) => [g.from, g.to]), [[5, 5]], 'the hole is a visible gap')
  // the operation behind `fedmesh sync status` (CLI and POST /ops/sync.status) reads the running node's live view
  const viaOperation = await c.node.operations.run('sync.status', {}) as { node_running: boolean, logs: Array<{ data_class: string, origin: string, gaps: Array<{ from: number, to: number, available_at: string[] }> }> }
  t.true(viaOperation.node_running)
  t.deepEqual(viaOperation.logs.find((l) => l.data_class === CLASS && l.origin === keys[0].id)?.gaps.map((g) => [g.from, g.to, g.available_at]), [[5, 5, [keys[1].id]]], 'b advertises it (b is the peer that served the forgery)')

  // Prometheus: the open gap, the bytes fetched, how entries were proved
  const exposition = await c.node.metrics.exposition()
  t.regex(exposition, /fedmesh_sync_gaps\{data_class="incident_summary",state="fillable"\} 1\n/)
  t.regex(exposition, /fedmesh_sync_gap_entries\{data_class="incident_summary"\} 1\n/)
  t.regex(exposition, /fedmesh_sync_envelopes_total\{result="rejected"\} [1-9]/)
  t.regex(exposition, /fedmesh_sync_proofs_total\{proof="link"\} (3[7-9]|[4-9]\d|\d{3,})\n/)
  t.true(Number(/fedmesh_sync_bytes_total (\d+)/.exec(exposition)?.[1]) > 40 * 3000, 'bytes of 40 envelopes or more')

  // the audit log (group commit, protocols/audit.md boundary_batch): every good envelope of the batch is named once by
  // a batch record, the forgery never; the forgery has its own boundary record, rejected bad_signature; the log verifies
  const idOf = async (seq: number): Promise<string> => decodeEnvelope(await entries.get(`${CLASS}/${keys[0].id}/${String(seq).padStart(16, '0')}`) as Uint8Array).idHex
  const forgedId = await idOf(5)
  const goodIds = await Promise.all(all(1, 40).filter((seq) => seq !== 5).map(idOf))
  const tail = await c.node.operations.run('audit.tail', { limit: 10_000 }) as { entries: Array<{ kind: string, source?: string, message_ids?: string[], message_id?: string, verdict?: string, reason?: string, result?: string }> }
  const named = tail.entries.filter((e) => e.kind === 'boundary_batch' && e.source === keys[0].id).flatMap((e) => e.message_ids ?? [])
  t.deepEqual([...named].sort(), [...goodIds].sort(), 'each good envelope named exactly once, the forgery not at all')
  t.true(tail.entries.filter((e) => e.kind === 'boundary_batch').every((e) => e.result === 'accept'))
  t.true(tail.entries.some((e) => e.kind === 'boundary' && e.message_id === forgedId && e.verdict === 'rejected' && e.reason === 'reject:bad_signature'), 'the forgery is audited as refused')
  t.like(await c.node.operations.run('audit.verify', {}), { ok: true })

  a = await net.start(0, { dataDir: join(dir, 'a'), bootstrap: [2] })
  await until('c to fill the hole from the origin', () => c.got.has(4))
  await until('c\'s logs to have no gap left', () => c.node.sync.status().complete)
  t.pass()
})

test('a second envelope signed by the origin for the same log position is rejected as equivocation; the evidence is kept, spread by sync and penalised everywhere', async (t) => {
  const keys = await members(3)
  const net = federation(keys)
  const a = await net.start(0)
  const b = await net.start(1, { bootstrap: [0] })
  t.teardown(async () => { await a.node.stop(); await b.node.stop() })
  await publish(a.node, 0, 3)
  await until('b to get 3', () => b.got.size === 3)
  const stored = await a.node.store.sublevel<Uint8Array>(SYNC_LOG_SUBLEVEL, 'view').get(`${CLASS}/${keys[0].id}/${String(2).padStart(16, '0')}`)
  if (stored === undefined) throw new Error('a does not store its own seq 2')
  const original = decodeEnvelope(stored).envelope
  // the origin's own key signs another body for seq 2, linking to the same seq 1
  const fork = signEnvelope({
    id: new Uint8Array(randomBytes(16)), timestampMs: Date.now(), source: keys[0].id, destination: gossipTopic(FEDERATION, CLASS),
    federationId: FEDERATION, dataClass: CLASS, schemaId: LOAD_SCHEMA_ID, contentType: LOAD_CONTENT_TYPE,
    payload: encodeLoadPayload(99, Date.now(), 64), originSeq: 2, prevHash: original.prevHash
  }, keys[0].signer)
  const verdict = await b.node.envelopes.receive(CLASS, fork)
  t.like(verdict, { action: 'reject', code: 'equivocation' })
  t.false(b.got.has(99))
  await until('b to keep the evidence', () => b.node.sync.status().equivocations === 1)
  t.deepEqual(b.node.sync.status().evidence, [{ origin: keys[0].id, data_class: CLASS, seq: 2, kind: 'fork' }])
  const trustOf = async (node: FedmeshNode, id: string): Promise<number | undefined> => (await new ConsensusStore(node.store).trust()).find((r) => r.node_id === id)?.score
  await waitFor(async () => await trustOf(b.node, keys[0].id) === 30)
  t.is(await trustOf(b.node, keys[0].id), 30, 'a loses 20 trust at b (admin_penalty, like vote equivocation)')

  // c never saw the fork: it learns the evidence in its sync round with b, checks it itself and penalises a too
  const c = await net.start(2, { bootstrap: [1] })
  t.teardown(async () => { await c.node.stop() })
  await until('c to receive the evidence by sync', () => c.node.sync.status().equivocations === 1)
  await waitFor(async () => await trustOf(c.node, keys[0].id) === 30)
  t.is(await trustOf(c.node, keys[0].id), 30)
  t.is(await trustOf(c.node, keys[1].id), undefined, 'nobody else is penalised')
  // evidence is taken once: later rounds bring it again and change nothing
  const rounds = c.node.sync.status().rounds.ok
  await until('c to run more rounds', () => c.node.sync.status().rounds.ok >= rounds + 2)
  t.is(await trustOf(c.node, keys[0].id), 30)
})

test('a peer serving a fork of an origin\'s log in a sync batch is caught: link evidence against the origin, penalised', async (t) => {
  const keys = await members(3)
  const net = federation(keys)
  const a = await net.start(0)
  const b = await net.start(1, { bootstrap: [0] })
  t.teardown(async () => { await b.node.stop() })
  await publish(a.node, 0, 3)
  await until('b to get 3', () => b.got.size === 3)
  await a.node.stop()
  // a equivocated: another seq 2 (linking to the same seq 1) reached b's store, next to the seq 3 that links to the original
  const entries = b.node.store.sublevel<Uint8Array>(SYNC_LOG_SUBLEVEL, 'view')
  const key = `${CLASS}/${keys[0].id}/${String(2).padStart(16, '0')}`
  const original = decodeEnvelope((await entries.get(key))!).envelope
  await entries.put(key, signEnvelope({
    id: new Uint8Array(randomBytes(16)), timestampMs: Date.now(), source: keys[0].id, destination: gossipTopic(FEDERATION, CLASS),
    federationId: FEDERATION, dataClass: CLASS, schemaId: LOAD_SCHEMA_ID, contentType: LOAD_CONTENT_TYPE,
    payload: encodeLoadPayload(99, Date.now(), 64), originSeq: 2, prevHash: original.prevHash
  }, keys[0].signer))

  const c = await net.start(2, { bootstrap: [1] })
  t.teardown(async () => { await c.node.stop() })
  await until('c to catch the fork', () => c.node.sync.status().equivocations === 1)
  t.deepEqual(c.node.sync.status().evidence, [{ origin: keys[0].id, data_class: CLASS, seq: 3, kind: 'link' }], 'seq 3 does not link to the seq 2 served with it')
  t.true(c.got.has(0))
  t.false(c.got.has(2), 'the entry contradicting what c holds is rejected')
  await waitFor(async () => (await new ConsensusStore(c.node.store).trust()).find((r) => r.node_id === keys[0].id)?.score === 30)
  t.pass()
})

test('an origin restarted with an EMPTY store never reuses a seq and loses nothing: what it publishes alone is held (across a restart) until a member told it where its logs stand, then sent sequenced', async (t) => {
  const keys = await members(2)
  const net = federation(keys)
  const dir = await mkdtemp(join(tmpdir(), 'fedmesh-sync-'))
  let a = await net.start(0, { dataDir: join(dir, 'a') })
  const b = await net.start(1, { bootstrap: [0] })
  t.teardown(async () => { await a.node.stop(); await b.node.stop(); await rm(dir, { recursive: true, force: true }) })
  await publish(a.node, 0, 20)
  await until('b to get 20', () => b.got.size === 20)
  await a.node.stop()

  // alone (at an address b does not know), with an empty store: nobody can tell a where its log stands, so what it
  // publishes is held, not sent
  a = await net.start(0, { dataDir: join(dir, 'a-empty-alone'), unlisted: true })
  t.false(a.node.sync.status().own_logs_settled)
  const alone = a.node.envelopes.seal(CLASS, LOAD_SCHEMA_ID, encodeLoadPayload(100, Date.now(), 64), LOAD_CONTENT_TYPE)
  t.is(decodeEnvelope(alone).envelope.originSeq, 0, 'provisional: it can never collide with the seqs a signed before')
  t.is(await a.node.envelopes.publish(CLASS, alone), 0, 'publish returns (bounded) with the envelope still held')
  t.like(a.node.sync.status(), { own_logs_settled: false, own_held: 1 })
  await a.node.stop()

  // the same store, now with b reachable: b's frontiers settle a's log at seq 20; the held message goes out as seq 21
  // with its id
  a = await net.start(0, { dataDir: join(dir, 'a-empty-alone'), bootstrap: [1] })
  await until('b to get the message a held across its restart', () => b.got.has(100))
  await until('a to release it', () => a.node.sync.status().own_held === 0)
  const sent = await new SyncLogRepository(a.node.store).get(CLASS, keys[0].id, 21)
  t.truthy(sent, 'the held message is a\'s seq 21')
  t.is(decodeEnvelope(sent as Uint8Array).idHex, decodeEnvelope(alone).idHex, 'with the id publish was given')
  t.is(decodeLoadPayload(decodeEnvelope(sent as Uint8Array).envelope.payload).message, 100)
  await a.node.stop()

  // another empty store with b reachable: b's frontiers settle a's log at seq 21 and a continues at 22
  a = await net.start(0, { dataDir: join(dir, 'a-empty'), bootstrap: [1] })
  await until('a to settle its own log from b', () => a.node.sync.status().own_logs_settled)
  const next = a.node.envelopes.seal(CLASS, LOAD_SCHEMA_ID, encodeLoadPayload(200, Date.now(), 64), LOAD_CONTENT_TYPE)
  t.is(decodeEnvelope(next).envelope.originSeq, 22)
  await a.node.envelopes.publish(CLASS, next)
  await publish(a.node, 201, 4)
  await until('b to get the 5 new ones', () => all(200, 5).every((m) => b.got.has(m)))
  const status = b.node.sync.status()
  t.is(status.equivocations, 0, 'no equivocation: no seq was signed twice')
  t.is(status.rejected, 0)
  t.like(status.logs.find((l) => l.data_class === CLASS && l.origin === keys[0].id), { frontier: 26, high: 26 })
  // and a gets its own older entries back by sync, its log whole again
  await until('a to hold its own log 1..26', () => a.node.sync.status().logs.find((l) => l.data_class === CLASS && l.origin === keys[0].id)?.frontier === 26)
  t.pass()
})

test('a brand-new node publishing before its first sync round (no peer at all: gossip cannot deliver) loses nothing: held, then sent sequenced and delivered', async (t) => {
  const keys = await members(3)
  const net = federation(keys)
  const a = await net.start(0)
  const b = await net.start(1, { bootstrap: [0] })
  const c = await net.start(2)
  t.teardown(async () => { await a.node.stop(); await b.node.stop(); await c.node.stop() })
  t.false(c.node.sync.status().own_logs_settled, 'a fresh federated store: c cannot know it never published under its key')
  const sealed = [0, 1, 2].map((message) => c.node.envelopes.seal(CLASS, LOAD_SCHEMA_ID, encodeLoadPayload(300 + message, Date.now(), 64), LOAD_CONTENT_TYPE))
  const published = sealed.map(async (bytes) => await c.node.envelopes.publish(CLASS, bytes))
  await until('c to hold the three', () => c.node.sync.status().own_held === 3)
  t.deepEqual(c.node.libp2p.getPeers(), [], 'no peer: gossip can deliver nothing')
  await c.node.libp2p.dial(multiaddr(`${net.address(0)}/p2p/${keys[0].id}`))
  await until('a and b to get all three', () => [300, 301, 302].every((m) => a.got.has(m) && b.got.has(m)))
  await Promise.all(published)
  t.like(c.node.sync.status(), { own_logs_settled: true, own_held: 0 })
  for (const node of [a.node, b.node]) t.like(node.sync.status().logs.find((l) => l.data_class === CLASS && l.origin === keys[2].id), { frontier: 3, high: 3 })
  const ids = await Promise.all([1, 2, 3].map(async (seq) => decodeEnvelope(await new SyncLogRepository(c.node.store).get(CLASS, keys[2].id, seq) as Uint8Array).idHex))
  t.deepEqual(ids, sealed.map((bytes) => decodeEnvelope(bytes).idHex), 'sequenced in the order published, with their ids')
})

test('equivocation evidence travels on its gossip topic too: checked, kept once and penalised once by a member no sync round told', async (t) => {
  const keys = await members(3)
  const net = federation(keys)
  // no periodic sync rounds: after the rounds at connection, only gossip can bring evidence found later
  const quiet = { syncIntervalMs: 3_600_000 }
  const a = await net.start(0, quiet)
  const b = await net.start(1, { ...quiet, bootstrap: [0] })
  const c = await net.start(2, { ...quiet, bootstrap: [1] })
  t.teardown(async () => { await a.node.stop(); await b.node.stop(); await c.node.stop() })
  await publish(a.node, 0, 2)
  await until('b and c to get 2', () => b.got.size === 2 && c.got.size === 2)
  const topic = gossipTopic(FEDERATION, 'log_evidence')
  await until('c to have a gossip mesh peer for evidence', () => c.node.libp2p.services.pubsub.getMeshPeers(topic).length > 0)
  await until('b to know c subscribes to evidence', () => b.node.libp2p.services.pubsub.getSubscribers(topic).some((peer) => peer.toString() === keys[2].id))
  const trustOf = async (node: FedmeshNode, id: string): Promise<number | undefined> => (await new ConsensusStore(node.store).trust()).find((r) => r.node_id === id)?.score
  let exposition = ''
  const refusedEvidence = (node: FedmeshNode): string | undefined => {
    void node.metrics.exposition().then((text) => { exposition = text })
    return /data_class="log_evidence",direction="in",result="reject",reason="invalid_evidence"/.exec(exposition)?.[0]
  }

  const stored = await new SyncLogRepository(b.node.store).get(CLASS, keys[0].id, 2) as Uint8Array
  const original = decodeEnvelope(stored).envelope
  const fork = signEnvelope({
    id: randomBytes(16), timestampMs: Date.now(), source: keys[0].id, destination: gossipTopic(FEDERATION, CLASS), federationId: FEDERATION, dataClass: CLASS, schemaId: LOAD_SCHEMA_ID, contentType: LOAD_CONTENT_TYPE,
    payload: encodeLoadPayload(99, Date.now(), 64), originSeq: 2, prevHash: original.prevHash
  }, keys[0].signer)
  // b is caught up in the fork: it rejects the second envelope and its evidence goes out on gossip
  t.like(await b.node.envelopes.receive(CLASS, fork), { action: 'reject', code: 'equivocation' })
  await until('c to receive the evidence by gossip', () => c.node.sync.status().equivocations === 1)
  t.deepEqual(c.node.sync.status().evidence, [{ origin: keys[0].id, data_class: CLASS, seq: 2, kind: 'fork' }])
  await waitFor(async () => await trustOf(c.node, keys[0].id) === 30)
  t.regex(await c.node.metrics.exposition(), /fedmesh_sync_equivocations_total\{source="gossip"\} 1\n/, 'gossip brought it, not a sync round')
  // the same evidence again (published by a itself, which got it by gossip too) changes nothing: kept once, penalised once
  await until('a to hold the evidence against itself', () => a.node.sync.status().equivocations === 1)

  // forged evidence (a body a never signed, under a's signatures) is refused where it is checked (last: the
  // refusal costs its relay b gossip score at c)
  const signed = SignedEnvelope.decode(fork)
  const forged = SignedEnvelope.encode({ ...signed, body: EnvelopeBody.encode({ ...EnvelopeBody.decode(signed.body), payload: encodeLoadPayload(98, Date.now(), 64) }) })
  await b.node.libp2p.services.pubsub.publish(topic, LogEvidence.encode({ first: stored, second: forged }))
  await until('c to refuse the forged evidence', () => refusedEvidence(c.node) !== undefined)
  t.regex(await c.node.metrics.exposition(), /fedmesh_gossip_messages_total\{data_class="log_evidence",direction="in",result="reject",reason="invalid_evidence"\} 1\n/)
  t.is(await trustOf(c.node, keys[0].id), 30, 'kept once, penalised once')
  t.is(c.node.sync.status().equivocations, 1)
})
