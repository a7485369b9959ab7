/**
 * The per-origin logs in the store: every accepted (or own) sequenced
 * envelope's wire bytes, its hash link, and per log a small meta record (the
 * settled floor and the ranges given up). Keys are
 * `<data class>/<origin>/<seq, 16 digits>`, so one log is a key range and
 * serving a fetch or pruning the oldest is a range read.
 *
 * Links live apart from the bytes so loading the logs at start reads ~150
 * bytes per entry, not the ~4 KB envelope.
 */
import { type LogBook, OriginLog, logKey, type LogLink, type SeqRange } from '../core/sync/log-book.ts'
import type { BatchOperation, Store, Sublevel } from './store.ts'

export const SYNC_LOG_SUBLEVEL = 'sync_log'
export const SYNC_LINKS_SUBLEVEL = 'sync_links'
export const SYNC_META_SUBLEVEL = 'sync_meta'
/** equivocation evidence (protocols/sync.md), by `<class>/<origin>/<seq>/<kind>`: the encoded LogEvidence */
export const SYNC_EVIDENCE_SUBLEVEL = 'sync_evidence'
/**
 * own envelopes held while this node's own logs are unsettled (protocols/sync.md "Own envelopes before the own logs
 * are settled"), by a 16-digit hold number: what to seal again, sequenced, once they are. Deleted in the batch that
 * stores the sequenced envelope's log entry, so a crash leaves each either held or logged, never both, never neither.
 */
export const SYNC_OWN_HELD_SUBLEVEL = 'sync_own_held'
const SEQ_DIGITS = 16
/** the least a range read asks LevelDB for per native call (classic-level's default is 16 KiB) */
const READ_HIGH_WATER_BYTES_MIN = 64 * 1024

/** One held own envelope: its content, sealed again with a seq once the own logs are settled. */
export interface HeldOwnEnvelope {
  dataClass: string
  schemaId: string
  /** base64 */
  payload: string
  contentType?: string
  /** hex: the id the provisional envelope had (the caller may have recorded it), kept by the sequenced one */
  id: string
  /** when it was first sealed (clock ms) */
  heldAtMs: number
}

interface LogMeta {
  floor: number
  lost: SeqRange[]
}

function entryKey (dataClass: string, origin: string, seq: number): string {
  return `${logKey(dataClass, origin)}/${String(seq).padStart(SEQ_DIGITS, '0')}`
}

function parseKey (key: string): { dataClass: string, origin: string, seq: number } {
  const [dataClass = '', origin = '', seq = '0'] = key.split('/')
  return { dataClass, origin, seq: Number(seq) }
}

/** Reads and writes the logs. */
export class SyncLogRepository {
  private readonly store: Store
  private readonly entries: Sublevel<Uint8Array>
  private readonly links: Sublevel<string>
  private readonly meta: Sublevel<LogMeta>
  private readonly evidence: Sublevel<Uint8Array>
  private readonly held: Sublevel<HeldOwnEnvelope>

  constructor (store: Store) {
    this.store = store
    this.entries = store.sublevel<Uint8Array>(SYNC_LOG_SUBLEVEL, 'view')
    this.links = store.sublevel<string>(SYNC_LINKS_SUBLEVEL, 'utf8')
    this.meta = store.sublevel<LogMeta>(SYNC_META_SUBLEVEL)
    this.evidence = store.sublevel<Uint8Array>(SYNC_EVIDENCE_SUBLEVEL, 'view')
    this.held = store.sublevel<HeldOwnEnvelope>(SYNC_OWN_HELD_SUBLEVEL)
  }

  /** Holds an own envelope until the own logs are settled (number: its place in the queue). */
  async putHeld (number: number, held: HeldOwnEnvelope): Promise<void> {
    await this.held.put(String(number).padStart(SEQ_DIGITS, '0'), held)
  }

  /** The operation that releases a held envelope (joined to the batch storing its sequenced log entry). */
  releaseHeldOperation (number: number): BatchOperation {
    return this.store.delOperation(SYNC_OWN_HELD_SUBLEVEL, String(number).padStart(SEQ_DIGITS, '0'))
  }

  /** Held own envelopes, oldest first, at most `limit`. */
  async allHeld (limit = Number.MAX_SAFE_INTEGER): Promise<Array<{ number: number, held: HeldOwnEnvelope }>> {
    const out: Array<{ number: number, held: HeldOwnEnvelope }> = []
    for await (const [key, held] of this.held.iterator({ limit })) out.push({ number: Number(key), held })
    return out
  }

  /** How many own envelopes are held and the number after the last one (0 when none). */
  async heldCount (): Promise<{ count: number, next: number }> {
    let count = 0
    let next = 0
    for await (const key of this.held.keys()) {
      count++
      next = Number(key) + 1
    }
    return { count, next }
  }

  /** Keeps one piece of equivocation evidence. */
  async putEvidence (key: string, encoded: Uint8Array): Promise<void> {
    await this.evidence.put(key, encoded)
  }

  /** Every kept piece of evidence, at most `limit`. */
  async allEvidence (limit: number): Promise<Array<{ key: string, encoded: Uint8Array }>> {
    const out: Array<{ key: string, encoded: Uint8Array }> = []
    for await (const [key, encoded] of this.evidence.iterator({ limit })) out.push({ key, encoded })
    return out
  }

