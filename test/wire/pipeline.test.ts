import test from 'ava'
import { validateEnvelope, ReplayCache, type PipelineContext } from '../../src/wire/pipeline.ts'
import { verdictOf } from '../../src/core/errors.ts'
import {
  BadSignatureError, DuplicateEnvelopeError, EnvelopeSchemaError, ExpiredEnvelopeError, FutureEnvelopeError, MalformedEnvelopeError,
  NonMemberSourceError, StaleEnvelopeError, WrongDataClassError, WrongDestinationError, WrongFederationError, EnvelopeError, EnvelopeTooLargeError,
  UnsupportedEnvelopeVersionError, ENVELOPE_ERROR_CODES
} from '../../src/wire/errors.ts'
import { CLOCK_SKEW_MS_MAX, REPLAY_CACHE_ENTRIES_MAX, TTL_HOPS_MAX } from '../../src/wire/limits.ts'
import { forwardEnvelope, signEnvelope } from '../../src/wire/envelope.ts'
import { SignedEnvelope, EnvelopeBody } from '../../protocols/envelope.ts'
import { hybridVerifier } from '../../src/crypto/hybrid.ts'
import { contextFor, envelopeFrom, fieldsFrom, testNode, NOW_MS } from './fixtures.ts'

const alice = testNode(0)
const bob = testNode(1)
const mallory = testNode(2)
const members = [alice, bob]

test('a valid envelope from a member is accepted and handed over with its fields', (t) => {
  const validated = validateEnvelope(envelopeFrom(alice, { payload: new Uint8Array([1, 2, 3]) }), contextFor(members))
  t.is(validated.source, alice.peerId)
  t.is(validated.dataClass, 'aggregated_metrics')
  t.deepEqual(validated.payload, new Uint8Array([1, 2, 3]))
  t.is(validated.idHex.length, 32)
  t.deepEqual(validated.sourceKey, alice.signer.publicKey)
})

test('the same envelope twice is a duplicate (ignore)', (t) => {
  const context = contextFor(members)
  const bytes = envelopeFrom(alice)
  validateEnvelope(bytes, context)
  const err = t.throws(() => validateEnvelope(bytes, context), { instanceOf: DuplicateEnvelopeError })
  t.deepEqual(verdictOf(err), { action: 'ignore', code: 'duplicate' })
  // forwarded copies (more hops) are still the same envelope
  t.throws(() => validateEnvelope(forwardEnvelope(bytes), context), { instanceOf: DuplicateEnvelopeError })
})

test('a durable seen-before check also marks duplicates', (t) => {
  const bytes = envelopeFrom(alice)
  const context = contextFor(members, { seenBefore: () => true })
  t.throws(() => validateEnvelope(bytes, context), { instanceOf: DuplicateEnvelopeError })
})

test('a forged envelope reusing a real id does not get the real one ignored', (t) => {
  const context = contextFor(members)
  const id = new Uint8Array(16).fill(42)
  const forged = envelopeFrom(mallory, { id, source: alice.peerId })
  t.throws(() => validateEnvelope(forged, context), { instanceOf: BadSignatureError })
  t.notThrows(() => validateEnvelope(envelopeFrom(alice, { id }), context))
})

test('clock skew: exactly CLOCK_SKEW_MS_MAX either way is accepted, one ms more is stale or future', (t) => {
  const context = contextFor(members)
  t.notThrows(() => validateEnvelope(envelopeFrom(alice, { timestampMs: NOW_MS - CLOCK_SKEW_MS_MAX }), context))
  t.notThrows(() => validateEnvelope(envelopeFrom(alice, { timestampMs: NOW_MS + CLOCK_SKEW_MS_MAX }), context))
  const stale = t.throws(() => validateEnvelope(envelopeFrom(alice, { timestampMs: NOW_MS - CLOCK_SKEW_MS_MAX - 1 }), context), { instanceOf: StaleEnvelopeError })
  const future = t.throws(() => validateEnvelope(envelopeFrom(alice, { timestampMs: NOW_MS + CLOCK_SKEW_MS_MAX + 1 }), context), { instanceOf: FutureEnvelopeError })
  t.is(stale?.action, 'ignore')
  t.is(future?.action, 'ignore')
})

test('hops: at the ttl it is accepted, one more hop is expired (ignore)', (t) => {
  const context = contextFor(members)
  t.notThrows(() => validateEnvelope(envelopeFrom(alice, { ttl: 2, hops: 2 }), context))
  const bytes = envelopeFrom(alice, { ttl: 2, hops: 2 })
  t.throws(() => validateEnvelope(forwardEnvelope(bytes), contextFor(members)), { instanceOf: ExpiredEnvelopeError })
  t.throws(() => validateEnvelope(envelopeFrom(alice, { ttl: TTL_HOPS_MAX, hops: TTL_HOPS_MAX + 1 }), context), { instanceOf: ExpiredEnvelopeError })
})

