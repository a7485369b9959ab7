/**
 * The per-origin logs in the store: every accepted (or own) sequenced
 * envelope's wire bytes, its hash link, and per log a small meta record (the
 * settled floor and the ranges given up). Keys are
 * `<data class>/<origin>/<seq, 16 digits>`, so one log is a key range and
 * serving a fetch or pruning the oldest is a range read.
 *
 * Where the bytes are: on disk, in the log's segment files (log-segments.ts:
 * written once, outside LevelDB), the link record naming segment, offset and
 * length; in memory (sim, tests), and for entries a store kept from before
 * segments, in the `sync_log` sublevel under the entry's key. Reads take
 * either.
 *
 * Links live apart from the bytes so loading the logs at start reads ~150
 * bytes per entry, not the ~4 KB envelope.
 */
import { join } from 'node:path'
import { type LogBook, OriginLog, logKey, type LogLink, type SeqRange } from '../core/sync/log-book.ts'
import { type BodyLocator, LogSegments } from './log-segments.ts'
import type { BatchOperation, Store, Sublevel } from './store.ts'

/** entries' bytes kept in the store (in memory, or written before segments) */
export const SYNC_LOG_SUBLEVEL = 'sync_log'
/** `<dataDir>/sync-logs/`: the segment files of an on-disk store */
export const SYNC_SEGMENTS_DIR = 'sync-logs'
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

/** A range read of one log: seqs [from, to], at most `countMax` entries and about `bytesMax` bytes. */
export interface RangeRead {
  dataClass: string
  origin: string
  from: number
  to: number
  countMax: number
  bytesMax: number
}

/** A link record: `<hash>:<prev>`, then `:<segment>:<offset>:<length>` when the bytes are in a segment. */
interface LinkRecord {
  link: LogLink
  locator?: BodyLocator
}

function formatLink (link: LogLink, locator?: BodyLocator): string {
  return locator === undefined ? `${link.hash}:${link.prev}` : `${link.hash}:${link.prev}:${locator.segment}:${locator.offset}:${locator.length}`
}

function parseLink (value: string): LinkRecord {
  const [hash = '', prev = '', segment, offset, length] = value.split(':')
  const link = { hash, prev }
  if (segment === undefined) return { link }
  return { link, locator: { segment: Number(segment), offset: Number(offset), length: Number(length) } }
}

/** Reads and writes the logs. */
export class SyncLogRepository {
  private readonly store: Store
  private readonly entries: Sublevel<Uint8Array>
  private readonly links: Sublevel<string>
  private readonly meta: Sublevel<LogMeta>
  private readonly evidence: Sublevel<Uint8Array>
  private readonly held: Sublevel<HeldOwnEnvelope>
  /** the segment files (on disk); undefined: bytes go in the store */
  readonly segments: LogSegments | undefined

