/**
 * Migration errors: one class per failure, with a stable name (callers and
 * the CLI branch on it). All are InputError: bad input from a peer, a file
 * or an operator, never a bug of ours.
 */
import { InputError } from '../errors.ts'

/** Base: a redirect record that is not acceptable. */
export class RedirectError extends InputError {
  static override readonly code: string = 'RedirectError'
  override readonly name: string = 'RedirectError'
}

export class MalformedRedirectError extends RedirectError {
  static override readonly code = 'MalformedRedirectError'
  override readonly name = 'MalformedRedirectError'
}

export class RedirectSchemaError extends RedirectError {
  static override readonly code = 'RedirectSchemaError'
  override readonly name = 'RedirectSchemaError'
}

/** Past its grace_until: it no longer resolves. */
export class RedirectExpiredError extends RedirectError {
  static override readonly code = 'RedirectExpiredError'
  override readonly name = 'RedirectExpiredError'
}

export class RedirectClockError extends RedirectError {
  static override readonly code = 'RedirectClockError'
  override readonly name = 'RedirectClockError'
}

/** Stored under a DHT key that is neither its participant key's nor its origin location's. */
export class RedirectKeyMismatchError extends RedirectError {
  static override readonly code = 'RedirectKeyMismatchError'
  override readonly name = 'RedirectKeyMismatchError'
}

/** The participant (or recovery key) signature does not verify. */
export class RedirectSignatureError extends RedirectError {
  static override readonly code = 'RedirectSignatureError'
  override readonly name = 'RedirectSignatureError'
}

/** The receiving node's countersignature is absent, from a non-member, or does not verify. */
export class RedirectCountersignatureError extends RedirectError {
  static override readonly code = 'RedirectCountersignatureError'
  override readonly name = 'RedirectCountersignatureError'
}

/** The origin's home binding is absent, from the wrong node, or does not verify. */
export class RedirectBindingError extends RedirectError {
  static override readonly code = 'RedirectBindingError'
  override readonly name = 'RedirectBindingError'
}

/** Resolution met an id twice. */
export class RedirectLoopError extends RedirectError {
  static override readonly code = 'RedirectLoopError'
  override readonly name = 'RedirectLoopError'
}

/** Resolution followed REDIRECT_HOPS_MAX redirects without an end. */
export class RedirectHopsExceededError extends RedirectError {
  static override readonly code = 'RedirectHopsExceededError'
  override readonly name = 'RedirectHopsExceededError'
}

/** A second move inside the cooldown. */
export class MoveCooldownError extends InputError {
  static override readonly code = 'MoveCooldownError'
  override readonly name = 'MoveCooldownError'
}

/** An export document that is malformed or whose signatures do not verify. */
export class InvalidExportError extends InputError {
  static override readonly code = 'InvalidExportError'
  override readonly name = 'InvalidExportError'
}

/** The participant did not prove control of the key in the export. */
export class KeyControlError extends InputError {
  static override readonly code = 'KeyControlError'
  override readonly name = 'KeyControlError'
}

/** A move acknowledgement that is malformed. */
export class MoveAckSchemaError extends InputError {
  static override readonly code = 'MoveAckSchemaError'
  override readonly name = 'MoveAckSchemaError'
}

/** A move acknowledgement issued in the future, or after its move's grace. */
export class MoveAckClockError extends InputError {
  static override readonly code = 'MoveAckClockError'
  override readonly name = 'MoveAckClockError'
}

/** A move acknowledgement from a non-member, or whose signature does not verify. */
export class MoveAckSignatureError extends InputError {
  static override readonly code = 'MoveAckSignatureError'
  override readonly name = 'MoveAckSignatureError'
}

/** Resolution found no redirect of the move being acknowledged (yet). */
export class RedirectNotFoundError extends InputError {
  static override readonly code = 'RedirectNotFoundError'
  override readonly name = 'RedirectNotFoundError'
}

/** A recovery-key redirect asked for outside the recovery window of the redirect it would override (it would not win). */
export class RecoveryWindowError extends InputError {
  static override readonly code = 'RecoveryWindowError'
  override readonly name = 'RecoveryWindowError'
}
