/**
 * Bilateral store-and-forward as a log (protocols/bilateral.md "Log sync"):
 * real nodes on the memory transport, restarted with their store or an empty
 * one. Every wait is on a condition with a bound; nothing asserts timing.
 */
import test from 'ava'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { peerIdFromString } from '@libp2p/peer-id'
import { pbStream } from 'it-protobuf-stream'
import { randomBytes } from 'node:crypto'
import { clockFrom } from '../../../src/runtime/clock.ts'
import { HEARTBEATS_MISSED_MAX } from '../../../src/core/handshake/index.ts'
import { decodeEnvelope, envelopeBodyHash, signEnvelope } from '../../../src/wire/envelope.ts'
import {
  BILATERAL_SYNC_FRAME_BYTES_MAX, BILATERAL_SYNC_PROTOCOL_ID, decodeBilateralFrontier, encodeBilateralBatch, type BilateralBatchFrame, type BilateralFrontierFrame
} from '../../../src/wire/bilateral.ts'
import type { FedmeshNode } from '../../../src/node/node.ts'
import { BilateralRepository, queueKey } from '../../../src/store/bilateral-queue.ts'
import { auditEntries, FEDERATION, startFederation, until } from '../handshake/federation.ts'
import { reestablish, restart } from './restart.ts'

const RAW = { encode: (bytes: Uint8Array) => bytes, decode: (data: { subarray: () => Uint8Array }) => data.subarray() }
const INTERVAL_MS = 1000
const text = (payload: string): string => Buffer.from(payload, 'base64').toString()
/** The inbox in log order (its own order is arrival time, then id: one injected millisecond holds many). */
async function inboxBySeq (node: FedmeshNode): Promise<Awaited<ReturnType<FedmeshNode['bilateral']['inbox']>>> {
  return (await node.bilateral.inbox()).sort((x, y) => (x.seq ?? 0) - (y.seq ?? 0))
}

async function send (node: FedmeshNode, to: string, payload: string): Promise<{ status: string, message_id: string }> {
  return await node.operations.run('send', { class: 'incident_summary', to, payload_base64: Buffer.from(payload).toString('base64') }) as { status: string, message_id: string }
}

/** Accepted inbound crossings per message id in a node's audit log. */
async function acceptedIn (node: FedmeshNode): Promise<Map<string, number>> {
  const counts = new Map<string, number>()
  for (const e of await auditEntries(node)) if (e.kind === 'boundary' && e.direction === 'in' && e.verdict === 'accepted') counts.set(e.message_id, (counts.get(e.message_id) ?? 0) + 1)
  return counts
}

