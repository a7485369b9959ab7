/**
 * Chain settlement's records (protocols/chain.md): one sublevel per
 * aggregate — chain records, reservations, exchanges, observations, adherence
 * facts — and the outbox of messages not yet answered. A step's writes and the
 * outbox entries it queues go to disk in ONE batch (`stepOperations`), before
 * anything is sent, so a crash leaves the step wholly done or not at all.
 *
 * Records hold signatures and keys (Uint8Array); they are stored as JSON with
 * each byte array as `{ "$bytes": base64 }` and restored on read.
 */
import { fromString, toString } from 'uint8arrays'
import type { AdherenceFact, ChainRecord, ChainWrite, ExchangeRecord, Observation } from '../core/chain/state.ts'
import type { BatchOperation, Store, Sublevel } from './store.ts'

export const CHAINS_SUBLEVEL = 'chains'
export const CHAIN_RESERVATIONS_SUBLEVEL = 'chain-reservations'
export const CHAIN_EXCHANGES_SUBLEVEL = 'chain-exchanges'
export const CHAIN_OBSERVATIONS_SUBLEVEL = 'chain-observations'
export const CHAIN_ADHERENCE_SUBLEVEL = 'chain-adherence'
export const CHAIN_OUTBOX_SUBLEVEL = 'chain-outbox'

/** A message waiting for its destination's answer (store-and-forward). */
export interface OutboxEntry {
  /** `<destination>!<sequence, zero-padded>`: per-destination FIFO in key order */
  key: string
  to: string
  chain: string
  /** the encoded ChainMessage, base64 */
  message: string
  /** give up after this (the chain's execution end plus a grace) */
  expires_at_ms: number
  attempts: number
  /** not retried before this */
  next_at_ms: number
}

/** Padding of outbox sequence numbers, so key order is numeric order. */
const SEQUENCE_DIGITS = 16

/** A value with every Uint8Array turned into `{ $bytes: base64 }` (JSON-safe). */
export function toStoredJson (value: unknown): unknown {
  if (value instanceof Uint8Array) return { $bytes: toString(value, 'base64pad') }
  if (Array.isArray(value)) return value.map(toStoredJson)
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {}
    for (const [key, inner] of Object.entries(value)) if (inner !== undefined) out[key] = toStoredJson(inner)
    return out
  }
  return value
}

/** The inverse of `toStoredJson`. */
export function fromStoredJson<T> (value: unknown): T {
  return restore(value) as T
}

function restore (value: unknown): unknown {
  if (Array.isArray(value)) return value.map(restore)
  if (value !== null && typeof value === 'object') {
    const bytes = (value as { $bytes?: unknown }).$bytes
    if (typeof bytes === 'string' && Object.keys(value).length === 1) return fromString(bytes, 'base64pad')
    const out: Record<string, unknown> = {}
    for (const [key, inner] of Object.entries(value)) out[key] = restore(inner)
    return out
  }
  return value
}

/** The outbox key of `to`'s message number `sequence`. */
export function outboxKey (to: string, sequence: number): string {
  return `${to}!${String(sequence).padStart(SEQUENCE_DIGITS, '0')}`
}

/** Reads and writes chain settlement's records. */
export class ChainRepository {
  private readonly chains: Sublevel<unknown>
  private readonly outbox: Sublevel<OutboxEntry>

  constructor (private readonly store: Store) {
    this.chains = store.sublevel<unknown>(CHAINS_SUBLEVEL)
    this.outbox = store.sublevel<OutboxEntry>(CHAIN_OUTBOX_SUBLEVEL)
  }

  /** The batch operations of one step's writes (in the step's order). */
  writeOperations (writes: readonly ChainWrite[]): BatchOperation[] {
    const { store } = this
    return writes.map((write): BatchOperation => {
      switch (write.kind) {
        case 'chain': return store.putOperation(CHAINS_SUBLEVEL, write.record.id, toStoredJson(write.record))
        case 'reserve': return store.putOperation(CHAIN_RESERVATIONS_SUBLEVEL, write.participant, write.chain)
        case 'release': return store.delOperation(CHAIN_RESERVATIONS_SUBLEVEL, write.participant)
        case 'exchange': {
          const e = write.exchange
          return store.putOperation(CHAIN_EXCHANGES_SUBLEVEL, `${e.participant}!${e.chain}!${e.edge}!${e.role}`, e)
        }
        case 'observation': {
          const o = write.observation
          return store.putOperation(CHAIN_OBSERVATIONS_SUBLEVEL, `${o.node}!${o.chain}!${o.participant}`, o)
        }
        case 'adherence': {
          const f = write.fact
          return store.putOperation(CHAIN_ADHERENCE_SUBLEVEL, `${f.node}!${f.chain}!${f.kind}`, f)
        }
      }
    })
  }

  /** The batch operation that stores (or updates) an outbox entry. */
  outboxPut (entry: OutboxEntry): BatchOperation {
    return this.store.putOperation(CHAIN_OUTBOX_SUBLEVEL, entry.key, entry)
  }

  /** Removes answered or expired outbox entries. */
  async outboxDelete (keys: readonly string[]): Promise<void> {
    await this.store.batch(keys.map((key) => this.store.delOperation(CHAIN_OUTBOX_SUBLEVEL, key)))
  }

  /** Applies operations in one atomic batch. */
  async batch (operations: BatchOperation[]): Promise<void> {
    await this.store.batch(operations)
  }

  /** Every chain record. */
  async records (): Promise<ChainRecord[]> {
    const values = await this.chains.values().all()
    return values.map((value) => fromStoredJson<ChainRecord>(value))
  }

  /** One chain record, or undefined. */
  async record (id: string): Promise<ChainRecord | undefined> {
    const value = await this.chains.get(id)
    return value === undefined ? undefined : fromStoredJson<ChainRecord>(value)
  }

  /** Every pending outbox entry, in key order (per destination FIFO). */
  async outboxEntries (): Promise<OutboxEntry[]> {
    return await this.outbox.values().all()
  }

  /** Reserved participants → chain. */
  async reservations (): Promise<Map<string, string>> {
    const entries = await this.store.sublevel<string>(CHAIN_RESERVATIONS_SUBLEVEL).iterator().all()
    return new Map(entries)
  }

  /** Completed exchanges of this node's participants. */
  async exchanges (): Promise<ExchangeRecord[]> {
    return await this.store.sublevel<ExchangeRecord>(CHAIN_EXCHANGES_SUBLEVEL).values().all()
  }

  /** Observed satisfactions of other nodes' participants. */
  async observations (): Promise<Observation[]> {
    return await this.store.sublevel<Observation>(CHAIN_OBSERVATIONS_SUBLEVEL).values().all()
  }

  /** Adherence facts about other nodes. */
  async adherence (): Promise<AdherenceFact[]> {
    return await this.store.sublevel<AdherenceFact>(CHAIN_ADHERENCE_SUBLEVEL).values().all()
  }
}
