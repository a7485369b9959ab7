/**
 * ML-DSA (FIPS 204) through two independent implementations:
 * - `native`: node:crypto (OpenSSL 3.5, Node ≥ 24.7), about ten times faster;
 * - `noble`: `@noble/post-quantum`, pure JavaScript, runs anywhere.
 *
 * A key is kept as its 32-byte seed (FIPS 204 ξ), which both expand to the
 * same key pair, so either backend can sign with a key the other created, and
 * each verifies the other's signatures (tests prove it for all three levels).
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto'
import { ml_dsa44, ml_dsa65, ml_dsa87 } from '@noble/post-quantum/ml-dsa.js'
import type { MlDsaLevel } from '../core/signature.ts'
import { InputError } from '../core/errors.ts'
import { KeyObjectCache } from './key-object-cache.ts'

export type { MlDsaLevel }
export type MlDsaBackendName = 'native' | 'noble'

export const ML_DSA_LEVELS: readonly MlDsaLevel[] = [44, 65, 87]
export const ML_DSA_LEVEL_DEFAULT: MlDsaLevel = 65
export const ML_DSA_SEED_BYTES = 32
/** Environment variable that forces a backend when the caller leaves the choice open. */
export const ML_DSA_BACKEND_ENV = 'FEDMESH_MLDSA_BACKEND'

/** Public key and signature sizes per level (FIPS 204, table 2). */
export const ML_DSA_SIZES: Readonly<Record<MlDsaLevel, { publicKeyBytes: number, signatureBytes: number }>> = {
  44: { publicKeyBytes: 1312, signatureBytes: 2420 },
  65: { publicKeyBytes: 1952, signatureBytes: 3309 },
  87: { publicKeyBytes: 2592, signatureBytes: 4627 }
}

const NOBLE = { 44: ml_dsa44, 65: ml_dsa65, 87: ml_dsa87 } as const

/** Last OID arc of id-ml-dsa-44/65/87 (2.16.840.1.101.3.4.3.17/18/19). */
const OID_LAST_ARC: Record<MlDsaLevel, number> = { 44: 0x11, 65: 0x12, 87: 0x13 }

export class UnknownMlDsaBackendError extends InputError {
  static override readonly code = 'UnknownMlDsaBackendError'
  override readonly name = 'UnknownMlDsaBackendError'
}

export class NativeMlDsaUnavailableError extends InputError {
  static override readonly code = 'NativeMlDsaUnavailableError'
  override readonly name = 'NativeMlDsaUnavailableError'
}

export class InvalidMlDsaSeedError extends InputError {
  static override readonly code = 'InvalidMlDsaSeedError'
  override readonly name = 'InvalidMlDsaSeedError'
}

export class UnknownMlDsaLevelError extends InputError {
  static override readonly code = 'UnknownMlDsaLevelError'
  override readonly name = 'UnknownMlDsaLevelError'
}

/** An ML-DSA key pair made from its seed. */
export interface MlDsaKeyPair {
  level: MlDsaLevel
  publicKey: Uint8Array
  sign: (message: Uint8Array) => Uint8Array
}

/** One ML-DSA implementation. */
export interface MlDsaBackend {
  readonly name: MlDsaBackendName
  /** Expands a 32-byte seed to the key pair of `level`. */
  keyPairFromSeed: (level: MlDsaLevel, seed: Uint8Array) => MlDsaKeyPair
  /** True when the signature verifies; false on any malformed input, never throws. */
  verify: (level: MlDsaLevel, publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array) => boolean
}

/** Whether `value` names an ML-DSA level. */
export function isMlDsaLevel (value: unknown): value is MlDsaLevel {
  return value === 44 || value === 65 || value === 87
}

function checkSeed (level: MlDsaLevel, seed: Uint8Array): void {
  if (!isMlDsaLevel(level)) throw new UnknownMlDsaLevelError(`ML-DSA level must be 44, 65 or 87, got ${String(level)}`)
  if (!(seed instanceof Uint8Array) || seed.length !== ML_DSA_SEED_BYTES) {
    throw new InvalidMlDsaSeedError(`an ML-DSA seed must be ${ML_DSA_SEED_BYTES} bytes`)
  }
}

function bytesKey (bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('latin1')
}

/** PKCS#8 with the seed-only private key form (draft-ietf-lamps-dilithium-certificates: `seed [0] OCTET STRING (32)`). */
function pkcs8FromSeed (level: MlDsaLevel, seed: Uint8Array): Buffer {
  const prefix = Buffer.from(`3034020100300b06096086480165030403${OID_LAST_ARC[level].toString(16)}04228020`, 'hex')
  return Buffer.concat([prefix, seed])
}

