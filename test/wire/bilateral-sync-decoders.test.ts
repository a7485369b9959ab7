/**
 * The /fedmesh/bilateral-sync/1.0.0 frames (src/wire/bilateral.ts): what a
 * peer's bytes reach. Valid frames round-trip; random and mutated bytes
 * decode or are refused with MalformedEnvelopeError, never anything else;
 * the list bounds hold.
 */
import test from 'ava'
import fc from 'fast-check'
import { MalformedEnvelopeError } from '../../src/wire/errors.ts'
import {
  BILATERAL_BATCH_ENTRIES_MAX, decodeBilateralBatch, decodeBilateralFrontier, encodeBilateralBatch, encodeBilateralFrontier,
  type BilateralBatchFrame, type BilateralFrontierFrame
} from '../../src/wire/bilateral.ts'

const hash = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => Buffer.from(b).toString('hex'))
const seq = fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER })
const batch: fc.Arbitrary<BilateralBatchFrame> = fc.record({
  low: fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
  envelopes: fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 8 }),
  withdrawn: fc.array(fc.record({ seq, hash, prev: fc.oneof(fc.constant(''), hash) }), { maxLength: 8 })
})
const frontier: fc.Arbitrary<BilateralFrontierFrame> = fc.record({
  frontier: fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
  frontierHash: fc.oneof(fc.constant(''), hash),
  held: fc.array(seq, { maxLength: 8 }),
  results: fc.array(fc.record({ seq: fc.integer({ min: 0, max: 1e9 }), outcome: fc.constantFrom('accepted' as const, 'duplicate' as const, 'refused' as const), error: fc.string({ maxLength: 20 }) }), { maxLength: 8 })
})

function decodesOrRefuses (decode: (bytes: Uint8Array) => unknown, bytes: Uint8Array): void {
  try {
    decode(bytes)
  } catch (err) {
    if (!(err instanceof MalformedEnvelopeError)) throw err
  }
}

test('valid frames round-trip', (t) => {
  fc.assert(fc.property(batch, (b) => { t.deepEqual(decodeBilateralBatch(encodeBilateralBatch(b)), { ...b, envelopes: b.envelopes.map((e) => new Uint8Array(e)) }) }), { numRuns: 300 })
  fc.assert(fc.property(frontier, (f) => { t.deepEqual(decodeBilateralFrontier(encodeBilateralFrontier(f)), f) }), { numRuns: 300 })
})

test('random and mutated bytes decode or are refused as malformed, nothing else', (t) => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 256 }), (bytes) => {
    decodesOrRefuses(decodeBilateralBatch, bytes)
    decodesOrRefuses(decodeBilateralFrontier, bytes)
  }), { numRuns: 3000 })
  fc.assert(fc.property(batch, frontier, fc.nat(), fc.integer({ min: 1, max: 255 }), (b, f, at, flip) => {
    for (const [encoded, decode] of [[encodeBilateralBatch(b), decodeBilateralBatch], [encodeBilateralFrontier(f), decodeBilateralFrontier]] as const) {
      if (encoded.length === 0) continue
      const mutated = new Uint8Array(encoded)
      mutated[at % mutated.length] ^= flip
      decodesOrRefuses(decode, mutated)
      decodesOrRefuses(decode, mutated.subarray(0, at % mutated.length))
    }
  }), { numRuns: 3000 })
  t.pass()
})

test('a batch over the entry bound and a withdrawn link that is not a hash are refused', (t) => {
  const over = encodeBilateralBatch({ low: 0, envelopes: Array.from({ length: BILATERAL_BATCH_ENTRIES_MAX + 1 }, () => new Uint8Array([1])), withdrawn: [] })
  t.throws(() => decodeBilateralBatch(over), { instanceOf: MalformedEnvelopeError })
  const short = encodeBilateralBatch({ low: 0, envelopes: [], withdrawn: [{ seq: 1, hash: 'abcd', prev: '' }] })
  t.throws(() => decodeBilateralBatch(short), { instanceOf: MalformedEnvelopeError })
  const zero = encodeBilateralBatch({ low: 0, envelopes: [], withdrawn: [{ seq: 0, hash: 'ab'.repeat(32), prev: '' }] })
  t.throws(() => decodeBilateralBatch(zero), { instanceOf: MalformedEnvelopeError })
})
