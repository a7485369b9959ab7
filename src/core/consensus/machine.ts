/**
 * The consensus state machine, in etcd raft's style: the node feeds it inputs
 * (a vote or evidence from gossip, an event body, a deadline, a sync result)
 * and gets back the new state plus outputs — records to persist (before
 * anything is sent) and evidence to gossip. No I/O, no clock: `now` is an
 * argument, signatures are checked by the `SignatureVerifier` passed in.
 */
import { InputError, VerdictError, assert } from '../errors.ts'
import type { SignatureVerifier } from '../signature.ts'
import { SLOTS_OPEN_MAX } from './constants.ts'
import { eventHash, parseEvent, type ConsensusEvent } from './event.ts'
import { verifyEvidence, type EquivocationEvidence } from './evidence.ts'
import type { HistoryRecord } from './history.ts'
import { applyMembershipChange, type Membership } from './membership.ts'
import type { QuorumCertificate } from './quorum-certificate.ts'
import { SlotTable } from './slot-table.ts'
import { addVerifiedVote, closePendingSlot, countedVotes, openSlot, settleSlot, slotHistory, slotQC, type SlotState } from './slot.ts'
import { quorumSize, type ConsensusPolicy } from './threshold.ts'
import { applyTrustRule, initialTrust, mayParticipate, type TrustRecord, type TrustRule } from './trust.ts'
import { verifyVote, VoteFromNonMemberError, VoteWrongFederationError, type Vote } from './vote.ts'
import { HeldVotes } from './held-votes.ts'

export interface ConsensusState {
  federation_id: string
  policy: ConsensusPolicy
  membership: Membership
  trust: ReadonlyMap<string, TrustRecord>
  /** open slots and completed ones still kept in memory (the store keeps all) */
  slots: SlotTable
  /** verified votes for event hashes whose event is not known yet (held-votes.ts): not counted until it arrives */
  held: HeldVotes
}

/** Something the node must write to its store, in order, before acting on the step. */
export type ConsensusRecord =
  | { kind: 'vote', vote: Vote }
  | { kind: 'evidence', evidence: EquivocationEvidence }
  | { kind: 'event', event_hash: string, event: ConsensusEvent }
  | { kind: 'qc', qc: QuorumCertificate }
  | { kind: 'history', record: HistoryRecord }
  | { kind: 'trust', record: TrustRecord }
  | { kind: 'membership', membership: Membership }
  | { kind: 'policy', policy: ConsensusPolicy }

/** The result of one step: the next state, records to persist, evidence to gossip. */
export interface StepResult {
  state: ConsensusState
  records: ConsensusRecord[]
  evidence: EquivocationEvidence[]
}

export interface StepContext {
  now: number
  verifier: SignatureVerifier
}

/** The voter's trust band is VERY LOW: it is excluded from voting. */
export class VoterExcludedError extends VerdictError {
  static override readonly code = 'VoterExcludedError'
  override readonly name = 'VoterExcludedError'
  readonly action = 'ignore'
  override readonly code = 'voter_excluded'
}

/** SLOTS_OPEN_MAX slots are pending already; a vote may not open another. */
export class SlotsFullError extends VerdictError {
  static override readonly code = 'SlotsFullError'
  override readonly name = 'SlotsFullError'
  readonly action = 'ignore'
  override readonly code = 'slots_full'
}

/** An event proposed by a node that is not a member of the slot's membership. */
export class EventFromNonMemberError extends VerdictError {
  static override readonly code = 'EventFromNonMemberError'
  override readonly name = 'EventFromNonMemberError'
  readonly action = 'reject'
  override readonly code = 'non_member_proposer'
}

export class UnknownSlotError extends InputError {
  static override readonly code = 'UnknownSlotError'
  override readonly name = 'UnknownSlotError'
}

/** Completed slots kept in memory so late votes still land in their slot; the earliest completed is evicted first. */
export const SLOTS_RETAINED_MAX = 4096

/** A state for a membership (from genesis or the store); every member without a trust record starts at 50. */
export function createConsensusState (init: { membership: Membership, policy: ConsensusPolicy, now: number, trust?: Iterable<TrustRecord> }): ConsensusState {
  const trust = new Map<string, TrustRecord>()
  for (const record of init.trust ?? []) trust.set(record.node_id, record)
  for (const nodeId of init.membership.members.keys()) if (!trust.has(nodeId)) trust.set(nodeId, initialTrust(nodeId, init.now))
  return { federation_id: init.membership.federation_id, policy: init.policy, membership: init.membership, trust, slots: SlotTable.empty(), held: HeldVotes.empty() }
}

