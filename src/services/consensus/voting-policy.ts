/**
 * The auto-vote rules (core/consensus/voting-policy.ts names them). The
 * key-to-PeerId binding of a candidate needs libp2p's key codecs, so the
 * rules are evaluated here, not in core. `candidate_entry_verifies` approves a
 * membership_add whose candidate's Ed25519 key is its PeerId, whose founder-entry
 * self-signature (carried in the event) verifies, and whose site id is free.
 */
import { publicKeyFromRaw } from '@libp2p/crypto/keys'
import { peerIdFromPublicKey } from '@libp2p/peer-id'
import { fromString } from 'uint8arrays'
import type { ConsensusEvent } from '../../core/consensus/event.ts'
import type { Membership } from '../../core/consensus/membership.ts'
import { candidateMembershipProblem, type AutoVoteRule } from '../../core/consensus/voting-policy.ts'
import { FOUNDER_ENTRY_VERSION, verifyFounderEntry } from '../../core/consensus/founder-entry.ts'
import type { SignatureVerifier } from '../../core/signature.ts'

export type AutoVoteDecision = { approve: true } | { approve: false, reason: string }

/** Whether `rule` approves `event` against the slot's membership. */
export function autoVoteDecision (event: ConsensusEvent, rule: AutoVoteRule, membership: Membership, verifier: SignatureVerifier): AutoVoteDecision {
  switch (rule) {
    case 'always':
      return { approve: true }
    case 'candidate_entry_verifies': {
      if (event.type !== 'membership_add') return { approve: false, reason: `rule ${rule} applies to membership_add, not ${event.type}` }
      const candidate = event.body.member
      let peerId: string
      try {
        peerId = peerIdFromPublicKey(publicKeyFromRaw(fromString(candidate.public_key.ed25519, 'base64pad'))).toString()
      } catch (err) {
        return { approve: false, reason: `the candidate's Ed25519 key does not decode: ${(err as Error).message}` }
      }
      if (peerId !== candidate.node_id) return { approve: false, reason: `the candidate's Ed25519 key belongs to ${peerId}, not ${candidate.node_id}` }
      const signature = event.body.entry_signature
      if (signature === undefined) return { approve: false, reason: 'the event carries no founder-entry signature of the candidate' }
      try {
        verifyFounderEntry({ version: FOUNDER_ENTRY_VERSION, member: candidate, signature }, verifier, 'the candidate\'s founder entry')
      } catch (err) {
        return { approve: false, reason: (err as Error).message }
      }
      const problem = candidateMembershipProblem(event, membership)
      return problem === null ? { approve: true } : { approve: false, reason: problem }
    }
  }
}
