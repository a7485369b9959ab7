/**
 * Equivocation evidence: two votes signed by one member for different hashes
 * in one slot. Self-contained (both signed votes), so anyone holding the
 * membership can verify it and penalise the offender.
 */
import { VerdictError } from '../errors.ts'
import { verifyVote, voteFromJson, voteToJson, type Vote, type VoteCheck, type VoteJson } from './vote.ts'

/** Both conflicting votes, ordered by event hash so the same pair always reads the same. */
export interface EquivocationEvidence {
  offender: string
  federation_id: string
  slot: string
  votes: [Vote, Vote]
}

/** The pair of votes does not show an equivocation (different voters, slots or federations, or one hash). */
export class InvalidEvidenceError extends VerdictError {
  static override readonly code = 'InvalidEvidenceError'
  override readonly name = 'InvalidEvidenceError'
  readonly action = 'reject'
  override readonly code = 'invalid_evidence'
}

/** Evidence from two conflicting votes (unverified: call `verifyEvidence` before acting on votes from a peer). */
export function equivocationEvidence (a: Vote, b: Vote): EquivocationEvidence {
  const votes: [Vote, Vote] = a.event_hash < b.event_hash ? [a, b] : [b, a]
  return { offender: a.voter, federation_id: a.federation_id, slot: a.slot, votes }
}

/** Checks evidence: one offender, one federation and slot, two hashes, both signatures valid. Throws a named error. */
export function verifyEvidence (evidence: EquivocationEvidence, check: VoteCheck): void {
  const [a, b] = evidence.votes
  for (const vote of evidence.votes) {
    if (vote.voter !== evidence.offender || vote.slot !== evidence.slot || vote.federation_id !== evidence.federation_id) {
      throw new InvalidEvidenceError(`evidence against ${evidence.offender} in slot ${evidence.slot} holds a vote by ${vote.voter} in slot ${vote.slot}`)
    }
  }
  if (a.event_hash === b.event_hash) {
    throw new InvalidEvidenceError(`evidence against ${evidence.offender}: both votes are for ${a.event_hash}, which is no equivocation`)
  }
  verifyVote(a, check)
  verifyVote(b, check)
}

/** Evidence in JSON. */
export interface EquivocationEvidenceJson {
  offender: string
  federation_id: string
  slot: string
  votes: [VoteJson, VoteJson]
}

/** The JSON form of evidence. */
export function evidenceToJson (evidence: EquivocationEvidence): EquivocationEvidenceJson {
  return { offender: evidence.offender, federation_id: evidence.federation_id, slot: evidence.slot, votes: [voteToJson(evidence.votes[0]), voteToJson(evidence.votes[1])] }
}

/** Evidence from JSON (parsed and bounded; `verifyEvidence` checks it). */
export function evidenceFromJson (json: EquivocationEvidenceJson): EquivocationEvidence {
  if (!Array.isArray(json.votes) || json.votes.length !== 2) throw new InvalidEvidenceError('evidence must hold exactly two votes')
  return { offender: json.offender, federation_id: json.federation_id, slot: json.slot, votes: [voteFromJson(json.votes[0]), voteFromJson(json.votes[1])] }
}
