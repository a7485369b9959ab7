/**
 * The federation envelope: every federation message travels in one.
 *
 * The sender encodes the body once, signs `ENVELOPE_SIGNING_DOMAIN ‖ body`
 * with both keys and ships the body bytes next to the signatures, so a
 * verifier checks the exact bytes it received and never re-encodes (the
 * libp2p signed-envelope idea). Spec: protocols/envelope.md.
 */
import { createHash } from 'node:crypto'
import type { HybridSignature, HybridSigner } from '../core/signature.ts'
import { DATA_CLASSES, type DataClass } from '../core/data-class.ts'
import { PEER_ID_PATTERN } from '../core/identity/peer-id.ts'
import { SLUG_PATTERN } from '../config/schema.ts'
import { DataClass as WireDataClass, Priority as WirePriority, EnvelopeBody, SignedEnvelope } from '../../protocols/envelope.ts'
import {
  CONTENT_TYPE_LENGTH_MAX, DESTINATION_LENGTH_MAX, ENVELOPE_BYTES_MAX, ENVELOPE_ID_BYTES, ENVELOPE_VERSION, FEDERATION_ID_LENGTH_MAX,
  ORIGIN_SEQ_MAX, PAYLOAD_BYTES_MAX, PREV_HASH_BYTES, SCHEMA_ID_LENGTH_MAX, SOURCE_LENGTH_MAX, TTL_HOPS_DEFAULT, TTL_HOPS_MAX
} from './limits.ts'
import { EnvelopeSchemaError, EnvelopeTooLargeError, MalformedEnvelopeError, UnsupportedEnvelopeVersionError } from './errors.ts'
import { ED25519_SIGNATURE_BYTES } from '../crypto/ed25519.ts'
import { ML_DSA_SIZES } from '../crypto/mldsa.ts'

/** What a message carries; only these classes exist on the wire (the list lives in core: policies name them too). */
export { DATA_CLASSES, type DataClass } from '../core/data-class.ts'

/** Delivery priority, lowest first. */
export const PRIORITIES = ['routine', 'elevated', 'urgent', 'critical'] as const
export type Priority = typeof PRIORITIES[number]

/** Prefixed to the body before signing, so an envelope signature can never pass for another signed object. */
export const ENVELOPE_SIGNING_DOMAIN = new TextEncoder().encode('fedmesh/envelope/1\n')

export const CONTENT_TYPE_DEFAULT = 'application/protobuf'

/** A decoded, schema-checked envelope (signatures not yet verified). */
export interface Envelope {
  version: number
  /** 16 bytes */
  id: Uint8Array
  timestampMs: number
  /** PeerId of the signing node */
  source: string
  /** PeerId or topic */
  destination: string
  federationId: string
  ttl: number
  /** hops travelled so far (unsigned: forwarders change it) */
  hops: number
  dataClass: DataClass
  priority: Priority
  schemaId: string
  contentType: string
  payload: Uint8Array
  /** position in the source's log of this data class, from 1; 0 = not sequenced (protocols/envelope.md "Per-origin logs") */
  originSeq: number
  /** SHA-256 of the source's body at originSeq - 1; empty for seq 0 and 1 */
  prevHash: Uint8Array
}

/** An envelope with what verification needs: the exact signed bytes and the signatures. */
export interface DecodedEnvelope {
  envelope: Envelope
  /** `ENVELOPE_SIGNING_DOMAIN ‖ body`, exactly as signed */
  signedBytes: Uint8Array
  signature: HybridSignature
  /** hex of the id, the replay cache key */
  idHex: string
}

