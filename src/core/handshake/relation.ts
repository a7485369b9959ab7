/**
 * A relation with one peer over time (protocols/handshake.md, "Relation"):
 * established by a handshake, kept by heartbeats, suspended after K missed
 * ones (its bilateral traffic queued, not dropped), terminated gracefully
 * with notice or by force, and re-established by a later handshake. Pure:
 * every function takes `nowMs` and returns the new relation with the
 * transitions to audit.
 */
import type { DataClass } from '../data-class.ts'
import { HEARTBEATS_MISSED_MAX } from './constants.ts'
import { RelationTerminatedError } from './errors.ts'
import type { HandshakeRole, PolicyTerms } from './messages.ts'

export const RELATION_STATES = ['new', 'handshaking', 'active', 'suspended', 'terminating', 'terminated', 'failed'] as const
export type RelationState = typeof RELATION_STATES[number]

/** The policy a handshake agreed, from this node's side. */
export interface AgreedPolicy {
  /** classes this node may send the peer */
  sends: DataClass[]
  /** classes the peer may send this node */
  receives: DataClass[]
  heartbeatIntervalMs: number
  messageBytesMax: number
}

export interface Relation {
  readonly peer: string
  readonly state: RelationState
  readonly agreed?: AgreedPolicy
  readonly establishedAtMs?: number
  /** the last heartbeat heard from the peer (activation counts as one) */
  readonly lastHeartbeatMs?: number
  /** end of a graceful termination's notice */
  readonly terminatesAtMs?: number
  /** terminated by force: no handshake is answered or started until the operator allows it */
  readonly forced?: boolean
  /** why it is in this state (an error code, `missed_heartbeats`, a termination reason) */
  readonly reason?: string
  /** how many times a handshake activated it (2+ = re-established) */
  readonly establishments: number
}

/** One state change, for the audit log. */
export interface RelationTransition {
  peer: string
  from: RelationState
  to: RelationState
  reason?: string
}

export interface RelationStep {
  relation: Relation
  transitions: RelationTransition[]
}

/** A peer this node has not negotiated with yet. */
export function newRelation (peer: string): Relation {
  return { peer, state: 'new', establishments: 0 }
}

function move (relation: Relation, to: RelationState, changes: Partial<Relation>, reason?: string): RelationStep {
  const next: Relation = { ...relation, ...changes, state: to, ...(reason === undefined ? {} : { reason }) }
  if (reason === undefined) delete (next as { reason?: string }).reason
  if (relation.state === to) return { relation: next, transitions: [] }
  return { relation: next, transitions: [{ peer: relation.peer, from: relation.state, to, ...(reason === undefined ? {} : { reason }) }] }
}

/** The agreed terms from `role`'s side. */
export function agreedPolicy (role: HandshakeRole, terms: PolicyTerms): AgreedPolicy {
  return {
    sends: role === 'initiator' ? terms.initiatorSends : terms.responderSends,
    receives: role === 'initiator' ? terms.responderSends : terms.initiatorSends,
    heartbeatIntervalMs: terms.heartbeatIntervalMs,
    messageBytesMax: terms.messageBytesMax
  }
}

/**
 * A handshake starts (either side). Throws RelationTerminatedError after a
 * forced termination. An active or suspended relation keeps its state while
 * it renegotiates (a suspended one keeps queueing until it is re-established).
 */
export function beginHandshake (relation: Relation): RelationStep {
  if (relation.forced === true) throw new RelationTerminatedError(`the relation with ${relation.peer} was terminated by force`)
  if (relation.state === 'active' || relation.state === 'suspended' || relation.state === 'terminating' || relation.state === 'handshaking') return { relation, transitions: [] }
  return move(relation, 'handshaking', {})
}

/** A handshake agreed: the relation is active with the agreed policy (re-established when it was before). */
export function activate (relation: Relation, agreed: AgreedPolicy, nowMs: number): RelationStep {
  const reestablished = relation.establishments > 0 && relation.state !== 'active'
  const base = { ...relation, terminatesAtMs: undefined }
  delete (base as { terminatesAtMs?: number }).terminatesAtMs
  return move(base, 'active', { agreed, establishedAtMs: nowMs, lastHeartbeatMs: nowMs, establishments: relation.establishments + 1 }, reestablished ? 're_established' : undefined)
}

