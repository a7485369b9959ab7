/**
 * Limits of the member directory.
 */
import { MEMBERS_MAX } from '../../core/consensus/constants.ts'

/** Members the directory holds: exactly a membership's bound (core/consensus MEMBERS_MAX). */
export const DIRECTORY_MEMBERS_MAX = MEMBERS_MAX
