/**
 * Envelope bodies of the per-origin logs, kept outside LevelDB in append-only
 * segment files: `<dir>/<data class>/<origin>/<segment, 8 digits>.seg`, one
 * directory per log, a new segment once the current one passes
 * SEGMENT_BYTES_MAX. The index (which seq is where) stays in the store, in
 * the entry's link record, so a log is still a key range there.
 *
 * Why: a sync catch-up writes hundreds of MB of ~4 KB envelopes. In LevelDB
 * every byte went through the write-ahead log, a level-0 file and then
 * compaction after compaction (each level-0 file spans every sublevel, so none
 * moves down without being rewritten); here each body is written once, in
 * order, and a pruned log's old segments are deleted whole.
 *
 * Order of writes: a body is written (positional write at an offset assigned
 * when it was appended) before the store batch naming it commits: the batch
 * waits for it (Store.prerequisite). A crash between the two leaves bytes no
 * index entry names; they are never read and go with their segment. On load a
 * log's index entries whose bytes lie past the end of their segment file (a
 * file shorter than the store says: a torn write lost at a power cut) are
 * dropped from the index, so they become a gap that sync fills again.
 *
 * Bodies are written when a batch naming one runs (the first of its
 * prerequisites): each flush opens the segment file, writes everything
 * appended to the log since the last flush in one vectored write, and closes
 * it. No descriptor is held per log (a federation has up to members x data
 * classes logs).
 */
import { constants, readdirSync, statSync } from 'node:fs'
import { mkdir, open, readdir, rm, unlink } from 'node:fs/promises'
import { join } from 'node:path'

/** where one body is: its log's segment number, the byte offset in it, its length */
export interface BodyLocator {
  segment: number
  offset: number
  length: number
}

/** a segment is closed for appends once its size reaches this (~1,000 envelopes of 4 KB) */
export const SEGMENT_BYTES_MAX = 4 * 1024 * 1024
const SEGMENT_DIGITS = 8
const SEGMENT_SUFFIX = '.seg'
/** a log's directory names come from a data class and a PeerId: nothing else reaches the file system */
const PATH_PART = /^[A-Za-z0-9_-]{1,128}$/

export class SegmentPathError extends Error {
  static readonly code = 'SegmentPathError'
  override readonly name = 'SegmentPathError'
}

interface PendingBody {
  offset: number
  bytes: Uint8Array
  /** settled once the flush that took it wrote it (or failed) */
  written: Promise<void>
  settle: { resolve: () => void, reject: (err: unknown) => void }
  /** taken by a flush */
  taken: boolean
}

/** One log's segments: the one appended to, its size including what is not flushed yet, live entries per segment. */
interface LogState {
  dir: string
  active: number
  end: number
  /** appended to the active segment (or an earlier one, just rotated) and not written yet, by segment */
  pending: Map<number, PendingBody[]>
  /** whether the log's directory exists (made by the first flush) */
  dirMade: boolean
  /** live index entries per segment; complete only once `adopt` ran for every stored entry (see `counted`) */
  live: Map<number, number>
}

function segmentName (segment: number): string {
  return `${String(segment).padStart(SEGMENT_DIGITS, '0')}${SEGMENT_SUFFIX}`
}

function segmentNumber (name: string): number | undefined {
  if (!name.endsWith(SEGMENT_SUFFIX)) return undefined
  const n = Number(name.slice(0, -SEGMENT_SUFFIX.length))
  return Number.isSafeInteger(n) && n > 0 ? n : undefined
}

/** `locators` cut into runs of one segment whose bytes follow each other in the file. */
function runs (locators: BodyLocator[]): BodyLocator[][] {
  const out: BodyLocator[][] = []
  let run: BodyLocator[] = []
  for (const locator of locators) {
    const last = run.at(-1)
    if (last !== undefined && (locator.segment !== last.segment || locator.offset !== last.offset + last.length)) {
      out.push(run)
      run = []
    }
    run.push(locator)
  }
  if (run.length > 0) out.push(run)
  return out
}

/** What is left of `buffers` once their first `done` bytes are taken. */
function rest (buffers: Uint8Array[], done: number): Uint8Array[] {
  const out: Uint8Array[] = []
  let skip = done
  for (const buffer of buffers) {
    if (skip >= buffer.byteLength) { skip -= buffer.byteLength; continue }
    out.push(skip === 0 ? buffer : buffer.subarray(skip))
    skip = 0
  }
  return out
}

/** Fills the whole of `buffers` from `position` on, however many calls it takes; false if the file ends first (or is missing). */
async function readAll (path: string, buffers: Uint8Array[], position: number): Promise<boolean> {
  let file
  try {
    file = await open(path, 'r')
  } catch {
    return false
  }
  try {
    let at = position
    let left = buffers.filter((buffer) => buffer.byteLength > 0)
    while (left.length > 0) {
      const { bytesRead } = await file.readv(left, at)
      if (bytesRead === 0) return false
      at += bytesRead
      left = rest(left, bytesRead)
    }
    return true
  } finally {
    await file.close()
  }
}