function trustScores (state: ConsensusState): Map<string, number> {
  return new Map([...state.trust].map(([id, record]) => [id, record.score]))
}

/** Accumulates one step's state and outputs. */
class Step {
  records: ConsensusRecord[] = []
  evidence: EquivocationEvidence[] = []
  constructor (public state: ConsensusState, readonly now: number, readonly verifier?: SignatureVerifier) {}

  result (): StepResult {
    return { state: this.state, records: this.records, evidence: this.evidence }
  }

  putSlot (slot: SlotState): void {
    this.state = { ...this.state, slots: this.state.slots.set(slot) }
  }

  trust (nodeId: string, rule: TrustRule): void {
    this.trustMany([[nodeId, rule]])
  }

  /** Applies several trust rules with one copy of the trust table (a decision updates every voter). */
  trustMany (updates: Iterable<[string, TrustRule]>): void {
    const trust = new Map(this.state.trust)
    for (const [nodeId, rule] of updates) {
      const record = applyTrustRule(trust.get(nodeId) ?? initialTrust(nodeId, this.now), rule, this.now)
      trust.set(nodeId, record)
      this.records.push({ kind: 'trust', record })
    }
    this.state = { ...this.state, trust }
  }
}

/** The slot a vote lands in, opened (and older completed slots evicted) when new. */
function slotFor (step: Step, slotId: string): SlotState {
  const existing = step.state.slots.get(slotId)
  if (existing !== undefined) return existing
  const { pending } = step.state.slots
  if (pending >= SLOTS_OPEN_MAX) throw new SlotsFullError(`${pending} slots are pending (limit ${SLOTS_OPEN_MAX}); slot ${slotId} cannot open`)
  if (step.state.slots.size - pending >= SLOTS_RETAINED_MAX) {
    // evict the slot that completed first; a scan, but only when a new slot opens at capacity
    let oldest: SlotState | undefined
    for (const slot of step.state.slots.values()) {
      if (slot.completed_at !== null && (oldest === undefined || (oldest.completed_at ?? 0) > slot.completed_at)) oldest = slot
    }
    if (oldest !== undefined) step.state = { ...step.state, slots: step.state.slots.delete(oldest.slot) }
  }
  const { membership, policy } = step.state
  return openSlot(slotId, membership, quorumSize(policy, membership.members.size), step.now)
}

/** Applies a decided event's effect (membership or policy change) once its body and QC are both known. */
function applyEffects (step: Step, slot: SlotState): SlotState {
  if (slot.status !== 'decided' || slot.effects_applied || slot.decided_hash === null) return slot
  const event = slot.events.get(slot.decided_hash)
  if (event === undefined) return slot
  const qc = slotQC(slot)
  if (qc === null) return slot
  if (event.type === 'membership_add' || event.type === 'membership_remove') {
    assert(step.verifier !== undefined, 'a decided membership change needs a verifier to check its QC')
    // the change must follow on from the slot's own membership, or it is stale
    if (step.state.membership.epoch === slot.membership.epoch) {
      let membership: Membership
      try {
        membership = applyMembershipChange({
          membership: slot.membership, event, qc, policy: step.state.policy, quorum: slot.quorum, verifier: step.verifier, decidedAt: slot.completed_at ?? step.now
        })
      } catch (err) {
        // a decided change that cannot apply (adding a member twice, removing the last one) is void,
        // but the vote that completed the slot is still good: do not fail the step for it
        if (err instanceof InputError) return { ...slot, effects_applied: true }
        throw err
      }
      step.state = { ...step.state, membership }
      step.records.push({ kind: 'membership', membership })
    }
  } else if (event.type === 'policy_change') {
    const policy = { ...step.state.policy, ...event.body }
    step.state = { ...step.state, policy }
    step.records.push({ kind: 'policy', policy })
  }
  return { ...slot, effects_applied: true }
}

