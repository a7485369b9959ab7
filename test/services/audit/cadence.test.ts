/**
 * The periodic checkpoint's cadence (protocols/audit.md, "Checkpoint cadence"):
 * the timer's step signs a checkpoint only when the log grew by more than
 * upkeep (checkpoint traffic, relations following connections, unproven
 * witness results) since the last one, or when the last is the quiet limit
 * old. The service runs on a real AuditLog (in-memory store) with an injected
 * clock; publishing is counted, nothing is sent.
 */
import test from 'ava'
import { createHash } from 'node:crypto'
import { Store } from '../../../src/store/store.ts'
import { AuditLog } from '../../../src/store/audit-log.ts'
import { AuditWitnessStore } from '../../../src/store/audit-witness.ts'
import { auditAppender, AuditService, AUDIT_CHECKPOINT_CLASS, CHECKPOINT_SPACING_MS_PER_MEMBER, type AuditComponents } from '../../../src/services/audit/index.ts'
import { checkpointCadence, checkpointSpacingMs, isCheckpointTraffic, isUpkeep } from '../../../src/core/audit/cadence.ts'
import type { AuditRecord } from '../../../src/core/audit/record.ts'
import { hybridSignerFromSeeds, hybridVerifier } from '../../../src/crypto/hybrid.ts'
import { clockFrom } from '../../../src/runtime/clock.ts'
import { seededRandom } from '../../../src/runtime/random.ts'
import { silentLogger } from '../../../src/runtime/log.ts'

const INTERVAL_MS = 60_000
const seed = (label: string): Uint8Array => new Uint8Array(createHash('sha256').update(label).digest())
const crossing = (dataClass: string, direction: 'in' | 'out', at: number): AuditRecord => ({
  kind: 'boundary', timestamp_ms: at, direction, data_class: dataClass, peer: 'peer-x', verdict: 'accepted'
})

async function service (members = 0): Promise<{ audit: AuditService, log: AuditLog, store: Store, published: () => number, clock: { ms: number } }> {
  const store = await Store.open()
  const log = await AuditLog.open(store)
  const clock = { ms: 1_700_000_000_000 }
  let published = 0
  const signer = hybridSignerFromSeeds({ ed25519Seed: seed('cadence/ed25519'), mldsaSeed: seed('cadence/mldsa') })
  const components = {
    envelopes: { seal: () => new Uint8Array(1), publish: async () => { published++ } },
    log,
    witnesses: new AuditWitnessStore(store),
    audit: auditAppender(log, store),
    signer,
    verifier: hybridVerifier,
    members: { key: () => undefined, members: () => Array.from({ length: members }, (_, i) => `member-${i}`) },
    random: seededRandom(seed('cadence/random')),
    streams: { handle: async () => {}, unhandle: async () => {}, dialProtocol: async () => { throw new Error('no network here') } },
    clock: clockFrom(() => clock.ms),
    logger: silentLogger(),
    nodeId: '12D3KooWCadence'
  } as unknown as AuditComponents
  const audit = new AuditService(components, { federationId: 'cadence-net', checkpointIntervalMs: INTERVAL_MS })
  return { audit, log, store, published: () => published, clock }
}

test('the timer checkpoints a log that grew by real records, not one that grew only by checkpoint traffic, until the quiet limit', async (t) => {
  const { audit, log, store, published, clock } = await service()
  t.teardown(async () => { await store.close() })

  t.is(await audit.checkpointIfDue(), undefined, 'an empty log: nothing to sign')
  await log.append([{ kind: 'operator', timestamp_ms: clock.ms, action: 'trust' }], store)
  const first = await audit.checkpointIfDue()
  t.is(first?.size, 1, 'the first checkpoint of a run is due')
  t.is(published(), 1)

  clock.ms += INTERVAL_MS
  t.is(await audit.checkpointIfDue(), undefined, 'the log did not move at all')

  // what checkpoints themselves add: our publication going out, other members' checkpoints coming in (also by sync)
  for (let i = 0; i < 9; i++) {
    await log.append([crossing(AUDIT_CHECKPOINT_CLASS, 'out', clock.ms), crossing(AUDIT_CHECKPOINT_CLASS, 'in', clock.ms)], store)
    t.is(await audit.checkpointIfDue(), undefined, `interval ${i + 1}: only checkpoint traffic since the last one`)
    clock.ms += INTERVAL_MS
  }
  t.is(published(), 1, 'nine quiet intervals, no checkpoint gossiped')
  const quiet = await audit.checkpointIfDue()
  t.is(quiet?.size, log.head().size, 'at the quiet limit (10 intervals) the traffic itself is checkpointed')
  t.is(published(), 2)

  // one real record among the traffic: due at the next tick, whatever the time
  await log.append([crossing(AUDIT_CHECKPOINT_CLASS, 'in', clock.ms), crossing('incident_summary', 'in', clock.ms), crossing(AUDIT_CHECKPOINT_CLASS, 'in', clock.ms)], store)
  clock.ms += 1
  t.is((await audit.checkpointIfDue())?.size, log.head().size, 'a crossing of another class makes the next one due')
  t.deepEqual(audit.cadenceStats(), { due: 3, empty: 1, unchanged: 1, spaced: 0, quiet: 9 })
})

