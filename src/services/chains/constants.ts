/**
 * Timing and limits of the chains service (protocols/chain.md, "The service").
 * Protocol limits (message size, chain length, windows) are the core's:
 * src/core/chain/constants.ts and codec.ts.
 */
import { assert } from '../../core/errors.ts'
import { CONSENT_WINDOW_MS_MAX, CONSENT_WINDOW_MS_MIN } from '../../core/chain/constants.ts'

/** First retry of an unanswered or deferred message. */
export const RETRY_MS_MIN = 250
/** Retries back off exponentially up to this. */
export const RETRY_MS_MAX = 60_000
/** One request (dial, write, answer) before it counts as failed. */
export const REQUEST_TIMEOUT_MS_MAX = 15_000
/** A message stays in the outbox at most this long after its chain's execution end (then the peer is gone for good). */
export const OUTBOX_GRACE_MS = 24 * 3600_000
/** Messages kept for all destinations; beyond it new proposals are refused (each chain has ≤ 11 peers × a few messages). */
export const OUTBOX_ENTRIES_MAX = 100_000
/** Inbound chain streams open at once (each carries one message). */
export const INBOUND_STREAMS_MAX = 64
/** Outbound chain streams open at once (one per destination in flight). */
export const OUTBOUND_STREAMS_MAX = 64
/** The deadline timer fires at least this often, so a clock that jumps is noticed. */
export const TICK_MS_MAX = 60_000

/** Default timeline of a proposal: consent within an hour, execution for a week from then. */
export const CONSENT_WINDOW_MS_DEFAULT = 3600_000
export const EXECUTION_DELAY_MS_DEFAULT = 0
export const EXECUTION_WINDOW_MS_DEFAULT = 7 * 24 * 3600_000
/** The score a proposer gives each edge of a matched chain: matching pairs categories exactly. */
export const MATCHED_EDGE_SCORE_PERMILLE = 1000

assert(RETRY_MS_MIN > 0 && RETRY_MS_MAX >= RETRY_MS_MIN, 'chains service: retry range')
assert(CONSENT_WINDOW_MS_DEFAULT >= CONSENT_WINDOW_MS_MIN && CONSENT_WINDOW_MS_DEFAULT <= CONSENT_WINDOW_MS_MAX, 'chains service: default consent window within the protocol range')
