/**
 * An origin's checks on a cosignature a witness hands it directly
 * (protocols/audit.md, "Cosignatures"), in the hostile-input order: schema,
 * duplicate, skew, membership, the checkpoint is the origin's own, and the
 * signature last (ML-DSA is the costly check). Pure: the caller looks up what
 * it knows (the witness's key, its own checkpoint at that size, whether it
 * already holds one from that witness) and passes it in; the frame's size
 * and decoding were bounded before.
 */
import type { HybridPublicKey, SignatureVerifier } from '../signature.ts'
import { ED25519_SIGNATURE_BYTES, MLDSA_SIGNATURE_BYTES_MAX } from '../consensus/constants.ts'
import { AUDIT_LOG_LEAVES_MAX, HASH_BYTES } from './constants.ts'
import { CosignatureRefusedError } from './errors.ts'
import { equalBytes } from './hash.ts'
import { verifyCosignature, type Cosignature, type SignedCheckpoint } from './checkpoint.ts'

/** A cosignature as it comes off the wire: the witness is the stream's authenticated remote peer, not a field. */
export interface CosignatureDeliveryFields {
  size: bigint
  root: Uint8Array
  timestampMs: bigint
  ed25519: Uint8Array
  mldsa: Uint8Array
}

/** What the origin knows when it checks a delivery. */
export interface CosignatureContext {
  /** the remote peer (PeerId text): the witness */
  witness: string
  /** the witness's key from the membership; undefined when it is not a member */
  witnessKey: HybridPublicKey | undefined
  /** the origin's own signed checkpoint at the delivery's size, if it still knows one */
  ownCheckpoint: (size: number) => SignedCheckpoint | undefined
  /** the cosignature of this witness the origin already keeps on its checkpoint at `size`, if any */
  held: (size: number, witness: string) => Cosignature | undefined
  nowMs: number
  /** how far the witness's time may be from the origin's clock, either way */
  skewMsMax: number
  verifier: SignatureVerifier
}

/** The cosignature and the size it is for, once every check passed; CosignatureRefusedError with its reason otherwise. */
export function checkCosignatureDelivery (delivery: CosignatureDeliveryFields, context: CosignatureContext): { size: number, cosignature: Cosignature } {
  // schema
  if (delivery.size < 1n || delivery.size > BigInt(AUDIT_LOG_LEAVES_MAX)) throw new CosignatureRefusedError('malformed', `size ${delivery.size} is not a checkpointed size`)
  if (delivery.root.length !== HASH_BYTES) throw new CosignatureRefusedError('malformed', `root is ${delivery.root.length} bytes, not ${HASH_BYTES}`)
  if (delivery.timestampMs > BigInt(Number.MAX_SAFE_INTEGER)) throw new CosignatureRefusedError('malformed', 'time is out of range')
  if (delivery.ed25519.length !== ED25519_SIGNATURE_BYTES) throw new CosignatureRefusedError('malformed', `Ed25519 signature is ${delivery.ed25519.length} bytes`)
  if (delivery.mldsa.length === 0 || delivery.mldsa.length > MLDSA_SIGNATURE_BYTES_MAX) throw new CosignatureRefusedError('malformed', `ML-DSA signature is ${delivery.mldsa.length} bytes`)
  const size = Number(delivery.size)
  const timestampMs = Number(delivery.timestampMs)
  // duplicate: the same bytes again (a replay) are dropped before any other work
  const held = context.held(size, context.witness)
  const duplicate = (): CosignatureRefusedError => new CosignatureRefusedError('duplicate', `a cosignature of ${context.witness} on size ${size} is already kept`)
  if (held !== undefined && held.timestamp_ms === timestampMs && equalBytes(held.signature.ed25519, delivery.ed25519) && equalBytes(held.signature.mldsa, delivery.mldsa)) throw duplicate()
  // skew
  if (Math.abs(timestampMs - context.nowMs) > context.skewMsMax) throw new CosignatureRefusedError('skew', `cosignature time ${timestampMs} is more than ${context.skewMsMax} ms from ours`)
  // membership: the witness is who the connection says, and a member
  if (context.witnessKey === undefined) throw new CosignatureRefusedError('not_member', `${context.witness} is not a member of this federation`)
  // the checkpoint is one the origin signed, exactly
  const own = context.ownCheckpoint(size)
  if (own === undefined || !equalBytes(own.root, delivery.root)) throw new CosignatureRefusedError('unknown_checkpoint', `no checkpoint of ours at size ${size} with that root`)
  // signature, last
  const cosignature: Cosignature = { witness: context.witness, timestamp_ms: timestampMs, signature: { ed25519: delivery.ed25519, mldsa: delivery.mldsa } }
  try {
    verifyCosignature(own, cosignature, context.witnessKey, context.verifier)
  } catch (err) {
    throw new CosignatureRefusedError('bad_signature', (err as Error).message, { cause: err })
  }
  // another valid cosignature of one witness on one checkpoint (a new time): one per witness is kept
  if (held !== undefined) throw duplicate()
  return { size, cosignature }
}
