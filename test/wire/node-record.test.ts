import test from 'ava'
import {
  createNodeRecord, verifyNodeRecord, nodeRecordKey, peerIdOfNodeRecordKey, validateNodeRecordEntry, selectNodeRecord,
  NODE_RECORD_ADDRS_MAX, NODE_RECORD_CAPABILITIES_MAX, NODE_RECORD_BYTES_MAX, NODE_RECORD_ADDR_LENGTH_MAX, NODE_RECORD_SIGNING_DOMAIN,
  NodeRecordBadSignatureError, NodeRecordKeyError, NodeRecordPeerMismatchError, NodeRecordSchemaError, MalformedNodeRecordError,
  NodeRecordTooLargeError, NODE_RECORD_NAMESPACE, type NodeRecordFields
} from '../../src/wire/node-record.ts'
import type { Selectors, Validators } from '@libp2p/kad-dht'
import { NodeRecordBody, SignedNodeRecord } from '../../protocols/node-record.ts'
import { SLUG_LENGTH_MAX } from '../../src/config/schema.ts'
import { testNode } from './fixtures.ts'

const alice = testNode(0)
const bob = testNode(1)

const fields = (overrides: Partial<NodeRecordFields> = {}): NodeRecordFields & { peerId: string } => ({
  peerId: alice.peerId,
  seq: 1,
  timestampMs: 1_800_000_000_000,
  siteId: 'uk_north',
  jurisdiction: 'UK',
  capabilities: ['water', 'power'],
  federationEnabled: true,
  addrs: ['/ip4/10.0.0.1/tcp/4001'],
  ...overrides
})

test('a node record verifies and binds the ML-DSA key to the PeerId', (t) => {
  const record = verifyNodeRecord(createNodeRecord(fields(), alice.signer), alice.peerId)
  t.like(record, { peerId: alice.peerId, seq: 1, siteId: 'uk_north', jurisdiction: 'UK', federationEnabled: true, version: 1 })
  t.deepEqual(record.capabilities, ['water', 'power'])
  t.deepEqual(record.addrs, ['/ip4/10.0.0.1/tcp/4001'])
  t.deepEqual(record.publicKey, alice.signer.publicKey)
})

test('a record for another PeerId than expected is refused', (t) => {
  const bytes = createNodeRecord(fields(), alice.signer)
  t.throws(() => verifyNodeRecord(bytes, bob.peerId), { instanceOf: NodeRecordPeerMismatchError })
})

test('a node cannot sign a record for a PeerId that is not its key', (t) => {
  t.throws(() => createNodeRecord(fields({ peerId: bob.peerId } as Partial<NodeRecordFields>), alice.signer), { instanceOf: NodeRecordPeerMismatchError })
})

test('a forged record (another key, or a swapped ML-DSA key) is refused', (t) => {
  const signed = SignedNodeRecord.decode(createNodeRecord(fields(), alice.signer))
  const body = NodeRecordBody.decode(signed.body)
  // mallory puts her own ML-DSA key in alice's record and signs with it: the Ed25519 half (from the PeerId) fails
  const swappedBody = NodeRecordBody.encode({ ...body, mldsaPublicKey: bob.signer.publicKey.mldsa })
  const domainSigned = new Uint8Array([...NODE_RECORD_SIGNING_DOMAIN, ...swappedBody])
  const bobSignature = bob.signer.sign(domainSigned)
  const forged = SignedNodeRecord.encode({ body: swappedBody, ed25519Signature: bobSignature.ed25519, mldsaSignature: bobSignature.mldsa })
  t.throws(() => verifyNodeRecord(forged, alice.peerId), { instanceOf: NodeRecordBadSignatureError })
  // tampered body, either signature
  const tampered = signed.body.slice(); tampered[tampered.length - 1]! ^= 1
  t.throws(() => verifyNodeRecord(SignedNodeRecord.encode({ ...signed, body: tampered })), { instanceOf: NodeRecordBadSignatureError })
  const badEd = signed.ed25519Signature.slice(); badEd[0]! ^= 1
  t.throws(() => verifyNodeRecord(SignedNodeRecord.encode({ ...signed, ed25519Signature: badEd })), { instanceOf: NodeRecordBadSignatureError })
  const badMl = signed.mldsaSignature.slice(); badMl[0]! ^= 1
  t.throws(() => verifyNodeRecord(SignedNodeRecord.encode({ ...signed, mldsaSignature: badMl })), { instanceOf: NodeRecordBadSignatureError })
})

