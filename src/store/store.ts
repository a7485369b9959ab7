/**
 * The node's store: one LevelDB (or, for the sim and tests, an in-memory level)
 * with a sublevel per aggregate and a schema-version key.
 *
 * Every multi-key change goes through one `batch` so a crash leaves either all
 * of it or none of it on disk.
 */
import { Level } from 'level'
import { MemoryLevel } from 'memory-level'
import type { AbstractLevel, AbstractSublevel, AbstractBatchOperation } from 'abstract-level'
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'

/** Bumped whenever the shape of a stored value changes; `migrate` carries old stores forward. */
export const STORE_SCHEMA_VERSION = 1

const SCHEMA_KEY = 'schema_version'
/** where an operation keeps what its batch must wait for (Store.prerequisite) */
const PREREQUISITE = Symbol('fedmesh.store.prerequisite')

// The root database. `any` for the key/value type parameters because sublevels
// choose their own encodings; the root only stores the schema version.
export type RootLevel = AbstractLevel<any, string, any>
export type Sublevel<V> = AbstractSublevel<RootLevel, string | Buffer | Uint8Array, string, V>
export type BatchOperation = AbstractBatchOperation<RootLevel, string, unknown>

export interface StoreInit {
  /** directory of the node; the database lives in `<dataDir>/store`. Absent → in-memory. */
  dataDir?: string
  /** LevelDB block cache in bytes (classic-level's default is 8 MB; the sim keeps it small) */
  cacheSizeBytes?: number
  /** LevelDB write buffer (memtable) in bytes; default STORE_WRITE_BUFFER_BYTES_DEFAULT */
  writeBufferBytes?: number
}

/**
 * LevelDB's write buffer (memtable) for an on-disk store: 32 MiB instead of LevelDB's 4 MiB. A sync catch-up writes
 * hundreds of MB of log entries (protocols/sync.md "Benchmark"); with 4 MiB memtables every few batches became an
 * overlapping level-0 file and compactions rewrote the same data again and again (the catching-up node's LevelDB
 * threads spent ~18 % less CPU with 32 MiB in bench:sync, protocols/sync.md "Benchmark"). The memory is taken only as data is written (up to two memtables while one is
 * flushed); a node that writes little never fills it.
 */
export const STORE_WRITE_BUFFER_BYTES_DEFAULT = 32 * 1024 * 1024

export class StoreSchemaError extends Error {
  static readonly code = 'StoreSchemaError'
  override readonly name = 'StoreSchemaError'
}

export class StoreLockedError extends Error {
  static readonly code = 'StoreLockedError'
  override readonly name = 'StoreLockedError'
}

/** A node's store: sublevels by aggregate name, atomic batches across them. */
export class Store {
  readonly db: RootLevel
  /** the LevelDB directory, `<dataDir>/store`; undefined in memory */
  readonly location: string | undefined
  /** the node's data directory (files kept beside the database, e.g. log segments); undefined in memory */
  readonly dataDir: string | undefined
  private readonly sublevels = new Map<string, Sublevel<unknown>>()
  /** the tail of each key's queue of exclusive sections (see `exclusive`) */
  private readonly locks = new Map<string, Promise<unknown>>()

  private constructor (db: RootLevel, location: string | undefined, dataDir: string | undefined) {
    this.db = db
    this.location = location
    this.dataDir = dataDir
  }

  /** Opens (creating if needed) the store and brings its schema to the current version. */
  static async open (init: StoreInit = {}): Promise<Store> {
    let db: RootLevel
    let location: string | undefined
    if (init.dataDir === undefined) {
      db = new MemoryLevel({ keyEncoding: 'utf8', valueEncoding: 'json' })
    } else {
      location = join(init.dataDir, 'store')
      await mkdir(location, { recursive: true })
      db = new Level(location, {
        keyEncoding: 'utf8',
        valueEncoding: 'json',
        ...(init.cacheSizeBytes === undefined ? {} : { cacheSize: init.cacheSizeBytes }),
        writeBufferSize: init.writeBufferBytes ?? STORE_WRITE_BUFFER_BYTES_DEFAULT
      })
    }
    try {
      await db.open()
    } catch (err) {
      const cause = (err as { cause?: { code?: string } }).cause
      if (cause?.code === 'LEVEL_LOCKED' || (err as { code?: string }).code === 'LEVEL_LOCKED') {
        throw new StoreLockedError(`store ${location ?? '(memory)'} is locked: is a node already running on this data dir?`, { cause: err })
      }
      throw err
    }
    const store = new Store(db, location, init.dataDir)
    await store.migrate()
    return store
  }

