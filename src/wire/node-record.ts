/**
 * The node record: a node's site registry entry, signed by both of its keys.
 * The Ed25519 key is the one inside the PeerId, so a valid record binds the
 * ML-DSA public key to the PeerId; peers learn each other's hybrid keys from
 * it. Published in the DHT under `/fedmesh-node/<peerId>`, newest `seq` wins.
 * Spec: protocols/node-record.md.
 */
import { peerIdFromString } from '@libp2p/peer-id'
import { PEER_ID_LENGTH_MAX } from '../core/identity/peer-id.ts'
import { multiaddr } from '@multiformats/multiaddr'
import type { HybridPublicKey, HybridSigner, MlDsaLevel, SignatureVerifier } from '../core/signature.ts'
import { InputError } from '../core/errors.ts'
import { assert } from '../core/errors.ts'
import { CAPABILITIES_MAX, SLUG_LENGTH_MAX, SLUG_PATTERN } from '../config/schema.ts'
import { NodeRecordBody, SignedNodeRecord } from '../../protocols/node-record.ts'
import { hybridVerifier } from '../crypto/hybrid.ts'
import { isMlDsaLevel, ML_DSA_SIZES } from '../crypto/mldsa.ts'
import { ED25519_SIGNATURE_BYTES } from '../crypto/ed25519.ts'

export const NODE_RECORD_VERSION = 1
/** DHT namespace: keys are `/fedmesh-node/<peerId>`. */
export const NODE_RECORD_NAMESPACE = 'fedmesh-node'
export const NODE_RECORD_ADDRS_MAX = 16
export const NODE_RECORD_ADDR_LENGTH_MAX = 256
export const NODE_RECORD_CAPABILITIES_MAX = CAPABILITIES_MAX
export const NODE_RECORD_PEER_ID_LENGTH_MAX = PEER_ID_LENGTH_MAX
/** A whole record: every field at its limit at ML-DSA-87 fits (asserted below). */
export const NODE_RECORD_BYTES_MAX = 20 * 1024
/** Prefixed to the body before signing, so a record signature can never pass for an envelope's. */
export const NODE_RECORD_SIGNING_DOMAIN = new TextEncoder().encode('fedmesh/node-record/1\n')

/** ISO 3166 country or subdivision code, the config's `jurisdiction` grammar. */
const JURISDICTION_PATTERN = /^[A-Z]{2}(?:-[A-Z0-9]{1,3})?$/

{
  const fieldsBytesMax = 64 + NODE_RECORD_PEER_ID_LENGTH_MAX + SLUG_LENGTH_MAX + 8 +
    NODE_RECORD_CAPABILITIES_MAX * (SLUG_LENGTH_MAX + 3) + NODE_RECORD_ADDRS_MAX * (NODE_RECORD_ADDR_LENGTH_MAX + 4)
  const keyAndSignaturesBytesMax = ML_DSA_SIZES[87].publicKeyBytes + ML_DSA_SIZES[87].signatureBytes + ED25519_SIGNATURE_BYTES + 16
  assert(fieldsBytesMax + keyAndSignaturesBytesMax <= NODE_RECORD_BYTES_MAX, 'node record limits: fields must fit the record')
}

/** Base class of node record failures. */
export class NodeRecordError extends InputError {
  static override readonly code: string = 'NodeRecordError'
  override readonly name: string = 'NodeRecordError'
}

export class NodeRecordTooLargeError extends NodeRecordError {
  static override readonly code = 'NodeRecordTooLargeError'
  override readonly name = 'NodeRecordTooLargeError'
}

export class MalformedNodeRecordError extends NodeRecordError {
  static override readonly code = 'MalformedNodeRecordError'
  override readonly name = 'MalformedNodeRecordError'
}

export class NodeRecordSchemaError extends NodeRecordError {
  static override readonly code = 'NodeRecordSchemaError'
  override readonly name = 'NodeRecordSchemaError'
}

/** The record is for another PeerId than expected (or than its DHT key says). */
export class NodeRecordPeerMismatchError extends NodeRecordError {
  static override readonly code = 'NodeRecordPeerMismatchError'
  override readonly name = 'NodeRecordPeerMismatchError'
}

export class NodeRecordBadSignatureError extends NodeRecordError {
  static override readonly code = 'NodeRecordBadSignatureError'
  override readonly name = 'NodeRecordBadSignatureError'
}

/** A DHT key outside `/fedmesh-node/<peerId>`. */
export class NodeRecordKeyError extends NodeRecordError {
  static override readonly code = 'NodeRecordKeyError'
  override readonly name = 'NodeRecordKeyError'
}

/** What a node says about itself. */
export interface NodeRecordFields {
  /** increases with every new record of the node; the newest valid one wins */
  seq: number
  timestampMs: number
  siteId: string
  jurisdiction: string
  capabilities: string[]
  federationEnabled: boolean
  /** multiaddrs, text form */
  addrs: string[]
}

