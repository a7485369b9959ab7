import test from 'ava'
import { capabilityCid, capabilityCids, checkCapabilityQuery, InvalidCapabilityQueryError, providerRejection } from '../../src/net/capability-records.ts'
import type { NodeRecord } from '../../src/wire/node-record.ts'
import type { HybridPublicKey } from '../../src/core/signature.ts'

const key: HybridPublicKey = { ed25519: new Uint8Array(32).fill(1), mldsa: new Uint8Array(1312).fill(2), mldsaLevel: 44 }
const record: NodeRecord = {
  version: 1, peerId: 'p', publicKey: key, seq: 1, timestampMs: 1, siteId: 'uk_north', jurisdiction: 'UK', capabilities: ['water', 'power'], federationEnabled: true, addrs: []
}

test('provider keys are per federation, capability and jurisdiction, and the same on every node', (t) => {
  t.is(capabilityCid('f', 'water').toString(), capabilityCid('f', 'water').toString())
  const all = [capabilityCid('f', 'water'), capabilityCid('f', 'water', 'UK'), capabilityCid('f', 'power'), capabilityCid('g', 'water')].map(String)
  t.is(new Set(all).size, 4)
  t.deepEqual(capabilityCids('f', ['water', 'power'], 'UK').map(String), [capabilityCid('f', 'water'), capabilityCid('f', 'water', 'UK'), capabilityCid('f', 'power'), capabilityCid('f', 'power', 'UK')].map(String))
})

test('queries: a capability is a slug of at most 64 characters, a jurisdiction an ISO 3166 code', (t) => {
  t.notThrows(() => { checkCapabilityQuery('a'.repeat(64), 'US-CA') })
  t.throws(() => { checkCapabilityQuery('a'.repeat(65)) }, { instanceOf: InvalidCapabilityQueryError })
  t.throws(() => { checkCapabilityQuery('Water') }, { instanceOf: InvalidCapabilityQueryError })
  t.throws(() => { checkCapabilityQuery('water', 'uk') }, { instanceOf: InvalidCapabilityQueryError })
})

test('a provider is listed only as a member whose signed node record binds its membership key and names the capability and jurisdiction', (t) => {
  t.is(providerRejection({ capability: 'water', memberKey: key, record }), null)
  t.is(providerRejection({ capability: 'water', jurisdiction: 'UK', memberKey: key, record }), null)
  t.is(providerRejection({ capability: 'water', memberKey: undefined, record }), 'not_member')
  t.is(providerRejection({ capability: 'water', memberKey: key, record: undefined }), 'no_node_record')
  t.is(providerRejection({ capability: 'water', memberKey: { ...key, mldsa: new Uint8Array(1312).fill(3) }, record }), 'key_mismatch')
  t.is(providerRejection({ capability: 'gas', memberKey: key, record }), 'capability_not_in_record')
  t.is(providerRejection({ capability: 'water', jurisdiction: 'IE', memberKey: key, record }), 'jurisdiction_mismatch')
})
