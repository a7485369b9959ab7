/**
 * protobuf ↔ core for /fedmesh/handshake/1.0.0 (protocols/handshake.proto).
 * Size first, then decode with repeated-field limits, exactly one body, then
 * the schema of each field (class names, nonce size, ranges). Signed bytes are
 * recomputed from the decoded fields (core/handshake/transcript.ts).
 */
import { DATA_CLASSES, type DataClass } from '../core/data-class.ts'
import {
  HANDSHAKE_CLASSES_MAX, HANDSHAKE_NONCE_BYTES, HANDSHAKE_REASON_LENGTH_MAX, HANDSHAKE_VERSIONS_MAX, HandshakeSchemaError,
  TERMINATION_NOTICE_MS_MAX, type Capabilities, type HandshakeMessage, type Hello, type PolicyTerms
} from '../core/handshake/index.ts'
import { PEER_ID_LENGTH_MAX } from '../core/identity/peer-id.ts'
import type { HybridSignature } from '../core/signature.ts'
import { NODE_RECORD_BYTES_MAX } from './node-record.ts'
import * as wire from '../../protocols/handshake.ts'

/** One handshake frame: a hello carries a node record (≤ NODE_RECORD_BYTES_MAX); signatures at ML-DSA-87 are ~4.6 KiB. */
export const HANDSHAKE_MESSAGE_BYTES_MAX = NODE_RECORD_BYTES_MAX + 16 * 1024
/** Longest signature field accepted (ML-DSA-87 signs in 4627 bytes). */
const SIGNATURE_BYTES_MAX = 8 * 1024

const CLASS_NAMES = new Set<string>(DATA_CLASSES)
const CODE_PATTERN = /^[a-z][a-z0-9_]{0,63}$/

function schema (what: string, cause?: unknown): never {
  throw new HandshakeSchemaError(`malformed handshake message: ${what}`, cause === undefined ? undefined : { cause })
}

function classesIn (names: string[], what: string): DataClass[] {
  for (const name of names) if (!CLASS_NAMES.has(name)) schema(`${what} names "${name.slice(0, 64)}", not a data class`)
  if (new Set(names).size !== names.length) schema(`${what} repeats a class`)
  return names as DataClass[]
}

function int (value: bigint, what: string): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) schema(`${what} is out of range`)
  return Number(value)
}

function signatureIn (s: wire.HandshakeSignature | undefined): HybridSignature {
  if (s === undefined) schema('missing signature')
  if (s.ed25519.length > SIGNATURE_BYTES_MAX || s.mldsa.length > SIGNATURE_BYTES_MAX) schema('signature too long')
  return { ed25519: s.ed25519, mldsa: s.mldsa }
}

function capabilitiesIn (c: wire.Capabilities | undefined): Capabilities {
  if (c === undefined) schema('hello without capabilities')
  if (c.heartbeatIntervalMs === 0 || c.messageBytesMax === 0) schema('capabilities without QoS')
  return {
    versions: c.versions,
    offered: classesIn(c.offered, 'offered'),
    wanted: classesIn(c.wanted, 'wanted'),
    qos: { heartbeatIntervalMs: c.heartbeatIntervalMs, messageBytesMax: c.messageBytesMax }
  }
}

function helloIn (h: wire.Hello | undefined): Hello {
  if (h === undefined) schema('missing hello')
  if (h.node.length === 0 || h.node.length > PEER_ID_LENGTH_MAX) schema('hello node is missing or too long')
  if (h.nonce.length !== HANDSHAKE_NONCE_BYTES) schema(`nonce must be ${HANDSHAKE_NONCE_BYTES} bytes`)
  if (h.nodeRecord.length === 0 || h.nodeRecord.length > NODE_RECORD_BYTES_MAX) schema('node record is missing or too large')
  return { node: h.node, nonce: h.nonce, capabilities: capabilitiesIn(h.capabilities), nodeRecord: h.nodeRecord }
}

function termsIn (t: wire.PolicyTerms | undefined): PolicyTerms {
  if (t === undefined) schema('missing terms')
  return {
    initiatorSends: classesIn(t.initiatorSends, 'initiator_sends'),
    responderSends: classesIn(t.responderSends, 'responder_sends'),
    heartbeatIntervalMs: t.heartbeatIntervalMs,
    messageBytesMax: t.messageBytesMax
  }
}

function textIn (text: string, what: string): string {
  if (text.length > HANDSHAKE_REASON_LENGTH_MAX) schema(`${what} longer than ${HANDSHAKE_REASON_LENGTH_MAX} characters`)
  return text
}

