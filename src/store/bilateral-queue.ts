/**
 * Bilateral data at rest (protocols/bilateral.md): the per-peer queue of
 * messages waiting for a relation that carries them (store-and-forward across
 * suspensions, offline peers and restarts), and the inbox of messages peers
 * delivered, with the ids already taken (the durable duplicate check).
 * Writes are batch operations, so a delivery's queue removal, an arrival's
 * inbox entry and their audit records land in one store batch.
 */
import type { BatchOperation, Store, Sublevel } from './store.ts'
import type { InboundLogState, OutboundState } from '../core/bilateral/log.ts'

export const BILATERAL_QUEUE_SUBLEVEL = 'bilateral-queue'
export const BILATERAL_INBOX_SUBLEVEL = 'bilateral-inbox'
export const BILATERAL_RECEIVED_IDS_SUBLEVEL = 'bilateral-received-ids'
/** The sender's log per peer (protocols/bilateral.md "Log sync"): sealed envelopes by seq, and the head. */
export const BILATERAL_OUT_LOG_SUBLEVEL = 'bilateral-out-log'
export const BILATERAL_OUT_HEAD_SUBLEVEL = 'bilateral-out-head'
/** The receiver's position in each sender's log. */
export const BILATERAL_IN_LOG_SUBLEVEL = 'bilateral-in-log'

/** One sealed entry of this node's log to a peer. */
export interface OutboundBilateral {
  /** `<peer>!<seq, zero-padded>` */
  key: string
  to: string
  seq: number
  /** envelope id, hex */
  id: string
  /** hex SHA-256 of the envelope body, and of the previous entry's ('' at seq 1) */
  hash: string
  prev: string
  data_class: string
  /** the signed envelope's wire bytes, base64: re-sent verbatim */
  envelope: string
  bytes: number
  queued_at_ms: number
  /** pending until the peer acknowledged it; withdrawn when it will never go (refused by a policy or by the peer) */
  state: OutboundState
  reason?: string
}

/** The newest entry of this node's log to a peer (what the next one links to). */
export interface OutboundHead {
  to: string
  seq: number
  hash: string
}

/** A receiver's position in one sender's log. */
export interface InboundLogRecord extends InboundLogState {
  from: string
}

/** A message for one peer, not yet delivered. The envelope is sealed at each attempt (a fresh timestamp, the same id). */
export interface QueuedBilateral {
  /** `<peer>!<queued_at_ms, zero-padded>!<id>`: per-peer FIFO in key order */
  key: string
  to: string
  /** envelope id, hex: the same on every attempt, so a resend after a lost ack is a duplicate for the receiver */
  id: string
  data_class: string
  schema_id: string
  /** base64 */
  payload: string
  queued_at_ms: number
  attempts: number
}

/** A message a peer delivered. */
export interface ReceivedBilateral {
  /** `<received_at_ms, zero-padded>!<id>`: arrival order */
  key: string
  id: string
  from: string
  site: string | null
  data_class: string
  schema_id: string
  /** base64 */
  payload: string
  sent_at_ms: number
  received_at_ms: number
  /** its seq in the sender's log to this node (absent: unsequenced, from an earlier version) */
  seq?: number
}

const TIME_DIGITS = 16
const pad = (ms: number): string => String(ms).padStart(TIME_DIGITS, '0')

/** The queue key of a message for `to`. */
export function queueKey (to: string, queuedAtMs: number, id: string): string {
  return `${to}!${pad(queuedAtMs)}!${id}`
}

/** The key of an entry of the log to `to`. */
export function outboundKey (to: string, seq: number): string {
  return `${to}!${pad(seq)}`
}

/** Reads and writes the bilateral queue and inbox. */
export class BilateralRepository {
  private readonly queue: Sublevel<QueuedBilateral>
  private readonly inbox: Sublevel<ReceivedBilateral>
  private readonly receivedIds: Sublevel<number>
  private readonly outLog: Sublevel<OutboundBilateral>
  private readonly outHeads: Sublevel<OutboundHead>
  private readonly inLogs: Sublevel<InboundLogRecord>