test('a receiver restarted with an EMPTY store gets the range again; one restarted with its store gets nothing twice', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'fedmesh-bl-'))
  t.teardown(async () => { await rm(dir, { recursive: true, force: true }) })
  const init = { bilateral: { resyncIntervalMs: 0 } }
  const federation = await startFederation('bl-empty', [
    { site: 'site_a', allows: { site_b: ['incident_summary'] }, init },
    { site: 'site_b', allows: { site_a: ['incident_summary'] }, init: { ...init, dataDir: join(dir, 'b') } }
  ])
  t.teardown(federation.stop)
  const [ia, ib] = federation.ids
  const a = federation.nodes[0]!
  await until('both relations active', () => a.handshake.relation(ib!.peerId)?.state === 'active' && federation.nodes[1]!.handshake.relation(ia!.peerId)?.state === 'active')
  const ids: string[] = []
  for (let i = 1; i <= 5; i++) {
    const sent = await send(a, 'site_b', `message ${i}`)
    t.is(sent.status, 'delivered')
    ids.push(sent.message_id)
  }
  t.deepEqual((await inboxBySeq(federation.nodes[1]!)).map((m) => m.id), ids)

  // restarted with its store: the frontier it persisted says it has everything; nothing comes twice
  let b = await restart(federation, 1, { ...init, dataDir: join(dir, 'b') })
  await reestablish(b, a, ia!.peerId, ib!.peerId)
  await a.bilateral.flush(ib!.peerId)
  t.deepEqual((await inboxBySeq(b)).map((m) => m.id), ids, 'the same five, once each')
  t.like((await b.bilateral.logs()).find((l) => l.peer === ia!.peerId)?.in, { frontier: 5, held: 0, lost: [] })

  // restarted with an EMPTY store: a must not trust the frontier it heard before; it asks, and sends 1..5 again
  b = await restart(federation, 1, init)
  t.deepEqual(await b.bilateral.inbox(), [])
  await reestablish(b, a, ia!.peerId, ib!.peerId)
  await until('the range delivered again', async () => (await b.bilateral.inbox()).length === 5)
  const inbox = await inboxBySeq(b)
  t.deepEqual(inbox.map((m) => m.id), ids, 'the same ids')
  t.deepEqual(inbox.map((m) => text(m.payload)), [1, 2, 3, 4, 5].map((i) => `message ${i}`))
  t.deepEqual(inbox.map((m) => m.seq), [1, 2, 3, 4, 5])

  // idempotent under retries: more flushes and resyncs, concurrent, change nothing
  await Promise.all([a.bilateral.flush(ib!.peerId), a.bilateral.flush(ib!.peerId), a.bilateral.resync()])
  t.is((await b.bilateral.inbox()).length, 5)
  t.deepEqual([...(await acceptedIn(b)).values()], [1, 1, 1, 1, 1], 'each taken once by the restarted receiver')
  const status = (await a.bilateral.logs()).find((l) => l.peer === ib!.peerId)!
  t.like(status.out, { head: 5, peer_frontier: 5, queued: 0, withdrawn: 0, low: 1, retained: 5 })
  t.true((await auditEntries(a)).some((e) => e.kind === 'boundary' && e.direction === 'out' && e.verdict === 'accepted' && e.reason === 'resent' && e.message_id === ids[0]))
  // the same, as the operator sees it
  const relations = await a.operations.run('relations', {}) as { bilateral: Array<{ peer: string }> }
  t.true(relations.bilateral.some((l) => l.peer === ib!.peerId))
})

test('what the sender pruned before an empty receiver had it is reported lost, never silently skipped', async (t) => {
  const federation = await startFederation('bl-lost', [
    { site: 'site_a', allows: { site_b: ['incident_summary'] }, init: { bilateral: { resyncIntervalMs: 0, retainedAckedMax: 2 } } },
    { site: 'site_b', allows: { site_a: ['incident_summary'] }, init: { bilateral: { resyncIntervalMs: 0 } } }
  ])
  t.teardown(federation.stop)
  const [ia, ib] = federation.ids
  const a = federation.nodes[0]!
  await until('both relations active', () => a.handshake.relation(ib!.peerId)?.state === 'active' && federation.nodes[1]!.handshake.relation(ia!.peerId)?.state === 'active')
  const ids: string[] = []
  for (let i = 1; i <= 5; i++) ids.push((await send(a, 'site_b', `message ${i}`)).message_id)
  t.like((await a.bilateral.logs())[0]!.out, { head: 5, queued: 0, low: 4, retained: 2 }, 'acknowledged entries beyond the retention pruned')

  const b = await restart(federation, 1, { bilateral: { resyncIntervalMs: 0 } })
  await reestablish(b, a, ia!.peerId, ib!.peerId)
  await until('what a still holds delivered', async () => (await b.bilateral.inbox()).length === 2)
  t.deepEqual((await inboxBySeq(b)).map((m) => m.id), ids.slice(3))
  t.like((await b.bilateral.logs()).find((l) => l.peer === ia!.peerId)?.in, { frontier: 5, held: 0, lost: [{ from: 1, to: 3 }] })
})

