import test from 'ava'
import { randomBytes } from 'node:crypto'
import { Libp2pRecord } from '@libp2p/record'
import { MemoryDatastore } from 'datastore-core'
import { Key } from 'interface-datastore'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { guardDhtDatastore, dhtKeyNamespace, dhtRecordValidators, DhtKeyOutsideNamespaceError, DhtProviderLimitError, DhtRecordTooLargeError, DHT_RECORD_BYTES_MAX, PROVIDER_RECORDS_PER_PEER_MAX } from '../../src/net/dht-records.ts'
import { NODE_RECORD_DHT_TYPES } from '../../src/services/node-records/index.ts'
import { createNodeRecord, nodeRecordKey } from '../../src/wire/node-record.ts'
import { hybridSignerFromSeeds } from '../../src/crypto/hybrid.ts'

const encoder = new TextEncoder()

/** What kad-dht writes to the datastore for a PUT_VALUE of (key, value). */
function dhtWrite (key: Uint8Array, value: Uint8Array): { dsKey: Key, bytes: Uint8Array } {
  const dsKey = new Key(`/dht/record/${Buffer.from(key).toString('base64url')}`)
  return { dsKey, bytes: new Libp2pRecord(key, value, new Date()).serialize() }
}

async function validNodeRecord (): Promise<{ key: Uint8Array, value: Uint8Array }> {
  const privateKey = await generateKeyPair('Ed25519')
  const peerId = peerIdFromPrivateKey(privateKey).toString()
  const signer = hybridSignerFromSeeds({ ed25519Seed: privateKey.raw.subarray(0, 32), mldsaSeed: randomBytes(32) })
  const value = createNodeRecord({ peerId, seq: 1, timestampMs: Date.now(), siteId: 'uk_north', jurisdiction: 'UK', capabilities: [], federationEnabled: true, addrs: [] }, signer)
  return { key: nodeRecordKey(peerId), value }
}

test('namespaces are the second path segment of keys with at least three segments', (t) => {
  t.is(dhtKeyNamespace(encoder.encode('/fedmesh-node/abc')), 'fedmesh-node')
  t.is(dhtKeyNamespace(encoder.encode('/fedmesh-node/abc/def')), 'fedmesh-node')
  t.is(dhtKeyNamespace(encoder.encode('/short')), undefined)
  t.is(dhtKeyNamespace(encoder.encode('short')), undefined)
  t.is(dhtKeyNamespace(encoder.encode('//x')), undefined)
})

test('a valid node record is stored', async (t) => {
  const store = guardDhtDatastore(new MemoryDatastore(), NODE_RECORD_DHT_TYPES)
  const { key, value } = await validNodeRecord()
  const { dsKey, bytes } = dhtWrite(key, value)
  await store.put(dsKey, bytes)
  t.true(await store.has(dsKey))
})

const refused: Array<[string, string]> = [
  ['a short key kad-dht would not validate', '/anything'],
  ['a bare key', 'anything'],
  ['a public-key record', '/pk/abcdef'],
  ['an IPNS record', '/ipns/abcdef'],
  ['an unknown namespace', '/other-app/abc']
]
for (const [what, key] of refused) {
  test(`${what} is refused before it reaches the datastore`, async (t) => {
    const inner = new MemoryDatastore()
    const store = guardDhtDatastore(inner, NODE_RECORD_DHT_TYPES)
    const { dsKey, bytes } = dhtWrite(encoder.encode(key), encoder.encode('value'))
    await t.throwsAsync(async () => { await store.put(dsKey, bytes) }, { instanceOf: DhtKeyOutsideNamespaceError })
    t.false(await inner.has(dsKey))
  })
}

test('a forged node record is refused, in a put and in a batch', async (t) => {
  const inner = new MemoryDatastore()
  const store = guardDhtDatastore(inner, NODE_RECORD_DHT_TYPES)
  const { key, value } = await validNodeRecord()
  const forged = new Uint8Array(value)
  forged[forged.length - 5] ^= 0xff
  const { dsKey, bytes } = dhtWrite(key, forged)
  await t.throwsAsync(async () => { await store.put(dsKey, bytes) })
  const batch = store.batch()
  batch.put(dsKey, bytes)
  await t.throwsAsync(async () => { await batch.commit() })
  t.false(await inner.has(dsKey))
})

test('writes outside the DHT record prefix (peer store) pass through untouched', async (t) => {
  const store = guardDhtDatastore(new MemoryDatastore(), NODE_RECORD_DHT_TYPES)
  await store.put(new Key('/peers/abc'), encoder.encode('peer data'))
  t.deepEqual(await store.get(new Key('/peers/abc')), encoder.encode('peer data'))
})

test('kad-dht\'s default pk and ipns validators are replaced by refusals', async (t) => {
  const validators = dhtRecordValidators(NODE_RECORD_DHT_TYPES)
  await t.throwsAsync(validators.pk(encoder.encode('/pk/x'), encoder.encode('v')), { instanceOf: DhtKeyOutsideNamespaceError })
  await t.throwsAsync(validators.ipns(encoder.encode('/ipns/x'), encoder.encode('v')), { instanceOf: DhtKeyOutsideNamespaceError })
})