/** Writes the whole of `buffers` at `position`, however many calls it takes. */
async function writeAll (path: string, buffers: Uint8Array[], position: number): Promise<void> {
  // O_CREAT without O_TRUNC or O_APPEND: positional writes at offsets assigned on append
  const file = await open(path, constants.O_WRONLY | constants.O_CREAT)
  try {
    let at = position
    let left = buffers
    while (left.length > 0) {
      const { bytesWritten } = await file.writev(left, at)
      at += bytesWritten
      left = rest(left, bytesWritten)
    }
  } finally {
    await file.close()
  }
}

/** The segment files of every log under one directory. */
export class LogSegments {
  readonly dir: string
  private readonly logs = new Map<string, LogState>()
  /** whether every stored entry was adopted (load): only then may a segment whose live count reaches 0 be deleted */
  private counted = false

  constructor (dir: string) {
    this.dir = dir
  }

  /**
   * Places `bytes` at the end of the log's active segment. `write` writes it (with everything else appended to the log
   * and not written yet) and resolves once the bytes are in the file; the index entry naming `locator` must not commit
   * before (Store.prerequisite).
   */
  append (dataClass: string, origin: string, bytes: Uint8Array): { locator: BodyLocator, write: () => Promise<void> } {
    const state = this.state(dataClass, origin)
    if (state.end > 0 && state.end + bytes.byteLength > SEGMENT_BYTES_MAX) {
      state.active++
      state.end = 0
    }
    const locator = { segment: state.active, offset: state.end, length: bytes.byteLength }
    state.end += bytes.byteLength
    state.live.set(locator.segment, (state.live.get(locator.segment) ?? 0) + 1)
    let settle!: PendingBody['settle']
    const written = new Promise<void>((resolve, reject) => { settle = { resolve, reject } })
    // a body whose batch never runs is written by a later flush (or never): nobody waits for it
    written.catch(() => {})
    const body: PendingBody = { offset: locator.offset, bytes, written, settle, taken: false }
    const queue = state.pending.get(locator.segment) ?? []
    queue.push(body)
    state.pending.set(locator.segment, queue)
    return {
      locator,
      write: async () => {
        if (!body.taken) this.flush(state)
        await body.written
      }
    }
  }

  /**
   * The bodies at `locators` (one log), in order; undefined for one whose bytes are not in its file (deleted with a
   * pruned segment, or cut short). Contiguous bodies of one segment are read with one call into one buffer.
   */
  async read (dataClass: string, origin: string, locators: BodyLocator[]): Promise<Array<Uint8Array | undefined>> {
    const dir = this.logDir(dataClass, origin)
    const out: Array<Uint8Array | undefined> = []
    for (const run of runs(locators)) {
      const path = join(dir, segmentName(run[0]?.segment ?? 0))
      const buffer = Buffer.allocUnsafe(run.reduce((n, locator) => n + locator.length, 0))
      const views: Uint8Array[] = []
      for (let at = 0, k = 0; k < run.length; at += (run[k] as BodyLocator).length, k++) views.push(buffer.subarray(at, at + (run[k] as BodyLocator).length))
      if (await readAll(path, views, run[0]?.offset ?? 0)) {
        out.push(...views)
        continue
      }
      // the run is cut short somewhere: each body on its own, so the ones wholly in the file are still read
      for (const [k, locator] of run.entries()) out.push(await readAll(path, [views[k] as Uint8Array], locator.offset) ? views[k] : undefined)
    }
    return out
  }

  /**
   * Reads the bodies at `locators` (one log) straight into `targets` (one per locator, of its length: e.g. views into
   * a response being built): a contiguous run of one segment is one vectored read. Resolves to false if any body is
   * not wholly in its file (the targets are then partly written: discard them).
   */
  async readInto (dataClass: string, origin: string, locators: BodyLocator[], targets: Uint8Array[]): Promise<boolean> {
    const dir = this.logDir(dataClass, origin)
    let i = 0
    for (const run of runs(locators)) {
      if (!await readAll(join(dir, segmentName(run[0]?.segment ?? 0)), targets.slice(i, i + run.length), run[0]?.offset ?? 0)) return false
      i += run.length
    }
    return true
  }

