import test from 'ava'
import {
  decodeEnvelope, forwardEnvelope, signEnvelope, DATA_CLASSES, PRIORITIES, ENVELOPE_SIGNING_DOMAIN, type EnvelopeFields
} from '../../src/wire/envelope.ts'
import {
  CONTENT_TYPE_LENGTH_MAX, DESTINATION_LENGTH_MAX, ENVELOPE_BYTES_MAX, ENVELOPE_ID_BYTES, FEDERATION_ID_LENGTH_MAX, PAYLOAD_BYTES_MAX,
  SCHEMA_ID_LENGTH_MAX, SOURCE_LENGTH_MAX, TTL_HOPS_MAX
} from '../../src/wire/limits.ts'
import { EnvelopeSchemaError, EnvelopeTooLargeError, MalformedEnvelopeError } from '../../src/wire/errors.ts'
import { hybridVerifier } from '../../src/crypto/hybrid.ts'
import { SignedEnvelope } from '../../protocols/envelope.ts'
import { fieldsFrom, envelopeFrom, testNode, NOW_MS } from './fixtures.ts'

const alice = testNode(0)

test('a signed envelope decodes to the fields it was signed with, and its signature covers the body', (t) => {
  const fields = fieldsFrom(alice, { id: new Uint8Array(16).fill(7), ttl: 3, priority: 'urgent' })
  const decoded = decodeEnvelope(signEnvelope(fields, alice.signer))
  t.like(decoded.envelope, {
    version: 1, timestampMs: NOW_MS, source: alice.peerId, destination: fields.destination, federationId: 'grid', ttl: 3, hops: 0,
    dataClass: 'aggregated_metrics', priority: 'urgent', schemaId: fields.schemaId, contentType: 'application/json'
  })
  t.deepEqual(decoded.envelope.id, new Uint8Array(16).fill(7))
  t.deepEqual(decoded.envelope.payload, fields.payload)
  t.is(decoded.idHex, '07'.repeat(16))
  t.deepEqual(decoded.signedBytes.subarray(0, ENVELOPE_SIGNING_DOMAIN.length), ENVELOPE_SIGNING_DOMAIN)
  t.true(hybridVerifier().verify(alice.signer.publicKey, decoded.signedBytes, decoded.signature))
})

test('every data class and priority round-trips', (t) => {
  for (const dataClass of DATA_CLASSES) {
    for (const priority of PRIORITIES) {
      const { envelope } = decodeEnvelope(envelopeFrom(alice, { dataClass, priority }))
      t.is(envelope.dataClass, dataClass)
      t.is(envelope.priority, priority)
    }
  }
})

test('new envelopes keep the 16-byte id they are given, and get ttl 8 and content type application/protobuf by default', (t) => {
  const { contentType: _, ...fields } = fieldsFrom(alice)
  const first = decodeEnvelope(signEnvelope(fields, alice.signer)).envelope
  const second = decodeEnvelope(signEnvelope({ ...fields, id: new Uint8Array(16).fill(9) }, alice.signer)).envelope
  t.is(first.id.length, ENVELOPE_ID_BYTES)
  t.deepEqual(first.id, fields.id)
  t.notDeepEqual(first.id, second.id)
  t.is(first.ttl, 8)
  t.is(first.contentType, 'application/protobuf')
})

test('forwarding raises the hop count and keeps the signature valid', (t) => {
  const bytes = forwardEnvelope(forwardEnvelope(envelopeFrom(alice)))
  const decoded = decodeEnvelope(bytes)
  t.is(decoded.envelope.hops, 2)
  t.true(hybridVerifier().verify(alice.signer.publicKey, decoded.signedBytes, decoded.signature))
})

/** Both sides of each field limit: [name, fields at the limit, fields one past it]. */
const boundaries: Array<[string, Partial<EnvelopeFields>, Partial<EnvelopeFields>]> = [
  ['payload', { payload: new Uint8Array(PAYLOAD_BYTES_MAX) }, { payload: new Uint8Array(PAYLOAD_BYTES_MAX + 1) }],
  ['source', { source: 'z'.repeat(SOURCE_LENGTH_MAX) }, { source: 'z'.repeat(SOURCE_LENGTH_MAX + 1) }],
  ['destination', { destination: 'd'.repeat(DESTINATION_LENGTH_MAX) }, { destination: 'd'.repeat(DESTINATION_LENGTH_MAX + 1) }],
  ['federation id', { federationId: 'f'.repeat(FEDERATION_ID_LENGTH_MAX) }, { federationId: 'f'.repeat(FEDERATION_ID_LENGTH_MAX + 1) }],
  ['schema id', { schemaId: 's'.repeat(SCHEMA_ID_LENGTH_MAX) }, { schemaId: 's'.repeat(SCHEMA_ID_LENGTH_MAX + 1) }],
  ['content type', { contentType: `a/${'b'.repeat(CONTENT_TYPE_LENGTH_MAX - 2)}` }, { contentType: `a/${'b'.repeat(CONTENT_TYPE_LENGTH_MAX - 1)}` }],
  ['ttl (high)', { ttl: TTL_HOPS_MAX }, { ttl: TTL_HOPS_MAX + 1 }],
  ['ttl (low)', { ttl: 1 }, { ttl: 0 }],
  ['id (long)', { id: new Uint8Array(ENVELOPE_ID_BYTES) }, { id: new Uint8Array(ENVELOPE_ID_BYTES + 1) }],
  ['id (short)', { id: new Uint8Array(ENVELOPE_ID_BYTES) }, { id: new Uint8Array(ENVELOPE_ID_BYTES - 1) }],
  ['timestamp', { timestampMs: 1 }, { timestampMs: 0 }]
]