/** A verified node record. */
export interface NodeRecord extends NodeRecordFields {
  version: number
  peerId: string
  /** the node's hybrid key: Ed25519 from the PeerId, ML-DSA from the record */
  publicKey: HybridPublicKey
}

function schemaError (field: string, problem: string): NodeRecordSchemaError {
  return new NodeRecordSchemaError(`node record ${field} ${problem}`)
}

function checkFields (fields: NodeRecordFields): void {
  if (!Number.isSafeInteger(fields.seq) || fields.seq < 0) throw schemaError('seq', 'must be a non-negative safe integer')
  if (!Number.isSafeInteger(fields.timestampMs) || fields.timestampMs <= 0) throw schemaError('timestamp_ms', 'must be a positive millisecond time')
  if (fields.siteId.length > SLUG_LENGTH_MAX || !SLUG_PATTERN.test(fields.siteId)) throw schemaError('site_id', `must be a slug of at most ${SLUG_LENGTH_MAX} characters`)
  if (!JURISDICTION_PATTERN.test(fields.jurisdiction)) throw schemaError('jurisdiction', 'must be an ISO 3166 code such as "UK" or "US-CA"')
  if (fields.capabilities.length > NODE_RECORD_CAPABILITIES_MAX) throw schemaError('capabilities', `has more than ${NODE_RECORD_CAPABILITIES_MAX} entries`)
  for (const capability of fields.capabilities) {
    if (capability.length > SLUG_LENGTH_MAX || !SLUG_PATTERN.test(capability)) throw schemaError('capabilities', `entry "${capability.slice(0, 80)}" is not a slug`)
  }
  if (fields.addrs.length > NODE_RECORD_ADDRS_MAX) throw schemaError('addrs', `has more than ${NODE_RECORD_ADDRS_MAX} entries`)
  for (const addr of fields.addrs) {
    if (addr.length > NODE_RECORD_ADDR_LENGTH_MAX) throw schemaError('addrs', `entry is longer than ${NODE_RECORD_ADDR_LENGTH_MAX} characters`)
    try {
      multiaddr(addr)
    } catch {
      throw schemaError('addrs', `entry "${addr.slice(0, 80)}" is not a multiaddr`)
    }
  }
}

/** The raw Ed25519 public key inside an Ed25519 PeerId; NodeRecordSchemaError for anything else. */
function ed25519KeyOfPeerId (peerId: string): Uint8Array {
  if (peerId.length === 0 || peerId.length > NODE_RECORD_PEER_ID_LENGTH_MAX) throw schemaError('peer_id', 'is missing or too long')
  let parsed
  try {
    parsed = peerIdFromString(peerId)
  } catch {
    throw schemaError('peer_id', `"${peerId.slice(0, 80)}" is not a PeerId`)
  }
  if (parsed.type !== 'Ed25519') throw schemaError('peer_id', `must be an Ed25519 PeerId, not ${parsed.type}`)
  return parsed.publicKey.raw
}

function signingBytes (body: Uint8Array): Uint8Array {
  const bytes = new Uint8Array(NODE_RECORD_SIGNING_DOMAIN.length + body.length)
  bytes.set(NODE_RECORD_SIGNING_DOMAIN, 0)
  bytes.set(body, NODE_RECORD_SIGNING_DOMAIN.length)
  return bytes
}

/** Builds and signs the node record of `signer`'s node; its PeerId is `peerId`, which must hold the signer's Ed25519 key. */
export function createNodeRecord (fields: NodeRecordFields & { peerId: string }, signer: HybridSigner): Uint8Array {
  checkFields(fields)
  const ed25519 = ed25519KeyOfPeerId(fields.peerId)
  if (!Buffer.from(ed25519).equals(Buffer.from(signer.publicKey.ed25519))) {
    throw new NodeRecordPeerMismatchError(`PeerId ${fields.peerId} is not the signer's Ed25519 key`)
  }
  const body = NodeRecordBody.encode({
    version: NODE_RECORD_VERSION,
    peerId: fields.peerId,
    seq: BigInt(fields.seq),
    timestampMs: BigInt(fields.timestampMs),
    siteId: fields.siteId,
    jurisdiction: fields.jurisdiction,
    capabilities: fields.capabilities,
    federationEnabled: fields.federationEnabled,
    addrs: fields.addrs,
    mldsaLevel: signer.publicKey.mldsaLevel,
    mldsaPublicKey: signer.publicKey.mldsa
  })
  const signature = signer.sign(signingBytes(body))
  return SignedNodeRecord.encode({ body, ed25519Signature: signature.ed25519, mldsaSignature: signature.mldsa })
}

let defaultVerifier: SignatureVerifier | undefined

