import test from 'ava'
import { ed25519FromSeed, Ed25519Verifier, InvalidEd25519SeedError } from '../../src/crypto/ed25519.ts'

const hex = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'hex'))

// RFC 8032 section 7.1, TEST 1 and TEST 2
const vectors = [
  {
    seed: '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60',
    publicKey: 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a',
    message: '',
    signature: 'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b'
  },
  {
    seed: '4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb',
    publicKey: '3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c',
    message: '72',
    signature: '92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00'
  }
]

for (const [index, vector] of vectors.entries()) {
  test(`RFC 8032 test ${index + 1}: key, signature and verification match`, (t) => {
    const key = ed25519FromSeed(hex(vector.seed))
    t.deepEqual(key.publicKey, hex(vector.publicKey))
    t.deepEqual(key.sign(hex(vector.message)), hex(vector.signature))
    t.true(new Ed25519Verifier().verify(hex(vector.publicKey), hex(vector.message), hex(vector.signature)))
  })
}

test('a tampered Ed25519 signature, message or key does not verify, and malformed input returns false', (t) => {
  const verifier = new Ed25519Verifier()
  const vector = vectors[1]!
  const signature = hex(vector.signature); signature[0]! ^= 1
  t.false(verifier.verify(hex(vector.publicKey), hex(vector.message), signature))
  t.false(verifier.verify(hex(vector.publicKey), hex('73'), hex(vector.signature)))
  t.false(verifier.verify(hex(vectors[0]!.publicKey), hex(vector.message), hex(vector.signature)))
  t.false(verifier.verify(hex(vector.publicKey).subarray(1), hex(vector.message), hex(vector.signature)))
  t.false(verifier.verify(hex(vector.publicKey), hex(vector.message), hex(vector.signature).subarray(1)))
  t.false(verifier.verify(new Uint8Array(32).fill(0xff), hex(vector.message), hex(vector.signature)))
})

test('an Ed25519 seed must be exactly 32 bytes', (t) => {
  t.throws(() => ed25519FromSeed(new Uint8Array(31)), { instanceOf: InvalidEd25519SeedError })
  t.throws(() => ed25519FromSeed(new Uint8Array(33)), { instanceOf: InvalidEd25519SeedError })
  t.notThrows(() => ed25519FromSeed(new Uint8Array(32)))
})
