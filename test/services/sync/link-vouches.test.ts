import test from 'ava'
import { LinkVouches } from '../../../src/services/sync/link-vouches.ts'
import { validateDecodedEnvelope } from '../../../src/wire/pipeline.ts'
import { BadSignatureError } from '../../../src/wire/errors.ts'
import { decodeEnvelope, ENVELOPE_SIGNING_DOMAIN } from '../../../src/wire/envelope.ts'
import { SignedEnvelope } from '../../../protocols/envelope.ts'
import { hybridVerifier } from '../../../src/crypto/hybrid.ts'
import type { SignatureVerifier } from '../../../src/core/signature.ts'
import { contextFor, envelopeFrom, testNode } from '../../wire/fixtures.ts'

const alice = testNode(0)
const members = [alice]

/** The real hybrid verifier, counting the checks that reach it. */
function countingVerifier (): SignatureVerifier & { calls: number } {
  const base = hybridVerifier()
  const counting = {
    calls: 0,
    verify: (...args: Parameters<SignatureVerifier['verify']>) => { counting.calls++; return base.verify(...args) }
  }
  return counting
}

/** An envelope with one payload byte flipped after signing, keeping both signatures of the original. */
function tamperedCopy (bytes: Uint8Array): Uint8Array {
  const signed = SignedEnvelope.decode(bytes)
  const body = signed.body.slice()
  body[body.length - 1]! ^= 0x01
  return SignedEnvelope.encode({ ...signed, body })
}

test('a vouched envelope passes the pipeline without a signature check; after release it is checked again', (t) => {
  const base = countingVerifier()
  const vouches = new LinkVouches(base)
  const bytes = envelopeFrom(alice, { payload: new Uint8Array(32).fill(7) })
  const decoded = decodeEnvelope(bytes)
  vouches.vouch(decoded.signedBytes, decoded.signature)
  t.is(validateDecodedEnvelope(decoded, contextFor(members, { verifier: vouches })).source, alice.peerId)
  // the same bytes decoded again (the channel's non-batch path) are covered too: the vouch is for bytes, not an object
  t.is(validateDecodedEnvelope(decodeEnvelope(bytes), contextFor(members, { verifier: vouches })).source, alice.peerId)
  t.is(base.calls, 0)
  t.is(vouches.vouched, 2)
  // another envelope of the same origin is not covered
  t.is(validateDecodedEnvelope(decodeEnvelope(envelopeFrom(alice, {})), contextFor(members, { verifier: vouches })).source, alice.peerId)
  t.is(base.calls, 1)
  vouches.release(decoded.signature)
  t.is(validateDecodedEnvelope(decodeEnvelope(bytes), contextFor(members, { verifier: vouches })).source, alice.peerId)
  t.is(base.calls, 2)
})

test('a vouch never lets a tampered body pass under the vouched signatures: the real verifier refuses it', (t) => {
  const base = countingVerifier()
  const vouches = new LinkVouches(base)
  const bytes = envelopeFrom(alice, { payload: new Uint8Array(32).fill(7) })
  const decoded = decodeEnvelope(bytes)
  vouches.vouch(decoded.signedBytes, decoded.signature)
  const forged = decodeEnvelope(tamperedCopy(bytes))
  t.deepEqual(forged.signature, decoded.signature)
  t.throws(() => validateDecodedEnvelope(forged, contextFor(members, { verifier: vouches })), { instanceOf: BadSignatureError })
  t.is(base.calls, 1)
  t.is(vouches.vouched, 0)
  // a forged signature over the vouched bytes (other Ed25519 bytes: another vouch key) goes to the real verifier too
  const signed = SignedEnvelope.decode(bytes)
  const ed25519Signature = signed.ed25519Signature.slice(); ed25519Signature[0]! ^= 0x80
  const badSignature = decodeEnvelope(SignedEnvelope.encode({ ...signed, ed25519Signature }))
  t.throws(() => validateDecodedEnvelope(badSignature, contextFor(members, { verifier: vouches })), { instanceOf: BadSignatureError })
  // the vouched Ed25519 signature with another ML-DSA signature is not vouched either
  const mldsaSignature = signed.mldsaSignature.slice(); mldsaSignature[0]! ^= 0x01
  const badMldsa = decodeEnvelope(SignedEnvelope.encode({ ...signed, mldsaSignature }))
  t.throws(() => validateDecodedEnvelope(badMldsa, contextFor(members, { verifier: vouches })), { instanceOf: BadSignatureError })
  t.is(base.calls, 3)
  t.is(vouches.vouched, 0)
})

test('verify() honours a vouch only for exactly the vouched signed bytes', (t) => {
  const base = countingVerifier()
  const vouches = new LinkVouches(base)
  const decoded = decodeEnvelope(envelopeFrom(alice, { payload: new Uint8Array(16).fill(3) }))
  vouches.vouch(decoded.signedBytes, decoded.signature)
  t.true(vouches.verify(alice.signer.publicKey, decoded.signedBytes.slice(), decoded.signature))
  t.is(base.calls, 0)
  // the body without the domain, or under another domain of the same length, goes to the real verifier and fails
  t.false(vouches.verify(alice.signer.publicKey, decoded.signedBytes.subarray(ENVELOPE_SIGNING_DOMAIN.length), decoded.signature))
  const otherDomain = decoded.signedBytes.slice(); otherDomain[0]! ^= 0x01
  t.false(vouches.verify(alice.signer.publicKey, otherDomain, decoded.signature))
  t.is(base.calls, 2)
})