/** Fields of a new envelope; omitted ones get defaults. */
export interface EnvelopeFields {
  /** ENVELOPE_ID_BYTES from the caller's Random component (the sim's is seeded, so its envelopes are reproducible) */
  id: Uint8Array
  /** from the caller's Clock component */
  timestampMs: number
  source: string
  destination: string
  federationId: string
  ttl?: number
  hops?: number
  dataClass: DataClass
  priority?: Priority
  schemaId: string
  contentType?: string
  payload: Uint8Array
  /** position in the source's log (the envelope channel assigns it); absent = 0, not sequenced */
  originSeq?: number
  /** SHA-256 of the previous body of the source's log; required from seq 2 */
  prevHash?: Uint8Array
}

const DATA_CLASS_TO_WIRE: Record<DataClass, WireDataClass> = {
  summary: WireDataClass.SUMMARY,
  attestation: WireDataClass.ATTESTATION,
  vote: WireDataClass.VOTE,
  aggregated_metrics: WireDataClass.AGGREGATED_METRICS,
  incident_summary: WireDataClass.INCIDENT_SUMMARY,
  playbook_metadata: WireDataClass.PLAYBOOK_METADATA,
  coordination_request: WireDataClass.COORDINATION_REQUEST,
  chain: WireDataClass.CHAIN,
  audit_checkpoint: WireDataClass.AUDIT_CHECKPOINT,
  move_ack: WireDataClass.MOVE_ACK
}
const DATA_CLASS_FROM_WIRE = new Map<WireDataClass, DataClass>(Object.entries(DATA_CLASS_TO_WIRE).map(([name, wire]) => [wire, name as DataClass]))

const PRIORITY_TO_WIRE: Record<Priority, WirePriority> = {
  routine: WirePriority.ROUTINE, elevated: WirePriority.ELEVATED, urgent: WirePriority.URGENT, critical: WirePriority.CRITICAL
}
const PRIORITY_FROM_WIRE = new Map<WirePriority, Priority>(Object.entries(PRIORITY_TO_WIRE).map(([name, wire]) => [wire, name as Priority]))

