/**
 * One slot's state: the first valid vote of each member, the equivocators,
 * the counts, the known event bodies and, once complete, the outcome.
 * Pure functions over immutable values (a new SlotState per change).
 */
import type { ConsensusEvent } from './event.ts'
import { equivocationEvidence, type EquivocationEvidence } from './evidence.ts'
import type { HistoryRecord, Resolution } from './history.ts'
import type { Membership } from './membership.ts'
import type { QuorumCertificate } from './quorum-certificate.ts'
import { tallyOutcome, type TallyStatus } from './tally.ts'
import { breakTie } from './tie-break.ts'
import type { TieBreakingRule } from './threshold.ts'
import type { Vote } from './vote.ts'
import { PersistentMap } from './persistent-map.ts'

/** Buckets of a slot's vote map: members ≤ 1024, so a vote copies 16 references and a few entries. */
const VOTE_BUCKETS = 16

export interface SlotState {
  slot: string
  /** the membership when the slot opened: its votes verify against it and its size sets the quorum */
  membership: Membership
  quorum: number
  opened_at: number
  /** each member's first valid vote (not counted when the member equivocated) */
  first_votes: PersistentMap<Vote>
  equivocators: ReadonlyMap<string, EquivocationEvidence>
  /** counted votes per hash; zero counts are removed */
  counts: ReadonlyMap<string, number>
  events: ReadonlyMap<string, ConsensusEvent>
  status: TallyStatus
  /** the QC's hash when decided */
  decided_hash: string | null
  /** when the slot left `pending` (decided, failed, or closed at a deadline) */
  completed_at: number | null
  resolution: Resolution | null
  /** decided_hash, or the tie-breaking winner */
  consensus_hash: string | null
  /** true once a decided event's effect (membership, policy) has been applied */
  effects_applied: boolean
}

/** A new, empty slot. */
export function openSlot (slot: string, membership: Membership, quorum: number, now: number): SlotState {
  return {
    slot, membership, quorum, opened_at: now,
    first_votes: PersistentMap.empty(VOTE_BUCKETS), equivocators: new Map(), counts: new Map(), events: new Map(),
    status: 'pending', decided_hash: null, completed_at: null, resolution: null, consensus_hash: null, effects_applied: false
  }
}

/** Each counted member's hash (equivocators excluded). */
export function countedVotes (slot: SlotState): Map<string, string> {
  const votes = new Map<string, string>()
  slot.first_votes.forEach((vote, voter) => { if (!slot.equivocators.has(voter)) votes.set(voter, vote.event_hash) })
  return votes
}

export type VoteEffect = 'counted' | 'duplicate' | 'equivocation'

function withCount (counts: ReadonlyMap<string, number>, hash: string, delta: number): Map<string, number> {
  const next = new Map(counts)
  const value = (next.get(hash) ?? 0) + delta
  if (value === 0) next.delete(hash)
  else next.set(hash, value)
  return next
}

/**
 * Adds a vote already verified against the slot's membership. A second hash
 * from the same member is equivocation: its counted vote is withdrawn.
 */
export function addVerifiedVote (slot: SlotState, vote: Vote): { slot: SlotState, effect: VoteEffect, evidence?: EquivocationEvidence } {
  const first = slot.first_votes.get(vote.voter)
  if (first === undefined) {
    return { slot: { ...slot, first_votes: slot.first_votes.set(vote.voter, vote), counts: withCount(slot.counts, vote.event_hash, 1) }, effect: 'counted' }
  }
  if (first.event_hash === vote.event_hash || slot.equivocators.has(vote.voter)) return { slot, effect: 'duplicate' }
  const evidence = equivocationEvidence(first, vote)
  return {
    slot: { ...slot, equivocators: new Map(slot.equivocators).set(vote.voter, evidence), counts: withCount(slot.counts, first.event_hash, -1) },
    effect: 'equivocation',
    evidence
  }
}