/** Decodes and verifies a node record (both signatures); throws a NodeRecordError subclass. */
export function verifyNodeRecord (bytes: Uint8Array, expectedPeerId?: string, verifier?: SignatureVerifier): NodeRecord {
  if (bytes.length > NODE_RECORD_BYTES_MAX) throw new NodeRecordTooLargeError(`node record of ${bytes.length} bytes exceeds ${NODE_RECORD_BYTES_MAX}`)
  let signed: SignedNodeRecord
  let body: NodeRecordBody
  try {
    signed = SignedNodeRecord.decode(bytes)
    body = NodeRecordBody.decode(signed.body, {
      limits: { capabilities: NODE_RECORD_CAPABILITIES_MAX, addrs: NODE_RECORD_ADDRS_MAX }
    })
  } catch (err) {
    throw new MalformedNodeRecordError(`not a node record: ${(err as Error).message}`)
  }
  if (body.version !== NODE_RECORD_VERSION) throw schemaError('version', `${body.version} is not supported (this node speaks ${NODE_RECORD_VERSION})`)
  if (body.seq > BigInt(Number.MAX_SAFE_INTEGER) || body.timestampMs > BigInt(Number.MAX_SAFE_INTEGER)) throw schemaError('seq', 'or timestamp_ms is beyond a safe integer')
  const record: NodeRecordFields = {
    seq: Number(body.seq),
    timestampMs: Number(body.timestampMs),
    siteId: body.siteId,
    jurisdiction: body.jurisdiction,
    capabilities: body.capabilities,
    federationEnabled: body.federationEnabled,
    addrs: body.addrs
  }
  checkFields(record)
  if (expectedPeerId !== undefined && body.peerId !== expectedPeerId) {
    throw new NodeRecordPeerMismatchError(`node record is for ${body.peerId.slice(0, 100)}, expected ${expectedPeerId}`)
  }
  const ed25519 = ed25519KeyOfPeerId(body.peerId)
  const level = body.mldsaLevel
  if (!isMlDsaLevel(level)) throw schemaError('mldsa_level', `must be 44, 65 or 87, got ${level}`)
  if (body.mldsaPublicKey.length !== ML_DSA_SIZES[level].publicKeyBytes) throw schemaError('mldsa_public_key', `must be ${ML_DSA_SIZES[level].publicKeyBytes} bytes for ML-DSA-${level}`)
  const publicKey: HybridPublicKey = { ed25519, mldsa: body.mldsaPublicKey, mldsaLevel: level as MlDsaLevel }
  verifier ??= (defaultVerifier ??= hybridVerifier())
  if (!verifier.verify(publicKey, signingBytes(signed.body), { ed25519: signed.ed25519Signature, mldsa: signed.mldsaSignature })) {
    throw new NodeRecordBadSignatureError(`node record of ${body.peerId}: the hybrid signature does not verify`)
  }
  return { ...record, version: body.version, peerId: body.peerId, publicKey }
}

/** The DHT key of a node's record: `/fedmesh-node/<peerId>`. */
export function nodeRecordKey (peerId: string | { toString: () => string }): Uint8Array {
  return new TextEncoder().encode(`/${NODE_RECORD_NAMESPACE}/${peerId.toString()}`)
}

/** The PeerId a node record DHT key names; NodeRecordKeyError for any other key. */
export function peerIdOfNodeRecordKey (key: Uint8Array): string {
  const text = new TextDecoder().decode(key)
  const prefix = `/${NODE_RECORD_NAMESPACE}/`
  const peerId = text.startsWith(prefix) ? text.slice(prefix.length) : ''
  if (peerId === '' || peerId.includes('/') || peerId.length > NODE_RECORD_PEER_ID_LENGTH_MAX) {
    throw new NodeRecordKeyError(`DHT key ${text.slice(0, 120)} is not /${NODE_RECORD_NAMESPACE}/<peerId>`)
  }
  return peerId
}

/** kad-dht validator for `/fedmesh-node/…`: throws unless `value` is a valid record of the key's PeerId. */
export async function validateNodeRecordEntry (key: Uint8Array, value: Uint8Array): Promise<void> {
  verifyNodeRecord(value, peerIdOfNodeRecordKey(key))
}

/**
 * kad-dht selector for `/fedmesh-node/…`: the index of the valid record with
 * the highest seq; ties go to the later timestamp, then to the smaller bytes,
 * so every node picks the same one. Index 0 when none is valid (kad-dht
 * validates the chosen record again before use).
 */
export function selectNodeRecord (key: Uint8Array, records: Uint8Array[]): number {
  let expectedPeerId: string
  try {
    expectedPeerId = peerIdOfNodeRecordKey(key)
  } catch {
    return 0
  }
  let best: { index: number, seq: number, timestampMs: number, bytes: Uint8Array } | undefined
  for (const [index, bytes] of records.entries()) {
    let record: NodeRecord
    try {
      record = verifyNodeRecord(bytes, expectedPeerId)
    } catch {
      continue
    }
    const better = best === undefined ||
      record.seq > best.seq ||
      (record.seq === best.seq && record.timestampMs > best.timestampMs) ||
      (record.seq === best.seq && record.timestampMs === best.timestampMs && Buffer.compare(bytes, best.bytes) < 0)
    if (better) best = { index, seq: record.seq, timestampMs: record.timestampMs, bytes }
  }
  return best?.index ?? 0
}