test('node record limits: at the limit accepted, one past refused', (t) => {
  const capabilities = Array.from({ length: NODE_RECORD_CAPABILITIES_MAX }, (_, i) => `c${i}`.padEnd(SLUG_LENGTH_MAX, 'x'))
  const addrs = Array.from({ length: NODE_RECORD_ADDRS_MAX }, (_, i) => `/dns4/${'h'.repeat(NODE_RECORD_ADDR_LENGTH_MAX - 20)}/tcp/${4000 + i}`)
  const big = testNode(5, 87)
  const bytes = createNodeRecord({ ...fields({ capabilities, addrs }), peerId: big.peerId }, big.signer)
  t.true(bytes.length <= NODE_RECORD_BYTES_MAX, `${bytes.length} bytes`)
  t.is(verifyNodeRecord(bytes).capabilities.length, NODE_RECORD_CAPABILITIES_MAX)
  t.throws(() => createNodeRecord(fields({ capabilities: [...capabilities, 'one'] }), alice.signer), { instanceOf: NodeRecordSchemaError })
  t.throws(() => createNodeRecord(fields({ addrs: [...addrs, '/ip4/1.2.3.4/tcp/1'] }), alice.signer), { instanceOf: NodeRecordSchemaError })
  t.notThrows(() => createNodeRecord(fields({ addrs: [`/dns4/${'h'.repeat(NODE_RECORD_ADDR_LENGTH_MAX - 12)}/tcp/1`] }), alice.signer))
  t.throws(() => createNodeRecord(fields({ addrs: [`/dns4/${'h'.repeat(NODE_RECORD_ADDR_LENGTH_MAX - 11)}/tcp/1`] }), alice.signer), { instanceOf: NodeRecordSchemaError })
  t.throws(() => verifyNodeRecord(new Uint8Array(NODE_RECORD_BYTES_MAX + 1)), { instanceOf: NodeRecordTooLargeError })
})

test('a record whose repeated fields exceed their limits is refused at decode time', (t) => {
  const signed = SignedNodeRecord.decode(createNodeRecord(fields(), alice.signer))
  const body = NodeRecordBody.decode(signed.body)
  const tooMany = NodeRecordBody.encode({ ...body, capabilities: Array.from({ length: NODE_RECORD_CAPABILITIES_MAX + 1 }, () => 'a') })
  t.throws(() => verifyNodeRecord(SignedNodeRecord.encode({ ...signed, body: tooMany })), { instanceOf: MalformedNodeRecordError })
})

test('bad field grammar is a schema error', (t) => {
  const bad: Array<Partial<NodeRecordFields>> = [
    { siteId: 'UK North' }, { jurisdiction: 'uk' }, { capabilities: ['Water'] }, { addrs: ['not-a-multiaddr'] }, { seq: -1 }, { seq: 1.5 }, { timestampMs: 0 }
  ]
  for (const overrides of bad) t.throws(() => createNodeRecord(fields(overrides), alice.signer), { instanceOf: NodeRecordSchemaError }, JSON.stringify(overrides))
})

test('DHT keys are /fedmesh-node/<peerId>', (t) => {
  const key = nodeRecordKey(alice.peerId)
  t.is(new TextDecoder().decode(key), `/fedmesh-node/${alice.peerId}`)
  t.is(peerIdOfNodeRecordKey(key), alice.peerId)
  for (const bad of ['/pk/abc', '/fedmesh-node/', `/fedmesh-node/${alice.peerId}/x`, `fedmesh-node/${alice.peerId}`, '/fedmesh-participant/x']) {
    t.throws(() => peerIdOfNodeRecordKey(new TextEncoder().encode(bad)), { instanceOf: NodeRecordKeyError }, bad)
  }
})

