/**
 * Limits and timing of the federation handshake (protocols/handshake.md).
 * Each is a named limit; the service may lower the timing ones through its
 * init (tests drive them with an injected clock).
 */
import { assert } from '../errors.ts'

/** The stream protocol: capability exchange, credentials, policy, heartbeats, termination. */
export const HANDSHAKE_PROTOCOL_ID = '/fedmesh/handshake/1.0.0'
/** The handshake message version this node speaks (capabilities list the versions a node speaks). */
export const HANDSHAKE_VERSION = 1
/** Versions one hello may list. */
export const HANDSHAKE_VERSIONS_MAX = 8
/** Data classes one list (offered, wanted, policy terms) may name: there are fewer classes than this. */
export const HANDSHAKE_CLASSES_MAX = 32
/** Proposals in one negotiation (the first proposal counts as round 1); beyond it the handshake fails. */
export const POLICY_ROUNDS_MAX = 4
/** A handshake nonce: fresh per hello, so a transcript signature is never replayed into another handshake. */
export const HANDSHAKE_NONCE_BYTES = 32
/** Prefixed to the transcript before signing, so a handshake signature can never pass for another signed object. */
export const HANDSHAKE_TRANSCRIPT_DOMAIN = 'fedmesh/handshake/1\n'
/** Heartbeat interval a node proposes unless configured otherwise. */
export const HEARTBEAT_INTERVAL_MS_DEFAULT = 10_000
/** Heartbeat intervals a node accepts: faster wastes the link, slower notices a dead peer too late. */
export const HEARTBEAT_INTERVAL_MS_MIN = 100
export const HEARTBEAT_INTERVAL_MS_MAX = 300_000
/** K: a relation whose peer missed this many heartbeat intervals in a row is suspended. */
export const HEARTBEATS_MISSED_MAX = 3
/** Notice a graceful termination gives unless told otherwise, and the longest one accepted. */
export const TERMINATION_NOTICE_MS_DEFAULT = 60_000
export const TERMINATION_NOTICE_MS_MAX = 7 * 24 * 3600_000
/** Largest bilateral message a node accepts unless its QoS says less (an envelope's own limit caps it). */
export const BILATERAL_MESSAGE_BYTES_MAX = 64 * 1024
/** Characters of a refusal or termination reason carried on the wire. */
export const HANDSHAKE_REASON_LENGTH_MAX = 256

assert(HEARTBEAT_INTERVAL_MS_MIN <= HEARTBEAT_INTERVAL_MS_DEFAULT && HEARTBEAT_INTERVAL_MS_DEFAULT <= HEARTBEAT_INTERVAL_MS_MAX, 'handshake: default heartbeat within range')
assert(POLICY_ROUNDS_MAX >= 2, 'handshake: a counter-proposal needs at least two rounds')
