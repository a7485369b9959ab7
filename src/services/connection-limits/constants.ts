/**
 * Watermarks of the connection trimmer (the go-libp2p connection manager's
 * model: above the high water, close down to the low water, sparing young
 * connections and the gossip mesh).
 */

/** Connections above which the node trims (default; the sim lowers it). */
export const CONNECTIONS_HIGH_WATER = 64
/** What trimming brings the count down to (default; the node passes its discovery target). */
export const CONNECTIONS_LOW_WATER = 32
/**
 * A connection younger than this is never trimmed: a node that joins through a
 * bootstrap peer needs the connection long enough to look itself up in the DHT
 * and find other peers (a DHT lookup gives up after 10 s).
 */
export const CONNECTION_GRACE_MS = 20_000