class NativeMlDsa implements MlDsaBackend {
  readonly name = 'native' as const
  readonly #keys = new KeyObjectCache<KeyObject>()

  keyPairFromSeed (level: MlDsaLevel, seed: Uint8Array): MlDsaKeyPair {
    checkSeed(level, seed)
    requireNative()
    const privateKey = createPrivateKey({ key: pkcs8FromSeed(level, seed), format: 'der', type: 'pkcs8' })
    const jwk = createPublicKey(privateKey).export({ format: 'jwk' })
    const publicKey = new Uint8Array(Buffer.from(String(jwk.pub), 'base64url'))
    return { level, publicKey, sign: (message) => new Uint8Array(sign(null, message, privateKey)) }
  }

  verify (level: MlDsaLevel, publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
    const sizes = ML_DSA_SIZES[level]
    if (sizes === undefined || publicKey.length !== sizes.publicKeyBytes || signature.length !== sizes.signatureBytes) return false
    try {
      const key = this.#keys.getOrLoad(`${level}:${bytesKey(publicKey)}`, () => createPublicKey({
        key: { kty: 'AKP', alg: `ML-DSA-${level}`, pub: Buffer.from(publicKey).toString('base64url') },
        format: 'jwk'
      }))
      return verify(null, message, key, signature)
    } catch {
      return false
    }
  }
}

class NobleMlDsa implements MlDsaBackend {
  readonly name = 'noble' as const

  keyPairFromSeed (level: MlDsaLevel, seed: Uint8Array): MlDsaKeyPair {
    checkSeed(level, seed)
    const dsa = NOBLE[level]
    const { publicKey, secretKey } = dsa.keygen(seed)
    return { level, publicKey, sign: (message) => dsa.sign(message, secretKey) }
  }

  verify (level: MlDsaLevel, publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
    const sizes = ML_DSA_SIZES[level]
    if (sizes === undefined || publicKey.length !== sizes.publicKeyBytes || signature.length !== sizes.signatureBytes) return false
    try {
      return NOBLE[level].verify(signature, message, publicKey)
    } catch {
      return false
    }
  }
}

let nativeAvailable: boolean | undefined

/** Whether node:crypto in this runtime implements ML-DSA (Node ≥ 24.7 with OpenSSL 3.5). */
export function nativeMlDsaAvailable (): boolean {
  if (nativeAvailable === undefined) {
    try {
      // a key generation is the only reliable probe: the algorithm list does not name ML-DSA
      generateKeyPairSync('ml-dsa-44')
      nativeAvailable = true
    } catch {
      nativeAvailable = false
    }
  }
  return nativeAvailable
}

function requireNative (): void {
  if (!nativeMlDsaAvailable()) {
    throw new NativeMlDsaUnavailableError(`this runtime (Node ${process.versions.node}, OpenSSL ${process.versions.openssl}) has no native ML-DSA; use the noble backend or Node ≥ 24.7`)
  }
}

const backends: { native?: NativeMlDsa, noble?: NobleMlDsa } = {}

/**
 * The backend to use: `requested` when given, else the one forced by
 * `FEDMESH_MLDSA_BACKEND`, else native when available, else noble.
 */
export function resolveMlDsaBackend (requested?: MlDsaBackendName | 'auto'): MlDsaBackendName {
  const fromEnv = process.env[ML_DSA_BACKEND_ENV]
  const choice = requested !== undefined && requested !== 'auto' ? requested : (fromEnv !== undefined && fromEnv !== '' && fromEnv !== 'auto' ? fromEnv : undefined)
  if (choice === undefined) return nativeMlDsaAvailable() ? 'native' : 'noble'
  if (choice !== 'native' && choice !== 'noble') {
    throw new UnknownMlDsaBackendError(`ML-DSA backend must be "native" or "noble" (${ML_DSA_BACKEND_ENV}), got "${choice}"`)
  }
  if (choice === 'native') requireNative()
  return choice
}

/** The shared instance of a backend (see `resolveMlDsaBackend` for how the default is chosen). */
export function mlDsaBackend (requested?: MlDsaBackendName | 'auto'): MlDsaBackend {
  const name = resolveMlDsaBackend(requested)
  if (name === 'native') return (backends.native ??= new NativeMlDsa())
  return (backends.noble ??= new NobleMlDsa())
}
