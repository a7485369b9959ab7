/**
 * A small persistent (copy-on-write) map from strings: keys are spread over
 * a fixed number of buckets, and `set` / `delete` copy one bucket plus the
 * bucket array, sharing the rest with the previous version. The consensus
 * state is an immutable value updated on every vote, and copying a whole Map
 * of 1,000 slots (or 100 votes) per vote was most of a vote's cost.
 */

function bucketOf (key: string, bucketCount: number): number {
  // FNV-1a: cheap, and spreads sequential keys such as gov/1, gov/2 evenly
  let h = 0x811c9dc5
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  return (h >>> 0) % bucketCount
}

const EMPTY_BUCKET: ReadonlyMap<string, never> = new Map<string, never>()

/** An immutable map from strings to V; every change returns a new map. */
export class PersistentMap<V> implements Iterable<[string, V]> {
  private constructor (
    private readonly buckets: ReadonlyArray<ReadonlyMap<string, V>>,
    readonly size: number
  ) {}

  /** An empty map over `bucketCount` buckets (about √ of the expected size keeps both copies small). */
  static empty<V> (bucketCount: number): PersistentMap<V> {
    return new PersistentMap<V>(new Array<ReadonlyMap<string, V>>(bucketCount).fill(EMPTY_BUCKET), 0)
  }

  get (key: string): V | undefined {
    return this.buckets[bucketOf(key, this.buckets.length)]!.get(key)
  }

  has (key: string): boolean {
    return this.buckets[bucketOf(key, this.buckets.length)]!.has(key)
  }

  /** A map with `key` set to `value`. */
  set (key: string, value: V): PersistentMap<V> {
    const index = bucketOf(key, this.buckets.length)
    const old = this.buckets[index]!
    const bucket = new Map(old).set(key, value)
    const buckets = [...this.buckets]
    buckets[index] = bucket
    return new PersistentMap(buckets, this.size + (old.has(key) ? 0 : 1))
  }

  /** A map without `key` (this map when it is absent). */
  delete (key: string): PersistentMap<V> {
    const index = bucketOf(key, this.buckets.length)
    if (!this.buckets[index]!.has(key)) return this
    const bucket = new Map(this.buckets[index]!)
    bucket.delete(key)
    const buckets = [...this.buckets]
    buckets[index] = bucket
    return new PersistentMap(buckets, this.size - 1)
  }

  /** Calls `fn` for each entry, in no particular order (faster than the iterators on hot paths). */
  forEach (fn: (value: V, key: string) => void): void {
    for (const bucket of this.buckets) bucket.forEach(fn)
  }

  /** Entries in no particular order. */
  * entries (): IterableIterator<[string, V]> {
    for (const bucket of this.buckets) yield * bucket.entries()
  }

  * values (): IterableIterator<V> {
    for (const bucket of this.buckets) yield * bucket.values()
  }

  * keys (): IterableIterator<string> {
    for (const bucket of this.buckets) yield * bucket.keys()
  }

  [Symbol.iterator] (): IterableIterator<[string, V]> {
    return this.entries()
  }
}
