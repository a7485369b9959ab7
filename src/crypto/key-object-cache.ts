/**
 * A bounded least-recently-used cache of imported keys.
 *
 * Importing a key into node:crypto (DER parse, OpenSSL object) costs about as
 * much as a verification, and a node verifies the same few hundred member keys
 * over and over, so verifiers keep the imported `KeyObject`s. A Map keeps
 * insertion order, which is all an LRU needs; fifteen lines did not justify a
 * new dependency in the shared package.json.
 */
import { assert } from '../core/errors.ts'

/** Imported public keys kept per verifier (per algorithm): a federation's members, with room to spare. */
export const KEY_CACHE_ENTRIES_MAX = 4096

/** Bounded LRU map from a key's text form to its imported object. */
export class KeyObjectCache<V> {
  readonly #entries = new Map<string, V>()
  readonly #entriesMax: number

  constructor (entriesMax: number = KEY_CACHE_ENTRIES_MAX) {
    assert(Number.isInteger(entriesMax) && entriesMax > 0, 'cache capacity must be a positive integer')
    this.#entriesMax = entriesMax
  }

  /** The cached value for `key`, importing (and caching) it with `load` on a miss. */
  getOrLoad (key: string, load: () => V): V {
    const hit = this.#entries.get(key)
    if (hit !== undefined) {
      // re-insert to mark as most recently used
      this.#entries.delete(key)
      this.#entries.set(key, hit)
      return hit
    }
    const value = load()
    this.#entries.set(key, value)
    if (this.#entries.size > this.#entriesMax) {
      const oldest = this.#entries.keys().next().value as string
      this.#entries.delete(oldest)
    }
    return value
  }

  get size (): number {
    return this.#entries.size
  }

  /** Whether `key` is cached (does not touch recency). */
  has (key: string): boolean {
    return this.#entries.has(key)
  }
}