/** Printable ASCII without spaces: PeerIds and topics. */
const DESTINATION_PATTERN = /^[\x21-\x7e]+$/
const SCHEMA_ID_PATTERN = /^[a-z0-9][a-z0-9._-]*(?:\/[a-z0-9._-]+)*$/
/** RFC 6838 `type/subtype`, lowercase, no parameters. */
const CONTENT_TYPE_PATTERN = /^[a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*$/
const MLDSA_SIGNATURE_SIZES = new Set(Object.values(ML_DSA_SIZES).map((size) => size.signatureBytes))

function schemaError (field: string, problem: string): EnvelopeSchemaError {
  return new EnvelopeSchemaError(`envelope ${field} ${problem}`)
}

function checkText (field: string, value: string, lengthMax: number, pattern: RegExp, grammar: string): void {
  if (value.length === 0) throw schemaError(field, 'is missing')
  if (value.length > lengthMax) throw schemaError(field, `is longer than ${lengthMax} characters`)
  if (!pattern.test(value)) throw schemaError(field, `must be ${grammar}`)
}

/** Checks every header field against its limit and grammar; throws EnvelopeSchemaError. */
export function checkEnvelopeFields (envelope: Envelope): void {
  if (envelope.version === 0) throw schemaError('version', 'is missing')
  if (envelope.version !== ENVELOPE_VERSION) throw new UnsupportedEnvelopeVersionError(`envelope version ${envelope.version} is not supported (this node speaks ${ENVELOPE_VERSION})`)
  if (envelope.id.length !== ENVELOPE_ID_BYTES) throw schemaError('id', `must be ${ENVELOPE_ID_BYTES} bytes, got ${envelope.id.length}`)
  if (!Number.isSafeInteger(envelope.timestampMs) || envelope.timestampMs <= 0) throw schemaError('timestamp_ms', 'must be a positive millisecond time')
  checkText('source', envelope.source, SOURCE_LENGTH_MAX, PEER_ID_PATTERN, 'a base58 PeerId')
  checkText('destination', envelope.destination, DESTINATION_LENGTH_MAX, DESTINATION_PATTERN, 'a PeerId or a topic (printable ASCII, no spaces)')
  checkText('federation_id', envelope.federationId, FEDERATION_ID_LENGTH_MAX, SLUG_PATTERN, 'a slug')
  if (!Number.isInteger(envelope.ttl) || envelope.ttl < 1 || envelope.ttl > TTL_HOPS_MAX) throw schemaError('ttl', `must be 1..${TTL_HOPS_MAX}, got ${envelope.ttl}`)
  if (!Number.isInteger(envelope.hops) || envelope.hops < 0) throw schemaError('hops', 'must be a non-negative integer')
  if (!(DATA_CLASSES as readonly string[]).includes(envelope.dataClass)) throw schemaError('data_class', 'is missing or unknown')
  if (!(PRIORITIES as readonly string[]).includes(envelope.priority)) throw schemaError('priority', 'is unknown')
  checkText('schema_id', envelope.schemaId, SCHEMA_ID_LENGTH_MAX, SCHEMA_ID_PATTERN, 'lowercase words and digits joined by ".", "_", "-" or "/" (e.g. "fedmesh.vote/1")')
  checkText('content_type', envelope.contentType, CONTENT_TYPE_LENGTH_MAX, CONTENT_TYPE_PATTERN, 'a lowercase MIME type such as "application/protobuf"')
  if (envelope.payload.length > PAYLOAD_BYTES_MAX) throw schemaError('payload', `is larger than ${PAYLOAD_BYTES_MAX} bytes`)
  if (!Number.isSafeInteger(envelope.originSeq) || envelope.originSeq < 0 || envelope.originSeq > ORIGIN_SEQ_MAX) throw schemaError('origin_seq', `must be 0..${ORIGIN_SEQ_MAX}`)
  // seq 1 starts a log and links to nothing; every later one links to its predecessor
  const prevBytes = envelope.originSeq >= 2 ? PREV_HASH_BYTES : 0
  if (envelope.prevHash.length !== prevBytes) throw schemaError('prev_hash', `must be ${prevBytes} bytes at origin_seq ${envelope.originSeq}`)
}

function signingBytes (body: Uint8Array): Uint8Array {
  const bytes = new Uint8Array(ENVELOPE_SIGNING_DOMAIN.length + body.length)
  bytes.set(ENVELOPE_SIGNING_DOMAIN, 0)
  bytes.set(body, ENVELOPE_SIGNING_DOMAIN.length)
  return bytes
}

function toHex (bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('hex')
}

/** SHA-256 of an envelope's signed body: what the next envelope of its source's log links to as `prev_hash`. */
export function envelopeBodyHash (decoded: DecodedEnvelope): Uint8Array {
  return new Uint8Array(createHash('sha256').update(decoded.signedBytes.subarray(ENVELOPE_SIGNING_DOMAIN.length)).digest())
}

/** Builds, checks and signs an envelope; returns its wire bytes. Throws EnvelopeSchemaError for out-of-limit fields. */
export function signEnvelope (fields: EnvelopeFields, signer: HybridSigner): Uint8Array {
  const envelope: Envelope = {
    version: ENVELOPE_VERSION,
    id: fields.id,
    timestampMs: fields.timestampMs,
    source: fields.source,
    destination: fields.destination,
    federationId: fields.federationId,
    ttl: fields.ttl ?? TTL_HOPS_DEFAULT,
    hops: fields.hops ?? 0,
    dataClass: fields.dataClass,
    priority: fields.priority ?? 'routine',
    schemaId: fields.schemaId,
    contentType: fields.contentType ?? CONTENT_TYPE_DEFAULT,
    payload: fields.payload,
    originSeq: fields.originSeq ?? 0,
    prevHash: fields.prevHash ?? new Uint8Array(0)
  }
  checkEnvelopeFields(envelope)
  const body = EnvelopeBody.encode({
    version: envelope.version,
    id: envelope.id,
    timestampMs: BigInt(envelope.timestampMs),
    source: envelope.source,
    destination: envelope.destination,
    federationId: envelope.federationId,
    ttl: envelope.ttl,
    dataClass: DATA_CLASS_TO_WIRE[envelope.dataClass],
    priority: PRIORITY_TO_WIRE[envelope.priority],
    schemaId: envelope.schemaId,
    contentType: envelope.contentType,
    payload: envelope.payload,
    originSeq: BigInt(envelope.originSeq),
    prevHash: envelope.prevHash
  })
  const signature = signer.sign(signingBytes(body))
  return SignedEnvelope.encode({ body, ed25519Signature: signature.ed25519, mldsaSignature: signature.mldsa, hops: envelope.hops })
}

/** The same envelope with its hop count raised by one, for a forwarder (signatures stay valid: hops is unsigned). */
export function forwardEnvelope (bytes: Uint8Array): Uint8Array {
  const signed = decodeSignedEnvelope(bytes)
  return SignedEnvelope.encode({ ...signed, hops: signed.hops + 1 })
}

function decodeSignedEnvelope (bytes: Uint8Array): SignedEnvelope {
  try {
    return SignedEnvelope.decode(bytes)
  } catch (err) {
    throw new MalformedEnvelopeError(`not a signed envelope: ${(err as Error).message}`)
  }
}

function decodeBody (bytes: Uint8Array): EnvelopeBody {
  try {
    return EnvelopeBody.decode(bytes)
  } catch (err) {
    throw new MalformedEnvelopeError(`envelope body does not decode: ${(err as Error).message}`)
  }
}

/**
 * Size check, decode and schema check, the cheap front of the pipeline.
 * Throws EnvelopeTooLargeError, MalformedEnvelopeError, EnvelopeSchemaError or UnsupportedEnvelopeVersionError.
 */
export function decodeEnvelope (bytes: Uint8Array): DecodedEnvelope {
  if (bytes.length > ENVELOPE_BYTES_MAX) throw new EnvelopeTooLargeError(`envelope of ${bytes.length} bytes exceeds ${ENVELOPE_BYTES_MAX}`)
  const signed = decodeSignedEnvelope(bytes)
  const body = decodeBody(signed.body)
  if (body.timestampMs > BigInt(Number.MAX_SAFE_INTEGER)) throw schemaError('timestamp_ms', 'is beyond any plausible time')
  if (body.originSeq > BigInt(ORIGIN_SEQ_MAX)) throw schemaError('origin_seq', `is above ${ORIGIN_SEQ_MAX}`)
  const dataClass = DATA_CLASS_FROM_WIRE.get(body.dataClass)
  const priority = PRIORITY_FROM_WIRE.get(body.priority)
  if (dataClass === undefined) throw schemaError('data_class', 'is missing or unknown')
  if (priority === undefined) throw schemaError('priority', 'is unknown')
  const envelope: Envelope = {
    version: body.version,
    id: body.id,
    timestampMs: Number(body.timestampMs),
    source: body.source,
    destination: body.destination,
    federationId: body.federationId,
    ttl: body.ttl,
    hops: signed.hops,
    dataClass,
    priority,
    schemaId: body.schemaId,
    contentType: body.contentType,
    payload: body.payload,
    originSeq: Number(body.originSeq),
    prevHash: body.prevHash
  }
  checkEnvelopeFields(envelope)
  if (signed.ed25519Signature.length !== ED25519_SIGNATURE_BYTES) throw schemaError('ed25519_signature', `must be ${ED25519_SIGNATURE_BYTES} bytes`)
  if (!MLDSA_SIGNATURE_SIZES.has(signed.mldsaSignature.length)) throw schemaError('mldsa_signature', 'has no ML-DSA signature size')
  return {
    envelope,
    signedBytes: signingBytes(signed.body),
    signature: { ed25519: signed.ed25519Signature, mldsa: signed.mldsaSignature },
    idHex: toHex(envelope.id)
  }
}
