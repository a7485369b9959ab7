/**
 * Limits of joining and discovery dialling.
 */

/** Discovered peers dialled at once; more wait for the next discovery event. */
export const DISCOVERY_DIALS_CONCURRENT_MAX = 8
/** Connections a node seeks through discovery before it stops dialling new peers. */
export const DISCOVERY_CONNECTIONS_TARGET = 32
/** While a federated node has no connection it re-dials its bootstrap peers, backing off up to this. */
export const REJOIN_INTERVAL_MS_MAX = 30_000
export const REJOIN_INTERVAL_MS_MIN = 500
/** One dial, bootstrap or discovered, gives up after this. */
export const DIAL_MS_MAX = 10_000