test('a sender restarted mid-flush resumes from the receiver\'s frontier: everything once, nothing twice', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'fedmesh-bl-'))
  t.teardown(async () => { await rm(dir, { recursive: true, force: true }) })
  let nowMs = Date.now()
  const clock = clockFrom(() => nowMs)
  const base = { clock, handshake: { heartbeatIntervalMs: INTERVAL_MS, tickMs: 0 } }
  const senderInit = { ...base, dataDir: join(dir, 'sender'), bilateral: { resyncIntervalMs: 0, batchEntriesMax: 2 } }
  // the receiver is node 0, the sender node 1 (it bootstraps to the receiver, also after its restart)
  const federation = await startFederation('bl-resume', [
    { site: 'site_b', allows: { site_a: ['incident_summary'] }, init: { ...base, bilateral: { resyncIntervalMs: 0 } } },
    { site: 'site_a', allows: { site_b: ['incident_summary'] }, init: senderInit }
  ])
  t.teardown(federation.stop)
  const [ib, ia] = federation.ids
  const b = federation.nodes[0]!
  let a = federation.nodes[1]!
  await until('both relations active', () => a.handshake.relation(ib!.peerId)?.state === 'active' && b.handshake.relation(ia!.peerId)?.state === 'active')

  // b goes quiet: a suspends it and queues ten messages
  nowMs += INTERVAL_MS * (HEARTBEATS_MISSED_MAX + 1)
  await a.handshake.tick()
  t.is(a.handshake.relation(ib!.peerId)!.state, 'suspended')
  const ids: string[] = []
  for (let i = 1; i <= 10; i++) {
    const sent = await send(a, 'site_b', `queued ${i}`)
    t.is(sent.status, 'queued')
    ids.push(sent.message_id)
  }
  t.deepEqual(await a.bilateral.queued(), { [ib!.peerId]: 10 })

  // the receiver takes the first batch, then holds the second until the sender is gone
  let batches = 0
  let arrived!: () => void
  const secondArrived = new Promise<void>((resolve) => { arrived = resolve })
  let release!: () => void
  const released = new Promise<void>((resolve) => { release = resolve })
  const service = b.bilateral as unknown as { takeBatch: (from: string, batch: BilateralBatchFrame) => Promise<BilateralFrontierFrame> }
  const takeBatch = service.takeBatch.bind(b.bilateral)
  service.takeBatch = async (from, batch) => {
    if (batch.envelopes.length > 0 && ++batches === 2) {
      arrived()
      await released
    }
    return await takeBatch(from, batch)
  }

  // a re-establishes (as `fedmesh relations establish` does): the activation flushes, in batches of two
  await reestablish(a, b, ib!.peerId, ia!.peerId)
  await secondArrived
  t.deepEqual(await a.bilateral.queued(), { [ib!.peerId]: 8 }, 'mid-flush: the first batch acknowledged, eight entries still queued')
  await a.stop()
  // the receiver persists the second batch, but its answer never reaches the sender
  release()
  await until('the second batch taken', async () => (await b.bilateral.inbox()).length === 4)

  a = await restart(federation, 1, senderInit)
  t.deepEqual(await a.bilateral.queued(), { [ib!.peerId]: 8 }, 'the queued entries survived the restart')
  await reestablish(a, b, ib!.peerId, ia!.peerId)
  await until('the rest delivered', async () => (await b.bilateral.inbox()).length === 10)
  await until('the queue empty', async () => Object.keys(await a.bilateral.queued()).length === 0)
  await a.bilateral.flush(ib!.peerId)
  const inbox = await inboxBySeq(b)
  t.deepEqual(inbox.map((m) => m.seq), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 'each seq once')
  t.deepEqual(inbox.map((m) => m.id), ids, 'each message once')
  t.deepEqual([...(await acceptedIn(b)).entries()].filter(([, n]) => n !== 1), [], 'no message taken twice')
  t.is((await acceptedIn(b)).size, 10)
  t.like((await b.bilateral.logs()).find((l) => l.peer === ia!.peerId)?.in, { frontier: 10, held: 0, lost: [] })
  t.like((await a.bilateral.logs()).find((l) => l.peer === ib!.peerId)?.out, { head: 10, peer_frontier: 10, queued: 0 })
})

