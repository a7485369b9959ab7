/**
 * The node's voting policy (config `consensus.voting`): per event type,
 * `manual` (the operator votes) or `auto` (the node votes by the type's rule
 * when the event arrives). Auto votes take the same never-sign-twice path as
 * manual ones and are audited the same way (docs/consensus.md).
 */
import { InputError } from '../errors.ts'
import { EVENT_TYPES, type ConsensusEvent, type EventType } from './event.ts'
import type { Membership } from './membership.ts'

export const VOTING_MODES = ['manual', 'auto'] as const
export type VotingMode = typeof VOTING_MODES[number]

/** The rule `auto` applies per event type; a type without one cannot be `auto`. */
export const AUTO_VOTE_RULES = {
  /** the candidate's entry verifies: its node id is the PeerId of its Ed25519 key, it is not a member yet, its site id is free */
  membership_add: 'candidate_entry_verifies',
  /** every well-formed checkpoint from a member */
  epoch_checkpoint: 'always'
} as const satisfies Partial<Record<EventType, string>>
export type AutoVoteRule = typeof AUTO_VOTE_RULES[keyof typeof AUTO_VOTE_RULES]

export type VotingPolicy = Readonly<Record<EventType, VotingMode>>

/** What a node does without a `consensus.voting` entry for a type. */
export const VOTING_POLICY_DEFAULT: VotingPolicy = {
  governance_proposal: 'manual',
  membership_add: 'manual',
  membership_remove: 'manual',
  policy_change: 'manual',
  epoch_checkpoint: 'auto'
}

/** `consensus.voting` names something that is not an event type. */
export class UnknownEventTypeError extends InputError {
  static override readonly code = 'UnknownEventTypeError'
  override readonly name = 'UnknownEventTypeError'
}

/** `consensus.voting` sets `auto` for an event type that has no auto rule. */
export class NoAutoVoteRuleError extends InputError {
  static override readonly code = 'NoAutoVoteRuleError'
  override readonly name = 'NoAutoVoteRuleError'
}

/** The auto rule of an event type, if it has one. */
export function autoVoteRule (type: EventType): AutoVoteRule | undefined {
  return (AUTO_VOTE_RULES as Partial<Record<EventType, AutoVoteRule>>)[type]
}

/** Problems with a `consensus.voting` map, each as `[event type, "<ErrorName>: message"]`. */
export function votingPolicyProblems (voting: Readonly<Record<string, string>>): Array<[string, string]> {
  const problems: Array<[string, string]> = []
  for (const [type, mode] of Object.entries(voting)) {
    if (!(EVENT_TYPES as readonly string[]).includes(type)) {
      problems.push([type, `${UnknownEventTypeError.code}: not an event type (one of ${EVENT_TYPES.join(', ')})`])
    } else if (mode === 'auto' && autoVoteRule(type as EventType) === undefined) {
      problems.push([type, `${NoAutoVoteRuleError.code}: ${type} has no auto rule, so it must be manual (auto is available for ${Object.keys(AUTO_VOTE_RULES).join(', ')})`])
    }
  }
  return problems
}

/** The full policy from the config's map (already validated). */
export function votingPolicy (voting: Readonly<Partial<Record<string, VotingMode>>> = {}): VotingPolicy {
  const policy: Record<EventType, VotingMode> = { ...VOTING_POLICY_DEFAULT }
  for (const type of EVENT_TYPES) {
    const mode = voting[type]
    if (mode !== undefined) policy[type] = mode
  }
  return policy
}

/**
 * The membership part of `candidate_entry_verifies` (the key-to-PeerId binding
 * is checked by the caller, which has the libp2p key codecs): null when the
 * candidate may be admitted, otherwise why not.
 */
export function candidateMembershipProblem (event: Extract<ConsensusEvent, { type: 'membership_add' }>, membership: Membership): string | null {
  const candidate = event.body.member
  if (membership.members.has(candidate.node_id)) return `${candidate.node_id} is a member already`
  if (candidate.site_id === undefined) return `${candidate.node_id} names no site id`
  for (const member of membership.members.values()) {
    if (member.site_id === candidate.site_id) return `site id "${candidate.site_id}" belongs to member ${member.node_id}`
  }
  return null
}
