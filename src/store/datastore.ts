/**
 * libp2p's datastore (peer store, DHT records) as one sublevel of the node's
 * store, so a node keeps a single LevelDB (one block cache, one set of file
 * handles) whether on disk or in memory for the sim.
 *
 * Filters, orders, offset and limit of queries are applied by datastore-core's
 * BaseDatastore on top of the prefix scans below.
 */
import { BaseDatastore } from 'datastore-core'
import { Key, type Batch, type Pair, type Query, type KeyQuery } from 'interface-datastore'
import { NotFoundError } from 'interface-store'
import type { AbortOptions } from '@libp2p/interface'
import type { Sublevel } from './store.ts'

/** Sublevel name of libp2p's datastore. */
export const PEERSTORE_SUBLEVEL = 'libp2p'

/** An interface-datastore over a sublevel with binary values. */
export class SublevelDatastore extends BaseDatastore {
  private readonly db: Sublevel<Uint8Array>

  constructor (db: Sublevel<Uint8Array>) {
    super()
    this.db = db
  }

  override async put (key: Key, value: Uint8Array, options?: AbortOptions): Promise<Key> {
    options?.signal?.throwIfAborted()
    await this.db.put(key.toString(), value)
    return key
  }

  override async get (key: Key, options?: AbortOptions): Promise<Uint8Array> {
    options?.signal?.throwIfAborted()
    const value = await this.db.get(key.toString())
    if (value === undefined) throw new NotFoundError(`no value for ${key.toString()}`)
    return value
  }

  override async has (key: Key, options?: AbortOptions): Promise<boolean> {
    options?.signal?.throwIfAborted()
    return (await this.db.get(key.toString())) !== undefined
  }

  override async delete (key: Key, options?: AbortOptions): Promise<void> {
    options?.signal?.throwIfAborted()
    await this.db.del(key.toString())
  }

  override batch (): Batch {
    const operations: Array<{ type: 'put', key: string, value: Uint8Array } | { type: 'del', key: string }> = []
    return {
      put: (key, value) => { operations.push({ type: 'put', key: key.toString(), value }) },
      delete: (key) => { operations.push({ type: 'del', key: key.toString() }) },
      commit: async (options) => {
        options?.signal?.throwIfAborted()
        await this.db.batch(operations)
      }
    }
  }

  override async * _all (query: Query, options?: AbortOptions): AsyncIterable<Pair> {
    for await (const [key, value] of this.db.iterator(prefixRange(query.prefix))) {
      options?.signal?.throwIfAborted()
      yield { key: new Key(key, false), value }
    }
  }

  override async * _allKeys (query: KeyQuery, options?: AbortOptions): AsyncIterable<Key> {
    for await (const key of this.db.keys(prefixRange(query.prefix))) {
      options?.signal?.throwIfAborted()
      yield new Key(key, false)
    }
  }
}

/** The key range of a prefix ('' = everything). `\xff` sorts after every key character used by libp2p. */
function prefixRange (prefix: string | undefined): { gte?: string, lt?: string } {
  if (prefix === undefined || prefix === '' || prefix === '/') return {}
  return { gte: prefix, lt: prefix + '\xff' }
}