test('inside a re-sent range, a forged and an out-of-policy envelope are refused and the good ones kept; retries change nothing', async (t) => {
  const federation = await startFederation('bl-forged', [
    { site: 'site_a', allows: { site_b: ['incident_summary'] }, init: { bilateral: { resyncIntervalMs: 0 } } },
    { site: 'site_b', allows: { site_a: ['incident_summary'] }, init: { bilateral: { resyncIntervalMs: 0 } } }
  ])
  t.teardown(federation.stop)
  const [a, b] = federation.nodes
  const [ia, ib] = federation.ids
  await until('both relations active', () => a!.handshake.relation(ib!.peerId)?.state === 'active' && b!.handshake.relation(ia!.peerId)?.state === 'active')
  t.false(a!.handshake.relation(ib!.peerId)!.agreed!.receives.includes('playbook_metadata'), 'playbook_metadata is outside the agreed policy')

  // b's log to a, built by hand (b's own send path would refuse the out-of-policy entry): 1 good, 2 forged, 3 out of policy, 4 good
  const entries: Uint8Array[] = []
  let prev: Uint8Array | undefined
  const classes = ['incident_summary', 'incident_summary', 'playbook_metadata', 'incident_summary'] as const
  for (const [i, dataClass] of classes.entries()) {
    let bytes = signEnvelope({
      id: new Uint8Array(randomBytes(16)), timestampMs: Date.now(), source: ib!.peerId, destination: ia!.peerId, federationId: FEDERATION,
      dataClass, schemaId: 'fedmesh.bilateral/1', payload: new TextEncoder().encode(`entry ${i + 1}`), originSeq: i + 1, ...(prev === undefined ? {} : { prevHash: prev })
    }, ib!.signer)
    prev = envelopeBodyHash(decodeEnvelope(bytes))
    if (i === 1) {
      // the body (and so the links) intact, the signature not
      bytes = new Uint8Array(bytes)
      bytes[bytes.length - 10] ^= 0xff
    }
    entries.push(bytes)
  }
  const stream = await b!.libp2p.dialProtocol(peerIdFromString(ia!.peerId), BILATERAL_SYNC_PROTOCOL_ID)
  const frames = pbStream(stream, { maxDataLength: BILATERAL_SYNC_FRAME_BYTES_MAX })
  const exchange = async (batch: BilateralBatchFrame): Promise<BilateralFrontierFrame> => {
    await frames.write(encodeBilateralBatch(batch), RAW)
    return decodeBilateralFrontier(await frames.read(RAW))
  }
  t.like(await exchange({ low: 1, envelopes: [], withdrawn: [] }), { frontier: 0, held: [], results: [] })
  const first = await exchange({ low: 1, envelopes: entries, withdrawn: [] })
  t.deepEqual(first.results.map((r) => [r.seq, r.outcome, r.error]), [
    [1, 'accepted', ''], [2, 'refused', 'BadSignatureError'], [3, 'refused', 'BilateralClassNotAllowedError'], [4, 'accepted', '']
  ])
  t.is(first.frontier, 1, 'the forged entry is not settled: the frontier stops under it')
  t.deepEqual(first.held, [3, 4], 'the refused (authentic) entry and the good one above it are settled')
  const kept = (await inboxBySeq(a!)).map((m) => text(m.payload))
  t.deepEqual(kept, ['entry 1', 'entry 4'], 'the good ones kept, nothing else stored')
  t.like(a!.bilateral.rejected(), { bad_signature: 1, class_not_allowed: 1 })

  // the same range again: nothing taken twice, the forged one refused again
  const again = await exchange({ low: 1, envelopes: entries, withdrawn: [] })
  t.deepEqual(again.results.map((r) => r.outcome), ['duplicate', 'refused', 'duplicate', 'duplicate'])
  t.is(again.frontier, 1)
  // the sender withdraws the entry it cannot deliver: the frontier passes it
  const link = { seq: 2, hash: Buffer.from(envelopeBodyHash(decodeEnvelope(entries[1]!))).toString('hex'), prev: Buffer.from(prev === undefined ? [] : envelopeBodyHash(decodeEnvelope(entries[0]!))).toString('hex') }
  t.like(await exchange({ low: 1, envelopes: [], withdrawn: [link] }), { frontier: 4, held: [] })
  const last = await exchange({ low: 1, envelopes: entries, withdrawn: [link] })
  t.deepEqual(last.results.map((r) => r.outcome), ['duplicate', 'duplicate', 'duplicate', 'duplicate'])
  await stream.close()
  t.deepEqual((await inboxBySeq(a!)).map((m) => text(m.payload)), ['entry 1', 'entry 4'])
  t.like((await a!.bilateral.logs()).find((l) => l.peer === ib!.peerId)?.in, { frontier: 4, held: 0, lost: [] })
  const refusals = (await auditEntries(a!)).filter((e) => e.kind === 'boundary' && e.direction === 'in' && e.verdict === 'rejected')
  t.true(refusals.some((e) => e.reason === 'reject:bad_signature'))
  t.true(refusals.some((e) => e.reason === 'reject:class_not_allowed' && e.data_class === 'playbook_metadata'))
})