test('checkpoint() (the operation) signs whatever the cadence says', async (t) => {
  const { audit, log, store, published } = await service()
  t.teardown(async () => { await store.close() })
  await log.append([crossing(AUDIT_CHECKPOINT_CLASS, 'in', 1)], store)
  t.truthy(await audit.checkpoint())
  await log.append([crossing(AUDIT_CHECKPOINT_CLASS, 'in', 2)], store)
  t.is(await audit.checkpointIfDue(), undefined)
  t.is((await audit.checkpoint())?.size, 2)
  t.is(published(), 2)
})

test('checkpointCadence and isCheckpointTraffic (pure)', (t) => {
  const base = { headSize: 10, last: { size: 5, atMs: 0 }, grewOtherwise: false, nowMs: 1000, quietMsMax: 1000, spacingMs: 0, startedAtMs: 0 }
  t.is(checkpointCadence({ ...base, headSize: 0, last: undefined }), 'empty')
  t.is(checkpointCadence({ ...base, last: undefined }), 'due')
  t.is(checkpointCadence({ ...base, headSize: 5 }), 'unchanged')
  t.is(checkpointCadence({ ...base, grewOtherwise: true, nowMs: 1 }), 'due')
  t.is(checkpointCadence({ ...base, nowMs: 999 }), 'quiet')
  t.is(checkpointCadence(base), 'due')
  // spacing: from the last checkpoint, or from the start for the first of a run
  t.is(checkpointCadence({ ...base, grewOtherwise: true, nowMs: 499, spacingMs: 500 }), 'spaced')
  t.is(checkpointCadence({ ...base, grewOtherwise: true, nowMs: 500, spacingMs: 500 }), 'due')
  t.is(checkpointCadence({ ...base, last: undefined, nowMs: 1499, spacingMs: 500, startedAtMs: 1000 }), 'spaced')
  t.is(checkpointCadence({ ...base, last: undefined, nowMs: 1500, spacingMs: 500, startedAtMs: 1000 }), 'due')
  t.is(checkpointCadence({ ...base, headSize: 5, spacingMs: 5000 }), 'unchanged', 'an unchanged log is counted as such, spaced or not')
  t.is(checkpointSpacingMs(400, 1000), 400_000)
  t.is(checkpointSpacingMs(0, 1000), 0)
  t.true(isCheckpointTraffic({ kind: 'boundary', data_class: AUDIT_CHECKPOINT_CLASS }, AUDIT_CHECKPOINT_CLASS))
  t.true(isCheckpointTraffic({ kind: 'boundary_batch', data_class: AUDIT_CHECKPOINT_CLASS }, AUDIT_CHECKPOINT_CLASS))
  t.false(isCheckpointTraffic({ kind: 'boundary', data_class: 'summary' }, AUDIT_CHECKPOINT_CLASS))
  t.false(isCheckpointTraffic({ kind: 'membership' }, AUDIT_CHECKPOINT_CLASS))
  t.false(isCheckpointTraffic({ kind: 'some_future_kind', data_class: AUDIT_CHECKPOINT_CLASS }, AUDIT_CHECKPOINT_CLASS))
})

const relation = (from: string, to: string, reason?: string): AuditRecord => ({ kind: 'handshake', timestamp_ms: 1, peer: 'peer-x', from_state: from, to_state: to, ...(reason === undefined ? {} : { reason }) })

