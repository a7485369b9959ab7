/**
 * Limits of /fedmesh/sync/1.0.0 (protocols/sync.md).
 */

export const SYNC_PROTOCOL = '/fedmesh/sync/1.0.0'
/** One framed sync message: a response of FETCH_BYTES_MAX plus one envelope (≤ 512 KiB), or a frontier list, with room to spare. */
export const SYNC_MESSAGE_BYTES_MAX = 4 * 1024 * 1024
/** Envelope bytes a responder puts in one fetch response (at least one envelope is always sent). */
export const FETCH_BYTES_MAX = 1024 * 1024
/** Envelopes asked for / sent in one fetch response. */
export const FETCH_ENVELOPES_MAX = 512
/** Logs listed in one frontier response (members × data classes: 1024 × 8). */
export const LOG_FRONTIERS_MAX = 8192
/** Requests served on one inbound stream before it is closed. */
export const REQUESTS_PER_STREAM_MAX = 100_000
/** Gap ranges fetched per log per round; the rest wait for the next round. */
export const GAP_RANGES_PER_LOG_MAX = 64
/** One sync round with one peer (frontiers and every fetch) ends after this. */
export const SYNC_ROUND_MS_MAX = 120_000
/** One request/response inside a round. */
export const SYNC_REQUEST_MS_MAX = 20_000
/** Rounds running at once (each with a different peer). */
export const SYNC_ROUNDS_IN_FLIGHT_MAX = 4
/** Default period of a round with one member. */
export const SYNC_INTERVAL_MS_DEFAULT = 10_000
/**
 * One periodic round in this many may dial: it picks among every member the peer store knows (the least
 * recently tried), which reconnects the halves of a healed partition. The others pick among connected members
 * only: a dial per node per interval (10 s) opened a connection (transport and muxer handshakes, identify,
 * gossipsub's subscriptions, the relation handshake, and a DHT lookup first when no address was known) that the
 * connection trimmer closed again soon after (docs/sim.md, "Idle CPU per node").
 */
export const SYNC_DIAL_EVERY_ROUNDS = 6
/**
 * Peers whose last frontiers a node keeps for its status (`known_high`, `available_at`, `unfillable`): the most
 * recent rounds'. Each peer's frontiers name every log it holds (members × classes), so keeping every peer ever
 * synced with grew each node's memory with the federation's size squared (docs/sim.md, "Idle at 50–200 nodes").
 */
export const REMOTE_FRONTIER_PEERS_MAX = 16
/** Accepted entries held above a gap before the gap is given up (bounds memory for a gap nobody can fill). */
export const LOG_HELD_ENTRIES_MAX = 10_000
/** Equivocation evidence kept (store and memory) and served. */
export const EVIDENCE_KEPT_MAX = 1024
/** Evidence sent with one frontiers response (newest first) and taken from one. */
export const EVIDENCE_PER_RESPONSE_MAX = 32
/** The gossip topic equivocation evidence travels on besides sync rounds: `/fedmesh/<federation>/log_evidence/1`. */
export const EVIDENCE_GOSSIP_CLASS = 'log_evidence'
/** A gossiped piece of evidence: two envelopes and framing; larger is refused before decoding (it still spreads by sync). */
export const EVIDENCE_GOSSIP_BYTES_MAX = 256 * 1024
