import test from 'ava'
import { createHash } from 'node:crypto'
import {
  mlDsaBackend, resolveMlDsaBackend, nativeMlDsaAvailable, ML_DSA_LEVELS, ML_DSA_SIZES, ML_DSA_BACKEND_ENV,
  InvalidMlDsaSeedError, UnknownMlDsaBackendError, UnknownMlDsaLevelError
} from '../../src/crypto/mldsa.ts'
import type { MlDsaLevel } from '../../src/core/signature.ts'

/** A fixed seed per level, so a change in either implementation's key expansion is caught. */
const seedFor = (level: MlDsaLevel): Uint8Array => new Uint8Array(32).map((_, i) => (i * 7 + level) & 0xff)

/**
 * @noble/post-quantum 0.7 ships no FIPS 204 known-answer vectors in its npm
 * package, so besides the NIST vectors below these are pinned: sha256 of the
 * whole public key each seed expands to, computed once when both
 * implementations agreed on it (and matched the NIST vectors).
 */
const PUBLIC_KEY_SHA256: Record<MlDsaLevel, string> = {
  44: '347c920007f5333d871adab95a78d69228d199d3a0e6aa14596ec79cd51c10df',
  65: 'eaef0963ad1d69d575176ecdc001a10014499c7683262062d43db1a952c61432',
  87: '171f82fe40f3d805e67ee7a90c221ae47cc24fb6cb4d5ab63d337334fc0167b7'
}

/**
 * FIPS 204 keyGen known answers from NIST's ACVP server (usnistgov/ACVP-Server,
 * gen-val/json-files/ML-DSA-keyGen-FIPS204, tcIds 1, 26, 51): the seed and the
 * public key's first 32 bytes (rho) and last bytes (the end of t1, which
 * depends on the whole key generation), kept short rather than whole keys.
 */
const ACVP_KEYGEN: Array<{ level: MlDsaLevel, seed: string, publicKeyHead: string, publicKeyTail: string }> = [
  { level: 44, seed: '4BE7A01A99A5E5BCFE3C06785D8E4EC664082227D86704E9E44862623A05C8B3', publicKeyHead: 'ADB0B33464816091F2A95977C67F085FDC24B37854D4DB0A577AE9401E408148', publicKeyTail: 'FE0B541016DA53AEDC40CB69A4C952CD075A89D5032380E4A1C3' },
  { level: 65, seed: '8AB6448BF58F897D528A8DE9F8E59329AC929A9CDE7EDF3E27E01BC9EF128A67', publicKeyHead: '49DE190622B0681761A9DB044015BF812760429001FDFF5FC897166546277E84', publicKeyTail: '95B29744763675BBABEBDCE1B816769D66F9BC72DE319E1EC39E8F979E49B61C' },
  { level: 87, seed: '5AC4D695186486C11D21F0300DBDA6F38B8D1FA07A254549B64422D44B1AAC42', publicKeyHead: 'A43D30AA48E12E950A08F7ED597EC7C84C7F6207CDB9850958EDEAB45253F379', publicKeyTail: 'DE84A77C6B4CBA9164365468C0A5CE13C844B53816D0E6774B01E03EEFE9A221' }
]

for (const vector of ACVP_KEYGEN) {
  test(`ML-DSA-${vector.level}: both implementations match the NIST ACVP keyGen vector`, (t) => {
    for (const backend of [mlDsaBackend('native'), mlDsaBackend('noble')]) {
      const publicKey = Buffer.from(backend.keyPairFromSeed(vector.level, new Uint8Array(Buffer.from(vector.seed, 'hex'))).publicKey).toString('hex').toUpperCase()
      t.is(publicKey.length, 2 * ML_DSA_SIZES[vector.level].publicKeyBytes)
      t.true(publicKey.startsWith(vector.publicKeyHead), `${backend.name}: rho`)
      t.true(publicKey.endsWith(vector.publicKeyTail), `${backend.name}: end of t1`)
    }
  })
}

const message = new TextEncoder().encode('fedmesh cross-implementation check')

test('this runtime has native ML-DSA (Node 24.21 / OpenSSL 3.5)', (t) => {
  t.true(nativeMlDsaAvailable())
})

