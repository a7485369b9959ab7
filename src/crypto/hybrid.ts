/**
 * The hybrid signer and verifier behind `src/core/signature.ts`: every message
 * is signed with Ed25519 (the node's libp2p key) AND ML-DSA; a signature is
 * valid only when both verify, so forging one needs both a classical and a
 * post-quantum break.
 */
import type { HybridPublicKey, HybridSignature, HybridSigner, MlDsaLevel, SignatureVerifier } from '../core/signature.ts'
import { ed25519FromSeed, Ed25519Verifier } from './ed25519.ts'
import { mlDsaBackend, ML_DSA_LEVEL_DEFAULT, type MlDsaBackendName } from './mldsa.ts'

export type { MlDsaBackendName }
export { nativeMlDsaAvailable, resolveMlDsaBackend } from './mldsa.ts'

/** Seeds and settings of a hybrid key. */
export interface HybridSeedsInit {
  /** 32-byte Ed25519 seed (for a node: the libp2p private key's seed) */
  ed25519Seed: Uint8Array
  /** 32-byte ML-DSA seed (FIPS 204 ξ) */
  mldsaSeed: Uint8Array
  /** ML-DSA parameter set, 65 by default */
  level?: MlDsaLevel
  /** forces an ML-DSA implementation; default native when available (see `resolveMlDsaBackend`) */
  backend?: MlDsaBackendName
}

/** A hybrid signer derived from two 32-byte seeds. */
export function hybridSignerFromSeeds (init: HybridSeedsInit): HybridSigner {
  const level = init.level ?? ML_DSA_LEVEL_DEFAULT
  const ed25519 = ed25519FromSeed(init.ed25519Seed)
  const mldsa = mlDsaBackend(init.backend).keyPairFromSeed(level, init.mldsaSeed)
  const publicKey: HybridPublicKey = Object.freeze({ ed25519: ed25519.publicKey, mldsa: mldsa.publicKey, mldsaLevel: level })
  return {
    publicKey,
    sign: (message: Uint8Array): HybridSignature => ({ ed25519: ed25519.sign(message), mldsa: mldsa.sign(message) })
  }
}

/** A verifier that accepts only when both the Ed25519 and the ML-DSA signature verify; never throws. */
export function hybridVerifier (backend?: MlDsaBackendName): SignatureVerifier {
  const ed25519 = new Ed25519Verifier()
  const mldsa = mlDsaBackend(backend)
  return {
    verify (publicKey: HybridPublicKey, message: Uint8Array, signature: HybridSignature): boolean {
      try {
        // Ed25519 first: it is the cheaper of the two and rejects most forgeries
        return ed25519.verify(publicKey.ed25519, message, signature.ed25519) &&
          mldsa.verify(publicKey.mldsaLevel, publicKey.mldsa, message, signature.mldsa)
      } catch {
        // a malformed key object (missing fields, wrong types) is a failed verification, not a crash
        return false
      }
    }
  }
}