/** A handshake failed with `code`: a relation that was not carrying traffic fails; an established one keeps its state. */
export function handshakeFailed (relation: Relation, code: string): RelationStep {
  if (relation.state === 'active' || relation.state === 'suspended' || relation.state === 'terminating' || relation.state === 'terminated') return { relation, transitions: [] }
  return move(relation, 'failed', {}, code)
}

/** The peer's heartbeat arrived. */
export function heartbeatHeard (relation: Relation, nowMs: number): Relation {
  if (relation.state !== 'active' && relation.state !== 'terminating' && relation.state !== 'suspended') return relation
  return { ...relation, lastHeartbeatMs: Math.max(nowMs, relation.lastHeartbeatMs ?? 0) }
}

/**
 * Time passes: an active relation whose peer missed `missedMax` heartbeat
 * intervals is suspended; a graceful termination ends at its notice.
 */
export function tickRelation (relation: Relation, nowMs: number, missedMax = HEARTBEATS_MISSED_MAX): RelationStep {
  if (relation.state === 'terminating' && relation.terminatesAtMs !== undefined && nowMs >= relation.terminatesAtMs) {
    return move(relation, 'terminated', {}, relation.reason ?? 'notice_ended')
  }
  if (relation.state === 'active' && relation.agreed !== undefined && relation.lastHeartbeatMs !== undefined &&
    nowMs - relation.lastHeartbeatMs > missedMax * relation.agreed.heartbeatIntervalMs) {
    return move(relation, 'suspended', {}, 'missed_heartbeats')
  }
  return { relation, transitions: [] }
}

/** When the relation next needs a tick, or undefined. */
export function nextRelationDeadlineMs (relation: Relation, missedMax = HEARTBEATS_MISSED_MAX): number | undefined {
  if (relation.state === 'terminating') return relation.terminatesAtMs
  if (relation.state === 'active' && relation.agreed !== undefined && relation.lastHeartbeatMs !== undefined) {
    return relation.lastHeartbeatMs + missedMax * relation.agreed.heartbeatIntervalMs + 1
  }
  return undefined
}

/**
 * Termination (by this node or announced by the peer): forced ends it now
 * and blocks re-establishment (security); graceful keeps it carrying traffic
 * until the notice ends.
 */
export function terminate (relation: Relation, init: { forced: boolean, noticeMs: number, reason: string, nowMs: number }): RelationStep {
  if (relation.state === 'terminated' && (relation.forced === true || !init.forced)) return { relation, transitions: [] }
  if (init.forced || init.noticeMs <= 0 || relation.state !== 'active') {
    return move(relation, 'terminated', { forced: init.forced }, init.reason)
  }
  return move(relation, 'terminating', { terminatesAtMs: init.nowMs + init.noticeMs }, init.reason)
}

/** An operator lifts a forced termination: the next connection may handshake again. */
export function allowReestablishment (relation: Relation): Relation {
  const next = { ...relation }
  delete (next as { forced?: boolean }).forced
  return next
}

/** Whether `dataClass` may go to the peer now over the bilateral stream. */
export function relationCarries (relation: Relation, dataClass: DataClass): boolean {
  return (relation.state === 'active' || relation.state === 'terminating') && relation.agreed?.sends.includes(dataClass) === true
}

/** Whether the peer may send `dataClass` now. */
export function relationAccepts (relation: Relation, dataClass: DataClass): boolean {
  const live = relation.state === 'active' || relation.state === 'terminating' || relation.state === 'suspended'
  return live && relation.agreed?.receives.includes(dataClass) === true
}

/**
 * Whether bilateral data for the peer waits in the queue: the peer is offline
 * or not negotiated yet (new, handshaking, a failed attempt) or suspended. A
 * queued message still needs the agreed policy when it is delivered.
 */
export function relationQueues (relation: Relation): boolean {
  return relation.state === 'new' || relation.state === 'handshaking' || relation.state === 'suspended' || relation.state === 'failed'
}
