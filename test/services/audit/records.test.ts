import test from 'ava'
import { boundaryRecord, consensusAuditRecords, operatorRecord } from '../../../src/services/audit/records.ts'
import { encodeAuditRecord, decodeAuditRecord } from '../../../src/core/audit/record.ts'
import type { Membership } from '../../../src/core/consensus/membership.ts'
import type { ConsensusPolicy } from '../../../src/core/consensus/threshold.ts'

const member = (id: string) => [id, { node_id: id }] as const
const membership = (epoch: number, ids: string[]): Membership => ({ federation_id: 'f', epoch, members: new Map(ids.map(member)) as unknown as Membership['members'] })

test('a decided membership change is audited once per member admitted or removed, with the new epoch', (t) => {
  const records = consensusAuditRecords({
    nowMs: 5,
    before: membership(1, ['a', 'b', 'c']),
    records: [{ kind: 'membership', membership: membership(2, ['a', 'c', 'd']) }, { kind: 'membership', membership: membership(3, ['a', 'c']) }]
  })
  t.deepEqual(records, [
    { kind: 'membership', timestamp_ms: 5, epoch: 2, change: 'admitted', node: 'd' },
    { kind: 'membership', timestamp_ms: 5, epoch: 2, change: 'removed', node: 'b' },
    { kind: 'membership', timestamp_ms: 5, epoch: 3, change: 'removed', node: 'd' }
  ])
  for (const record of records) t.deepEqual(decodeAuditRecord(encodeAuditRecord(record)), record)
})

test('a decided policy is audited with the hash of its canonical JSON; other consensus records are not', (t) => {
  const policy = { threshold: 'bft', min_participating_nodes: 2, tie_breaking: 'lexicographic' } as ConsensusPolicy
  const reordered = { tie_breaking: 'lexicographic', min_participating_nodes: 2, threshold: 'bft' } as ConsensusPolicy
  const [one] = consensusAuditRecords({ nowMs: 1, before: undefined, records: [{ kind: 'policy', policy }] })
  const [two] = consensusAuditRecords({ nowMs: 1, before: undefined, records: [{ kind: 'policy', policy: reordered }] })
  t.is(one.kind, 'policy')
  t.deepEqual(one, two)
  const [three] = consensusAuditRecords({ nowMs: 1, before: undefined, records: [{ kind: 'policy', policy: { ...policy, min_participating_nodes: 3 } }] })
  t.not((three as { policy_hash: string }).policy_hash, (one as { policy_hash: string }).policy_hash)
  t.deepEqual(consensusAuditRecords({ nowMs: 1, before: undefined, records: [{ kind: 'trust', record: { node_id: 'a', score: 50, last_active_at: 0 } } as never] }), [])
})

test('a boundary record stays within the record limits whatever the caller hands in', (t) => {
  const record = boundaryRecord({ nowMs: 1, direction: 'in', dataClass: 'vote', peer: undefined, verdict: 'rejected', reason: 'x'.repeat(2000), bytes: 3 })
  t.is(record.peer, 'unknown')
  t.is(record.reason?.length, 512)
  t.notThrows(() => encodeAuditRecord(record))
})

test('an operator record says whether the action failed, and with which error', (t) => {
  const failed = operatorRecord({ nowMs: 1, action: 'consensus.vote', error: Object.assign(new Error('no'), { name: 'NodeNotRunningError' }) })
  t.like(failed, { kind: 'operator', action: 'consensus.vote', detail: 'failed: NodeNotRunningError', attributes: { outcome: 'failed' } })
  t.like(operatorRecord({ nowMs: 1, action: 'match' }), { detail: 'ok', attributes: { outcome: 'ok' } })
})
