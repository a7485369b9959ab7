/**
 * Bilateral data at rest (protocols/bilateral.md): the per-peer queue of
 * messages waiting for a relation that carries them (store-and-forward across
 * suspensions, offline peers and restarts), and the inbox of messages peers
 * delivered, with the ids already taken (the durable duplicate check).
 * Writes are batch operations, so a delivery's queue removal, an arrival's
 * inbox entry and their audit records land in one store batch.
 */
import type { BatchOperation, Store, Sublevel } from './store.ts'

export const BILATERAL_QUEUE_SUBLEVEL = 'bilateral-queue'
export const BILATERAL_INBOX_SUBLEVEL = 'bilateral-inbox'
export const BILATERAL_RECEIVED_IDS_SUBLEVEL = 'bilateral-received-ids'

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
}

const TIME_DIGITS = 16
const pad = (ms: number): string => String(ms).padStart(TIME_DIGITS, '0')

/** The queue key of a message for `to`. */
export function queueKey (to: string, queuedAtMs: number, id: string): string {
  return `${to}!${pad(queuedAtMs)}!${id}`
}

/** Reads and writes the bilateral queue and inbox. */
export class BilateralRepository {
  private readonly queue: Sublevel<QueuedBilateral>
  private readonly inbox: Sublevel<ReceivedBilateral>
  private readonly receivedIds: Sublevel<number>

  constructor (private readonly store: Store) {
    this.queue = store.sublevel<QueuedBilateral>(BILATERAL_QUEUE_SUBLEVEL)
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
}
