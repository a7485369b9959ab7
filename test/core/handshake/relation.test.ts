import test from 'ava'
import {
  activate, beginHandshake, handshakeFailed, heartbeatHeard, HEARTBEATS_MISSED_MAX, newRelation, nextRelationDeadlineMs, relationAccepts,
  relationCarries, relationQueues, RelationTerminatedError, terminate, tickRelation, allowReestablishment, type AgreedPolicy, type Relation
} from '../../../src/core/handshake/index.ts'

const INTERVAL_MS = 1000
const agreed: AgreedPolicy = { sends: ['incident_summary'], receives: ['playbook_metadata'], heartbeatIntervalMs: INTERVAL_MS, messageBytesMax: 1024 }

/** A relation activated at `t0` on an injected time line. */
function active (t0 = 10_000): Relation {
  const begun = beginHandshake(newRelation('peer')).relation
  return activate(begun, agreed, t0).relation
}

test('a new relation handshakes, then is active with the agreed policy; transitions are reported for the audit log', (t) => {
  const begun = beginHandshake(newRelation('peer'))
  t.deepEqual(begun.transitions, [{ peer: 'peer', from: 'new', to: 'handshaking' }])
  const step = activate(begun.relation, agreed, 5)
  t.deepEqual(step.transitions, [{ peer: 'peer', from: 'handshaking', to: 'active' }])
  t.is(step.relation.lastHeartbeatMs, 5)
  t.true(relationCarries(step.relation, 'incident_summary'))
  t.false(relationCarries(step.relation, 'playbook_metadata'), 'only what this side may send')
  t.true(relationAccepts(step.relation, 'playbook_metadata'))
  t.false(relationAccepts(step.relation, 'incident_summary'))
})

test(`heartbeat suspension on an injected clock: ${HEARTBEATS_MISSED_MAX} missed intervals suspend, not one millisecond before`, (t) => {
  const t0 = 10_000
  let relation = active(t0)
  const limit = t0 + HEARTBEATS_MISSED_MAX * INTERVAL_MS
  t.is(nextRelationDeadlineMs(relation), limit + 1)
  t.is(tickRelation(relation, limit).relation.state, 'active', 'exactly K intervals: not yet')
  // a heartbeat pushes the deadline
  relation = heartbeatHeard(relation, t0 + 2500)
  t.is(tickRelation(relation, limit + 1).relation.state, 'active')
  const suspended = tickRelation(relation, t0 + 2500 + HEARTBEATS_MISSED_MAX * INTERVAL_MS + 1)
  t.is(suspended.relation.state, 'suspended')
  t.deepEqual(suspended.transitions, [{ peer: 'peer', from: 'active', to: 'suspended', reason: 'missed_heartbeats' }])
  // suspended: traffic is queued, nothing is carried, the policy is kept for the peer's in-flight data
  t.true(relationQueues(suspended.relation))
  t.false(relationCarries(suspended.relation, 'incident_summary'))
  t.true(relationAccepts(suspended.relation, 'playbook_metadata'))
})

test('a suspended relation is re-established by a new handshake: active again, counted, audited as such', (t) => {
  const suspended = tickRelation(active(0), 10 * INTERVAL_MS).relation
  t.is(suspended.state, 'suspended')
  t.deepEqual(beginHandshake(suspended).transitions, [], 'it keeps queueing while it renegotiates')
  const again = activate(suspended, agreed, 20 * INTERVAL_MS)
  t.is(again.relation.state, 'active')
  t.is(again.relation.establishments, 2)
  t.deepEqual(again.transitions, [{ peer: 'peer', from: 'suspended', to: 'active', reason: 're_established' }])
  t.false(relationQueues(again.relation))
})

test('graceful termination: traffic continues during the notice, then the relation is terminated', (t) => {
  const relation = active(0)
  const step = terminate(relation, { forced: false, noticeMs: 5000, reason: 'operator', nowMs: 1000 })
  t.is(step.relation.state, 'terminating')
  t.is(step.relation.terminatesAtMs, 6000)
  t.true(relationCarries(step.relation, 'incident_summary'))
  t.is(tickRelation(step.relation, 5999).relation.state, 'terminating')
  const ended = tickRelation(step.relation, 6000)
  t.is(ended.relation.state, 'terminated')
  t.false(relationCarries(ended.relation, 'incident_summary'))
  t.false(relationQueues(ended.relation), 'nothing is queued for a terminated relation')
  // a graceful end allows a later handshake
  t.is(beginHandshake(ended.relation).relation.state, 'handshaking')
})

test('forced termination ends the relation at once and blocks re-establishment until the operator allows it', (t) => {
  const step = terminate(active(0), { forced: true, noticeMs: 0, reason: 'security', nowMs: 1 })
  t.is(step.relation.state, 'terminated')
  t.deepEqual(step.transitions, [{ peer: 'peer', from: 'active', to: 'terminated', reason: 'security' }])
  t.throws(() => beginHandshake(step.relation), { instanceOf: RelationTerminatedError })
  t.is(beginHandshake(allowReestablishment(step.relation)).relation.state, 'handshaking')
})

test('a failed first handshake fails the relation; a failed renegotiation leaves an active one as it is', (t) => {
  const failed = handshakeFailed(beginHandshake(newRelation('peer')).relation, 'policy_refused')
  t.is(failed.relation.state, 'failed')
  t.is(failed.relation.reason, 'policy_refused')
  t.deepEqual(handshakeFailed(active(0), 'stream_failed').transitions, [])
})