  /** The sublevel holding one aggregate; values are JSON unless another encoding is given. */
  sublevel<V> (name: string, valueEncoding: 'json' | 'view' | 'utf8' = 'json'): Sublevel<V> {
    const key = `${name}:${valueEncoding}`
    let sub = this.sublevels.get(key)
    if (sub === undefined) {
      sub = this.db.sublevel<string, unknown>(name, { keyEncoding: 'utf8', valueEncoding }) as Sublevel<unknown>
      this.sublevels.set(key, sub)
    }
    return sub as Sublevel<V>
  }

  /** The batch operation that puts `value` under `key` in the sublevel `name` (for one atomic batch across sublevels). */
  putOperation (name: string, key: string, value: unknown, valueEncoding: 'json' | 'view' | 'utf8' = 'json'): BatchOperation {
    return { type: 'put', sublevel: this.sublevel(name, valueEncoding), key, value } as unknown as BatchOperation
  }

  /** The batch operation that deletes `key` from the sublevel `name`. */
  delOperation (name: string, key: string, valueEncoding: 'json' | 'view' | 'utf8' = 'json'): BatchOperation {
    return { type: 'del', sublevel: this.sublevel(name, valueEncoding), key } as unknown as BatchOperation
  }

  /**
   * Runs `work` alone among sections with the same `key`: a check-then-write
   * (is this handle free? then add it) cannot interleave with another on the
   * same key. One process holds a store (LevelDB's lock), so an in-process
   * queue is the whole story.
   */
  async exclusive<R> (key: string, work: () => Promise<R>): Promise<R> {
    const previous = this.locks.get(key) ?? Promise.resolve()
    const run = previous.then(work, work)
    const tail = run.catch(() => {})
    this.locks.set(key, tail)
    try {
      return await run
    } finally {
      if (this.locks.get(key) === tail) this.locks.delete(key)
    }
  }

  /**
   * Makes the batch that carries `operation` call `ready` and wait for it before it commits, and fail if it rejects:
   * for an index entry naming data written outside the database (a log segment's body), which must be in its file
   * first. Called when the batch runs, so everything one batch names is written together.
   */
  prerequisite (operation: BatchOperation, ready: () => Promise<void>): BatchOperation {
    // a symbol-keyed property: LevelDB never sees it, and one per operation costs nothing to look up
    (operation as { [PREREQUISITE]?: () => Promise<void> })[PREREQUISITE] = ready
    return operation
  }

  /** Applies every operation or none (operations name their sublevel with `sublevel:`), after their prerequisites. */
  async batch (operations: BatchOperation[]): Promise<void> {
    if (operations.length === 0) return
    let waits: Array<Promise<void>> | undefined
    for (const operation of operations) {
      const ready = (operation as { [PREREQUISITE]?: () => Promise<void> })[PREREQUISITE]
      if (ready !== undefined) (waits ??= []).push(ready())
    }
    if (waits !== undefined) await Promise.all(waits)
    await this.db.batch(operations)
  }

  /** The schema version on disk (0 for a store written before versioning). */
  async schemaVersion (): Promise<number> {
    const value = await this.db.get(SCHEMA_KEY)
    return value === undefined ? 0 : Number(value)
  }

  async close (): Promise<void> {
    await this.db.close()
  }

  private async migrate (): Promise<void> {
    const onDisk = await this.schemaVersion()
    if (onDisk > STORE_SCHEMA_VERSION) {
      throw new StoreSchemaError(`store schema version ${onDisk} is newer than this fedmesh understands (${STORE_SCHEMA_VERSION}); upgrade fedmesh`)
    }
    // Version 0 → 1: nothing to move, the first versioned layout.
    if (onDisk < STORE_SCHEMA_VERSION) {
      await this.db.put(SCHEMA_KEY, STORE_SCHEMA_VERSION)
    }
  }
}
