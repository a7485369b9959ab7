/**
 * Errors of the bilateral service: operator-facing (InputError) for the send
 * path, VerdictErrors for what a peer sends.
 */
import { InputError, VerdictError, type VerdictAction } from '../../core/errors.ts'

/** No member has that site id (or PeerId). */
export class UnknownBilateralPeerError extends InputError {
  static override readonly code = 'UnknownBilateralPeerError'
  override readonly name = 'UnknownBilateralPeerError'
}

/** The class travels by gossip (or its own protocol), not on the bilateral stream. */
export class NotBilateralClassError extends InputError {
  static override readonly code = 'NotBilateralClassError'
  override readonly name = 'NotBilateralClassError'
}

/** The relation with the peer was terminated: nothing goes to it, nothing is queued. */
export class RelationNotActiveError extends InputError {
  static override readonly code = 'RelationNotActiveError'
  override readonly name = 'RelationNotActiveError'
}

/** The peer's queue holds QUEUE_ENTRIES_PER_PEER_MAX messages already. */
export class BilateralQueueFullError extends InputError {
  static override readonly code = 'BilateralQueueFullError'
  override readonly name = 'BilateralQueueFullError'
}

/** A peer sent a class its agreed policy does not allow it to send this node: REJECT `class_not_allowed`. */
export class BilateralClassNotAllowedError extends VerdictError {
  static override readonly code = 'BilateralClassNotAllowedError'
  override readonly name = 'BilateralClassNotAllowedError'
  readonly action: VerdictAction = 'reject'
  readonly code = 'class_not_allowed'
}

/** An envelope on the bilateral stream that is not from the connection's peer to this node: REJECT `misaddressed`. */
export class MisaddressedBilateralError extends VerdictError {
  static override readonly code = 'MisaddressedBilateralError'
  override readonly name = 'MisaddressedBilateralError'
  readonly action: VerdictAction = 'reject'
  readonly code = 'misaddressed'
}

/** A payload over the relation's agreed message limit: REJECT `too_large`. */
export class BilateralMessageTooLargeError extends VerdictError {
  static override readonly code = 'BilateralMessageTooLargeError'
  override readonly name = 'BilateralMessageTooLargeError'
  readonly action: VerdictAction = 'reject'
  readonly code = 'too_large'
}

/** A second, different entry at a seq of the sender's log to this node, or one whose hash links contradict a neighbour: REJECT `fork`. */
export class BilateralLogConflictError extends VerdictError {
  static override readonly code = 'BilateralLogConflictError'
  override readonly name = 'BilateralLogConflictError'
  readonly action: VerdictAction = 'reject'
  readonly code = 'fork'
}
