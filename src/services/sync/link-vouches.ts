/**
 * The verifier the envelope channel uses, with sync's hash-link proofs in
 * front of it: sync authenticates a fetched range by its links
 * (core/sync/range-check.ts) and vouches for the exact signed bytes of each
 * entry a link proved, for the moment it hands that envelope to the channel.
 * A vouched (signed bytes, signature) pair passes without the hybrid
 * verification; anything else (every gossip envelope, a fetched entry no link
 * proved) goes to the real verifier. A vouch matches only the identical bytes
 * and signatures it was made for, so it can never let a different body pass.
 */
import type { HybridPublicKey, HybridSignature, SignatureVerifier } from '../../core/signature.ts'

const hex = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex')
const same = (a: Uint8Array, b: Uint8Array): boolean => a.byteLength === b.byteLength && Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(b)

interface Vouch {
  signedBytes: Uint8Array
  mldsa: Uint8Array
}

/** A SignatureVerifier that honours link vouches first. */
export class LinkVouches implements SignatureVerifier {
  readonly base: SignatureVerifier
  readonly #vouches = new Map<string, Vouch>()
  /** signature checks a vouch replaced (status, bench) */
  vouched = 0

  constructor (base: SignatureVerifier) {
    this.base = base
  }

  /** Vouches for one envelope's exact signed bytes and signature (release it once the envelope was handled). */
  vouch (signedBytes: Uint8Array, signature: HybridSignature): void {
    this.#vouches.set(hex(signature.ed25519), { signedBytes, mldsa: signature.mldsa })
  }

  /** Ends a vouch. */
  release (signature: HybridSignature): void {
    this.#vouches.delete(hex(signature.ed25519))
  }

  readonly verify = (publicKey: HybridPublicKey, message: Uint8Array, signature: HybridSignature): boolean => {
    if (this.#vouches.size > 0) {
      const vouch = this.#vouches.get(hex(signature.ed25519))
      if (vouch !== undefined && same(vouch.signedBytes, message) && same(vouch.mldsa, signature.mldsa)) {
        this.vouched++
        return true
      }
    }
    return this.base.verify(publicKey, message, signature)
  }
}