  constructor (store: Store) {
    this.store = store
    this.segments = store.dataDir === undefined ? undefined : new LogSegments(join(store.dataDir, SYNC_SEGMENTS_DIR))
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

  /**
   * Rebuilds every log into `book` from the store (our own frontier is recomputed, never trusted from a peer). An
   * entry whose bytes are not in its segment file (cut short by a crash) is left out, so it is a gap sync fills.
   * `repair` (the node's start; not a read-only look): such entries also leave the index, and segment files no entry
   * names are deleted.
   */
  async load (book: LogBook, options: { repair?: boolean } = {}): Promise<void> {
    for await (const [key, meta] of this.meta.iterator()) {
      const [dataClass = '', origin = ''] = key.split('/')
      book.adopt(new OriginLog({ dataClass, origin, floor: meta.floor, lost: meta.lost }))
    }
    const sizes = new Map<string, number>()
    const dropped: BatchOperation[] = []
    for await (const [key, value] of this.links.iterator()) {
      const { dataClass, origin, seq } = parseKey(key)
      const { link, locator } = parseLink(value)
      if (locator !== undefined && this.segments?.adopt(dataClass, origin, locator, sizes) === false) {
        dropped.push(this.store.delOperation(SYNC_LINKS_SUBLEVEL, key, 'utf8'))
        continue
      }
      book.log(dataClass, origin).load(seq, link)
    }
    if (options.repair !== true) return
    if (dropped.length > 0) await this.store.batch(dropped)
    await this.segments?.adopted()
  }

  /** The batch operations that store an entry (joined to the batch of what the envelope carries). */
  appendOperations (dataClass: string, origin: string, seq: number, bytes: Uint8Array, link: LogLink): BatchOperation[] {
    const key = entryKey(dataClass, origin, seq)
    if (this.segments !== undefined) {
      // the bytes get their place in the log's segment now and are written when the batch naming them runs, before it commits
      const { locator, write } = this.segments.append(dataClass, origin, bytes)
      return [this.store.prerequisite(this.store.putOperation(SYNC_LINKS_SUBLEVEL, key, formatLink(link, locator), 'utf8'), write)]
    }
    return [
      this.store.putOperation(SYNC_LOG_SUBLEVEL, key, bytes, 'view'),
      this.store.putOperation(SYNC_LINKS_SUBLEVEL, key, formatLink(link), 'utf8')
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
    const released: BodyLocator[] = []
    let floor = this.floorOf(log)
    let deleted = 0
    for await (const [key, value] of this.links.iterator({ gte: prefix, lte: entryKey(log.dataClass, log.origin, position.frontier), limit: count })) {
      const { locator } = parseLink(value)
      operations.push(this.store.delOperation(SYNC_LINKS_SUBLEVEL, key, 'utf8'))
      if (locator === undefined) operations.push(this.store.delOperation(SYNC_LOG_SUBLEVEL, key, 'view'))
      else released.push(locator)
      floor = Math.max(floor, parseKey(key).seq)
      deleted++
    }
    operations.push(this.store.putOperation(SYNC_META_SUBLEVEL, logKey(log.dataClass, log.origin), { floor, lost: log.lost }))
    await this.store.batch(operations)
    // only once no index entry names them: a segment left with none is deleted
    if (released.length > 0) await this.segments?.release(log.dataClass, log.origin, released)
    let low = 0
    for await (const key of this.links.keys({ gte: prefix, lt: `${prefix}~`, limit: 1 })) low = parseKey(key).seq
    return { count: position.count - deleted, low }
  }

  /** Records a log's given-up ranges (its frontier moved over them). */
  async saveLost (log: OriginLog): Promise<void> {
    const floor = this.floorOf(log)
    await this.meta.put(logKey(log.dataClass, log.origin), { floor, lost: log.lost })
  }

  /**
   * Stored envelopes of a log with seq in [from, to], oldest first, within `countMax` and about `bytesMax`; `next`
   * resumes. The range is read from the small link records; the bytes of contiguous entries then come from their
   * segment in one read (one buffer), or from the store for entries kept there. An entry whose bytes are not in its
   * segment (deleted by a prune meanwhile, or cut short) is left out.
   */
  async read (input: RangeRead): Promise<{ envelopes: Array<{ seq: number, bytes: Uint8Array }>, next: number }> {
    const { rows, next } = await this.locate(input)
    const located = rows.filter((row) => row.locator !== undefined)
    const fromSegments = located.length === 0 || this.segments === undefined ? [] : await this.segments.read(input.dataClass, input.origin, located.map((row) => row.locator as BodyLocator))
    const inline = rows.filter((row) => row.locator === undefined)
    const fromStore = inline.length === 0 ? [] : await this.entries.getMany(inline.map((row) => row.key))
    const bodies = new Map<number, Uint8Array | undefined>()
    located.forEach((row, i) => bodies.set(row.seq, fromSegments[i]))
    inline.forEach((row, i) => bodies.set(row.seq, fromStore[i]))
    const envelopes: Array<{ seq: number, bytes: Uint8Array }> = []
    for (const row of rows) {
      const body = bodies.get(row.seq)
      if (body !== undefined) envelopes.push({ seq: row.seq, bytes: body })
    }
    // entries kept in the store are bounded by their bytes here (their link records do not carry a length)
    if (inline.length > 0) return this.bounded(envelopes, input.bytesMax, next)
    return { envelopes, next }
  }

  /**
   * The same range read, the bytes landing where `place` says: given the entries' lengths and `next`, it returns one
   * buffer per entry, of its length (e.g. views into a response being built), and what to resolve to. Read from the
   * segments straight into them. Undefined when that cannot be done (an entry kept in the store, or bytes cut short):
   * then use `read`.
   */
  async readInto<T> (input: RangeRead, place: (lengths: number[], next: number) => { targets: Uint8Array[], result: T }): Promise<T | undefined> {
    if (this.segments === undefined) return undefined
    const { rows, next } = await this.locate(input)
    const locators: BodyLocator[] = []
    for (const row of rows) {
      if (row.locator === undefined) return undefined
      locators.push(row.locator)
    }
    const { targets, result } = place(locators.map((locator) => locator.length), next)
    return await this.segments.readInto(input.dataClass, input.origin, locators, targets) ? result : undefined
  }

  /** The link records of a range read: each entry's key, seq and place (none: its bytes are in the store), and `next`. */
  private async locate (input: RangeRead): Promise<{ rows: Array<{ key: string, seq: number, locator?: BodyLocator }>, next: number }> {
    const rows: Array<{ key: string, seq: number, locator?: BodyLocator }> = []
    let bytes = 0
    let stopped = false
    const range = { gte: entryKey(input.dataClass, input.origin, input.from), lte: entryKey(input.dataClass, input.origin, input.to), limit: input.countMax }
    // nextv: a batch of link records per promise, not one promise (and iterator result) per entry
    const iterator = this.links.iterator(range)
    try {
      reading: while (rows.length < input.countMax) {
        const batch = await iterator.nextv(input.countMax - rows.length)
        if (batch.length === 0) break
        for (const [key, value] of batch) {
          const { locator } = parseLink(value)
          const seq = parseKey(key).seq
          const length = locator?.length ?? 0
          if (rows.length > 0 && length > 0 && bytes + length > input.bytesMax) {
            stopped = true
            break reading
          }
          rows.push(locator === undefined ? { key, seq } : { key, seq, locator })
          bytes += length
        }
      }
    } finally {
      await iterator.close()
    }
    const last = rows.at(-1)
    const exhausted = !stopped && rows.length < input.countMax
    return { rows, next: last === undefined || exhausted ? input.to + 1 : last.seq + 1 }
  }

  /** One stored envelope, or undefined. */
  async get (dataClass: string, origin: string, seq: number): Promise<Uint8Array | undefined> {
    const key = entryKey(dataClass, origin, seq)
    const value = await this.links.get(key)
    if (value === undefined) return undefined
    const { locator } = parseLink(value)
    if (locator === undefined) return await this.entries.get(key)
    return (await this.segments?.read(dataClass, origin, [locator]))?.[0]
  }

  /** One stored entry's link, or undefined. */
  async link (dataClass: string, origin: string, seq: number): Promise<LogLink | undefined> {
    const value = await this.links.get(entryKey(dataClass, origin, seq))
    return value === undefined ? undefined : parseLink(value).link
  }

  /** `envelopes` cut at about `bytesMax` (at least one), `next` moved back to the first one cut. */
  private bounded (envelopes: Array<{ seq: number, bytes: Uint8Array }>, bytesMax: number, next: number): { envelopes: Array<{ seq: number, bytes: Uint8Array }>, next: number } {
    let bytes = 0
    for (let i = 0; i < envelopes.length; i++) {
      const entry = envelopes[i] as { seq: number, bytes: Uint8Array }
      if (i > 0 && bytes + entry.bytes.byteLength > bytesMax) return { envelopes: envelopes.slice(0, i), next: entry.seq }
      bytes += entry.bytes.byteLength
    }
    return { envelopes, next }
  }

  /** The floor a log's meta must keep: what is settled below its frontier. */
  private floorOf (log: OriginLog): number {
    const position = log.position()
    return Math.max(0, Math.min(position.frontier, position.low - 1), ...log.lost.map((range) => range.to))
  }
}
