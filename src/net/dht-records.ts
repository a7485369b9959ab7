/**
 * DHT record namespaces: only fedmesh's own keys may be stored.
 *
 * kad-dht validates a record by the second path segment of its key and skips
 * validation for keys with fewer than three segments, so a peer could store
 * arbitrary short keys. We close that at the datastore: every DHT record write
 * is checked against our namespaces and validators before it lands.
 */
import type { SelectFn, ValidateFn } from '@libp2p/kad-dht'
import { Libp2pRecord } from '@libp2p/record'
import { BaseDatastore } from 'datastore-core'
import { Key, type Datastore, type Pair, type Query, type KeyQuery, type Batch } from 'interface-datastore'
import type { AbortOptions } from '@libp2p/interface'
import { InputError } from '../core/errors.ts'

/** kad-dht stores records under this datastore prefix (its default `datastorePrefix` + `/record`). */
const DHT_RECORD_PREFIX = '/dht/record/'

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

  constructor (inner: Datastore, types: DhtRecordTypes) {
    super()
    this.inner = inner
    this.types = types
  }

  override async put (key: Key, value: Uint8Array, options?: AbortOptions): Promise<Key> {
    if (key.toString().startsWith(DHT_RECORD_PREFIX)) await checkDhtRecordWrite(this.types, value, options)
    return await this.inner.put(key, value, options)
  }

  override async get (key: Key, options?: AbortOptions): Promise<Uint8Array> { return await this.inner.get(key, options) }
  override async has (key: Key, options?: AbortOptions): Promise<boolean> { return await this.inner.has(key, options) }
  override async delete (key: Key, options?: AbortOptions): Promise<void> { await this.inner.delete(key, options) }
  override batch (): Batch {
    const inner = this.inner.batch()
    const checks: Array<Promise<void>> = []
    return {
      put: (key: Key, value: Uint8Array) => {
        if (key.toString().startsWith(DHT_RECORD_PREFIX)) checks.push(checkDhtRecordWrite(this.types, value))
        inner.put(key, value)
      },
      delete: (key: Key) => { inner.delete(key) },
      commit: async (options?: AbortOptions) => {
        await Promise.all(checks)
        await inner.commit(options)
      }
    }
  }

  override _all (query: Query, options?: AbortOptions): AsyncIterable<Pair> | Iterable<Pair> { return this.inner.query(query, options) }
  override _allKeys (query: KeyQuery, options?: AbortOptions): AsyncIterable<Key> | Iterable<Key> { return this.inner.queryKeys(query, options) }
}

/** Wraps the libp2p datastore so DHT record writes are checked against `types`. */
export function guardDhtDatastore (inner: Datastore, types: DhtRecordTypes = {}): Datastore {
  return new GuardedDatastore(inner, types)
}

export { Key }
