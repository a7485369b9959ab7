/**
 * Bilateral store-and-forward as a log (protocols/bilateral.md "Log sync"):
 * what a sender addresses to one peer is a sequenced, hash-linked log
 * (origin seq, prev hash, as in protocols/envelope.md "Per-origin logs"); the
 * receiver keeps that sender's log position (an OriginLog from core/sync:
 * the contiguous frontier, entries held above a gap, ranges given up), and
 * the sender re-sends exactly what lies above the frontier the receiver
 * reports, in bounded batches.
 *
 * Pure: the service persists `InboundLog.state()` in the batch of each
 * inbox write and plans each batch with `planBatch`.
 */
import { assert } from '../errors.ts'
import { OriginLog, type LogCheck, type LogLink, type SeqRange } from '../sync/log-book.ts'

/** The pseudo data class of a bilateral log (one log per sender → addressee, whatever classes it carries). */
export const BILATERAL_LOG_CLASS = 'bilateral'
/** Entries settled above a gap before the gap is given up (recorded as lost, never silently); a sender withdraws what it cannot deliver within a batch or two, so legitimately far fewer wait. Bounds the persisted position. */
export const INBOUND_HELD_MAX = 1024
/** Lost ranges a receiver remembers per sender (the newest). */
export const LOST_RANGES_MAX = 64

/** A receiver's persisted position in one sender's log. */
export interface InboundLogState {
  frontier: number
  /** hash of the entry at the frontier ('' when unknown) */
  frontier_hash: string
  /** settled entries above the frontier */
  held: Array<LogLink & { seq: number }>
  /** ranges that can never come (pruned at the sender before this receiver had them, or a gap given up) */
  lost: SeqRange[]
}

/** A receiver's view of the log one sender addresses to it: every seq ≤ frontier is settled (accepted, refused after authentication, withdrawn or lost). */
export class InboundLog {
  #log: OriginLog

  constructor (readonly sender: string, state?: InboundLogState) {
    this.#log = InboundLog.#restore(sender, state)
  }

  static #restore (sender: string, state: InboundLogState | undefined): OriginLog {
    const log = new OriginLog({
      dataClass: BILATERAL_LOG_CLASS,
      origin: sender,
      floor: state?.frontier ?? 0,
      ...(state === undefined || state.frontier_hash === '' ? {} : { floorHash: state.frontier_hash }),
      lost: state?.lost ?? []
    })
    for (const held of state?.held ?? []) log.load(held.seq, { hash: held.hash, prev: held.prev })
    return log
  }

  /** What an arriving entry is (see LogCheck). */
  check (seq: number, link: LogLink): LogCheck {
    return this.#log.check(seq, link)
  }

  /** Whether seq is settled here. */
  has (seq: number): boolean {
    return this.#log.has(seq)
  }

  /** Records a settled entry (checked `new` before, or withdrawn by its sender); returns a gap given up, if any. */
  settle (seq: number, link: LogLink): SeqRange | undefined {
    assert(!this.#log.has(seq), 'settle an entry once')
    const { lost } = this.#log.append(seq, link, { retentionEntries: Number.MAX_SAFE_INTEGER, heldEntriesMax: INBOUND_HELD_MAX })
    this.#trimLost()
    return lost
  }

  /**
   * The sender holds nothing below `low` (it pruned what was acknowledged before): whatever of it this receiver
   * lacks can never come. Moves the frontier to `low - 1` and returns the range recorded as lost, if any.
   */
  settleBelow (low: number): SeqRange | undefined {
    const frontier = this.frontier().seq
    if (low <= frontier + 1) return undefined
    const lost: SeqRange = { from: frontier + 1, to: low - 1 }
    const state = this.state()
    this.#log = InboundLog.#restore(this.sender, {
      frontier: low - 1, frontier_hash: '', held: state.held.filter((h) => h.seq > low - 1), lost: [...state.lost, lost]
    })
    this.#trimLost()
    return lost
  }

  /** The contiguous frontier and its hash ('' when unknown). */
  frontier (): { seq: number, hash: string } {
    return { seq: this.#log.position().frontier, hash: this.#log.frontierHash() ?? '' }
  }

  /** Settled seqs above the frontier, ascending, at most `max`. */
  heldSeqs (max: number): number[] {
    return this.#log.heldLinks().slice(0, max).map((h) => h.seq)
  }

  /** What the store keeps. */
  state (): InboundLogState {
    const { seq, hash } = this.frontier()
    return { frontier: seq, frontier_hash: hash, held: this.#log.heldLinks(), lost: [...this.#log.lost] }
  }

  #trimLost (): void {
    if (this.#log.lost.length > LOST_RANGES_MAX) this.#log.lost.splice(0, this.#log.lost.length - LOST_RANGES_MAX)
  }
}

/** What a sender keeps of one entry of its log to a peer. */
export type OutboundState = 'pending' | 'acked' | 'withdrawn'

export interface OutboundLink extends LogLink {
  seq: number
  state: OutboundState
  /** the envelope's wire size */
  bytes: number
}

/** One batch: entries whose envelopes go, and withdrawn entries that go as links only. */
export interface BatchPlan<E extends OutboundLink> {
  envelopes: E[]
  withdrawn: E[]
}

/**
 * The next batch for a receiver at `frontier` that holds `held` above it: the sender's entries above the frontier
 * it does not hold, oldest first, at most `entriesMax` envelopes and `bytesMax` envelope bytes (always at least one
 * envelope when any is due, since one envelope fits a frame). Withdrawn entries in that span go as links.
 */
export function planBatch<E extends OutboundLink> (entries: readonly E[], receiver: { frontier: number, held: ReadonlySet<number> }, limits: { entriesMax: number, bytesMax: number }): BatchPlan<E> {
  const plan: BatchPlan<E> = { envelopes: [], withdrawn: [] }
  let bytes = 0
  for (const entry of entries) {
    if (entry.seq <= receiver.frontier || receiver.held.has(entry.seq)) continue
    if (entry.state === 'withdrawn') {
      if (plan.withdrawn.length < limits.entriesMax) plan.withdrawn.push(entry)
      continue
    }
    if (plan.envelopes.length >= limits.entriesMax || (plan.envelopes.length > 0 && bytes + entry.bytes > limits.bytesMax)) break
    plan.envelopes.push(entry)
    bytes += entry.bytes
  }
  return plan
}

/**
 * Which acknowledged entries the sender may prune: those at or below the receiver's frontier (heard in this
 * session), keeping the newest `retainedMax` of them for a receiver that comes back with an empty store.
 * Pending entries are never pruned. Returns the seqs to prune.
 */
export function prunable (entries: readonly OutboundLink[], receiverFrontier: number, retainedMax: number): number[] {
  assert(retainedMax >= 1, 'a sender retains at least one acknowledged entry')
  const settled = entries.filter((e) => e.seq <= receiverFrontier && e.state !== 'pending').map((e) => e.seq).sort((a, b) => a - b)
  return settled.slice(0, Math.max(0, settled.length - retainedMax))
}
