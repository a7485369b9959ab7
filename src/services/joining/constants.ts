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
/**
 * Once connected, the node looks itself up in the DHT (fills its routing table and makes it findable)
 * until one lookup finds a peer, backing off from the MIN to the MAX period. kad-dht's own first
 * self-query gives up after 5 s and its next try is 5 min later; a node that joined a busy
 * network would otherwise stay unfindable that long.
 */
export const SELF_QUERY_RETRY_MS_MIN = 1000
export const SELF_QUERY_RETRY_MS_MAX = 60_000
/**
 * After a connection the node's own first lookup waits this long: kad-dht runs its own first self-query
 * 1 s (±20 %) after start, waiting for a first peer, and gives up 5 s later; when that one found peers
 * (the 'kad-dht:query:self' event), the node is findable and its own lookup never runs. Two walks of the
 * same key at every join cost a second round of FIND_NODE requests and of pings to new contacts.
 */
export const SELF_QUERY_FIRST_MS = 8_000
/** One self lookup gives up after this. */
export const SELF_QUERY_MS_MAX = 10_000
/** Retry periods are spread by ± this fraction so nodes that failed together do not retry together. */
export const RETRY_JITTER = 0.2