test('an envelope for another federation is rejected', (t) => {
  const err = t.throws(() => validateEnvelope(envelopeFrom(alice, { federationId: 'other' }), contextFor(members)), { instanceOf: WrongFederationError })
  t.deepEqual(verdictOf(err), { action: 'reject', code: 'wrong_federation' })
})

test('an envelope from a non-member, even validly signed by its own key, is rejected', (t) => {
  const err = t.throws(() => validateEnvelope(envelopeFrom(mallory), contextFor(members)), { instanceOf: NonMemberSourceError })
  t.deepEqual(verdictOf(err), { action: 'reject', code: 'non_member' })
})

test('an envelope claiming a member as source but signed by another key is rejected', (t) => {
  const forged = signEnvelope(fieldsFrom(alice), mallory.signer)
  t.throws(() => validateEnvelope(forged, contextFor(members)), { instanceOf: BadSignatureError })
})

test('a valid Ed25519 signature with a bad ML-DSA signature is rejected, and the other way round', (t) => {
  const signed = SignedEnvelope.decode(envelopeFrom(alice))
  const otherMldsa = SignedEnvelope.decode(signEnvelope(fieldsFrom(alice), { publicKey: alice.signer.publicKey, sign: (m) => ({ ...bob.signer.sign(m) }) }))
  const mixes = [
    { ...signed, mldsaSignature: otherMldsa.mldsaSignature },
    { ...signed, ed25519Signature: otherMldsa.ed25519Signature }
  ]
  for (const mix of mixes) {
    const err = t.throws(() => validateEnvelope(SignedEnvelope.encode(mix), contextFor(members)), { instanceOf: BadSignatureError })
    t.deepEqual(verdictOf(err), { action: 'reject', code: 'bad_signature' })
  }
})

test('an envelope of another data class than the channel carries is rejected', (t) => {
  const context = contextFor(members, { expectedDataClass: 'aggregated_metrics' })
  t.throws(() => validateEnvelope(envelopeFrom(alice, { dataClass: 'vote' }), context), { instanceOf: WrongDataClassError })
  t.notThrows(() => validateEnvelope(envelopeFrom(alice), context))
})

test('an envelope addressed elsewhere (a peer\'s bilateral stream, another topic) is rejected on a gossip channel', (t) => {
  const topic = '/fedmesh/grid/aggregated_metrics/1'
  const context = contextFor(members, { expectedDataClass: 'aggregated_metrics', expectedDestination: topic })
  for (const destination of [bob.peerId, '/fedmesh/other/aggregated_metrics/1']) {
    const err = t.throws(() => validateEnvelope(envelopeFrom(alice, { destination }), context), { instanceOf: WrongDestinationError })
    t.is(err?.action, 'reject')
  }
  t.notThrows(() => validateEnvelope(envelopeFrom(alice, { destination: topic }), context))
})

test('a newer envelope version is ignored, not rejected', (t) => {
  const signed = SignedEnvelope.decode(envelopeFrom(alice))
  const body = EnvelopeBody.decode(signed.body)
  const newer = EnvelopeBody.encode({ ...body, version: 2 })
  const bytes = SignedEnvelope.encode({ ...signed, body: newer })
  const err = t.throws(() => validateEnvelope(bytes, contextFor(members)), { instanceOf: UnsupportedEnvelopeVersionError })
  t.is(err?.action, 'ignore')
})

test('tampering with any byte of the payload or either signature is a bad signature', (t) => {
  const bytes = envelopeFrom(alice, { payload: new Uint8Array(64).fill(9) })
  const signed = SignedEnvelope.decode(bytes)
  const verifier = hybridVerifier()
  const check = (mutated: SignedEnvelope): void => {
    t.throws(() => validateEnvelope(SignedEnvelope.encode(mutated), contextFor(members, { verifier })), { instanceOf: BadSignatureError })
  }
  const payloadStart = signed.body.length - 64
  for (let index = payloadStart; index < signed.body.length; index++) {
    const body = signed.body.slice(); body[index]! ^= 0x01
    check({ ...signed, body })
  }
  for (let index = 0; index < signed.ed25519Signature.length; index++) {
    const ed25519Signature = signed.ed25519Signature.slice(); ed25519Signature[index]! ^= 0x80
    check({ ...signed, ed25519Signature })
  }
  for (let index = 0; index < signed.mldsaSignature.length; index++) {
    const mldsaSignature = signed.mldsaSignature.slice(); mldsaSignature[index]! ^= 0x01
    check({ ...signed, mldsaSignature })
  }
})