/** Settles a slot after a change and emits what completing it implies: QC, history, trust, effects. */
function settle (step: Step, before: SlotState | undefined, slot: SlotState, newVoter: string | null): void {
  const settled = settleSlot(slot, { tieBreaking: step.state.policy.tie_breaking, trustScores: () => trustScores(step.state), now: step.now })
  const justDecided = settled.status === 'decided' && before?.status !== 'decided'
  if (justDecided) {
    const qc = slotQC(settled)
    if (qc !== null) step.records.push({ kind: 'qc', qc })
    step.trustMany([...countedVotes(settled)].map(([voter, hash]): [string, TrustRule] => [voter, hash === settled.decided_hash ? 'agreement' : 'disagreement']))
  } else if (settled.status === 'decided' && newVoter !== null) {
    // a late vote after the decision still agrees or disagrees with it
    const hash = settled.first_votes.get(newVoter)?.event_hash
    step.trust(newVoter, hash === settled.decided_hash ? 'agreement' : 'disagreement')
  }
  const next = applyEffects(step, settled)
  step.putSlot(next)
  // a completed slot's record (and its QC) is written once and never again: late votes and
  // equivocation evidence are stored beside it (their own records, trust), never changing it
  if (before !== undefined && before.status !== 'pending') return
  const record = slotHistory(next)
  if (record !== null) step.records.push({ kind: 'history', record })
}

/**
 * A vote arrives (gossip or local). Checks federation, membership, trust band
 * and signature (named errors), counts it, detects equivocation, and settles
 * the slot. A duplicate changes nothing and outputs nothing.
 */
export function applyVote (state: ConsensusState, vote: Vote, context: StepContext): StepResult {
  const step = new Step(state, context.now, context.verifier)
  if (vote.federation_id !== state.federation_id) {
    throw new VoteWrongFederationError(`vote for federation "${vote.federation_id}", this node is in "${state.federation_id}"`)
  }
  const before = state.slots.get(vote.slot)
  const slot = slotFor(step, vote.slot)
  if (!slot.membership.members.has(vote.voter)) {
    throw new VoteFromNonMemberError(`vote from ${vote.voter}, which is not a member of "${state.federation_id}" at epoch ${slot.membership.epoch}`)
  }
  if (!mayParticipate(state.trust.get(vote.voter))) {
    throw new VoterExcludedError(`vote from ${vote.voter}: its trust band is VERY LOW, so it is excluded from voting`)
  }
  const known = slot.first_votes.get(vote.voter)
  if (known !== undefined && (known.event_hash === vote.event_hash || slot.equivocators.has(vote.voter))) {
    return { state, records: [], evidence: [] } // seen already (gossip duplicate) or already penalised
  }
  verifyVote(vote, { federationId: state.federation_id, membership: slot.membership, verifier: context.verifier })
  const added = addVerifiedVote(slot, vote)
  step.records.push({ kind: 'vote', vote })
  if (added.evidence !== undefined) {
    step.records.push({ kind: 'evidence', evidence: added.evidence })
    step.evidence.push(added.evidence)
    step.trust(vote.voter, 'admin_penalty')
  }
  settle(step, before, added.slot, added.effect === 'counted' ? vote.voter : null)
  return step.result()
}

/** Equivocation evidence arrives by gossip: verified, then both votes are applied (penalising the offender once). */
export function applyEvidence (state: ConsensusState, evidence: EquivocationEvidence, context: StepContext): StepResult {
  const membership = state.slots.get(evidence.slot)?.membership ?? state.membership
  if (evidence.federation_id !== state.federation_id) {
    throw new VoteWrongFederationError(`evidence for federation "${evidence.federation_id}", this node is in "${state.federation_id}"`)
  }
  verifyEvidence(evidence, { federationId: state.federation_id, membership, verifier: context.verifier })
  let result: StepResult = { state, records: [], evidence: [] }
  for (const vote of evidence.votes) {
    const next = applyVote(result.state, vote, context)
    result = { state: next.state, records: [...result.records, ...next.records], evidence: [...result.evidence, ...next.evidence] }
  }
  return result
}

/**
 * An event body arrives (the proposal itself): its proposer must be a member
 * of the slot's membership. It is kept with its slot for tie-breaking, history
 * and effects, and the votes held for its hash are applied (checked again).
 */
export function learnEvent (state: ConsensusState, input: unknown, context: StepContext): StepResult {
  const event = parseEvent(input)
  if (event.federation_id !== state.federation_id) {
    throw new VoteWrongFederationError(`event for federation "${event.federation_id}", this node is in "${state.federation_id}"`)
  }
  const membership = state.slots.get(event.slot)?.membership ?? state.membership
  if (!membership.members.has(event.proposer)) {
    throw new EventFromNonMemberError(`event in slot ${event.slot} proposed by ${event.proposer}, which is not a member of "${state.federation_id}" at epoch ${membership.epoch}`)
  }
  const step = new Step(state, context.now, context.verifier)
  const slot = slotFor(step, event.slot)
  const hash = eventHash(event)
  if (slot.events.has(hash)) return { state, records: [], evidence: [] }
  step.records.push({ kind: 'event', event_hash: hash, event })
  const withEvent = applyEffects(step, { ...slot, events: new Map(slot.events).set(hash, event) })
  step.putSlot(withEvent)
  if (slot.status === 'pending') {
    const record = slotHistory(withEvent)
    if (record !== null) step.records.push({ kind: 'history', record })
  } // else: the completed slot's record is immutable (see settle)
  return releaseHeld(step.result(), event.slot, hash, context)
}