test('the DHT validator accepts a valid record under its own key and rejects forged, mismatched and out-of-namespace entries', async (t) => {
  const bytes = createNodeRecord(fields(), alice.signer)
  await t.notThrowsAsync(validateNodeRecordEntry(nodeRecordKey(alice.peerId), bytes))
  await t.throwsAsync(validateNodeRecordEntry(nodeRecordKey(bob.peerId), bytes), { instanceOf: NodeRecordPeerMismatchError })
  await t.throwsAsync(validateNodeRecordEntry(new TextEncoder().encode(`/other/${alice.peerId}`), bytes), { instanceOf: NodeRecordKeyError })
  const signed = SignedNodeRecord.decode(bytes)
  const badMl = signed.mldsaSignature.slice(); badMl[10]! ^= 1
  await t.throwsAsync(validateNodeRecordEntry(nodeRecordKey(alice.peerId), SignedNodeRecord.encode({ ...signed, mldsaSignature: badMl })), { instanceOf: NodeRecordBadSignatureError })
  await t.throwsAsync(validateNodeRecordEntry(nodeRecordKey(alice.peerId), new Uint8Array([1, 2, 3])), { instanceOf: MalformedNodeRecordError })
})

test('the DHT selector picks the newest valid seq, skipping invalid records, deterministically on ties', (t) => {
  const key = nodeRecordKey(alice.peerId)
  const seq1 = createNodeRecord(fields({ seq: 1 }), alice.signer)
  const seq3 = createNodeRecord(fields({ seq: 3 }), alice.signer)
  const seq2 = createNodeRecord(fields({ seq: 2 }), alice.signer)
  const signed = SignedNodeRecord.decode(createNodeRecord(fields({ seq: 9 }), alice.signer))
  const badSig = signed.ed25519Signature.slice(); badSig[0]! ^= 1
  const forgedSeq9 = SignedNodeRecord.encode({ ...signed, ed25519Signature: badSig })
  const bobSeq10 = createNodeRecord({ ...fields({ seq: 10 }), peerId: bob.peerId }, bob.signer)
  t.is(selectNodeRecord(key, [seq1, seq3, seq2]), 1)
  t.is(selectNodeRecord(key, [forgedSeq9, seq1, bobSeq10, seq2]), 3)
  // same seq: later timestamp wins; same seq and timestamp: the smaller bytes, whatever the order
  const later = createNodeRecord(fields({ seq: 3, timestampMs: 1_800_000_000_001 }), alice.signer)
  t.is(selectNodeRecord(key, [seq3, later]), 1)
  const twin = createNodeRecord(fields({ seq: 3 }), alice.signer) // ML-DSA signing is randomised: different bytes
  const smaller = Buffer.compare(seq3, twin) < 0 ? seq3 : twin
  t.is([seq3, twin][selectNodeRecord(key, [seq3, twin])], smaller)
  t.is([twin, seq3][selectNodeRecord(key, [twin, seq3])], smaller)
  t.is(selectNodeRecord(key, [forgedSeq9]), 0, 'no valid record: index 0, which kad-dht re-validates')
})

test('the DHT helpers have the exact shapes kad-dht 15 expects for validators and selectors', async (t) => {
  const validators: Validators = { [NODE_RECORD_NAMESPACE]: validateNodeRecordEntry }
  const selectors: Selectors = { [NODE_RECORD_NAMESPACE]: selectNodeRecord }
  const bytes = createNodeRecord(fields(), alice.signer)
  await t.notThrowsAsync(validators[NODE_RECORD_NAMESPACE]!(nodeRecordKey(alice.peerId), bytes, { signal: AbortSignal.timeout(1000) }))
  t.is(selectors[NODE_RECORD_NAMESPACE]!(nodeRecordKey(alice.peerId), [bytes]), 0)
})