test('tampering with any header byte is refused with a named envelope error, never accepted', (t) => {
  const bytes = envelopeFrom(alice, { payload: new Uint8Array(8) })
  const signed = SignedEnvelope.decode(bytes)
  const headerEnd = signed.body.length - 8 - 2 // payload bytes and their tag + length
  const codes = new Set<string>()
  for (let index = 0; index < headerEnd; index++) {
    for (const flip of [0x01, 0x80]) {
      const body = signed.body.slice(); body[index]! ^= flip
      const err = t.throws(() => validateEnvelope(SignedEnvelope.encode({ ...signed, body }), contextFor(members)))
      t.true(err instanceof EnvelopeError, `byte ${index}: ${String(err)}`)
      codes.add((err as EnvelopeError).code)
    }
  }
  t.log('header tamper codes:', [...codes].sort().join(', '))
  t.true(codes.has('bad_signature'))
})

test('every error maps to its gossip verdict; anything else is ignore/internal', (t) => {
  const table: Array<[EnvelopeError, 'reject' | 'ignore']> = [
    [new EnvelopeTooLargeError('x'), 'reject'], [new MalformedEnvelopeError('x'), 'reject'], [new EnvelopeSchemaError('x'), 'reject'],
    [new UnsupportedEnvelopeVersionError('x'), 'ignore'], [new WrongDataClassError('x'), 'reject'], [new WrongDestinationError('x'), 'reject'], [new DuplicateEnvelopeError('x'), 'ignore'],
    [new ExpiredEnvelopeError('x'), 'ignore'], [new StaleEnvelopeError('x'), 'ignore'], [new FutureEnvelopeError('x'), 'ignore'],
    [new WrongFederationError('x'), 'reject'], [new NonMemberSourceError('x'), 'reject'], [new BadSignatureError('x'), 'reject']
  ]
  t.deepEqual(table.map(([err]) => err.code).sort(), [...ENVELOPE_ERROR_CODES].sort())
  for (const [err, action] of table) {
    t.deepEqual(verdictOf(err), { action, code: err.code })
    t.is(err.name, (err.constructor as unknown as { code: string }).code)
  }
  t.deepEqual(verdictOf(new TypeError('our bug')), { action: 'ignore', code: 'internal' })
  t.deepEqual(verdictOf(undefined), { action: 'ignore', code: 'internal' })
})

test('a context whose member lookup throws surfaces as internal, never as a reject', (t) => {
  const context: PipelineContext = contextFor(members, { memberKey: () => { throw new Error('store closed') } })
  const err = t.throws(() => validateEnvelope(envelopeFrom(alice), context))
  t.deepEqual(verdictOf(err), { action: 'ignore', code: 'internal' })
})

test('the replay cache keeps at most its capacity and raises its floor so an evicted id stays refused', (t) => {
  const replay = new ReplayCache({ entriesMax: 2 })
  const context = contextFor(members, { replay })
  const first = envelopeFrom(alice, { timestampMs: NOW_MS - 3 })
  validateEnvelope(first, context)
  validateEnvelope(envelopeFrom(alice, { timestampMs: NOW_MS - 2 }), context)
  validateEnvelope(envelopeFrom(alice, { timestampMs: NOW_MS - 1 }), context)
  t.is(replay.size, 2)
  t.is(replay.floorMs, NOW_MS - 3)
  // the first id was evicted, yet its replay is still refused, by the floor
  const err = t.throws(() => validateEnvelope(first, context), { instanceOf: StaleEnvelopeError })
  t.regex(err!.message, /floor/)
  // a fresh envelope above the floor is fine
  t.notThrows(() => validateEnvelope(envelopeFrom(alice, { timestampMs: NOW_MS - 2 }), context))
})

test('the replay cache forgets ids once they are beyond the skew window', (t) => {
  const replay = new ReplayCache()
  replay.add('a', NOW_MS, NOW_MS)
  replay.add('b', NOW_MS + 10, NOW_MS + 10)
  t.is(replay.size, 2)
  replay.add('c', NOW_MS + CLOCK_SKEW_MS_MAX + 5, NOW_MS + CLOCK_SKEW_MS_MAX + 5)
  t.false(replay.has('a'))
  t.true(replay.has('b'))
  t.is(replay.floorMs, NOW_MS)
})

test('REPLAY_CACHE_ENTRIES_MAX: the default cache holds exactly that many ids; one more evicts the oldest and raises the floor', (t) => {
  const replay = new ReplayCache()
  for (let index = 0; index < REPLAY_CACHE_ENTRIES_MAX; index++) replay.add(`id-${index}`, NOW_MS + index, NOW_MS)
  t.is(replay.size, REPLAY_CACHE_ENTRIES_MAX)
  t.is(replay.floorMs, 0)
  t.true(replay.has('id-0'))
  replay.add('one-more', NOW_MS + REPLAY_CACHE_ENTRIES_MAX, NOW_MS)
  t.is(replay.size, REPLAY_CACHE_ENTRIES_MAX)
  t.false(replay.has('id-0'))
  t.is(replay.floorMs, NOW_MS)
})
