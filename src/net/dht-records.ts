/**
 * DHT record namespaces: only fedmesh's own keys may be stored.
 *
 * kad-dht validates a record by the second path segment of its key and skips
 * validation for keys with fewer than three segments, so a peer could store
 * arbitrary short keys. We close that at the datastore: every DHT record write
 * is checked against our namespaces and validators before it lands.
 *
 * Provider records (ADD_PROVIDER, stored under `/dht/provider/<cid>/<peer>`)
 * skip kad-dht's validators entirely; the datastore bounds them too: per
 * providing peer and in total, so one peer cannot grow the store without end.
 */
import type { SelectFn, ValidateFn } from '@libp2p/kad-dht'
import { Libp2pRecord } from '@libp2p/record'
import { BaseDatastore } from 'datastore-core'
import { Key, type Datastore, type Pair, type Query, type KeyQuery, type Batch } from 'interface-datastore'
import type { AbortOptions } from '@libp2p/interface'
import { InputError } from '../core/errors.ts'

/** kad-dht stores records under this datastore prefix (its default `datastorePrefix` + `/record`). */
const DHT_RECORD_PREFIX = '/dht/record/'
/** …and provider records under this one, as `<prefix><cid base32>/<provider peer id>`. */
const DHT_PROVIDER_PREFIX = '/dht/provider/'

/** A stored DHT record (key + value + envelope): node records are ~6 KB with ML-DSA-87 keys; nothing of ours is larger. */
export const DHT_RECORD_BYTES_MAX = 16 * 1024
/** Provider records one peer may have stored here (capabilities × jurisdictions of one node is far below). */
export const PROVIDER_RECORDS_PER_PEER_MAX = 256
/** Provider records stored in all (a federation's members × their capabilities). */
export const PROVIDER_RECORDS_MAX = 16_384

/** Limits of the guard; the defaults are the constants above (tests lower them). */
export interface DhtGuardLimits {
  providerRecordsPerPeerMax?: number
  providerRecordsMax?: number
}

/** A provider record would pass the per-peer or total bound. */
export class DhtProviderLimitError extends InputError {
  static override readonly code = 'DhtProviderLimitError'
  override readonly name = 'DhtProviderLimitError'
}

/** A DHT record above DHT_RECORD_BYTES_MAX. */
export class DhtRecordTooLargeError extends InputError {
  static override readonly code = 'DhtRecordTooLargeError'
  override readonly name = 'DhtRecordTooLargeError'
}

/** A record namespace: validator and selector for keys `/<namespace>/...`. */
export interface DhtRecordType {
  validate: ValidateFn
  select: SelectFn
}

/** Namespace name (without slashes, e.g. `fedmesh-node`) → its record type. */
export type DhtRecordTypes = Record<string, DhtRecordType>

export class DhtKeyOutsideNamespaceError extends InputError {
  static override readonly code = 'DhtKeyOutsideNamespaceError'
  override readonly name = 'DhtKeyOutsideNamespaceError'
}

/** The namespace of a DHT key, or undefined for anything that is not `/<ns>/<id...>`. */
export function dhtKeyNamespace (key: Uint8Array): string | undefined {
  const text = new TextDecoder().decode(key)
  const parts = text.split('/')
  if (parts.length < 3 || parts[0] !== '' || parts[1] === '' || parts[2] === '') return undefined
  return parts[1]
}

/** Every namespace kad-dht ships a default validator for (`pk`, `ipns`) is refused: they are not ours. */
const refuseForeign: ValidateFn = async (key) => {
  throw new DhtKeyOutsideNamespaceError(`DHT key ${new TextDecoder().decode(key)} is outside fedmesh's namespaces`)
}

/** Validators for kad-dht: ours, and refusals that replace kad-dht's defaults. */
export function dhtRecordValidators (types: DhtRecordTypes = {}): Record<string, ValidateFn> {
  const validators: Record<string, ValidateFn> = { pk: refuseForeign, ipns: refuseForeign }
  for (const [namespace, type] of Object.entries(types)) validators[namespace] = type.validate
  return validators
}

/** Selectors for kad-dht. */
export function dhtRecordSelectors (types: DhtRecordTypes = {}): Record<string, SelectFn> {
  const selectors: Record<string, SelectFn> = {}
  for (const [namespace, type] of Object.entries(types)) selectors[namespace] = type.select
  return selectors
}

/**
 * Checks one DHT record write; throws DhtKeyOutsideNamespaceError for keys
 * outside the registered namespaces (including kad-dht's unvalidated short keys).
 */
export async function checkDhtRecordWrite (types: DhtRecordTypes, value: Uint8Array, options?: AbortOptions): Promise<void> {
  if (value.byteLength > DHT_RECORD_BYTES_MAX) throw new DhtRecordTooLargeError(`DHT record of ${value.byteLength} bytes exceeds ${DHT_RECORD_BYTES_MAX}`)
  const record = Libp2pRecord.deserialize(value)
  const namespace = dhtKeyNamespace(record.key)
  const type = namespace === undefined ? undefined : types[namespace]
  if (type === undefined) {
    throw new DhtKeyOutsideNamespaceError(`DHT key ${new TextDecoder().decode(record.key)} is outside fedmesh's namespaces`)
  }
  await type.validate(record.key, record.value, options)
}

