/**
 * Group commit of a fetched batch (EnvelopeChannel.receiveBatch, protocols/sync.md "Group commit"): for a class
 * with `groupCommit`, the accepted envelopes of a batch land in ONE store batch together with ONE audit append
 * that still holds a boundary record per envelope (the audit log verifies); a forged or duplicate envelope
 * in the batch is refused and the rest kept; nothing is acknowledged before the batch is durable, and a failed
 * group write acknowledges nothing and stops the class. A class without it commits one envelope per batch.
 */
import test from 'ava'
import { Store, type BatchOperation } from '../../../src/store/store.ts'
import { AuditLog } from '../../../src/store/audit-log.ts'
import { auditAppender } from '../../../src/services/audit/appender.ts'
import { SyncLogRepository } from '../../../src/store/sync-logs.ts'
import { envelopeChannel, OriginLogs, type EnvelopeChannel, type GossipTransport } from '../../../src/services/envelopes/index.ts'
import { memberDirectory } from '../../../src/services/members/index.ts'
import { createMembership } from '../../../src/core/consensus/membership.ts'
import { silentLogger } from '../../../src/runtime/log.ts'
import { systemClock } from '../../../src/runtime/clock.ts'
import { systemRandom } from '../../../src/runtime/random.ts'
import { decodeEnvelope, signEnvelope, type DataClass } from '../../../src/wire/envelope.ts'
import { gossipTopic } from '../../../src/net/gossip.ts'
import { linkOf } from '../../../src/services/envelopes/origin-logs.ts'
import { EnvelopeBody, SignedEnvelope } from '../../../protocols/envelope.ts'
import { member, verifier } from '../fixtures/federation.ts'
import { AUDIT_BATCH_IDS_MAX, decodeAuditRecord, type BoundaryBatchRecord, type BoundaryCrossingRecord } from '../../../src/core/audit/record.ts'
import { AUDIT_SUBLEVELS } from '../../../src/store/audit-layout.ts'

const FEDERATION = 'group-commit-test'
const CLASS: DataClass = 'incident_summary'
const origin = member(0)
const self = member(1)

/** A sequenced log of `count` envelopes by `origin`, seq 1..count, hash-linked. */
function log (count: number): Uint8Array[] {
  const out: Uint8Array[] = []
  let prevHash = new Uint8Array(0)
  for (let seq = 1; seq <= count; seq++) {
    const id = new Uint8Array(16)
    new DataView(id.buffer).setUint32(12, seq)
    const bytes = signEnvelope({
      id, timestampMs: Date.now(), source: origin.node_id, destination: gossipTopic(FEDERATION, CLASS), federationId: FEDERATION, dataClass: CLASS,
      schemaId: 'test/1', payload: new TextEncoder().encode(`message ${seq}`), originSeq: seq, prevHash
    }, origin.signer)
    prevHash = Buffer.from(linkOf(decodeEnvelope(bytes)).hash, 'hex')
    out.push(bytes)
  }
  return out
}

/** The same envelope with another payload under the original signatures. */
function forge (bytes: Uint8Array): Uint8Array {
  const signed = SignedEnvelope.decode(bytes)
  const body = EnvelopeBody.decode(signed.body)
  return SignedEnvelope.encode({ ...signed, body: EnvelopeBody.encode({ ...body, payload: new TextEncoder().encode('forged') }) })
}

interface Setup {
  store: Store
  channel: EnvelopeChannel
  logs: OriginLogs
  audit: AuditLog
  /** store batches holding this class's commit writes, with how many each held */
  commitBatches: number[]
  committed: string[]
  effects: string[]
  failNextCommitBatch: () => void
}