for (const [name, atLimit, pastLimit] of boundaries) {
  test(`envelope ${name}: at the limit it is accepted, one past it is a schema error`, (t) => {
    const decoded = decodeEnvelope(envelopeFrom(alice, atLimit))
    t.truthy(decoded)
    t.throws(() => envelopeFrom(alice, pastLimit), { instanceOf: EnvelopeSchemaError })
  })
}

test('header fields must follow their grammar', (t) => {
  const bad: Array<Partial<EnvelopeFields>> = [
    { source: 'not a peer id' }, { source: '' }, { destination: 'has space' }, { destination: '' },
    { federationId: 'Grid' }, { federationId: '' }, { schemaId: 'Fedmesh/1' }, { contentType: 'json' },
    { contentType: 'application/json; charset=utf-8' }, { dataClass: 'gossip' as 'vote' }, { priority: 'now' as 'urgent' },
    { timestampMs: 1.5 }, { timestampMs: Number.MAX_SAFE_INTEGER + 2 }, { hops: -1 }
  ]
  for (const fields of bad) t.throws(() => envelopeFrom(alice, fields), { instanceOf: EnvelopeSchemaError }, JSON.stringify(fields))
})

test('an envelope with every field at its limit and ML-DSA-87 signatures still fits ENVELOPE_BYTES_MAX', (t) => {
  const big = testNode(9, 87)
  const bytes = envelopeFrom(big, {
    payload: new Uint8Array(PAYLOAD_BYTES_MAX).fill(0xff),
    destination: 'd'.repeat(DESTINATION_LENGTH_MAX),
    federationId: 'f'.repeat(FEDERATION_ID_LENGTH_MAX),
    schemaId: 's'.repeat(SCHEMA_ID_LENGTH_MAX),
    contentType: `a/${'b'.repeat(CONTENT_TYPE_LENGTH_MAX - 2)}`,
    ttl: TTL_HOPS_MAX,
    hops: TTL_HOPS_MAX,
    priority: 'critical',
    dataClass: 'coordination_request',
    timestampMs: Number.MAX_SAFE_INTEGER
  })
  t.true(bytes.length <= ENVELOPE_BYTES_MAX, `${bytes.length} bytes`)
  t.is(decodeEnvelope(bytes).signature.mldsa.length, 4627)
})

test('ENVELOPE_BYTES_MAX: one byte more is too large, exactly the limit passes the size check', (t) => {
  t.throws(() => decodeEnvelope(new Uint8Array(ENVELOPE_BYTES_MAX + 1)), { instanceOf: EnvelopeTooLargeError })
  // zero bytes are a valid empty protobuf, so the limit-sized input fails later, at the schema
  const err = t.throws(() => decodeEnvelope(new Uint8Array(ENVELOPE_BYTES_MAX)))
  t.not(err?.name, 'EnvelopeTooLargeError')
})

test('bytes that are not protobuf are a MalformedEnvelopeError', (t) => {
  t.throws(() => decodeEnvelope(new Uint8Array([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f])), { instanceOf: MalformedEnvelopeError })
  t.throws(() => decodeEnvelope(envelopeFrom(alice).subarray(0, 100)), { instanceOf: MalformedEnvelopeError })
})

test('an empty message is a schema error (every required field is missing)', (t) => {
  t.throws(() => decodeEnvelope(new Uint8Array(0)), { instanceOf: EnvelopeSchemaError })
})

test('signature sizes: Ed25519 must be 64 bytes and ML-DSA one of the FIPS 204 sizes, else a schema error', (t) => {
  const signed = SignedEnvelope.decode(envelopeFrom(alice))
  t.notThrows(() => decodeEnvelope(SignedEnvelope.encode(signed)))
  for (const ed25519Signature of [signed.ed25519Signature.subarray(1), new Uint8Array(65)]) {
    t.throws(() => decodeEnvelope(SignedEnvelope.encode({ ...signed, ed25519Signature })), { instanceOf: EnvelopeSchemaError })
  }
  for (const length of [0, 2419, 3308, 3310, 4628]) {
    t.throws(() => decodeEnvelope(SignedEnvelope.encode({ ...signed, mldsaSignature: new Uint8Array(length) })), { instanceOf: EnvelopeSchemaError }, String(length))
  }
  for (const length of [2420, 4627]) {
    t.notThrows(() => decodeEnvelope(SignedEnvelope.encode({ ...signed, mldsaSignature: new Uint8Array(length) })), String(length))
  }
})
