import test from 'ava'
import { hybridSignerFromSeeds, hybridVerifier } from '../../src/crypto/hybrid.ts'
import type { HybridPublicKey, HybridSignature } from '../../src/core/signature.ts'

const seeds = { ed25519Seed: new Uint8Array(32).fill(1), mldsaSeed: new Uint8Array(32).fill(2) }
const message = new TextEncoder().encode('hybrid')

test('a hybrid signature verifies on both backends, whichever backend signed', (t) => {
  for (const signBackend of ['native', 'noble'] as const) {
    const signer = hybridSignerFromSeeds({ ...seeds, backend: signBackend })
    const signature = signer.sign(message)
    for (const verifyBackend of ['native', 'noble'] as const) {
      t.true(hybridVerifier(verifyBackend).verify(signer.publicKey, message, signature), `${signBackend} → ${verifyBackend}`)
    }
  }
})

test('the default level is ML-DSA-65 and both backends derive the same public key', (t) => {
  const native = hybridSignerFromSeeds({ ...seeds, backend: 'native' })
  const noble = hybridSignerFromSeeds({ ...seeds, backend: 'noble' })
  t.is(native.publicKey.mldsaLevel, 65)
  t.deepEqual(native.publicKey, noble.publicKey)
  t.is(hybridSignerFromSeeds({ ...seeds, level: 87 }).publicKey.mldsaLevel, 87)
})

test('a hybrid signature fails when either half is broken or swapped', (t) => {
  const signer = hybridSignerFromSeeds(seeds)
  const other = hybridSignerFromSeeds({ ed25519Seed: new Uint8Array(32).fill(3), mldsaSeed: new Uint8Array(32).fill(4) })
  const signature = signer.sign(message)
  const otherSignature = other.sign(message)
  const verifier = hybridVerifier()
  const badEd = signature.ed25519.slice(); badEd[0]! ^= 1
  const badMl = signature.mldsa.slice(); badMl[0]! ^= 1
  t.false(verifier.verify(signer.publicKey, message, { ed25519: badEd, mldsa: signature.mldsa }))
  t.false(verifier.verify(signer.publicKey, message, { ed25519: signature.ed25519, mldsa: badMl }))
  // valid Ed25519 from the right key, ML-DSA from another key: both must verify
  t.false(verifier.verify(signer.publicKey, message, { ed25519: signature.ed25519, mldsa: otherSignature.mldsa }))
  t.false(verifier.verify(signer.publicKey, message, { ed25519: otherSignature.ed25519, mldsa: signature.mldsa }))
  // a key that mixes halves of two identities
  t.false(verifier.verify({ ...signer.publicKey, mldsa: other.publicKey.mldsa }, message, signature))
})

test('the hybrid verifier never throws on malformed keys or signatures', (t) => {
  const signer = hybridSignerFromSeeds(seeds)
  const signature = signer.sign(message)
  const verifier = hybridVerifier()
  const malformedKeys = [
    {} as HybridPublicKey,
    { ed25519: new Uint8Array(0), mldsa: new Uint8Array(0), mldsaLevel: 65 } as HybridPublicKey,
    { ...signer.publicKey, mldsaLevel: 12 } as unknown as HybridPublicKey,
    null as unknown as HybridPublicKey
  ]
  for (const key of malformedKeys) t.false(verifier.verify(key, message, signature))
  t.false(verifier.verify(signer.publicKey, message, {} as HybridSignature))
  t.false(verifier.verify(signer.publicKey, message, null as unknown as HybridSignature))
})
