/**
 * Checkpoints: a log's signed statement "my tree of `size` leaves has `root`",
 * and cosignatures: a witness's signed statement "I saw that checkpoint and it
 * extends every earlier one I saw from that origin". The signed bytes follow
 * the C2SP tlog-checkpoint / tlog-cosignature shape (origin, size, base64 root
 * on lines; the cosignature adds the witness and a time), with fedmesh domains
 * in front so a checkpoint signature can never be read as any other message.
 */
import { z } from 'zod'
import { fromString, toString } from 'uint8arrays'
import type { HybridPublicKey, HybridSignature, HybridSigner, SignatureVerifier } from '../signature.ts'
import {
  AUDIT_LOG_LEAVES_MAX, AUDIT_NAME_LENGTH_MAX, CHECKPOINT_DOMAIN, CHECKPOINT_ORIGIN_BYTES_MAX, COSIGNATURE_DOMAIN, HASH_BYTES
} from './constants.ts'
import { CheckpointSignatureError, MalformedCheckpointError } from './errors.ts'

/** A log's size and root, named by its origin (e.g. `fedmesh/<federation_id>/<node_id>`). */
export interface Checkpoint {
  origin: string
  size: number
  root: Uint8Array
}

/** A checkpoint with its origin node's hybrid signature. */
export interface SignedCheckpoint extends Checkpoint {
  signature: HybridSignature
}

/** A witness's hybrid signature over a checkpoint at a time. */
export interface Cosignature {
  /** the witness's node id; its key comes from the membership, never from here */
  witness: string
  timestamp_ms: number
  signature: HybridSignature
}

const utf8 = new TextEncoder()
// no control characters: the origin is a line of the signed text
const ORIGIN_PATTERN = /^[^\p{Cc}]+$/u

/** Throws MalformedCheckpointError unless (origin, size, root) can be a checkpoint. */
export function checkCheckpoint (checkpoint: Checkpoint): void {
  const originBytes = utf8.encode(checkpoint.origin).length
  if (originBytes === 0 || originBytes > CHECKPOINT_ORIGIN_BYTES_MAX || !ORIGIN_PATTERN.test(checkpoint.origin)) {
    throw new MalformedCheckpointError(`checkpoint origin must be 1..${CHECKPOINT_ORIGIN_BYTES_MAX} bytes without control characters`)
  }
  if (!Number.isSafeInteger(checkpoint.size) || checkpoint.size < 0 || checkpoint.size > AUDIT_LOG_LEAVES_MAX) {
    throw new MalformedCheckpointError(`checkpoint size ${checkpoint.size} is not in 0..${AUDIT_LOG_LEAVES_MAX}`)
  }
  if (checkpoint.root.length !== HASH_BYTES) throw new MalformedCheckpointError(`checkpoint root is ${checkpoint.root.length} bytes, not ${HASH_BYTES}`)
}

/** The checkpoint's signed bytes: `"fedmesh/checkpoint/1\n" origin "\n" size "\n" base64(root) "\n"`. */
export function checkpointMessage (checkpoint: Checkpoint): Uint8Array {
  checkCheckpoint(checkpoint)
  return utf8.encode(`${CHECKPOINT_DOMAIN}\n${checkpoint.origin}\n${checkpoint.size}\n${toString(checkpoint.root, 'base64pad')}\n`)
}

/** Signs a checkpoint of the node's own log. */
export function signCheckpoint (signer: HybridSigner, checkpoint: Checkpoint): SignedCheckpoint {
  return { origin: checkpoint.origin, size: checkpoint.size, root: checkpoint.root, signature: signer.sign(checkpointMessage(checkpoint)) }
}

/** Checks the origin's signature on a checkpoint; throws CheckpointSignatureError (or MalformedCheckpointError). */
export function verifySignedCheckpoint (checkpoint: SignedCheckpoint, originKey: HybridPublicKey, verifier: SignatureVerifier): void {
  if (!verifier.verify(originKey, checkpointMessage(checkpoint), checkpoint.signature)) {
    throw new CheckpointSignatureError(`checkpoint of ${checkpoint.origin} at size ${checkpoint.size}: signature does not verify`)
  }
}

