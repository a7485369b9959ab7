/**
 * The per-slot tally, three-valued like etcd raft's quorum: pending (a hash
 * may still reach the quorum), decided (one did), failed (none can any more).
 */
import { assert } from '../errors.ts'

export type TallyStatus = 'pending' | 'decided' | 'failed'

export interface TallyOutcome {
  status: TallyStatus
  /** the decided hash, or the leading one (most votes, then lowest hash) when pending or failed; null with no votes */
  leading_hash: string | null
  leading_votes: number
}

/** What the outcome depends on: counted votes per hash, members that may still vote, the quorum. */
export interface TallyInput {
  /** counted votes per event hash (one per member; equivocators' votes are not counted) */
  counts: ReadonlyMap<string, number>
  /** members with no counted vote that could still vote (not equivocators) */
  undecided_voters: number
  quorum: number
}

/** Decides a slot from its counts: decided when a hash has a quorum, failed when no hash can reach one. */
export function tallyOutcome (input: TallyInput): TallyOutcome {
  let leadingHash: string | null = null
  let leadingVotes = 0
  let quorate = 0
  for (const [hash, votes] of input.counts) {
    if (votes >= input.quorum) quorate++
    if (votes > leadingVotes || (votes === leadingVotes && votes > 0 && leadingHash !== null && hash < leadingHash)) {
      leadingHash = hash
      leadingVotes = votes
    }
  }
  // quorums are more than half of n and each member counts once, so two hashes can never both have one
  assert(quorate <= 1, 'two hashes reached a quorum in one tally')
  if (leadingVotes >= input.quorum) return { status: 'decided', leading_hash: leadingHash, leading_votes: leadingVotes }
  // a hash nobody voted for yet could still win with every undecided voter, so compare against max(leading, 0)
  if (leadingVotes + input.undecided_voters < input.quorum) return { status: 'failed', leading_hash: leadingHash, leading_votes: leadingVotes }
  return { status: 'pending', leading_hash: leadingHash, leading_votes: leadingVotes }
}
