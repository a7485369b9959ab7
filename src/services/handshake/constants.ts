/**
 * Timing and limits of the handshake service (protocols/handshake.md, "The
 * service"). Protocol limits (rounds, heartbeat range, frame size) are the
 * core's and the codec's: src/core/handshake/constants.ts, src/wire/handshake.ts.
 */
import { assert } from '../../core/errors.ts'

/** One whole negotiation (dial, every round) before it counts as failed. */
export const HANDSHAKE_TIMEOUT_MS_MAX = 20_000
/** One heartbeat or termination notice (dial, write). */
export const NOTICE_TIMEOUT_MS_MAX = 5_000
/** Inbound handshake streams open at once (a negotiation, a heartbeat or a notice each). */
export const INBOUND_STREAMS_MAX = 32
/** Outbound handshake streams open at once. */
export const OUTBOUND_STREAMS_MAX = 32
/** The relation timer fires at least this often, so suspensions and notices are noticed even with long intervals. */
export const TICK_MS_MAX = 1_000
/** Relations kept in memory: one per member at most (matches consensus MEMBERS_MAX). */
export const RELATIONS_MAX = 1024

assert(NOTICE_TIMEOUT_MS_MAX < HANDSHAKE_TIMEOUT_MS_MAX, 'handshake service: a notice is shorter than a negotiation')
