/**
 * One origin's log of one data class, as a receiver knows it: which sequence
 * numbers it has accepted, the contiguous frontier, the gaps above it, and the
 * hash links between neighbours (protocols/envelope.md "Per-origin logs").
 *
 * Pure: no I/O. The envelope channel asks `check` before verifying an
 * envelope, persists, and only then calls `append`; the store layer finds
 * which entries `append`'s `prune` count removes.
 */
import { assert } from '../errors.ts'

/** An accepted entry's hash and the hash it links back to ('' for seq 1). Hex. */
export interface LogLink {
  hash: string
  prev: string
}

/** A range of sequence numbers, both ends included. */
export interface SeqRange {
  from: number
  to: number
}

/**
 * What a newly arrived (origin, seq) is, before its signature is checked:
 * `new` (accept it), `duplicate` (the same envelope again), `conflict` (a different envelope at a seq we hold, or one
 * whose hash links contradict a neighbour: equivocation once its signature verifies), `stored` (seq at or below the
 * frontier without a hash in memory: compare with the stored copy).
 */
export type LogCheck = 'new' | 'duplicate' | 'conflict' | 'stored'

/** Where a log stands: what a frontier exchange advertises and `sync status` shows. */
export interface LogPosition {
  dataClass: string
  origin: string
  /** every seq ≤ frontier is accepted (or was given up as lost) */
  frontier: number
  /** highest seq accepted */
  high: number
  /** lowest seq still stored (0 when none) */
  low: number
  /** entries stored */
  count: number
}

/** The result of appending: how many of the oldest stored entries retention removes, and a range given up, if any. */
export interface AppendResult {
  prune: number
  lost?: SeqRange
}

/** Limits one log keeps to. */
export interface LogLimits {
  /** entries stored before the oldest go */
  retentionEntries: number
  /** accepted entries above a gap before the gap is given up (bounds memory when a gap can never be filled) */
  heldEntriesMax: number
  /**
   * The class's entries supersede the ones before them (an audit checkpoint commits to its whole log prefix):
   * only the newest `retentionEntries` seqs matter, and anything more than that below the newest known seq
   * is superseded — skipped by the frontier, never a gap, never lost (protocols/sync.md, "Superseding classes").
   */
  supersedes?: boolean
}

/**
 * The lowest seq that still counts when `upTo` is the newest: 1, or for a superseding class whose newest
 * `window` seqs count, the window's first (the seqs under it are superseded; LogLimits.supersedes).
 */
export function firstCountedSeq (upTo: number, window: number | undefined): number {
  return window === undefined ? 1 : Math.max(1, upTo - window + 1)
}

/** A receiver's view of one (data class, origin) log. */
export class OriginLog {
  readonly dataClass: string
  readonly origin: string
  #frontier: number
  #frontierHash: string | undefined
  #high = 0
  #highHash: string | undefined
  #low = 0
  #count = 0
  /** accepted entries above the frontier (the frontier stops at the first gap) */
  readonly #held = new Map<number, LogLink>()
  /** ranges given up; bounded by the caller (LOST_RANGES_MAX) */
  readonly lost: SeqRange[]
  /** for a superseding class: how many of the newest seqs count (older ones are superseded); see `supersede` */
  #window: number | undefined

  /**
   * A log whose seqs ≤ `floor` are settled (pruned or given up) and which lost `lost`; `floorHash`, when known, is
   * the hash of the entry at `floor` (the next entry must link to it).
   */
  constructor (init: { dataClass: string, origin: string, floor?: number, floorHash?: string, lost?: SeqRange[] }) {
    this.dataClass = init.dataClass
    this.origin = init.origin
    this.#frontier = init.floor ?? 0
    this.#frontierHash = init.floor === undefined || init.floor === 0 ? undefined : init.floorHash
    this.#high = this.#frontier
    this.lost = [...(init.lost ?? [])]
  }