test('a sender restarted with an EMPTY store continues after the receiver\'s frontier: its new messages are not taken for duplicates', async (t) => {
  const init = { bilateral: { resyncIntervalMs: 0 } }
  // the receiver is node 0, the sender node 1 (it bootstraps to the receiver, also after its restart)
  const federation = await startFederation('bl-sender-empty', [
    { site: 'site_b', allows: { site_a: ['incident_summary'] }, init },
    { site: 'site_a', allows: { site_b: ['incident_summary'] }, init }
  ])
  t.teardown(federation.stop)
  const [ib, ia] = federation.ids
  const b = federation.nodes[0]!
  let a = federation.nodes[1]!
  await until('both relations active', () => a.handshake.relation(ib!.peerId)?.state === 'active' && b.handshake.relation(ia!.peerId)?.state === 'active')
  const ids: string[] = []
  for (let i = 1; i <= 3; i++) ids.push((await send(a, 'site_b', `before ${i}`)).message_id)

  a = await restart(federation, 1, init)
  await reestablish(a, b, ib!.peerId, ia!.peerId)
  for (let i = 1; i <= 2; i++) {
    const sent = await send(a, 'site_b', `after ${i}`)
    t.is(sent.status, 'delivered')
    ids.push(sent.message_id)
  }
  const inbox = await inboxBySeq(b)
  t.deepEqual(inbox.map((m) => text(m.payload)), ['before 1', 'before 2', 'before 3', 'after 1', 'after 2'])
  t.deepEqual(inbox.map((m) => m.seq), [1, 2, 3, 4, 5], 'the new log continues after the receiver\'s frontier')
  t.deepEqual(inbox.map((m) => m.id), ids)
  t.like((await a.bilateral.logs())[0]!.out, { head: 5, queued: 0, peer_frontier: 5 })
})