/** Context for settling a slot: the tie-breaking rule and voters' trust scores. */
export interface SettleContext {
  tieBreaking: TieBreakingRule
  /** voters' trust scores, computed only when trust_weighted tie-breaking needs them */
  trustScores: () => ReadonlyMap<string, number>
  now: number
}

function resolveWithoutQuorum (slot: SlotState, context: SettleContext): { resolution: Resolution, consensus_hash: string | null } {
  const initiatedAt = new Map([...slot.events].map(([hash, event]) => [hash, event.initiated_at]))
  const hash = breakTie(context.tieBreaking, { votes: countedVotes(slot), initiatedAt, trustScores: context.tieBreaking === 'trust_weighted' ? context.trustScores() : new Map() })
  return { resolution: context.tieBreaking, consensus_hash: hash }
}

/** Recomputes a pending slot's outcome; a slot that completes gets its resolution. Completed slots stay as they are. */
export function settleSlot (slot: SlotState, context: SettleContext): SlotState {
  if (slot.status !== 'pending') return slot
  const undecided = slot.membership.members.size - slot.first_votes.size
  const outcome = tallyOutcome({ counts: slot.counts, undecided_voters: undecided, quorum: slot.quorum })
  if (outcome.status === 'decided') {
    return { ...slot, status: 'decided', decided_hash: outcome.leading_hash, consensus_hash: outcome.leading_hash, resolution: 'quorum', completed_at: context.now }
  }
  if (outcome.status === 'failed') return { ...slot, status: 'failed', completed_at: context.now, ...resolveWithoutQuorum(slot, context) }
  return slot
}

/** Gives up waiting on a pending slot (a deadline passed): it fails and is resolved by tie-breaking. */
export function closePendingSlot (slot: SlotState, context: SettleContext): SlotState {
  if (slot.status !== 'pending') return slot
  return { ...slot, status: 'failed', completed_at: context.now, ...resolveWithoutQuorum(slot, context) }
}

/** The QC of a decided slot: the counted votes on the decided hash. */
export function slotQC (slot: SlotState): QuorumCertificate | null {
  if (slot.decided_hash === null) return null
  const votes = [...slot.first_votes.values()]
    .filter((v) => v.event_hash === slot.decided_hash && !slot.equivocators.has(v.voter))
    .sort((a, b) => (a.voter < b.voter ? -1 : 1))
  return { federation_id: slot.membership.federation_id, slot: slot.slot, event_hash: slot.decided_hash, votes }
}

/** The history record of a completed slot. */
export function slotHistory (slot: SlotState): HistoryRecord | null {
  if (slot.status === 'pending' || slot.completed_at === null || slot.resolution === null) return null
  const votes = countedVotes(slot)
  const outcome = tallyOutcome({ counts: slot.counts, undecided_voters: 0, quorum: slot.quorum })
  const reference = slot.consensus_hash ?? outcome.leading_hash
  const participating = [...votes.keys()].sort()
  const nodeHashes: Record<string, string> = {}
  for (const voter of participating) nodeHashes[voter] = votes.get(voter) as string
  const eventHash = slot.decided_hash ?? outcome.leading_hash
  const event = eventHash === null ? undefined : slot.events.get(eventHash)
  const n = slot.membership.members.size
  return {
    slot: slot.slot,
    event_hash: eventHash,
    event_type: event?.type ?? null,
    initiated_at: event?.initiated_at ?? slot.opened_at,
    completed_at: slot.completed_at,
    membership_epoch: slot.membership.epoch,
    membership_size: n,
    quorum: slot.quorum,
    participating_nodes: participating,
    node_hashes: nodeHashes,
    consensus_hash: slot.consensus_hash,
    agreement_percentage: Math.round((((reference === null ? undefined : slot.counts.get(reference)) ?? 0) / n) * 10_000) / 100,
    consensus_achieved: slot.status === 'decided',
    disagreeing_nodes: participating.filter((voter) => votes.get(voter) !== reference),
    equivocating_nodes: [...slot.equivocators.keys()].sort(),
    resolution: slot.resolution,
    needs_review: slot.status !== 'decided' && slot.consensus_hash === null
  }
}
