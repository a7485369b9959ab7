/**
 * The signature contract core logic relies on, without any crypto code:
 * `src/crypto/` implements it (Ed25519 AND ML-DSA, both must verify), core
 * functions take a `SignatureVerifier` argument so they stay pure and testable.
 */

/** ML-DSA parameter set (FIPS 204): 44, 65 (default) or 87. */
export type MlDsaLevel = 44 | 65 | 87

/** A node's or participant's hybrid public key. */
export interface HybridPublicKey {
  /** raw 32-byte Ed25519 public key (the libp2p key for a node) */
  ed25519: Uint8Array
  /** raw ML-DSA public key of `mldsaLevel` */
  mldsa: Uint8Array
  mldsaLevel: MlDsaLevel
}

/** Both signatures over the same exact bytes. */
export interface HybridSignature {
  ed25519: Uint8Array
  mldsa: Uint8Array
}

/** Signs bytes with both keys. Synchronous: both backends are. */
export interface HybridSigner {
  readonly publicKey: HybridPublicKey
  sign: (message: Uint8Array) => HybridSignature
}

/** Checks a hybrid signature; true only when BOTH signatures verify. Never throws on bad input. */
export interface SignatureVerifier {
  verify: (publicKey: HybridPublicKey, message: Uint8Array, signature: HybridSignature) => boolean
}
