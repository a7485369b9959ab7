/**
 * Limits of the envelope channel (protocols/envelope.md, protocols/gossip.md).
 */

/** Bytes of a new envelope's id (protocols/envelope.md: 16 random bytes). */
export const ENVELOPE_ID_BYTES = 16
/** Envelopes of one data class being committed at once is 1 (commits are serial per class); ids held while they commit are bounded by gossipsub's own queue, this is a safety net. */
export const COMMITS_IN_FLIGHT_MAX = 10_000
/** Retention prunes an origin log in batches of this many entries (or at once below this retention), not one per message. */
export const PRUNE_BATCH_ENTRIES = 64
/** Classes whose latest accepted envelope per member is remembered for its age (a metric: how fresh each member's view is). */
export const LAST_ACCEPTED_CLASSES: readonly string[] = ['summary', 'aggregated_metrics']
/** Own envelopes held at most while the own logs are unsettled (persisted); publish refuses more (OwnEnvelopesHeldFullError), never drops one. */
export const OWN_HELD_MAX = 10_000
/** How long publish of a held own envelope waits for it to go out before resolving 0 (it stays queued and goes out later). */
export const OWN_HOLD_WAIT_MS = 5_000
/** Held own envelopes read from the store at a time while sending them. */
export const HELD_DRAIN_BATCH = 256
