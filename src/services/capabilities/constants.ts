/**
 * Timing of capability announcements (docs/discovery.md; bounds in src/net/capability-records.ts).
 */

/** A node re-announces its capabilities this often (kad-dht provider records expire after 48 h; kad-dht also reprovides). */
export const CAPABILITY_REPROVIDE_MS = 6 * 60 * 60_000
/** One announcement round gives up after this. */
export const CAPABILITY_PROVIDE_MS_MAX = 30_000
