/**
 * Operator-facing errors of the handshake service.
 */
import { InputError } from '../../core/errors.ts'

/** No relation with that peer (or site) on this node. */
export class UnknownRelationError extends InputError {
  static override readonly code = 'UnknownRelationError'
  override readonly name = 'UnknownRelationError'
}
