/** Limits of the migration service. */

/** A DHT put or lookup of a redirect gives up after this. */
export const REDIRECT_DHT_TIMEOUT_MS = 10_000
/** The old node republishes a redirect it serves this often (kad-dht drops records after 36 h). */
export const REDIRECT_REPUBLISH_MS = 3_600_000
/** Moves handled per tick (each may cost a DHT lookup). */
export const MOVES_PER_TICK_MAX = 32