/** Applies the votes held for `eventHash` in `slot` now that its event is known. */
function releaseHeld (result: StepResult, slot: string, eventHash: string, context: StepContext): StepResult {
  const { held, votes } = result.state.held.expire(context.now).take(slot, eventHash)
  let out: StepResult = { ...result, state: { ...result.state, held } }
  for (const vote of votes) {
    try {
      out = merge(out, applyVote(out.state, vote, context))
    } catch (err) {
      // a held vote that no longer applies (its voter's trust fell, the slots are full) is dropped, not the event
      if (!(err instanceof VerdictError)) throw err
    }
  }
  return out
}

function merge (a: StepResult, b: StepResult): StepResult {
  return { state: b.state, records: [...a.records, ...b.records], evidence: [...a.evidence, ...b.evidence] }
}

/**
 * A vote from the network (or the store, on restart). It is counted at once
 * (`applyVote`) when its event is known, its slot completed, or its voter
 * already has another vote in the slot (counted or held: that is equivocation,
 * and the evidence is made at once). Otherwise it is verified and held, not
 * counted, until its event arrives (`learnEvent`), within HELD_VOTES_MAX and
 * HELD_VOTE_AGE_MS_MAX; its `vote` record is stored so a restart holds it again.
 */
export function receiveVote (state: ConsensusState, vote: Vote, context: StepContext): StepResult {
  if (vote.federation_id !== state.federation_id) {
    throw new VoteWrongFederationError(`vote for federation "${vote.federation_id}", this node is in "${state.federation_id}"`)
  }
  const slot = state.slots.get(vote.slot)
  const counted = slot?.first_votes.get(vote.voter)
  if (slot !== undefined && (slot.events.has(vote.event_hash) || slot.status !== 'pending' || (counted !== undefined && counted.event_hash !== vote.event_hash))) {
    return applyVote(state, vote, context)
  }
  if (counted !== undefined) return { state, records: [], evidence: [] } // the same vote again
  const expired = state.held.expire(context.now)
  const held = expired.of(vote.slot, vote.voter)
  if (held !== undefined && held.event_hash === vote.event_hash) return { state, records: [], evidence: [] } // held already
  const membership = slot?.membership ?? state.membership
  if (!membership.members.has(vote.voter)) {
    throw new VoteFromNonMemberError(`vote from ${vote.voter}, which is not a member of "${state.federation_id}" at epoch ${membership.epoch}`)
  }
  if (!mayParticipate(state.trust.get(vote.voter))) {
    throw new VoterExcludedError(`vote from ${vote.voter}: its trust band is VERY LOW, so it is excluded from voting`)
  }
  verifyVote(vote, { federationId: state.federation_id, membership, verifier: context.verifier })
  if (held !== undefined) {
    // two signed hashes from one voter in one slot: apply both, which records the equivocation
    const base: ConsensusState = { ...state, held: expired.without(vote.slot, vote.voter) }
    const first = applyVote(base, held, context)
    return merge(first, applyVote(first.state, vote, context))
  }
  return { state: { ...state, held: expired.add(vote, context.now) }, records: [{ kind: 'vote', vote }], evidence: [] }
}

/** A slot's deadline passed while pending: it fails and resolves by the tie-breaking rule. */
export function closeSlot (state: ConsensusState, slotId: string, context: Pick<StepContext, 'now'>): StepResult {
  const slot = state.slots.get(slotId)
  if (slot === undefined) throw new UnknownSlotError(`no slot ${slotId}`)
  if (slot.status !== 'pending') return { state, records: [], evidence: [] }
  const closed = closePendingSlot(slot, { tieBreaking: state.policy.tie_breaking, trustScores: () => trustScores(state), now: context.now })
  const slots = state.slots.set(closed)
  const record = slotHistory(closed)
  return { state: { ...state, slots }, records: record === null ? [] : [{ kind: 'history', record }], evidence: [] }
}

/** A trust rule from outside the tally: sync outcomes and operator boosts or penalties. */
export function applyTrust (state: ConsensusState, nodeId: string, rule: TrustRule, context: Pick<StepContext, 'now'>): StepResult {
  const step = new Step(state, context.now)
  step.trust(nodeId, rule)
  return step.result()
}