  /** Rebuilds every log into `book` from the store (our own frontier is recomputed, never trusted from a peer). */
  async load (book: LogBook): Promise<void> {
    for await (const [key, meta] of this.meta.iterator()) {
      const [dataClass = '', origin = ''] = key.split('/')
      book.adopt(new OriginLog({ dataClass, origin, floor: meta.floor, lost: meta.lost }))
    }
    for await (const [key, value] of this.links.iterator()) {
      const { dataClass, origin, seq } = parseKey(key)
      const [hash = '', prev = ''] = value.split(':')
      book.log(dataClass, origin).load(seq, { hash, prev })
    }
  }

  /** The batch operations that store an entry (joined to the batch of what the envelope carries). */
  appendOperations (dataClass: string, origin: string, seq: number, bytes: Uint8Array, link: LogLink): BatchOperation[] {
    const key = entryKey(dataClass, origin, seq)
    return [
      this.store.putOperation(SYNC_LOG_SUBLEVEL, key, bytes, 'view'),
      this.store.putOperation(SYNC_LINKS_SUBLEVEL, key, `${link.hash}:${link.prev}`, 'utf8')
    ]
  }

  /** Stores one entry on its own (an own entry taken back from a member). */
  async appendEntry (dataClass: string, origin: string, seq: number, bytes: Uint8Array, link: LogLink): Promise<void> {
    await this.store.batch(this.appendOperations(dataClass, origin, seq, bytes, link))
  }

  /**
   * Deletes the `count` oldest entries at or below `frontier` and records the settled floor and lost ranges;
   * resolves to the entries left and the lowest stored seq.
   */
  async prune (log: OriginLog, count: number): Promise<{ count: number, low: number }> {
    const position = log.position()
    const prefix = `${logKey(log.dataClass, log.origin)}/`
    const operations: BatchOperation[] = []
    let floor = this.floorOf(log)
    for await (const key of this.links.keys({ gte: prefix, lte: entryKey(log.dataClass, log.origin, position.frontier), limit: count })) {
      operations.push(this.store.delOperation(SYNC_LOG_SUBLEVEL, key, 'view'), this.store.delOperation(SYNC_LINKS_SUBLEVEL, key, 'utf8'))
      floor = Math.max(floor, parseKey(key).seq)
    }
    operations.push(this.store.putOperation(SYNC_META_SUBLEVEL, logKey(log.dataClass, log.origin), { floor, lost: log.lost }))
    await this.store.batch(operations)
    let low = 0
    for await (const key of this.links.keys({ gte: prefix, lt: `${prefix}~`, limit: 1 })) low = parseKey(key).seq
    return { count: position.count - (operations.length - 1) / 2, low }
  }

  /** Records a log's given-up ranges (its frontier moved over them). */
  async saveLost (log: OriginLog): Promise<void> {
    const floor = this.floorOf(log)
    await this.meta.put(logKey(log.dataClass, log.origin), { floor, lost: log.lost })
  }

  /** Stored envelopes of a log with seq in [from, to], oldest first, within `countMax` and about `bytesMax`; `next` resumes. */
  async read (input: { dataClass: string, origin: string, from: number, to: number, countMax: number, bytesMax: number }): Promise<{ envelopes: Array<{ seq: number, bytes: Uint8Array }>, next: number }> {
    const envelopes: Array<{ seq: number, bytes: Uint8Array }> = []
    let bytes = 0
    let stopped = false
    // highWaterMarkBytes (classic-level; ignored in memory): the iterator reads the range from LevelDB in one or two
    // native calls of about `bytesMax` instead of its default 16 KiB (four 4 KB envelopes) at a time
    const range = { gte: entryKey(input.dataClass, input.origin, input.from), lte: entryKey(input.dataClass, input.origin, input.to), limit: input.countMax, highWaterMarkBytes: Math.max(input.bytesMax, READ_HIGH_WATER_BYTES_MIN) }
    // nextv: a batch of entries per promise, not one promise (and iterator result) per 4 KB entry
    const iterator = this.entries.iterator(range)
    try {
      reading: while (envelopes.length < input.countMax) {
        const rows = await iterator.nextv(input.countMax - envelopes.length)
        if (rows.length === 0) break
        for (const [key, value] of rows) {
          if (envelopes.length > 0 && bytes + value.length > input.bytesMax) {
            stopped = true
            break reading
          }
          envelopes.push({ seq: parseKey(key).seq, bytes: value })
          bytes += value.length
        }
      }
    } finally {
      await iterator.close()
    }
    const last = envelopes.at(-1)
    const exhausted = !stopped && envelopes.length < input.countMax
    return { envelopes, next: last === undefined || exhausted ? input.to + 1 : last.seq + 1 }
  }

  /** One stored envelope, or undefined. */
  async get (dataClass: string, origin: string, seq: number): Promise<Uint8Array | undefined> {
    return await this.entries.get(entryKey(dataClass, origin, seq))
  }

  /** One stored entry's link, or undefined. */
  async link (dataClass: string, origin: string, seq: number): Promise<LogLink | undefined> {
    const value = await this.links.get(entryKey(dataClass, origin, seq))
    if (value === undefined) return undefined
    const [hash = '', prev = ''] = value.split(':')
    return { hash, prev }
  }

  /** The floor a log's meta must keep: what is settled below its frontier. */
  private floorOf (log: OriginLog): number {
    const position = log.position()
    return Math.max(0, Math.min(position.frontier, position.low - 1), ...log.lost.map((range) => range.to))
  }
}
