/**
 * The matching core's errors: one class per kind of bad input, each with a
 * stable `name` callers branch on. All extend InputError (CLI exit 2).
 */
import { InputError } from '../errors.ts'

/** A category slug that is not in the taxonomy. */
export class UnknownCategoryError extends InputError {
  static override readonly code = 'UnknownCategoryError'
  override readonly name = 'UnknownCategoryError'
}

/** A category slug that is not a slug, or a taxonomy that is malformed or too large. */
export class InvalidTaxonomyError extends InputError {
  static override readonly code = 'InvalidTaxonomyError'
  override readonly name = 'InvalidTaxonomyError'
}

/** A participant id that is not `sep://handle@node`: defined with the one parser, in core/identity. */
export { InvalidParticipantIdError } from '../identity/participant-id.ts'

/** The same participant id twice on one node or in one instance. */
export class DuplicateParticipantError extends InputError {
  static override readonly code = 'DuplicateParticipantError'
  override readonly name = 'DuplicateParticipantError'
}

/** A participant whose offers/needs are missing, too many, or only pairs of a category with itself. */
export class InvalidParticipantError extends InputError {
  static override readonly code = 'InvalidParticipantError'
  override readonly name = 'InvalidParticipantError'
}

/** More participants on one node than PARTICIPANTS_PER_NODE_MAX. */
export class TooManyParticipantsError extends InputError {
  static override readonly code = 'TooManyParticipantsError'
  override readonly name = 'TooManyParticipantsError'
}

/** A summary with a bad count, too many entries, duplicate or unsorted pairs, or bad bytes. */
export class InvalidSummaryError extends InputError {
  static override readonly code = 'InvalidSummaryError'
  override readonly name = 'InvalidSummaryError'
}

/** Two summaries, or a summary and local participants, for the same node. */
export class DuplicateNodeError extends InputError {
  static override readonly code = 'DuplicateNodeError'
  override readonly name = 'DuplicateNodeError'
}

/** A chain length cap outside CHAIN_LENGTH_MIN…CHAIN_LENGTH_MAX. */
export class CapOutOfRangeError extends InputError {
  static override readonly code = 'CapOutOfRangeError'
  override readonly name = 'CapOutOfRangeError'
}

/** An instance file that is not the documented shape. */
export class InvalidInstanceError extends InputError {
  static override readonly code = 'InvalidInstanceError'
  override readonly name = 'InvalidInstanceError'
}