test('a real sender\'s queued range with an entry its agreed policy no longer allows and a corrupted one: both withdrawn, the good ones delivered, the frontier passes', async (t) => {
  const federation = await startFederation('bl-withdraw', [
    // a's config would send playbook metadata to b; b does not take it, so the first handshake does not agree it
    { site: 'site_a', allows: { site_b: ['incident_summary', 'playbook_metadata'] }, init: { bilateral: { resyncIntervalMs: 0 } } },
    { site: 'site_b', allows: { site_a: ['incident_summary'] }, init: { bilateral: { resyncIntervalMs: 0 } }, offline: true }
  ])
  t.teardown(federation.stop)
  const [a, b] = federation.nodes
  const [ia, ib] = federation.ids
  const queued = async (dataClass: 'incident_summary' | 'playbook_metadata', payload: string): Promise<string> => {
    const sent = await a!.bilateral.send({ dataClass, to: 'site_b', payload: new TextEncoder().encode(payload) })
    t.is(sent.status, 'queued')
    return sent.message_id
  }
  const ids = [await queued('incident_summary', 'one'), await queued('playbook_metadata', 'not agreed'), await queued('incident_summary', 'corrupted'), await queued('incident_summary', 'four')]
  // seq 3 is corrupted in a's store (its signature no longer verifies)
  const repository = new BilateralRepository(a!.store)
  const third = (await repository.outbound(ib!.peerId)).find((e) => e.seq === 3)!
  const bytes = Buffer.from(third.envelope, 'base64')
  bytes[bytes.length - 10]! ^= 0xff
  await repository.batch([repository.outboundPut({ ...third, envelope: bytes.toString('base64') })])

  await b!.start()
  await until('the first handshake', () => a!.handshake.relation(ib!.peerId)?.state === 'active' && b!.handshake.relation(ia!.peerId)?.state === 'active')
  t.deepEqual(a!.handshake.relation(ib!.peerId)!.agreed!.sends, ['incident_summary'])
  await until('the queue settled', async () => Object.keys(await a!.bilateral.queued()).length === 0)
  await until('b\'s frontier past both withdrawn entries', async () => (await b!.bilateral.logs()).find((l) => l.peer === ia!.peerId)?.in?.frontier === 4)
  t.deepEqual((await inboxBySeq(b!)).map((m) => text(m.payload)), ['one', 'four'])
  t.like((await a!.bilateral.logs())[0]!.out, { head: 4, queued: 0, withdrawn: 2, peer_frontier: 4 })
  t.like((await b!.bilateral.logs()).find((l) => l.peer === ia!.peerId)!.in, { frontier: 4, held: 0, lost: [] })
  const out = (await auditEntries(a!)).filter((e) => e.kind === 'boundary' && e.direction === 'out')
  t.true(out.some((e) => e.message_id === ids[1] && e.verdict === 'rejected' && e.reason === 'DataClassNotAllowedError'), 'checked again at delivery, never sent')
  t.true(out.some((e) => e.message_id === ids[2] && e.verdict === 'rejected' && e.reason === 'peer:BadSignatureError'))
  t.true((await auditEntries(b!)).some((e) => e.kind === 'boundary' && e.direction === 'in' && e.verdict === 'rejected' && e.reason === 'reject:bad_signature'))
  t.like(b!.bilateral.rejected(), { bad_signature: 1 })
  t.false('class_not_allowed' in b!.bilateral.rejected(), 'the not-agreed class never reached b')
})

test('messages an earlier version queued (unsequenced) are sealed into the log at start and delivered once', async (t) => {
  const federation = await startFederation('bl-migrate', [
    { site: 'site_a', allows: { site_b: ['incident_summary'] }, init: { bilateral: { resyncIntervalMs: 0 } } },
    // b is the sender here: created, not started, with two messages in the old per-message queue
    { site: 'site_b', allows: { site_a: ['incident_summary'] }, init: { bilateral: { resyncIntervalMs: 0 } }, offline: true }
  ])
  t.teardown(federation.stop)
  const [a, b] = federation.nodes
  const [ia, ib] = federation.ids
  const repository = new BilateralRepository(b!.store)
  const old = [1, 2].map((i) => ({
    key: queueKey(ia!.peerId, 1000 + i, `${i}`.repeat(32)), to: ia!.peerId, id: `${i}`.repeat(32), data_class: 'incident_summary', schema_id: 'fedmesh.bilateral/1',
    payload: Buffer.from(`old ${i}`).toString('base64'), queued_at_ms: 1000 + i, attempts: 3
  }))
  await repository.batch(old.map((entry) => repository.queuePut(entry)))

  await b!.start()
  t.deepEqual(await repository.queued(), [], 'the old queue is empty once sealed')
  await until('the first handshake', () => a!.handshake.relation(ib!.peerId)?.state === 'active' && b!.handshake.relation(ia!.peerId)?.state === 'active')
  await until('both delivered', async () => (await a!.bilateral.inbox()).length === 2)
  const inbox = await inboxBySeq(a!)
  t.deepEqual(inbox.map((m) => [m.seq, m.id, text(m.payload)]), [[1, old[0]!.id, 'old 1'], [2, old[1]!.id, 'old 2']], 'in queue order, with their ids')
  await until('b\'s queue empty', async () => Object.keys(await b!.bilateral.queued()).length === 0)
})
