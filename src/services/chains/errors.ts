/**
 * The chains service's own errors (the protocol's are src/core/chain/errors.ts).
 */
import { InputError } from '../../core/errors.ts'

/** A step names a site no known member's node record names. */
export class UnknownSiteError extends InputError {
  static override readonly code = 'UnknownSiteError'
  override readonly name = 'UnknownSiteError'
}

/** The outbox holds OUTBOX_ENTRIES_MAX messages: no new proposal until peers answer. */
export class OutboxFullError extends InputError {
  static override readonly code = 'OutboxFullError'
  override readonly name = 'OutboxFullError'
}