async function setup (groupCommit: boolean): Promise<Setup> {
  const store = await Store.open()
  const commitBatches: number[] = []
  let fail = false
  const batch = store.batch.bind(store)
  store.batch = async (operations: BatchOperation[]): Promise<void> => {
    const mine = operations.filter((op) => String((op as { key?: unknown }).key).startsWith('committed/')).length
    if (mine > 0) {
      if (fail) { fail = false; throw new Error('disk full') }
      commitBatches.push(mine)
    }
    await batch(operations)
  }
  const members = memberDirectory()({ logger: silentLogger() })
  members.setMembership(createMembership(FEDERATION, [origin, self].map((m) => ({ node_id: m.node_id, public_key: m.signer.publicKey, joined_at: 0 })), 0))
  const logs = new OriginLogs({ repository: new SyncLogRepository(store), limits: () => ({ retentionEntries: 1000, heldEntriesMax: 1000 }), logger: silentLogger(), nodeId: self.node_id })
  const audit = await AuditLog.open(store)
  const gossip: GossipTransport = { register: (c) => gossipTopic(FEDERATION, c.dataClass), publish: async () => 0, topics: () => [] }
  const channel = envelopeChannel({ federationId: FEDERATION })({
    gossip, store, signer: self.signer, verifier, members, clock: systemClock, random: systemRandom, logger: silentLogger(), nodeId: self.node_id, logs, audit: auditAppender(audit, store)
  })
  await channel.start()
  const committed: string[] = []
  const effects: string[] = []
  channel.register({
    dataClass: CLASS,
    groupCommit,
    decodePayload: (payload) => new TextDecoder().decode(payload),
    commit: async (text, envelope, persist) => {
      await persist([store.putOperation('group-commit-test', `committed/${envelope.originSeq}`, text)])
      committed.push(text)
      return () => { effects.push(text) }
    }
  })
  return { store, channel, logs, audit, commitBatches, committed, effects, failNextCommitBatch: () => { fail = true } }
}

test('a fetched batch is committed in one store batch with one audit append; a forged and a duplicate envelope are refused, the rest kept', async (t) => {
  const s = await setup(true)
  const entries = log(20)
  const batch = [...entries.slice(0, 6), forge(entries[6]), ...entries.slice(7), entries[3]]
  const verdicts = await s.channel.receiveBatch?.(CLASS, batch)
  t.truthy(verdicts)
  t.deepEqual(verdicts?.map((v) => v.action), [...Array(6).fill('accept'), 'reject', ...Array(13).fill('accept'), 'ignore'])
  t.like(verdicts?.[6], { code: 'bad_signature' })
  t.deepEqual(s.commitBatches, [19], 'the 19 accepted envelopes\' writes (and log entries, and audit records) in one store batch')
  t.is(s.committed.length, 19)
  t.like(s.logs.positions().find((p) => p.origin === origin.node_id), { frontier: 6, high: 20, count: 19 }, 'seq 7 stays a visible gap')
  t.deepEqual(s.effects, [], 'effects run only when the caller runs them, after the batch is durable')
  for (const v of verdicts ?? []) if (v.action === 'accept') await v.value?.()
  t.is(s.effects.length, 19)
  // the 19 accepted crossings are named by one boundary_batch record, each refusal has its own boundary record,
  // and the Merkle log verifies
  t.is(s.audit.head().size, 3)
  t.like(await s.audit.verify(), { ok: true, size: 3 })
  const leaves = await s.audit.entries({ limit: 100 })
  const named = leaves.flatMap((e) => e.record.kind === 'boundary_batch' ? (e.record as BoundaryBatchRecord).message_ids : [])
  const accepted = batch.flatMap((bytes, i) => verdicts?.[i]?.action === 'accept' ? [decodeEnvelope(bytes).idHex] : [])
  t.deepEqual(named, accepted, 'every accepted envelope is named, in commit order, and nothing else')
  t.like(leaves.find((e) => e.record.kind === 'boundary_batch')?.record, { direction: 'in', verdict: 'accepted', source: origin.node_id, data_class: CLASS, bytes: accepted.length === 0 ? 0 : batch.filter((_, i) => verdicts?.[i]?.action === 'accept').reduce((sum, b) => sum + b.byteLength, 0) })
  const refused = leaves.filter((e) => e.record.kind === 'boundary').map((e) => e.record as BoundaryCrossingRecord)
  t.deepEqual(refused.map((r) => [r.verdict, r.reason, r.message_id]), [
    ['rejected', 'reject:bad_signature', decodeEnvelope(batch[6]).idHex],
    ['rejected', 'ignore:duplicate', decodeEnvelope(entries[3]).idHex]
  ], 'the forged and the duplicate envelope are audited on their own, as refused')

  // the gap is filled later (e.g. from an honest peer), on its own
  const again = await s.channel.receiveBatch?.(CLASS, [entries[6]])
  t.deepEqual(again?.map((v) => v.action), ['accept'])
  t.like(s.logs.positions().find((p) => p.origin === origin.node_id), { frontier: 20, high: 20 })
  await s.store.close()
})

