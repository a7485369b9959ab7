/**
 * Protocol id, limits and timing of disputes across nodes (protocols/dispute.md).
 */
import { assert } from '../../core/errors.ts'
import { CHAIN_LENGTH_MAX, DISPUTE_MESSAGES_MAX } from '../../core/chain/constants.ts'
import { CHAIN_MESSAGE_BYTES_MAX } from '../../wire/chain.ts'

export const DISPUTE_PROTOCOL_ID = '/fedmesh/dispute/1.0.0'
/** Chain messages in one case: a proposal, and per step a validation, a consent, a commit, a delivery and a confirmation. */
export const CASE_CHAIN_MESSAGES_MAX = 1 + 5 * CHAIN_LENGTH_MAX
/** Dispute messages in one case (a dispute holds at most DISPUTE_MESSAGES_MAX). */
export const CASE_DISPUTE_MESSAGES_MAX = DISPUTE_MESSAGES_MAX
/**
 * One encoded DisputeMessage. The largest case: a chain of CHAIN_LENGTH_MAX steps
 * with ML-DSA-87 keys (≈ 45 KiB of validations, 5 × 12 signed statements and
 * commits of ≈ 5 KiB) and DISPUTE_MESSAGES_MAX messages with texts at their
 * limit (≈ 64 × 13 KiB) is about 1.2 MiB; a single statement is a few KiB.
 */
export const DISPUTE_MESSAGE_BYTES_MAX = 2 * 1024 * 1024
/** Claims JSON of one statement. */
export const DISPUTE_CLAIMS_JSON_LENGTH_MAX = 16 * 1024
/** First retry of an unanswered or deferred message; retries back off up to RETRY_MS_MAX. */
export const RETRY_MS_MIN = 250
export const RETRY_MS_MAX = 60_000
/** One request (dial, write, answer) before it counts as failed. */
export const REQUEST_TIMEOUT_MS_MAX = 15_000
/** A dispute message stays in the outbox this long unanswered (then the peer is gone for good). */
export const OUTBOX_TTL_MS = 30 * 24 * 3600_000
/** Inbound and outbound dispute streams open at once (each carries one message; inbound buffers at most 16 × 2 MiB). */
export const INBOUND_STREAMS_MAX = 16
export const OUTBOUND_STREAMS_MAX = 16

assert(DISPUTE_MESSAGE_BYTES_MAX >= CHAIN_MESSAGE_BYTES_MAX, 'disputes: a case holds at least one chain message of the largest size')
assert(RETRY_MS_MIN > 0 && RETRY_MS_MAX >= RETRY_MS_MIN, 'disputes: retry range')
