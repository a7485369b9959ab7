/**
 * Envelope ids accepted recently, persisted so replay protection survives a
 * restart: the in-memory replay cache starts empty, and without this an
 * envelope accepted just before a restart could be replayed just after it
 * while its timestamp is still inside the clock-skew window.
 *
 * Keys are `<timestamp, zero-padded>:<id hex>`, so loading the window and
 * pruning what is older are range operations.
 */
import type { BatchOperation, Store, Sublevel } from './store.ts'

export const SEEN_ENVELOPES_SUBLEVEL = 'seen_envelopes'
const TIMESTAMP_DIGITS = 16

/** Anything that takes (id, timestamp) pairs: the wire layer's ReplayCache. */
export interface ReplaySink {
  add: (idHex: string, timestampMs: number, nowMs: number) => void
}

function keyOf (timestampMs: number, idHex: string): string {
  return `${String(timestampMs).padStart(TIMESTAMP_DIGITS, '0')}:${idHex}`
}

/** The persisted part of replay protection. */
export class SeenEnvelopes {
  private readonly store: Store
  private readonly db: Sublevel<string>
  private readonly windowMs: number

  constructor (store: Store, windowMs: number) {
    this.store = store
    this.db = store.sublevel<string>(SEEN_ENVELOPES_SUBLEVEL, 'utf8')
    this.windowMs = windowMs
  }

  /** Deletes ids older than the window and replays the rest into `sink`; resolves to how many were loaded. */
  async load (sink: ReplaySink, nowMs: number): Promise<number> {
    const horizon = keyOf(Math.max(0, nowMs - this.windowMs), '')
    await this.db.clear({ lt: horizon })
    let loaded = 0
    for await (const [key, idHex] of this.db.iterator({ gte: horizon })) {
      sink.add(idHex, Number(key.slice(0, TIMESTAMP_DIGITS)), nowMs)
      loaded++
    }
    return loaded
  }

  /** The batch operation that remembers an accepted envelope (joined to the batch of what it carries). */
  operation (idHex: string, timestampMs: number): BatchOperation {
    return this.store.putOperation(SEEN_ENVELOPES_SUBLEVEL, keyOf(timestampMs, idHex), idHex, 'utf8')
  }

  /** True when the envelope's id is stored (accepted before a restart). */
  async has (idHex: string, timestampMs: number): Promise<boolean> {
    return (await this.db.get(keyOf(timestampMs, idHex))) !== undefined
  }
}
