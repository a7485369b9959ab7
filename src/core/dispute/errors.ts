/**
 * Errors of disputes across nodes (protocols/dispute.md): each an InputError
 * with a stable `name` (the stream answers REJECTED with it). The rules of a
 * dispute itself keep theirs in core/chain/errors.ts (DisputeStateError,
 * NotADisputePartyError, ForgedStatementError, NodeSignatureError, …).
 */
import { InputError } from '../errors.ts'

function named (name: string): typeof InputError {
  return class extends InputError {
    static override readonly code: string = name
    override readonly name: string = name
  }
}

/** Bytes that do not decode as a DisputeMessage, exceed a size or count limit, or set not exactly one body. */
export class MalformedDisputeMessageError extends named('MalformedDisputeMessageError') {}
/** The sending node is not the one this message must come from (the signing participant's home node, or the signing node itself). */
export class DisputeSenderError extends named('DisputeSenderError') {}
/** A ruling from a node not drawn onto the dispute's panel, or a case sent to a node that is not on it. */
export class NotAPanelistError extends named('NotAPanelistError') {}
/** A statement issued further in the future than the allowed clock skew. */
export class DisputeClockError extends named('DisputeClockError') {}
/** A case whose chain evidence does not hold together (missing or extra messages, a chain that is not committed). */
export class InvalidCaseError extends named('InvalidCaseError') {}