test('relations following connections and unproven witness results are upkeep: committed within the quiet limit, not at the next interval', async (t) => {
  const { audit, log, store, published, clock } = await service()
  t.teardown(async () => { await store.close() })
  await log.append([{ kind: 'operator', timestamp_ms: clock.ms, action: 'trust' }], store)
  t.truthy(await audit.checkpointIfDue())
  // what a witness's dial to an origin wrote at both ends before: the relation re-established, its policy, then suspended after the trimmer closed the connection
  const upkeep: AuditRecord[] = [
    relation('new', 'handshaking'), relation('handshaking', 'active'),
    { kind: 'policy', timestamp_ms: 1, peer: 'peer-x', change: 'bilateral_policy_agreed', policy_hash: 'ab' },
    relation('active', 'suspended', 'missed_heartbeats'), relation('suspended', 'handshaking'), relation('handshaking', 'active', 're_established'),
    { kind: 'membership', timestamp_ms: 1, change: 'checkpoint_unproven', node: 'peer-y' },
    crossing(AUDIT_CHECKPOINT_CLASS, 'in', 1)
  ]
  for (let i = 0; i < 9; i++) {
    clock.ms += INTERVAL_MS
    await log.append(upkeep, store)
    t.is(await audit.checkpointIfDue(), undefined, `interval ${i + 1}: only upkeep since the last checkpoint`)
  }
  clock.ms += INTERVAL_MS
  t.is((await audit.checkpointIfDue())?.size, log.head().size, 'the quiet limit commits the upkeep')
  t.is(published(), 2)

  // each of these is due at the next interval
  const due: AuditRecord[] = [
    relation('active', 'active', 'refused:not_a_member'),
    relation('handshaking', 'failed', 'initiator:bad_signature'),
    relation('active', 'terminated', 'forced_by_peer'),
    relation('active', 'terminating', 'terminated_by_peer'),
    { kind: 'policy', timestamp_ms: 1, change: 'federation_policy_set' },
    { kind: 'membership', timestamp_ms: 1, change: 'split_view_detected', node: 'peer-y' },
    crossing('incident_summary', 'out', 1)
  ]
  for (const record of due) {
    clock.ms += 1
    await log.append([record], store)
    t.truthy(await audit.checkpointIfDue(), `${record.kind} ${JSON.stringify(record)} makes the next checkpoint due`)
  }
})

test('isUpkeep (pure)', (t) => {
  t.true(isUpkeep({ kind: 'boundary_batch', data_class: AUDIT_CHECKPOINT_CLASS }, AUDIT_CHECKPOINT_CLASS))
  t.false(isUpkeep({ kind: 'boundary', data_class: 'summary' }, AUDIT_CHECKPOINT_CLASS))
  t.true(isUpkeep(relation('suspended', 'active', 're_established'), AUDIT_CHECKPOINT_CLASS))
  t.false(isUpkeep(relation('suspended', 'suspended', 'refused:terminated'), AUDIT_CHECKPOINT_CLASS))
  t.false(isUpkeep(relation('active', 'failed', 'responder:stream_failed'), AUDIT_CHECKPOINT_CLASS))
  t.false(isUpkeep({ kind: 'handshake' }, AUDIT_CHECKPOINT_CLASS), 'a record without the fields is not upkeep')
  t.false(isUpkeep({ kind: 'policy', change: 'peer_policy_set' }, AUDIT_CHECKPOINT_CLASS))
  t.false(isUpkeep({ kind: 'operator' }, AUDIT_CHECKPOINT_CLASS))
  t.false(isUpkeep({ kind: 'some_future_kind', change: 'checkpoint_unproven' }, AUDIT_CHECKPOINT_CLASS))
})

test('a large federation spaces each member\'s periodic checkpoints by its size: at most ~one a second federation-wide', async (t) => {
  const members = 400
  const spacing = members * CHECKPOINT_SPACING_MS_PER_MEMBER
  t.true(spacing > INTERVAL_MS, 'the spacing is what holds at 400 members')
  const { audit, log, store, published, clock } = await service(members)
  t.teardown(async () => { await store.close() })
  // a busy log: a data crossing every interval, which alone makes each interval's checkpoint due
  const busyInterval = async (): Promise<void> => {
    clock.ms += INTERVAL_MS
    await log.append([crossing('incident_summary', 'in', clock.ms)], store)
    await audit.checkpointIfDue()
  }
  const intervals = Math.ceil(spacing / INTERVAL_MS)
  for (let i = 1; i < intervals; i++) await busyInterval()
  t.is(published(), 0, `the first of the run waits ${spacing / 1000} s from the start`)
  await busyInterval()
  t.is(published(), 1)
  for (let i = 1; i < intervals; i++) await busyInterval()
  t.is(published(), 1, 'the next waits as long after it')
  await busyInterval()
  t.is(published(), 2)
  t.deepEqual(audit.cadenceStats(), { due: 2, empty: 0, unchanged: 0, spaced: 2 * (intervals - 1), quiet: 0 })
  // the operation is not spaced
  t.truthy(await audit.checkpoint())
  t.is(published(), 3)
})
