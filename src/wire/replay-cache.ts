/**
 * Envelope ids seen recently, for duplicate and replay detection.
 *
 * Bounded by `REPLAY_CACHE_ENTRIES_MAX`. An id only needs remembering while
 * its envelope could still pass the clock-skew check; once its timestamp is
 * more than `CLOCK_SKEW_MS_MAX` in the past, a replay is refused as stale
 * anyway, so the entry can go. When the cache is full of younger entries, the
 * oldest-inserted is evicted and the cache raises its **floor** to that
 * entry's timestamp: from then on every envelope at or below the floor is
 * refused as stale. Replay protection therefore never lapses; under a flood
 * the cost is that late, honest envelopes older than the floor are ignored.
 */
import { assert } from '../core/errors.ts'
import { CLOCK_SKEW_MS_MAX, REPLAY_CACHE_ENTRIES_MAX } from './limits.ts'

/** Options of a ReplayCache; the defaults are the protocol's limits. */
export interface ReplayCacheInit {
  entriesMax?: number
  windowMs?: number
}

/** Bounded set of recently accepted envelope ids with a timestamp floor. */
export class ReplayCache {
  /** id → envelope timestamp, in insertion order */
  readonly #entries = new Map<string, number>()
  readonly #entriesMax: number
  readonly #windowMs: number
  #floorMs = 0

  constructor (init: ReplayCacheInit = {}) {
    this.#entriesMax = init.entriesMax ?? REPLAY_CACHE_ENTRIES_MAX
    this.#windowMs = init.windowMs ?? CLOCK_SKEW_MS_MAX
    assert(Number.isInteger(this.#entriesMax) && this.#entriesMax > 0, 'replay cache capacity must be a positive integer')
    assert(this.#windowMs >= 0, 'replay cache window must not be negative')
  }

  /** Whether the id was accepted before. */
  has (idKey: string): boolean {
    return this.#entries.has(idKey)
  }

  /** Envelopes with a timestamp at or below this were evicted or aged out: refuse them as stale. */
  get floorMs (): number {
    return this.#floorMs
  }

  get size (): number {
    return this.#entries.size
  }

  /** Remembers an accepted envelope's id; `nowMs` ages out entries beyond the skew window. */
  add (idKey: string, timestampMs: number, nowMs: number): void {
    this.#ageOut(nowMs)
    this.#entries.set(idKey, timestampMs)
    while (this.#entries.size > this.#entriesMax) this.#evictOldest()
  }

  #evictOldest (): void {
    const [idKey, timestampMs] = this.#entries.entries().next().value as [string, number]
    this.#entries.delete(idKey)
    this.#floorMs = Math.max(this.#floorMs, timestampMs)
  }

  /** Drops entries from the front while they are outside the window (insertion order is roughly time order). */
  #ageOut (nowMs: number): void {
    const horizonMs = nowMs - this.#windowMs
    for (const [idKey, timestampMs] of this.#entries) {
      if (timestampMs >= horizonMs) break
      this.#entries.delete(idKey)
      // raising the floor keeps a replay refused even if the clock later steps back
      this.#floorMs = Math.max(this.#floorMs, timestampMs)
    }
  }
}