  /**
   * Counts an entry found in the store at load (its segment is live); returns false when its bytes lie past the end
   * of its segment file, or the file is missing: the caller drops that entry from the index.
   */
  adopt (dataClass: string, origin: string, locator: BodyLocator, fileSizes: Map<string, number>): boolean {
    const state = this.state(dataClass, origin)
    const path = join(state.dir, segmentName(locator.segment))
    let size = fileSizes.get(path)
    if (size === undefined) {
      size = fileSize(path)
      fileSizes.set(path, size)
    }
    if (locator.offset + locator.length > size) return false
    state.live.set(locator.segment, (state.live.get(locator.segment) ?? 0) + 1)
    return true
  }

  /**
   * After load adopted every stored entry: deletes segment files no entry names (left by a crash between a body's
   * write and its batch, or by a prune whose deletion did not finish), and from now on deletes a segment when its last
   * entry is released.
   */
  async adopted (): Promise<void> {
    this.counted = true
    let classes: string[]
    try {
      classes = await readdir(this.dir)
    } catch {
      return // nothing written yet
    }
    for (const dataClass of classes) {
      if (!PATH_PART.test(dataClass)) continue
      for (const origin of await readdir(join(this.dir, dataClass)).catch(() => [] as string[])) {
        if (!PATH_PART.test(origin)) continue
        const state = this.state(dataClass, origin)
        for (const name of await readdir(state.dir).catch(() => [] as string[])) {
          const segment = segmentNumber(name)
          if (segment === undefined || segment === state.active || (state.live.get(segment) ?? 0) > 0 || state.pending.has(segment)) continue
          await rm(join(state.dir, name), { force: true })
        }
      }
    }
  }

  /**
   * Entries at `locators` left the index (their batch committed): a segment none is left in is deleted. A prune that
   * reaches into the segment being appended to closes it for appends, so it can go once its last entry is pruned:
   * a log with a short retention never keeps a segment of mostly pruned bytes (its dead bytes stay within about one
   * prune's worth).
   */
  async release (dataClass: string, origin: string, locators: BodyLocator[]): Promise<void> {
    const state = this.state(dataClass, origin)
    if (state.end > 0 && locators.some((locator) => locator.segment === state.active)) {
      state.active++
      state.end = 0
    }
    const emptied = new Set<number>()
    for (const { segment } of locators) {
      const left = (state.live.get(segment) ?? 0) - 1
      if (left > 0) {
        state.live.set(segment, left)
      } else {
        state.live.delete(segment)
        emptied.add(segment)
      }
    }
    if (!this.counted) return // counts start from this process's appends: an older segment may still hold entries
    for (const segment of emptied) {
      if (segment === state.active || state.pending.has(segment)) continue
      await unlink(join(state.dir, segmentName(segment))).catch((err: NodeJS.ErrnoException) => { if (err.code !== 'ENOENT') throw err })
    }
  }

  private logDir (dataClass: string, origin: string): string {
    if (!PATH_PART.test(dataClass) || !PATH_PART.test(origin)) throw new SegmentPathError(`a log name must be letters, digits, '_' or '-': ${JSON.stringify(dataClass)}/${JSON.stringify(origin)}`)
    return join(this.dir, dataClass, origin)
  }

  /**
   * A log's state; the first time, its directory is looked at (synchronously, once per log per process: `append`
   * must assign an offset in the same turn) to continue its newest segment.
   */
  private state (dataClass: string, origin: string): LogState {
    const key = `${dataClass}/${origin}`
    let state = this.logs.get(key)
    if (state === undefined) {
      const dir = this.logDir(dataClass, origin)
      let active = 1
      let end = 0
      let names: string[] = []
      try {
        names = readdirSync(dir)
      } catch {}
      const segments = names.map(segmentNumber).filter((n): n is number => n !== undefined)
      if (segments.length > 0) {
        active = Math.max(...segments)
        end = fileSize(join(dir, segmentName(active)))
      }
      state = { dir, active, end, pending: new Map(), dirMade: names.length > 0, live: new Map() }
      this.logs.set(key, state)
    }
    return state
  }

  /** Writes everything appended to the log and not taken by a flush yet. */
  private flush (state: LogState): void {
    const batches = [...state.pending]
    state.pending.clear()
    for (const [, bodies] of batches) for (const body of bodies) body.taken = true
    void (async () => {
      if (!state.dirMade) {
        await mkdir(state.dir, { recursive: true })
        state.dirMade = true
      }
      for (const [segment, bodies] of batches) {
        try {
          // bodies of one segment were given consecutive offsets in append order
          await writeAll(join(state.dir, segmentName(segment)), bodies.map((b) => b.bytes), (bodies[0] as PendingBody).offset)
          for (const body of bodies) body.settle.resolve()
        } catch (err) {
          for (const body of bodies) body.settle.reject(err)
        }
      }
    })().catch((err: unknown) => {
      for (const [, bodies] of batches) for (const body of bodies) body.settle.reject(err)
    })
  }
}

function fileSize (path: string): number {
  try {
    return statSync(path).size
  } catch {
    return 0
  }
}