const helloOut = (h: Hello): wire.Hello => ({
  node: h.node,
  nonce: h.nonce,
  capabilities: { versions: h.capabilities.versions, offered: h.capabilities.offered, wanted: h.capabilities.wanted, heartbeatIntervalMs: h.capabilities.qos.heartbeatIntervalMs, messageBytesMax: h.capabilities.qos.messageBytesMax },
  nodeRecord: h.nodeRecord
})
const termsOut = (t: PolicyTerms): wire.PolicyTerms => ({ initiatorSends: t.initiatorSends, responderSends: t.responderSends, heartbeatIntervalMs: t.heartbeatIntervalMs, messageBytesMax: t.messageBytesMax })

/** The wire bytes of a handshake message. */
export function encodeHandshakeMessage (message: HandshakeMessage): Uint8Array {
  switch (message.kind) {
    case 'hello': return wire.HandshakeMessage.encode({ hello: helloOut(message.hello) })
    case 'hello_reply': return wire.HandshakeMessage.encode({ helloReply: { hello: helloOut(message.hello), signature: message.signature } })
    case 'auth': return wire.HandshakeMessage.encode({ auth: { signature: message.signature, proposal: termsOut(message.proposal) } })
    case 'counter': return wire.HandshakeMessage.encode({ counter: { round: message.round, terms: termsOut(message.terms) } })
    case 'accept': return wire.HandshakeMessage.encode({ accept: { terms: termsOut(message.terms) } })
    case 'refuse': return wire.HandshakeMessage.encode({ refuse: { code: message.code, reason: message.reason.slice(0, HANDSHAKE_REASON_LENGTH_MAX) } })
    case 'heartbeat': return wire.HandshakeMessage.encode({ heartbeat: { seq: BigInt(message.seq), sentAtMs: BigInt(message.sentAtMs) } })
    case 'terminate': return wire.HandshakeMessage.encode({ terminate: { forced: message.forced, noticeMs: BigInt(message.noticeMs), reason: message.reason.slice(0, HANDSHAKE_REASON_LENGTH_MAX) } })
  }
}

const CAPABILITY_LIMITS = { versions: HANDSHAKE_VERSIONS_MAX, offered: HANDSHAKE_CLASSES_MAX, wanted: HANDSHAKE_CLASSES_MAX }
const TERMS_LIMITS = { initiatorSends: HANDSHAKE_CLASSES_MAX, responderSends: HANDSHAKE_CLASSES_MAX }

/** A handshake message from wire bytes; throws HandshakeSchemaError. */
export function decodeHandshakeMessage (bytes: Uint8Array): HandshakeMessage {
  if (bytes.length > HANDSHAKE_MESSAGE_BYTES_MAX) schema(`${bytes.length} bytes, more than ${HANDSHAKE_MESSAGE_BYTES_MAX}`)
  let m: wire.HandshakeMessage
  try {
    m = wire.HandshakeMessage.decode(bytes, {
      limits: {
        hello: { capabilities: CAPABILITY_LIMITS },
        helloReply: { hello: { capabilities: CAPABILITY_LIMITS } },
        auth: { proposal: TERMS_LIMITS },
        counter: { terms: TERMS_LIMITS },
        accept: { terms: TERMS_LIMITS }
      }
    })
  } catch (err) {
    schema('not a HandshakeMessage', err)
  }
  const set = [m.hello, m.helloReply, m.auth, m.counter, m.accept, m.refuse, m.heartbeat, m.terminate].filter((f) => f !== undefined).length
  if (set !== 1) schema(`exactly one body must be set, got ${set}`)
  if (m.hello !== undefined) return { kind: 'hello', hello: helloIn(m.hello) }
  if (m.helloReply !== undefined) return { kind: 'hello_reply', hello: helloIn(m.helloReply.hello), signature: signatureIn(m.helloReply.signature) }
  if (m.auth !== undefined) return { kind: 'auth', signature: signatureIn(m.auth.signature), proposal: termsIn(m.auth.proposal) }
  if (m.counter !== undefined) return { kind: 'counter', round: m.counter.round, terms: termsIn(m.counter.terms) }
  if (m.accept !== undefined) return { kind: 'accept', terms: termsIn(m.accept.terms) }
  if (m.refuse !== undefined) {
    const code = CODE_PATTERN.test(m.refuse.code) ? m.refuse.code : 'unknown'
    return { kind: 'refuse', code, reason: textIn(m.refuse.reason, 'reason') }
  }
  if (m.heartbeat !== undefined) return { kind: 'heartbeat', seq: int(m.heartbeat.seq, 'seq'), sentAtMs: int(m.heartbeat.sentAtMs, 'sent_at_ms') }
  const t = m.terminate!
  const noticeMs = int(t.noticeMs, 'notice_ms')
  if (noticeMs > TERMINATION_NOTICE_MS_MAX) schema(`notice over ${TERMINATION_NOTICE_MS_MAX} ms`)
  return { kind: 'terminate', forced: t.forced, noticeMs, reason: textIn(t.reason, 'reason') }
}
