/**
 * Why an envelope was refused. One class per failure with a stable `name`;
 * each also carries a reason `code` (bounded, for metrics labels) and the
 * gossip `action`: `reject` when the envelope is provably bad (the sender
 * broke the protocol and its score should drop), `ignore` when it may be an
 * honest accident (duplicate, clock drift, a newer version).
 */
import { VerdictError } from '../core/errors.ts'

export const ENVELOPE_ERROR_CODES = [
  'too_large', 'malformed', 'schema', 'unsupported_version', 'wrong_data_class', 'wrong_destination', 'duplicate', 'expired',
  'stale', 'future', 'wrong_federation', 'non_member', 'bad_signature'
] as const
export type EnvelopeErrorCode = typeof ENVELOPE_ERROR_CODES[number]
export type EnvelopeErrorAction = 'reject' | 'ignore'

/** Base class: an envelope refused by the validation pipeline. */
export abstract class EnvelopeError extends VerdictError {
  static override readonly code: string = 'EnvelopeError'
  override readonly name: string = 'EnvelopeError'
  abstract override readonly code: EnvelopeErrorCode
  abstract override readonly action: EnvelopeErrorAction
}

/** More bytes than ENVELOPE_BYTES_MAX. */
export class EnvelopeTooLargeError extends EnvelopeError {
  static override readonly code = 'EnvelopeTooLargeError'
  override readonly name = 'EnvelopeTooLargeError'
  readonly code = 'too_large'
  readonly action = 'reject'
}

/** Not a protobuf SignedEnvelope / EnvelopeBody. */
export class MalformedEnvelopeError extends EnvelopeError {
  static override readonly code = 'MalformedEnvelopeError'
  override readonly name = 'MalformedEnvelopeError'
  readonly code = 'malformed'
  readonly action = 'reject'
}

/** Decodes, but a field is missing, out of its limits or not of its grammar. */
export class EnvelopeSchemaError extends EnvelopeError {
  static override readonly code = 'EnvelopeSchemaError'
  override readonly name = 'EnvelopeSchemaError'
  readonly code = 'schema'
  readonly action = 'reject'
}

/** A version this node does not speak (perhaps a newer peer): not provably bad. */
export class UnsupportedEnvelopeVersionError extends EnvelopeError {
  static override readonly code = 'UnsupportedEnvelopeVersionError'
  override readonly name = 'UnsupportedEnvelopeVersionError'
  readonly code = 'unsupported_version'
  readonly action = 'ignore'
}

/** The data class differs from the one the topic or stream carries. */
export class WrongDataClassError extends EnvelopeError {
  static override readonly code = 'WrongDataClassError'
  override readonly name = 'WrongDataClassError'
  readonly code = 'wrong_data_class'
  readonly action = 'reject'
}

/**
 * Addressed elsewhere: an envelope sealed for one destination (a peer's bilateral stream, another topic)
 * replayed onto a topic or stream that is not its own. Its signature covers the destination, so its
 * origin did not send it here: the relayer broke the protocol.
 */
export class WrongDestinationError extends EnvelopeError {
  static override readonly code = 'WrongDestinationError'
  override readonly name = 'WrongDestinationError'
  readonly code = 'wrong_destination'
  readonly action = 'reject'
}

/** Seen before (a replay, or simply gossip delivering it twice). */
export class DuplicateEnvelopeError extends EnvelopeError {
  static override readonly code = 'DuplicateEnvelopeError'
  override readonly name = 'DuplicateEnvelopeError'
  readonly code = 'duplicate'
  readonly action = 'ignore'
}

/** Travelled more hops than its ttl allows. */
export class ExpiredEnvelopeError extends EnvelopeError {
  static override readonly code = 'ExpiredEnvelopeError'
  override readonly name = 'ExpiredEnvelopeError'
  readonly code = 'expired'
  readonly action = 'ignore'
}

/** Timestamp older than CLOCK_SKEW_MS_MAX (or below the replay cache's floor). */
export class StaleEnvelopeError extends EnvelopeError {
  static override readonly code = 'StaleEnvelopeError'
  override readonly name = 'StaleEnvelopeError'
  readonly code = 'stale'
  readonly action = 'ignore'
}

/** Timestamp more than CLOCK_SKEW_MS_MAX ahead of our clock. */
export class FutureEnvelopeError extends EnvelopeError {
  static override readonly code = 'FutureEnvelopeError'
  override readonly name = 'FutureEnvelopeError'
  readonly code = 'future'
  readonly action = 'ignore'
}

/** Addressed to another federation. */
export class WrongFederationError extends EnvelopeError {
  static override readonly code = 'WrongFederationError'
  override readonly name = 'WrongFederationError'
  readonly code = 'wrong_federation'
  readonly action = 'reject'
}

/** The source is not a member of the federation (no known key). */
export class NonMemberSourceError extends EnvelopeError {
  static override readonly code = 'NonMemberSourceError'
  override readonly name = 'NonMemberSourceError'
  readonly code = 'non_member'
  readonly action = 'reject'
}

/** The Ed25519 or the ML-DSA signature (or both) does not verify with the source's key. */
export class BadSignatureError extends EnvelopeError {
  static override readonly code = 'BadSignatureError'
  override readonly name = 'BadSignatureError'
  readonly code = 'bad_signature'
  readonly action = 'reject'
}
