/**
 * What an operator needs to vote with open eyes: each pending slot with its
 * events (type, title, body, proposer with the membership's site label),
 * deadline and votes so far per hash. A pure view of the consensus state.
 */
import type { ConsensusEvent } from './event.ts'
import type { ConsensusState } from './machine.ts'
import type { Membership } from './membership.ts'
import { countedVotes, type SlotState } from './slot.ts'

export interface PendingEvent {
  event_hash: string
  type: ConsensusEvent['type']
  /** a one-line title: the proposal's own, or one made from the body */
  title: string
  body: ConsensusEvent['body']
  /** the proposer's PeerId and its site as the membership names it (never the event's claim) */
  proposer: { peer_id: string, site_id: string | null }
  initiated_at: number
  /** counted votes for this event so far */
  votes: number
}

export interface PendingSlot {
  slot: string
  opened_at: number
  /** when the slot fails if still pending (opened_at + the slot timeout) */
  deadline: number
  quorum: number
  membership_epoch: number
  membership_size: number
  /** the known events of the slot, most votes first */
  events: PendingEvent[]
  /** counted votes per event hash (every counted vote names a known event) */
  votes: Record<string, number>
  /** votes held per hash whose event has not arrived (not counted) */
  awaiting_event: Record<string, number>
  /** this node's vote in the slot, if it voted */
  voted: string | null
}

function siteOf (membership: Membership, nodeId: string): string | null {
  return membership.members.get(nodeId)?.site_id ?? null
}

/** A one-line title for an event. */
export function eventTitle (event: ConsensusEvent, membership: Membership): string {
  switch (event.type) {
    case 'governance_proposal': return event.body.title
    case 'membership_add': return `admit ${event.body.member.site_id ?? '(no site)'} (${event.body.member.node_id})`
    case 'membership_remove': return `remove ${siteOf(membership, event.body.node_id) ?? '(unknown site)'} (${event.body.node_id})`
    case 'policy_change': return `policy: ${Object.entries(event.body).filter(([, v]) => v !== undefined).map(([k, v]) => `${k} ${String(v)}`).join(', ')}`
    case 'epoch_checkpoint': return `checkpoint of epoch ${event.body.epoch}`
  }
}

function pendingSlot (slot: SlotState, state: ConsensusState, init: { nodeId: string, slotTimeoutMs: number }): PendingSlot {
  const counts = slot.counts
  const events = [...slot.events].map(([hash, event]): PendingEvent => ({
    event_hash: hash,
    type: event.type,
    title: eventTitle(event, slot.membership),
    body: event.body,
    proposer: { peer_id: event.proposer, site_id: siteOf(slot.membership, event.proposer) },
    initiated_at: event.initiated_at,
    votes: counts.get(hash) ?? 0
  })).sort((a, b) => b.votes - a.votes || a.initiated_at - b.initiated_at || (a.event_hash < b.event_hash ? -1 : 1))
  return {
    slot: slot.slot,
    opened_at: slot.opened_at,
    deadline: slot.opened_at + init.slotTimeoutMs,
    quorum: slot.quorum,
    membership_epoch: slot.membership.epoch,
    membership_size: slot.membership.members.size,
    events,
    votes: Object.fromEntries([...counts].sort(([a], [b]) => (a < b ? -1 : 1))),
    awaiting_event: Object.fromEntries([...state.held.countsFor(slot.slot)].sort(([a], [b]) => (a < b ? -1 : 1))),
    voted: countedVotes(slot).get(init.nodeId) ?? slot.first_votes.get(init.nodeId)?.event_hash ?? null
  }
}

/** The pending slots, soonest deadline first. */
export function pendingSlots (state: ConsensusState, init: { nodeId: string, slotTimeoutMs: number }): PendingSlot[] {
  const out: PendingSlot[] = []
  for (const slot of state.slots.values()) if (slot.status === 'pending') out.push(pendingSlot(slot, state, init))
  return out.sort((a, b) => a.deadline - b.deadline || (a.slot < b.slot ? -1 : 1))
}
