/**
 * Handshake failures: one class per failure, each a VerdictError with a
 * bounded code (the relation's `reason`, the audit record's reason and the
 * refusal sent to the peer all carry the code).
 */
import { VerdictError, type VerdictAction } from '../errors.ts'

/** Base of every handshake failure. */
export abstract class HandshakeError extends VerdictError {
  static override readonly code: string = 'HandshakeError'
  override readonly name: string = 'HandshakeError'
}

/** A message that does not fit the handshake's schema or limits. */
export class HandshakeSchemaError extends HandshakeError {
  static override readonly code = 'HandshakeSchemaError'
  override readonly name = 'HandshakeSchemaError'
  readonly action: VerdictAction = 'reject'
  readonly code = 'handshake_schema'
}

/** No protocol version both sides speak. */
export class IncompatibleVersionError extends HandshakeError {
  static override readonly code = 'IncompatibleVersionError'
  override readonly name = 'IncompatibleVersionError'
  readonly action: VerdictAction = 'ignore'
  readonly code = 'incompatible_version'
}

/** The peer's node record does not verify, or is not the peer's. */
export class BadNodeRecordError extends HandshakeError {
  static override readonly code = 'BadNodeRecordError'
  override readonly name = 'BadNodeRecordError'
  readonly action: VerdictAction = 'reject'
  readonly code = 'bad_node_record'
}

/** The peer is not in the federation's membership. */
export class NotAMemberError extends HandshakeError {
  static override readonly code = 'NotAMemberError'
  override readonly name = 'NotAMemberError'
  readonly action: VerdictAction = 'reject'
  readonly code = 'not_a_member'
}

/** The peer's key is not the one the membership holds for it (rotated away or revoked). */
export class RevokedKeyError extends HandshakeError {
  static override readonly code = 'RevokedKeyError'
  override readonly name = 'RevokedKeyError'
  readonly action: VerdictAction = 'reject'
  readonly code = 'revoked_key'
}

/** The transcript signature (Ed25519 and ML-DSA, both required) does not verify. */
export class BadHandshakeSignatureError extends HandshakeError {
  static override readonly code = 'BadHandshakeSignatureError'
  override readonly name = 'BadHandshakeSignatureError'
  readonly action: VerdictAction = 'reject'
  readonly code = 'bad_signature'
}

/** No policy this node can accept: a class it requires is not offered. */
export class PolicyRefusedError extends HandshakeError {
  static override readonly code = 'PolicyRefusedError'
  override readonly name = 'PolicyRefusedError'
  readonly action: VerdictAction = 'ignore'
  readonly code = 'policy_refused'
}

/** Counter-proposals went past POLICY_ROUNDS_MAX without agreement. */
export class PolicyRoundsExhaustedError extends HandshakeError {
  static override readonly code = 'PolicyRoundsExhaustedError'
  override readonly name = 'PolicyRoundsExhaustedError'
  readonly action: VerdictAction = 'ignore'
  readonly code = 'rounds_exhausted'
}

/** A message the current phase does not expect (or an accept of terms never proposed). */
export class UnexpectedHandshakeMessageError extends HandshakeError {
  static override readonly code = 'UnexpectedHandshakeMessageError'
  override readonly name = 'UnexpectedHandshakeMessageError'
  readonly action: VerdictAction = 'reject'
  readonly code = 'unexpected_message'
}

/** The peer refused the handshake (its code is in the message). */
export class HandshakeRefusedByPeerError extends HandshakeError {
  static override readonly code = 'HandshakeRefusedByPeerError'
  override readonly name = 'HandshakeRefusedByPeerError'
  readonly action: VerdictAction = 'ignore'
  readonly code = 'refused_by_peer'
}

/** The relation was terminated by force: no handshake until the operator allows it again. */
export class RelationTerminatedError extends HandshakeError {
  static override readonly code = 'RelationTerminatedError'
  override readonly name = 'RelationTerminatedError'
  readonly action: VerdictAction = 'ignore'
  readonly code = 'terminated'
}
