/**
 * QuorumCertificate: the votes of at least a quorum of the membership on one
 * event hash in one slot. Anyone holding the membership can check it alone.
 */
import { InputError } from '../errors.ts'
import type { SignatureVerifier } from '../signature.ts'
import type { Membership } from './membership.ts'
import { quorumSize, type ConsensusPolicy } from './threshold.ts'
import { verifyVote, voteFromJson, voteToJson, VoteFromNonMemberError, type Vote, type VoteJson } from './vote.ts'

/** The votes that decided `event_hash` in `slot`. */
export interface QuorumCertificate {
  federation_id: string
  slot: string
  event_hash: string
  votes: Vote[]
}

export class QCInsufficientVotesError extends InputError {
  static override readonly code = 'QCInsufficientVotesError'
  override readonly name = 'QCInsufficientVotesError'
}

/** A vote in the certificate is for another federation, slot or hash than the certificate claims. */
export class QCMismatchError extends InputError {
  static override readonly code = 'QCMismatchError'
  override readonly name = 'QCMismatchError'
}

export class QCDuplicateVoterError extends InputError {
  static override readonly code = 'QCDuplicateVoterError'
  override readonly name = 'QCDuplicateVoterError'
}

/** What a QC is checked against; `eventHash` / `slot`, when given, must be the ones certified. */
export interface QCCheck {
  membership: Membership
  policy: Pick<ConsensusPolicy, 'threshold' | 'min_participating_nodes'>
  verifier: SignatureVerifier
  /** the votes required, when known from the record of the decision (the policy may have changed since) */
  quorum?: number
  eventHash?: string
  slot?: string
}

/** Checks a QC independently: consistent votes, distinct members, at least a quorum, every signature. Throws a named error. */
export function verifyQC (qc: QuorumCertificate, check: QCCheck): void {
  const { membership } = check
  if (check.eventHash !== undefined && qc.event_hash !== check.eventHash) {
    throw new QCMismatchError(`certificate is for hash ${qc.event_hash}, expected ${check.eventHash}`)
  }
  if (check.slot !== undefined && qc.slot !== check.slot) {
    throw new QCMismatchError(`certificate is for slot ${qc.slot}, expected ${check.slot}`)
  }
  if (qc.federation_id !== membership.federation_id) {
    throw new QCMismatchError(`certificate is for federation "${qc.federation_id}", the membership is "${membership.federation_id}"`)
  }
  const voters = new Set<string>()
  for (const vote of qc.votes) {
    if (vote.federation_id !== qc.federation_id || vote.slot !== qc.slot || vote.event_hash !== qc.event_hash) {
      throw new QCMismatchError(`certificate for ${qc.slot}/${qc.event_hash} holds a vote from ${vote.voter} for ${vote.slot}/${vote.event_hash}`)
    }
    if (voters.has(vote.voter)) throw new QCDuplicateVoterError(`certificate counts ${vote.voter} twice`)
    if (!membership.members.has(vote.voter)) throw new VoteFromNonMemberError(`certificate holds a vote from non-member ${vote.voter}`)
    voters.add(vote.voter)
  }
  const quorum = check.quorum ?? quorumSize(check.policy, membership.members.size)
  if (voters.size < quorum) {
    throw new QCInsufficientVotesError(`certificate has ${voters.size} votes, a quorum of ${membership.members.size} members needs ${quorum}`)
  }
  // signatures last: the post-quantum half is the most expensive check
  for (const vote of qc.votes) verifyVote(vote, { federationId: qc.federation_id, membership, verifier: check.verifier })
}

/** A QC in JSON. */
export interface QuorumCertificateJson {
  federation_id: string
  slot: string
  event_hash: string
  votes: VoteJson[]
}

/** The JSON form of a QC. */
export function qcToJson (qc: QuorumCertificate): QuorumCertificateJson {
  return { federation_id: qc.federation_id, slot: qc.slot, event_hash: qc.event_hash, votes: qc.votes.map(voteToJson) }
}

/** A QC from JSON; each vote is bounded and parsed (verification is `verifyQC`'s job). */
export function qcFromJson (json: QuorumCertificateJson): QuorumCertificate {
  return { federation_id: json.federation_id, slot: json.slot, event_hash: json.event_hash, votes: json.votes.map(voteFromJson) }
}
