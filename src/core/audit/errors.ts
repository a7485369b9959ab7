/**
 * The audit core's errors: one class per failure, each with a stable `name`.
 * Proof and checkpoint failures are InputError: they come from a peer or an
 * operator (a forged or corrupted proof), never from our own bug.
 */
import { InputError } from '../errors.ts'

/** A consistency proof from size 0: RFC 9162 requires 0 < first (transparency-dev/merkle#140 accepted it by mistake). */
export class ConsistencyFromEmptyTreeError extends InputError {
  static override readonly code = 'ConsistencyFromEmptyTreeError'
  override readonly name = 'ConsistencyFromEmptyTreeError'
}

/** A consistency proof to a smaller tree: a log only grows (certificate-transparency-rfcs#100). */
export class ConsistencyToSmallerTreeError extends InputError {
  static override readonly code = 'ConsistencyToSmallerTreeError'
  override readonly name = 'ConsistencyToSmallerTreeError'
}

/** A leaf index outside the tree, a size of 0 or above AUDIT_LOG_LEAVES_MAX. */
export class ProofRangeError extends InputError {
  static override readonly code = 'ProofRangeError'
  override readonly name = 'ProofRangeError'
}

/** A proof of the wrong length or with a hash that is not HASH_BYTES long. */
export class MalformedProofError extends InputError {
  static override readonly code = 'MalformedProofError'
  override readonly name = 'MalformedProofError'
}

/** A well-formed proof that does not lead to the expected root(s). */
export class ProofRootMismatchError extends InputError {
  static override readonly code = 'ProofRootMismatchError'
  override readonly name = 'ProofRootMismatchError'
}

/** An audit record that is malformed, too large, or not in canonical form. */
export class MalformedAuditRecordError extends InputError {
  static override readonly code = 'MalformedAuditRecordError'
  override readonly name = 'MalformedAuditRecordError'
}

/** A checkpoint or cosignature that is malformed (origin, size, root). */
export class MalformedCheckpointError extends InputError {
  static override readonly code = 'MalformedCheckpointError'
  override readonly name = 'MalformedCheckpointError'
}

/** A checkpoint or cosignature whose hybrid signature does not verify. */
export class CheckpointSignatureError extends InputError {
  static override readonly code = 'CheckpointSignatureError'
  override readonly name = 'CheckpointSignatureError'
}

/** Split-view evidence that does not show a split view. */
export class InvalidSplitViewEvidenceError extends InputError {
  static override readonly code = 'InvalidSplitViewEvidenceError'
  override readonly name = 'InvalidSplitViewEvidenceError'
}

/** Why an origin refuses a cosignature handed to it (protocols/audit.md, "Cosignatures"); a bounded set: the wire's ack carries it. */
export const COSIGNATURE_REFUSALS = ['malformed', 'duplicate', 'skew', 'not_member', 'unknown_checkpoint', 'bad_signature'] as const
export type CosignatureRefusal = typeof COSIGNATURE_REFUSALS[number]

/** A cosignature an origin would not keep, with the reason code its ack carries back to the witness. */
export class CosignatureRefusedError extends InputError {
  static override readonly code = 'CosignatureRefusedError'
  override readonly name = 'CosignatureRefusedError'
  readonly reason: CosignatureRefusal

  constructor (reason: CosignatureRefusal, message: string, options?: ErrorOptions) {
    super(`${reason}: ${message}`, options)
    this.reason = reason
  }
}