for (const level of ML_DSA_LEVELS) {
  test(`ML-DSA-${level}: native and noble expand a seed to the same pinned public key`, (t) => {
    const native = mlDsaBackend('native').keyPairFromSeed(level, seedFor(level))
    const noble = mlDsaBackend('noble').keyPairFromSeed(level, seedFor(level))
    t.deepEqual(native.publicKey, noble.publicKey)
    t.is(native.publicKey.length, ML_DSA_SIZES[level].publicKeyBytes)
    t.is(createHash('sha256').update(native.publicKey).digest('hex'), PUBLIC_KEY_SHA256[level])
  })

  test(`ML-DSA-${level}: each implementation verifies the other's signatures`, (t) => {
    const native = mlDsaBackend('native')
    const noble = mlDsaBackend('noble')
    const nativeKey = native.keyPairFromSeed(level, seedFor(level))
    const nobleKey = noble.keyPairFromSeed(level, seedFor(level))
    const nativeSignature = nativeKey.sign(message)
    const nobleSignature = nobleKey.sign(message)
    t.is(nativeSignature.length, ML_DSA_SIZES[level].signatureBytes)
    t.true(noble.verify(level, nativeKey.publicKey, message, nativeSignature))
    t.true(native.verify(level, nobleKey.publicKey, message, nobleSignature))
    t.true(native.verify(level, nativeKey.publicKey, message, nativeSignature))
    t.true(noble.verify(level, nobleKey.publicKey, message, nobleSignature))
  })

  test(`ML-DSA-${level}: a flipped bit in message, key or signature fails on both implementations`, (t) => {
    const key = mlDsaBackend('native').keyPairFromSeed(level, seedFor(level))
    const signature = key.sign(message)
    for (const backend of [mlDsaBackend('native'), mlDsaBackend('noble')]) {
      const badMessage = message.slice(); badMessage[3]! ^= 1
      const badSignature = signature.slice(); badSignature[100]! ^= 1
      const badKey = key.publicKey.slice(); badKey[50]! ^= 1
      t.false(backend.verify(level, key.publicKey, badMessage, signature), backend.name)
      t.false(backend.verify(level, key.publicKey, message, badSignature), backend.name)
      t.false(backend.verify(level, badKey, message, signature), backend.name)
    }
  })
}

test('malformed ML-DSA input returns false on both implementations, never throws', (t) => {
  const key = mlDsaBackend('native').keyPairFromSeed(65, seedFor(65))
  const signature = key.sign(message)
  for (const backend of [mlDsaBackend('native'), mlDsaBackend('noble')]) {
    t.false(backend.verify(65, key.publicKey.subarray(1), message, signature))
    t.false(backend.verify(65, key.publicKey, message, signature.subarray(1)))
    t.false(backend.verify(65, new Uint8Array(0), message, new Uint8Array(0)))
    t.false(backend.verify(44, key.publicKey, message, signature), 'level mismatch')
    t.false(backend.verify(66 as MlDsaLevel, key.publicKey, message, signature), 'unknown level')
    t.false(backend.verify(65, new Uint8Array(1952).fill(0xff), message, signature), 'garbage key of the right size')
  }
})

test('a seed of the wrong size or an unknown level is a named error', (t) => {
  for (const backend of [mlDsaBackend('native'), mlDsaBackend('noble')]) {
    t.throws(() => backend.keyPairFromSeed(65, new Uint8Array(31)), { instanceOf: InvalidMlDsaSeedError })
    t.throws(() => backend.keyPairFromSeed(65, new Uint8Array(33)), { instanceOf: InvalidMlDsaSeedError })
    t.throws(() => backend.keyPairFromSeed(64 as MlDsaLevel, new Uint8Array(32)), { instanceOf: UnknownMlDsaLevelError })
  }
})

test('the backend is the requested one, else the environment\'s, else native when available', (t) => {
  const saved = process.env[ML_DSA_BACKEND_ENV]
  try {
    delete process.env[ML_DSA_BACKEND_ENV]
    t.is(resolveMlDsaBackend(), 'native')
    t.is(resolveMlDsaBackend('auto'), 'native')
    process.env[ML_DSA_BACKEND_ENV] = 'noble'
    t.is(resolveMlDsaBackend(), 'noble')
    t.is(resolveMlDsaBackend('auto'), 'noble')
    t.is(resolveMlDsaBackend('native'), 'native')
    process.env[ML_DSA_BACKEND_ENV] = 'openssl'
    t.throws(() => resolveMlDsaBackend(), { instanceOf: UnknownMlDsaBackendError })
    t.throws(() => resolveMlDsaBackend('fast' as 'native'), { instanceOf: UnknownMlDsaBackendError })
  } finally {
    if (saved === undefined) delete process.env[ML_DSA_BACKEND_ENV]
    else process.env[ML_DSA_BACKEND_ENV] = saved
  }
})
