/**
 * Limits of the member directory.
 */

/** Known members kept; beyond this the least recently added are forgotten (and looked up again if needed). */
export const MEMBER_KEYS_MAX = 10_000
/** A failed lookup is not retried for this long. */
export const LOOKUP_FAILURE_TTL_MS = 3_000
/** Remembered failures, bounded like everything else. */
export const LOOKUP_FAILURES_MAX = 10_000
/** How long the envelope channel waits to learn an unknown source's key (a DHT lookup) before ignoring its message. */
export const SOURCE_RESOLVE_MS_MAX = 5_000
