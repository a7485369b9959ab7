/**
 * Votes: a member's hybrid signature over `(federation_id, slot, event_hash)`.
 * The signed bytes are defined in protocols/vote.md; verification checks the
 * cheap things first and the (post-quantum, expensive) signature last.
 */
import { z } from 'zod'
import { fromString, toString } from 'uint8arrays'
import { VerdictError } from '../errors.ts'
import type { HybridSignature, HybridSigner, SignatureVerifier } from '../signature.ts'
import { VOTE_DOMAIN, EVENT_HASH_BYTES, ED25519_SIGNATURE_BYTES, MLDSA_SIGNATURE_BYTES_MAX } from './constants.ts'
export { ED25519_SIGNATURE_BYTES, MLDSA_SIGNATURE_BYTES_MAX } from './constants.ts'
import { federationIdSchema, slotIdSchema, eventHashSchema } from './event.ts'
import { nodeIdSchema } from './member.ts'
import type { Membership } from './membership.ts'

/** One member's signed vote for an event hash in a slot. */
export interface Vote {
  federation_id: string
  slot: string
  /** lowercase hex SHA-256 of the event */
  event_hash: string
  /** node id of the signer; its key comes from the membership, never from the vote */
  voter: string
  signature: HybridSignature
}


export class MalformedVoteError extends VerdictError {
  static override readonly code = 'MalformedVoteError'
  override readonly name = 'MalformedVoteError'
  readonly action = 'reject'
  override readonly code = 'malformed_vote'
}

export class VoteWrongFederationError extends VerdictError {
  static override readonly code = 'VoteWrongFederationError'
  override readonly name = 'VoteWrongFederationError'
  readonly action = 'reject'
  override readonly code = 'wrong_federation'
}

export class VoteFromNonMemberError extends VerdictError {
  static override readonly code = 'VoteFromNonMemberError'
  override readonly name = 'VoteFromNonMemberError'
  readonly action = 'reject'
  override readonly code = 'non_member_voter'
}

export class VoteSignatureError extends VerdictError {
  static override readonly code = 'VoteSignatureError'
  override readonly name = 'VoteSignatureError'
  readonly action = 'reject'
  override readonly code = 'bad_vote_signature'
}

const utf8 = new TextEncoder()
const DOMAIN_BYTES = utf8.encode(VOTE_DOMAIN)

/**
 * The exact bytes a vote signs:
 * `"fedmesh/vote/1\n" | u8 len | federation_id | u8 len | slot | 32-byte event hash`.
 */
export function voteMessage (federationId: string, slot: string, eventHash: string): Uint8Array {
  const federation = utf8.encode(federationId)
  const slotBytes = utf8.encode(slot)
  if (federation.length > 255 || slotBytes.length > 255 || !/^[0-9a-f]{64}$/.test(eventHash)) {
    throw new MalformedVoteError('vote fields out of range for the vote encoding')
  }
  const out = new Uint8Array(DOMAIN_BYTES.length + 1 + 1 + federation.length + 1 + slotBytes.length + EVENT_HASH_BYTES)
  let at = 0
  out.set(DOMAIN_BYTES, at); at += DOMAIN_BYTES.length
  out[at++] = 0x0a // '\n', the separator every fedmesh signing domain ends with
  out[at++] = federation.length
  out.set(federation, at); at += federation.length
  out[at++] = slotBytes.length
  out.set(slotBytes, at); at += slotBytes.length
  out.set(fromString(eventHash, 'base16'), at)
  return out
}

/** Signs a vote with the member's hybrid signer. */
export function signVote (signer: HybridSigner, fields: Omit<Vote, 'signature'>): Vote {
  return { ...fields, signature: signer.sign(voteMessage(fields.federation_id, fields.slot, fields.event_hash)) }
}

/** What a vote is checked against. */
export interface VoteCheck {
  federationId: string
  membership: Membership
  verifier: SignatureVerifier
}

/** Checks a vote: federation, membership, then both signatures. Throws a named error for each failure. */
export function verifyVote (vote: Vote, check: VoteCheck): void {
  if (vote.federation_id !== check.federationId) {
    throw new VoteWrongFederationError(`vote for federation "${vote.federation_id}", expected "${check.federationId}"`)
  }
  const member = check.membership.members.get(vote.voter)
  if (member === undefined) {
    throw new VoteFromNonMemberError(`vote from ${vote.voter}, which is not a member of "${check.federationId}" at epoch ${check.membership.epoch}`)
  }
  const message = voteMessage(vote.federation_id, vote.slot, vote.event_hash)
  if (!check.verifier.verify(member.public_key, message, vote.signature)) {
    throw new VoteSignatureError(`vote from ${vote.voter} in slot ${vote.slot}: signature does not verify`)
  }
}

/** A vote in JSON (store, API, evidence files): signatures base64. */
export const voteJsonSchema = z.strictObject({
  federation_id: federationIdSchema,
  slot: slotIdSchema,
  event_hash: eventHashSchema,
  voter: nodeIdSchema,
  signature: z.strictObject({
    ed25519: z.string().max(Math.ceil(ED25519_SIGNATURE_BYTES / 3) * 4),
    mldsa: z.string().max(Math.ceil(MLDSA_SIGNATURE_BYTES_MAX / 3) * 4)
  })
})
export type VoteJson = z.output<typeof voteJsonSchema>

/** Parses and bounds a JSON vote; throws MalformedVoteError naming the bad fields. */
export function voteFromJson (input: unknown): Vote {
  const result = voteJsonSchema.safeParse(input)
  if (!result.success) {
    throw new MalformedVoteError(`malformed vote: ${result.error.issues.map((i) => `${i.path.map(String).join('.')}: ${i.message}`).join('; ')}`)
  }
  const json = result.data
  let signature: HybridSignature
  try {
    signature = { ed25519: fromString(json.signature.ed25519, 'base64pad'), mldsa: fromString(json.signature.mldsa, 'base64pad') }
  } catch (err) {
    throw new MalformedVoteError('malformed vote: signature is not base64', { cause: err })
  }
  return { federation_id: json.federation_id, slot: json.slot, event_hash: json.event_hash, voter: json.voter, signature }
}

/** The JSON form of a vote. */
export function voteToJson (vote: Vote): VoteJson {
  return {
    federation_id: vote.federation_id,
    slot: vote.slot,
    event_hash: vote.event_hash,
    voter: vote.voter,
    signature: { ed25519: toString(vote.signature.ed25519, 'base64pad'), mldsa: toString(vote.signature.mldsa, 'base64pad') }
  }
}
