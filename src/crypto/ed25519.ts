/**
 * Ed25519 through node:crypto (OpenSSL), keys given as raw bytes.
 *
 * Raw keys are wrapped in their fixed DER prefixes (RFC 8410) rather than JWK:
 * an OKP JWK private key needs the public half `x` too, which is what we want
 * to derive, while PKCS#8 takes the 32-byte seed alone.
 */
import { createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto'
import { KeyObjectCache } from './key-object-cache.ts'
import { InputError } from '../core/errors.ts'

export const ED25519_SEED_BYTES = 32
export const ED25519_PUBLIC_KEY_BYTES = 32
export const ED25519_SIGNATURE_BYTES = 64

/** PKCS#8 PrivateKeyInfo for id-Ed25519 (1.3.101.112), followed by the 32-byte seed. */
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex')
/** SubjectPublicKeyInfo for id-Ed25519, followed by the 32-byte public key. */
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex')

export class InvalidEd25519SeedError extends InputError {
  static override readonly code = 'InvalidEd25519SeedError'
  override readonly name = 'InvalidEd25519SeedError'
}

/** An Ed25519 key pair made from its 32-byte seed. */
export interface Ed25519KeyPair {
  publicKey: Uint8Array
  sign: (message: Uint8Array) => Uint8Array
}

/** Derives the Ed25519 key pair of a 32-byte seed (RFC 8032 private key). */
export function ed25519FromSeed (seed: Uint8Array): Ed25519KeyPair {
  if (!(seed instanceof Uint8Array) || seed.length !== ED25519_SEED_BYTES) {
    throw new InvalidEd25519SeedError(`an Ed25519 seed must be ${ED25519_SEED_BYTES} bytes`)
  }
  const privateKey = createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' })
  const spki = createPublicKey(privateKey).export({ format: 'der', type: 'spki' })
  const publicKey = new Uint8Array(spki.subarray(SPKI_PREFIX.length))
  return {
    publicKey,
    sign: (message) => new Uint8Array(sign(null, message, privateKey))
  }
}

/** Verifies Ed25519 signatures, caching imported public keys. */
export class Ed25519Verifier {
  readonly #keys = new KeyObjectCache<KeyObject>()

  /** True when `signature` is a valid Ed25519 signature of `message` by `publicKey`; false on any malformed input. */
  verify (publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
    if (publicKey.length !== ED25519_PUBLIC_KEY_BYTES || signature.length !== ED25519_SIGNATURE_BYTES) return false
    try {
      const key = this.#keys.getOrLoad(Buffer.from(publicKey.buffer, publicKey.byteOffset, publicKey.length).toString('base64'), () =>
        createPublicKey({ key: Buffer.concat([SPKI_PREFIX, publicKey]), format: 'der', type: 'spki' }))
      return verify(null, message, key, signature)
    } catch {
      // an invalid point or any OpenSSL refusal is simply "does not verify"
      return false
    }
  }
}
