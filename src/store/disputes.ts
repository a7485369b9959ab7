/**
 * Disputes about edges of committed chains (sublevel `disputes`, key = the
 * dispute id): the core's Dispute with every signed message, stored as JSON
 * with byte arrays as `{ "$bytes": base64 }` (store/chains.ts). A panelist
 * also keeps the chain record its case proved (sublevel `dispute-cases`, key
 * = chain id: never the chains sublevel, it takes no part in the chain), and
 * every node its dispute outbox (sublevel `dispute-outbox`, the shape of the
 * chain outbox: services/disputes).
 */
import type { Dispute } from '../core/chain/dispute.ts'
import type { ChainRecord } from '../core/chain/state.ts'
import { fromStoredJson, toStoredJson, type OutboxEntry } from './chains.ts'
import type { BatchOperation, Store, Sublevel } from './store.ts'

export const DISPUTES_SUBLEVEL = 'disputes'
export const DISPUTE_CASES_SUBLEVEL = 'dispute-cases'
export const DISPUTE_OUTBOX_SUBLEVEL = 'dispute-outbox'

export class DisputeRepository {
  private readonly disputes: Sublevel<unknown>

  constructor (private readonly store: Store) {
    this.disputes = store.sublevel<unknown>(DISPUTES_SUBLEVEL)
  }

  async put (dispute: Dispute): Promise<void> {
    await this.store.batch([this.putOperation(dispute)])
  }

  async get (id: string): Promise<Dispute | undefined> {
    const value = await this.disputes.get(id)
    return value === undefined ? undefined : fromStoredJson<Dispute>(value)
  }

  async list (): Promise<Dispute[]> {
    return (await this.disputes.values().all()).map((value) => fromStoredJson<Dispute>(value))
  }

  /** The batch operation that stores (or replaces) a dispute. */
  putOperation (dispute: Dispute): BatchOperation {
    return this.store.putOperation(DISPUTES_SUBLEVEL, dispute.id, toStoredJson(dispute))
  }

  /** The batch operation that stores the chain record a panelist's case proved. */
  casePutOperation (record: ChainRecord): BatchOperation {
    return this.store.putOperation(DISPUTE_CASES_SUBLEVEL, record.id, toStoredJson(record))
  }

  /** The chain record of a case this node holds as a panelist, or undefined. */
  async caseRecord (chain: string): Promise<ChainRecord | undefined> {
    const value = await this.store.sublevel<unknown>(DISPUTE_CASES_SUBLEVEL).get(chain)
    return value === undefined ? undefined : fromStoredJson<ChainRecord>(value)
  }

  /** Every case record this node holds. */
  async caseRecords (): Promise<ChainRecord[]> {
    return (await this.store.sublevel<unknown>(DISPUTE_CASES_SUBLEVEL).values().all()).map((value) => fromStoredJson<ChainRecord>(value))
  }

  /** Applies operations in one atomic batch. */
  async batch (operations: BatchOperation[]): Promise<void> {
    await this.store.batch(operations)
  }

  /** The batch operation that stores (or updates) a dispute outbox entry. */
  outboxPut (entry: OutboxEntry): BatchOperation {
    return this.store.putOperation(DISPUTE_OUTBOX_SUBLEVEL, entry.key, entry)
  }

  /** Removes answered or expired dispute outbox entries. */
  async outboxDelete (keys: readonly string[]): Promise<void> {
    await this.store.batch(keys.map((key) => this.store.delOperation(DISPUTE_OUTBOX_SUBLEVEL, key)))
  }

  /** Every pending dispute outbox entry, in key order. */
  async outboxEntries (): Promise<OutboxEntry[]> {
    return await this.store.sublevel<OutboxEntry>(DISPUTE_OUTBOX_SUBLEVEL).values().all()
  }
}