/** A datastore that refuses DHT record writes outside our namespaces and passes everything else through. */
class GuardedDatastore extends BaseDatastore {
  private readonly inner: Datastore
  private readonly types: DhtRecordTypes
  private readonly perPeerMax: number
  private readonly totalMax: number
  /** stored provider records per providing peer, counted from the store on first use */
  private providers: { perPeer: Map<string, number>, total: number } | undefined
  /** provider writes one at a time: the count check and the write must not interleave */
  private providerWrites: Promise<unknown> = Promise.resolve()

  constructor (inner: Datastore, types: DhtRecordTypes, limits: DhtGuardLimits) {
    super()
    this.inner = inner
    this.types = types
    this.perPeerMax = limits.providerRecordsPerPeerMax ?? PROVIDER_RECORDS_PER_PEER_MAX
    this.totalMax = limits.providerRecordsMax ?? PROVIDER_RECORDS_MAX
  }

  override async put (key: Key, value: Uint8Array, options?: AbortOptions): Promise<Key> {
    const text = key.toString()
    if (text.startsWith(DHT_RECORD_PREFIX)) await checkDhtRecordWrite(this.types, value, options)
    if (text.startsWith(DHT_PROVIDER_PREFIX)) return await this.putProvider(key, value, options)
    return await this.inner.put(key, value, options)
  }

  override async get (key: Key, options?: AbortOptions): Promise<Uint8Array> { return await this.inner.get(key, options) }
  override async has (key: Key, options?: AbortOptions): Promise<boolean> { return await this.inner.has(key, options) }
  override async delete (key: Key, options?: AbortOptions): Promise<void> {
    if (key.toString().startsWith(DHT_PROVIDER_PREFIX)) {
      await this.serialProvider(async () => {
        if (await this.inner.has(key, options)) this.countProvider(key, -1)
        await this.inner.delete(key, options)
      })
      return
    }
    await this.inner.delete(key, options)
  }

  override batch (): Batch {
    const inner = this.inner.batch()
    const checks: Array<Promise<void>> = []
    const providerPuts: Array<[Key, Uint8Array]> = []
    return {
      put: (key: Key, value: Uint8Array) => {
        const text = key.toString()
        if (text.startsWith(DHT_RECORD_PREFIX)) checks.push(checkDhtRecordWrite(this.types, value))
        // provider records are counted one by one (kad-dht never batches them; anything else that does pays the same bounds)
        if (text.startsWith(DHT_PROVIDER_PREFIX)) providerPuts.push([key, value])
        else inner.put(key, value)
      },
      delete: (key: Key) => { inner.delete(key) },
      commit: async (options?: AbortOptions) => {
        await Promise.all(checks)
        await inner.commit(options)
        for (const [key, value] of providerPuts) await this.putProvider(key, value, options)
      }
    }
  }

  /** A provider record write within the per-peer and total bounds (a refresh of a held record is always fine). */
  private async putProvider (key: Key, value: Uint8Array, options?: AbortOptions): Promise<Key> {
    if (value.byteLength > DHT_RECORD_BYTES_MAX) throw new DhtRecordTooLargeError(`provider record of ${value.byteLength} bytes exceeds ${DHT_RECORD_BYTES_MAX}`)
    return await this.serialProvider(async () => {
      const counts = await this.providerCounts(options)
      if (!(await this.inner.has(key, options))) {
        const peer = providerOf(key)
        if ((counts.perPeer.get(peer) ?? 0) >= this.perPeerMax) throw new DhtProviderLimitError(`peer ${peer.slice(0, 64)} already has ${this.perPeerMax} provider records here`)
        if (counts.total >= this.totalMax) throw new DhtProviderLimitError(`${this.totalMax} provider records are stored here already`)
        this.countProvider(key, 1)
      }
      return await this.inner.put(key, value, options)
    })
  }

  private async serialProvider<R> (work: () => Promise<R>): Promise<R> {
    const run = this.providerWrites.then(work)
    this.providerWrites = run.catch(() => {})
    return await run
  }

  private async providerCounts (options?: AbortOptions): Promise<{ perPeer: Map<string, number>, total: number }> {
    if (this.providers === undefined) {
      const counts = { perPeer: new Map<string, number>(), total: 0 }
      for await (const key of this.inner.queryKeys({ prefix: DHT_PROVIDER_PREFIX }, options)) {
        const peer = providerOf(key)
        counts.perPeer.set(peer, (counts.perPeer.get(peer) ?? 0) + 1)
        counts.total++
      }
      this.providers = counts
    }
    return this.providers
  }

  private countProvider (key: Key, delta: number): void {
    if (this.providers === undefined) return
    const peer = providerOf(key)
    const count = Math.max(0, (this.providers.perPeer.get(peer) ?? 0) + delta)
    if (count === 0) this.providers.perPeer.delete(peer)
    else this.providers.perPeer.set(peer, count)
    this.providers.total = Math.max(0, this.providers.total + delta)
  }

  override _all (query: Query, options?: AbortOptions): AsyncIterable<Pair> | Iterable<Pair> { return this.inner.query(query, options) }
  override _allKeys (query: KeyQuery, options?: AbortOptions): AsyncIterable<Key> | Iterable<Key> { return this.inner.queryKeys(query, options) }
}

/** The providing peer of a provider key (its last segment). */
function providerOf (key: Key): string {
  const text = key.toString()
  return text.slice(text.lastIndexOf('/') + 1)
}

/** Wraps the libp2p datastore so DHT record writes are checked against `types` and provider records are bounded. */
export function guardDhtDatastore (inner: Datastore, types: DhtRecordTypes = {}, limits: DhtGuardLimits = {}): Datastore {
  return new GuardedDatastore(inner, types, limits)
}

export { Key }