  /** Rebuilds the log from its stored entries, in any order (the store's load). */
  load (seq: number, link: LogLink): void {
    this.#count++
    this.#low = this.#low === 0 ? seq : Math.min(this.#low, seq)
    if (seq <= this.#frontier) return
    this.#held.set(seq, link)
    this.#noteHigh(seq, link)
    this.#advance()
    this.#skipSuperseded()
  }

  /**
   * Makes this the log of a superseding class whose newest `window` seqs count (LogLimits.supersedes), or
   * an ordinary log (undefined). Seqs more than `window` below the newest known are superseded from then on.
   */
  supersede (window: number | undefined): void {
    assert(window === undefined || (Number.isSafeInteger(window) && window >= 1), 'a superseding window is at least 1')
    this.#window = window
    this.#skipSuperseded()
  }

  /** The lowest seq that still counts when `upTo` is the newest known (1 for an ordinary log). */
  windowStart (upTo: number): number {
    return firstCountedSeq(Math.max(upTo, this.#high), this.#window)
  }

  /** Classifies an arriving entry (see LogCheck). */
  check (seq: number, link: LogLink): LogCheck {
    assert(seq >= 1, 'origin logs start at seq 1')
    const held = seq === this.#frontier ? (this.#frontierHash === undefined ? undefined : { hash: this.#frontierHash }) : this.#held.get(seq)
    if (held !== undefined) return held.hash === link.hash ? 'duplicate' : 'conflict'
    if (seq <= this.#frontier) return 'stored'
    if (!this.#linksAgree(seq, link)) return 'conflict'
    return 'new'
  }

  /** Records an accepted, persisted entry; returns what retention prunes and any gap given up. */
  append (seq: number, link: LogLink, limits: LogLimits): AppendResult {
    assert(seq > this.#frontier && !this.#held.has(seq), 'append only new entries (check first)')
    this.#held.set(seq, link)
    this.#count++
    this.#low = this.#low === 0 ? seq : Math.min(this.#low, seq)
    this.#noteHigh(seq, link)
    this.#advance()
    this.#skipSuperseded()
    let lost: SeqRange | undefined
    if (this.#held.size > limits.heldEntriesMax) {
      // the gap under the held entries has stayed open through heldEntriesMax later entries: give it up, visibly
      const first = Math.min(...this.#held.keys())
      lost = { from: this.#frontier + 1, to: first - 1 }
      this.lost.push(lost)
      this.#frontier = first - 1
      this.#frontierHash = undefined
      this.#advance()
    }
    const prune = Math.max(0, this.#count - limits.retentionEntries)
    return lost === undefined ? { prune } : { prune, lost }
  }

  /** After the store pruned: the new count and lowest stored seq. */
  pruned (count: number, low: number): void {
    this.#count = count
    this.#low = low
  }

  /** The gaps between the frontier and `upTo` (entries not accepted), oldest first, at most `rangesMax`. */
  gaps (upTo: number, rangesMax: number): SeqRange[] {
    const ranges: SeqRange[] = []
    // superseded seqs (a superseding class, more than the window below upTo) are no gap
    let from = Math.max(this.#frontier + 1, this.windowStart(upTo))
    const heldAbove = [...this.#held.keys()].filter((seq) => seq <= upTo).sort((a, b) => a - b)
    for (const seq of heldAbove) {
      if (seq > from) ranges.push({ from, to: seq - 1 })
      from = seq + 1
      if (ranges.length >= rangesMax) return ranges
    }
    if (from <= upTo) ranges.push({ from, to: upTo })
    return ranges.slice(0, rangesMax)
  }

  /** The next seq this origin would write if this is its own log, and what it links to. */
  head (): { seq: number, hash: string | undefined } {
    return { seq: this.#high, hash: this.#highHash }
  }

  /** Where the log stands. */
  position (): LogPosition {
    return { dataClass: this.dataClass, origin: this.origin, frontier: this.#frontier, high: this.#high, low: this.#low, count: this.#count }
  }

  /** The hash of the entry at the frontier, when known (what a restored log passes back as `floorHash`). */
  frontierHash (): string | undefined {
    return this.#frontierHash
  }

  /** The accepted entries held above the frontier, ascending seq (what a persisted log stores to restore them with `load`). */
  heldLinks (): Array<LogLink & { seq: number }> {
    return [...this.#held.entries()].sort((a, b) => a[0] - b[0]).map(([seq, link]) => ({ seq, ...link }))
  }

  /** Whether seq is accepted (at or below the frontier, or held above it). */
  has (seq: number): boolean {
    return seq <= this.#frontier || this.#held.has(seq)
  }

  /** Neighbours we know must link to this entry and it to them. */
  #linksAgree (seq: number, link: LogLink): boolean {
    const before = seq - 1 === this.#frontier ? this.#frontierHash : this.#held.get(seq - 1)?.hash
    if (seq === 1 && link.prev !== '') return false
    if (before !== undefined && seq > 1 && link.prev !== before) return false
    const after = this.#held.get(seq + 1)
    return after === undefined || after.prev === link.hash
  }

  /** A superseding log's frontier never stays more than the window below the newest seq: what is under it is superseded. */
  #skipSuperseded (): void {
    if (this.#window === undefined) return
    const floor = this.#high - this.#window
    if (this.#frontier >= floor) return
    for (const seq of this.#held.keys()) if (seq < floor) this.#held.delete(seq)
    const at = this.#held.get(floor)
    this.#held.delete(floor)
    this.#frontier = floor
    this.#frontierHash = at?.hash
    this.#advance()
  }

  #noteHigh (seq: number, link: LogLink): void {
    if (seq >= this.#high) {
      this.#high = seq
      this.#highHash = link.hash
    }
  }

  /** Moves the frontier over held entries that continue it. */
  #advance (): void {
    for (let next = this.#held.get(this.#frontier + 1); next !== undefined; next = this.#held.get(this.#frontier + 1)) {
      this.#held.delete(this.#frontier + 1)
      this.#frontier++
      this.#frontierHash = next.hash
    }
  }
}