test('a failed group write acknowledges nothing, takes no log entry, and stops the class until a restart', async (t) => {
  const s = await setup(true)
  const entries = log(10)
  s.failNextCommitBatch()
  const verdicts = await s.channel.receiveBatch?.(CLASS, entries.slice(0, 5))
  t.deepEqual(verdicts?.map((v) => `${v.action}:${v.action === 'accept' ? '' : v.code}`), Array(5).fill('ignore:persist_failed'))
  t.is(s.logs.positions().find((p) => p.origin === origin.node_id)?.frontier ?? 0, 0, 'no log entry taken: sync fetches them again after the restart')
  t.is(s.audit.head().size, 5, 'only the refusals are audited')
  t.true((await s.audit.entries({ limit: 10 })).every((e) => e.record.kind === 'boundary' && e.record.verdict === 'rejected'), 'no batch record names an envelope that was not stored')
  const later = await s.channel.receiveBatch?.(CLASS, entries.slice(5))
  t.true(later?.every((v) => v.action === 'ignore' && v.code === 'persist_failed'), 'the class is stopped: its in-memory state may be ahead of the store')
  t.deepEqual(s.commitBatches, [])
  await s.store.close()
})

test('a large batch is named by one boundary_batch record per AUDIT_BATCH_IDS_MAX envelopes; the log verifies and a changed record is caught', async (t) => {
  const s = await setup(true)
  const entries = log(200)
  const verdicts = await s.channel.receiveBatch?.(CLASS, entries)
  t.true(verdicts?.every((v) => v.action === 'accept'))
  const leaves = await s.audit.entries({ limit: 100 })
  t.deepEqual(leaves.map((e) => (e.record as BoundaryBatchRecord).message_ids.length), [AUDIT_BATCH_IDS_MAX, AUDIT_BATCH_IDS_MAX, 200 - 2 * AUDIT_BATCH_IDS_MAX])
  t.deepEqual(leaves.flatMap((e) => (e.record as BoundaryBatchRecord).message_ids), entries.map((bytes) => decodeEnvelope(bytes).idHex))
  t.like(await s.audit.verify(), { ok: true, size: 3 })
  // tamper-evident as every leaf: one id removed from a stored record breaks the log's verification
  const leavesDb = s.store.sublevel<Uint8Array>(AUDIT_SUBLEVELS.leaves, 'view')
  const keys: string[] = []
  for await (const key of leavesDb.keys()) keys.push(key)
  const first = await leavesDb.get(keys[0])
  t.truthy(first)
  const record = decodeAuditRecord(first as Uint8Array) as BoundaryBatchRecord
  const edited = { ...record, message_ids: record.message_ids.slice(1) }
  const prefix = new TextEncoder().encode('fedmesh/audit-record/1\n')
  const json = new TextEncoder().encode(JSON.stringify(Object.fromEntries(Object.entries(edited).sort(([a], [b]) => a < b ? -1 : 1))))
  await leavesDb.put(keys[0], new Uint8Array([...prefix, ...json]))
  t.like(await s.audit.verify(), { ok: false })
  await s.store.close()
})

test('a class without groupCommit commits a fetched batch one envelope per store batch, as gossip does', async (t) => {
  const s = await setup(false)
  const verdicts = await s.channel.receiveBatch?.(CLASS, log(8))
  t.true(verdicts?.every((v) => v.action === 'accept'))
  t.deepEqual(s.commitBatches, Array(8).fill(1))
  t.like(await s.audit.verify(), { ok: true, size: 8 })
  await s.store.close()
})