  constructor (private readonly store: Store) {
    this.queue = store.sublevel<QueuedBilateral>(BILATERAL_QUEUE_SUBLEVEL)
    this.outLog = store.sublevel<OutboundBilateral>(BILATERAL_OUT_LOG_SUBLEVEL)
    this.outHeads = store.sublevel<OutboundHead>(BILATERAL_OUT_HEAD_SUBLEVEL)
    this.inLogs = store.sublevel<InboundLogRecord>(BILATERAL_IN_LOG_SUBLEVEL)
    this.inbox = store.sublevel<ReceivedBilateral>(BILATERAL_INBOX_SUBLEVEL)
    this.receivedIds = store.sublevel<number>(BILATERAL_RECEIVED_IDS_SUBLEVEL)
  }

  /** Writes operations in one batch. */
  async batch (operations: BatchOperation[]): Promise<void> {
    await this.store.batch(operations)
  }

  queuePut (entry: QueuedBilateral): BatchOperation {
    return this.store.putOperation(BILATERAL_QUEUE_SUBLEVEL, entry.key, entry)
  }

  queueDelete (key: string): BatchOperation {
    return this.store.delOperation(BILATERAL_QUEUE_SUBLEVEL, key)
  }

  /** Queued messages for `to` (every peer when absent), oldest first. */
  async queued (to?: string): Promise<QueuedBilateral[]> {
    if (to === undefined) return await this.queue.values().all()
    return await this.queue.values({ gt: `${to}!`, lt: `${to}!\uffff` }).all()
  }

  /** The inbox entry and its id, as batch operations. */
  inboxPut (entry: ReceivedBilateral): BatchOperation[] {
    return [this.store.putOperation(BILATERAL_INBOX_SUBLEVEL, entry.key, entry), this.store.putOperation(BILATERAL_RECEIVED_IDS_SUBLEVEL, entry.id, entry.received_at_ms)]
  }

  /** The key of an inbox entry. */
  inboxKey (receivedAtMs: number, id: string): string {
    return `${pad(receivedAtMs)}!${id}`
  }

  /** Whether a message with this id was taken before. */
  async received (id: string): Promise<boolean> {
    return (await this.receivedIds.get(id)) !== undefined
  }

  /** Inbox entries received at or after `sinceMs`, oldest first, at most `limit`. */
  async inboxEntries (init: { sinceMs?: number, limit?: number } = {}): Promise<ReceivedBilateral[]> {
    return await this.inbox.values({ gte: pad(init.sinceMs ?? 0), ...(init.limit === undefined ? {} : { limit: init.limit }) }).all()
  }

  outboundPut (entry: OutboundBilateral): BatchOperation {
    return this.store.putOperation(BILATERAL_OUT_LOG_SUBLEVEL, entry.key, entry)
  }

  outboundDelete (key: string): BatchOperation {
    return this.store.delOperation(BILATERAL_OUT_LOG_SUBLEVEL, key)
  }

  /** Entries of the log to `to` (every peer when absent), ascending seq per peer. */
  async outbound (to?: string): Promise<OutboundBilateral[]> {
    if (to === undefined) return await this.outLog.values().all()
    return await this.outLog.values({ gt: `${to}!`, lt: `${to}!\uffff` }).all()
  }

  headPut (head: OutboundHead): BatchOperation {
    return this.store.putOperation(BILATERAL_OUT_HEAD_SUBLEVEL, head.to, head)
  }

  async head (to: string): Promise<OutboundHead | undefined> {
    return await this.outHeads.get(to)
  }

  inboundLogPut (record: InboundLogRecord): BatchOperation {
    return this.store.putOperation(BILATERAL_IN_LOG_SUBLEVEL, record.from, record)
  }

  async inboundLog (from: string): Promise<InboundLogRecord | undefined> {
    return await this.inLogs.get(from)
  }

  async inboundLogs (): Promise<InboundLogRecord[]> {
    return await this.inLogs.values().all()
  }
}