/** What kad-dht's Providers writes for an ADD_PROVIDER of `cid` by `peer`. */
function providerKey (cid: string, peer: string): Key {
  return new Key(`/dht/provider/${cid}/${peer}`)
}

test('20,000 provider records from one peer: the store keeps PROVIDER_RECORDS_PER_PEER_MAX of them and refuses the rest', async (t) => {
  const inner = new MemoryDatastore()
  const store = guardDhtDatastore(inner, NODE_RECORD_DHT_TYPES)
  const peer = peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString()
  let refused = 0
  for (let i = 0; i < 20_000; i++) {
    try {
      await store.put(providerKey(`cid${i}`, peer), new Uint8Array([1]))
    } catch (err) {
      t.true(err instanceof DhtProviderLimitError)
      refused++
    }
  }
  let stored = 0
  for await (const _ of inner.queryKeys({ prefix: '/dht/provider/' })) stored++
  t.is(stored, PROVIDER_RECORDS_PER_PEER_MAX)
  t.is(refused, 20_000 - PROVIDER_RECORDS_PER_PEER_MAX)
  // a refresh of a held record still lands; another peer still has room
  await t.notThrowsAsync(async () => { await store.put(providerKey('cid0', peer), new Uint8Array([2])) })
  await t.notThrowsAsync(async () => { await store.put(providerKey('cid0', 'other-peer'), new Uint8Array([1])) })
})

test('provider records: the per-peer and total bounds at their boundary, and a deletion frees room', async (t) => {
  const store = guardDhtDatastore(new MemoryDatastore(), NODE_RECORD_DHT_TYPES, { providerRecordsPerPeerMax: 3, providerRecordsMax: 5 })
  for (let i = 0; i < 3; i++) await store.put(providerKey(`c${i}`, 'p1'), new Uint8Array([1]))
  await t.throwsAsync(async () => { await store.put(providerKey('c3', 'p1'), new Uint8Array([1])) }, { instanceOf: DhtProviderLimitError })
  for (let i = 0; i < 2; i++) await store.put(providerKey(`c${i}`, 'p2'), new Uint8Array([1]))
  await t.throwsAsync(async () => { await store.put(providerKey('c2', 'p2'), new Uint8Array([1])) }, { instanceOf: DhtProviderLimitError, message: /5 provider records/ })
  await store.delete(providerKey('c0', 'p1'))
  await t.notThrowsAsync(async () => { await store.put(providerKey('c2', 'p2'), new Uint8Array([1])) })
})

test('a DHT record above DHT_RECORD_BYTES_MAX is refused before it is parsed; one at the limit is checked by its namespace', async (t) => {
  const store = guardDhtDatastore(new MemoryDatastore(), NODE_RECORD_DHT_TYPES)
  await t.throwsAsync(async () => { await store.put(new Key('/dht/record/x'), new Uint8Array(DHT_RECORD_BYTES_MAX + 1)) }, { instanceOf: DhtRecordTooLargeError })
  await t.throwsAsync(async () => { await store.put(new Key('/dht/record/x'), new Uint8Array(DHT_RECORD_BYTES_MAX)) }, { message: /./ })
  const err = await t.throwsAsync(async () => { await store.put(new Key('/dht/record/x'), new Uint8Array(DHT_RECORD_BYTES_MAX)) })
  t.false(err instanceof DhtRecordTooLargeError)
})

test('every write path is guarded: putMany and batch pay the provider bounds, deleteMany frees room', async (t) => {
  const inner = new MemoryDatastore()
  const store = guardDhtDatastore(inner, NODE_RECORD_DHT_TYPES, { providerRecordsPerPeerMax: 2, providerRecordsMax: 100 })
  const many = async function * (): AsyncGenerator<{ key: Key, value: Uint8Array }> {
    for (let i = 0; i < 3; i++) yield { key: providerKey(`m${i}`, 'p1'), value: new Uint8Array([1]) }
  }
  await t.throwsAsync(async () => { for await (const _ of store.putMany(many())) { /* drain */ } }, { instanceOf: DhtProviderLimitError })
  const batch = store.batch()
  batch.put(providerKey('b0', 'p1'), new Uint8Array([1]))
  await t.throwsAsync(async () => { await batch.commit() }, { instanceOf: DhtProviderLimitError })
  let stored = 0
  for await (const _ of inner.queryKeys({ prefix: '/dht/provider/' })) stored++
  t.is(stored, 2, 'the inner store holds only what the bound allows')
  for await (const _ of store.deleteMany((async function * () { yield providerKey('m0', 'p1') })())) { /* drain */ }
  await t.notThrowsAsync(async () => { await store.put(providerKey('m9', 'p1'), new Uint8Array([1])) })
  await t.throwsAsync(async () => { await store.put(new Key('/dht/record/x'), new Uint8Array(DHT_RECORD_BYTES_MAX + 1)) }, { instanceOf: DhtRecordTooLargeError })
})
