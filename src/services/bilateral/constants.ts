/**
 * Limits and timing of the bilateral service (protocols/bilateral.md). The
 * frame limit is the envelope's (src/wire/bilateral.ts); a relation's agreed
 * QoS may lower the payload limit.
 */
import { assert } from '../../core/errors.ts'

/** Messages queued for one peer; beyond it `send` refuses (the peer has been away long, or floods are being queued). */
export const QUEUE_ENTRIES_PER_PEER_MAX = 10_000
/** One delivery (dial, write, ack) before it counts as failed and the message stays queued. */
export const DELIVERY_TIMEOUT_MS_MAX = 10_000
/** Inbound and outbound bilateral streams open at once (one message each). */
export const INBOUND_STREAMS_MAX = 32
export const OUTBOUND_STREAMS_MAX = 32
/** Inbox entries one read returns at most. */
export const INBOX_READ_MAX = 1000

assert(QUEUE_ENTRIES_PER_PEER_MAX > 0 && INBOX_READ_MAX > 0, 'bilateral service: limits are positive')

/** Period of the frontier exchange with every peer this node holds log entries for (besides each (re)activation); 0 turns it off. */
export const RESYNC_INTERVAL_MS_DEFAULT = 60_000
/** Acknowledged entries a sender keeps per peer, for a peer that comes back with an empty store (older ones are pruned). */
export const RETAINED_ACKED_PER_PEER_DEFAULT = 1000
/** Batches one flush sends at most before it yields (the next round resumes from the receiver's frontier). */
export const FLUSH_BATCHES_MAX = 1000