/** A cosignature's signed bytes: `"fedmesh/cosignature/1\nwitness " id "\ntime " ms "\n"` then the checkpoint's signed bytes. */
export function cosignatureMessage (checkpoint: Checkpoint, witness: string, timestampMs: number): Uint8Array {
  if (witness.length === 0 || witness.length > AUDIT_NAME_LENGTH_MAX || !ORIGIN_PATTERN.test(witness)) {
    throw new MalformedCheckpointError(`witness id must be 1..${AUDIT_NAME_LENGTH_MAX} characters without control characters`)
  }
  if (!Number.isSafeInteger(timestampMs) || timestampMs < 0) throw new MalformedCheckpointError('cosignature time must be a non-negative integer of ms')
  const head = utf8.encode(`${COSIGNATURE_DOMAIN}\nwitness ${witness}\ntime ${timestampMs}\n`)
  const body = checkpointMessage(checkpoint)
  const out = new Uint8Array(head.length + body.length)
  out.set(head, 0)
  out.set(body, head.length)
  return out
}

/** The witness's cosignature on a checkpoint it has checked (see witness.ts for when to cosign). */
export function signCosignature (signer: HybridSigner, init: { checkpoint: Checkpoint, witness: string, timestampMs: number }): Cosignature {
  return { witness: init.witness, timestamp_ms: init.timestampMs, signature: signer.sign(cosignatureMessage(init.checkpoint, init.witness, init.timestampMs)) }
}

/** Checks a witness's cosignature; throws CheckpointSignatureError. */
export function verifyCosignature (checkpoint: Checkpoint, cosignature: Cosignature, witnessKey: HybridPublicKey, verifier: SignatureVerifier): void {
  if (!verifier.verify(witnessKey, cosignatureMessage(checkpoint, cosignature.witness, cosignature.timestamp_ms), cosignature.signature)) {
    throw new CheckpointSignatureError(`cosignature by ${cosignature.witness} on ${checkpoint.origin} at size ${checkpoint.size} does not verify`)
  }
}

const base64 = z.string().max(8192).regex(/^[A-Za-z0-9+/]*={0,2}$/, 'must be base64')
const signatureJsonSchema = z.strictObject({ ed25519: base64, mldsa: base64 })

/** A signed checkpoint in JSON: root as lowercase hex, signatures base64. */
export const signedCheckpointJsonSchema = z.strictObject({
  origin: z.string().min(1).max(CHECKPOINT_ORIGIN_BYTES_MAX),
  size: z.number().int().nonnegative().max(AUDIT_LOG_LEAVES_MAX),
  root: z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex characters'),
  signature: signatureJsonSchema
})
export type SignedCheckpointJson = z.infer<typeof signedCheckpointJsonSchema>

/** A cosignature in JSON. */
export const cosignatureJsonSchema = z.strictObject({
  witness: z.string().min(1).max(AUDIT_NAME_LENGTH_MAX),
  timestamp_ms: z.number().int().nonnegative(),
  signature: signatureJsonSchema
})
export type CosignatureJson = z.infer<typeof cosignatureJsonSchema>

const signatureToJson = (s: HybridSignature) => ({ ed25519: toString(s.ed25519, 'base64pad'), mldsa: toString(s.mldsa, 'base64pad') })
const signatureFromJson = (s: { ed25519: string, mldsa: string }): HybridSignature => ({ ed25519: fromString(s.ed25519, 'base64pad'), mldsa: fromString(s.mldsa, 'base64pad') })

/** The JSON form of a signed checkpoint. */
export function signedCheckpointToJson (checkpoint: SignedCheckpoint): SignedCheckpointJson {
  return { origin: checkpoint.origin, size: checkpoint.size, root: toString(checkpoint.root, 'base16'), signature: signatureToJson(checkpoint.signature) }
}

/** A signed checkpoint from JSON (schema-checked; the signature is checked by verifySignedCheckpoint). */
export function signedCheckpointFromJson (json: unknown): SignedCheckpoint {
  const parsed = signedCheckpointJsonSchema.safeParse(json)
  if (!parsed.success) throw new MalformedCheckpointError(`signed checkpoint: ${parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`)
  const checkpoint = { origin: parsed.data.origin, size: parsed.data.size, root: fromString(parsed.data.root, 'base16'), signature: signatureFromJson(parsed.data.signature) }
  checkCheckpoint(checkpoint)
  return checkpoint
}

/** The JSON form of a cosignature. */
export function cosignatureToJson (cosignature: Cosignature): CosignatureJson {
  return { witness: cosignature.witness, timestamp_ms: cosignature.timestamp_ms, signature: signatureToJson(cosignature.signature) }
}

/** A cosignature from JSON (schema-checked only). */
export function cosignatureFromJson (json: unknown): Cosignature {
  const parsed = cosignatureJsonSchema.safeParse(json)
  if (!parsed.success) throw new MalformedCheckpointError(`cosignature: ${parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`)
  return { witness: parsed.data.witness, timestamp_ms: parsed.data.timestamp_ms, signature: signatureFromJson(parsed.data.signature) }
}
