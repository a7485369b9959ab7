/**
 * The handshake's messages as the core sees them (protocols/handshake.md).
 * The wire codec (src/wire/handshake.ts) maps them to protobuf; signatures
 * never cover those encodings: the transcript is recomputed from these fields.
 */
import type { DataClass } from '../data-class.ts'
import type { HybridSignature } from '../signature.ts'

/** What a node asks of the link: how often it sends heartbeats, the largest bilateral message it takes. */
export interface QualityOfService {
  heartbeatIntervalMs: number
  messageBytesMax: number
}

/** What a node says it can do, in its hello. */
export interface Capabilities {
  /** handshake versions it speaks */
  versions: number[]
  /** bilateral data classes it is willing to send this peer */
  offered: DataClass[]
  /** bilateral data classes it is willing to receive from this peer */
  wanted: DataClass[]
  qos: QualityOfService
}

/** One side's opening: who it is (its signed node record), a fresh nonce, its capabilities. */
export interface Hello {
  /** the sender's PeerId text */
  node: string
  nonce: Uint8Array
  capabilities: Capabilities
  /** the sender's signed node record (src/wire/node-record.ts) */
  nodeRecord: Uint8Array
}

/** A policy proposal: who may send which classes, and the link's QoS. */
export interface PolicyTerms {
  initiatorSends: DataClass[]
  responderSends: DataClass[]
  heartbeatIntervalMs: number
  messageBytesMax: number
}

/** Every handshake message. */
export type HandshakeMessage =
  | { kind: 'hello', hello: Hello }
  /** the responder's hello and its signature over the transcript */
  | { kind: 'hello_reply', hello: Hello, signature: HybridSignature }
  /** the initiator's signature over the transcript and its first proposal (round 1) */
  | { kind: 'auth', signature: HybridSignature, proposal: PolicyTerms }
  | { kind: 'counter', round: number, terms: PolicyTerms }
  /** agreement: echoes the terms the other side proposed last */
  | { kind: 'accept', terms: PolicyTerms }
  | { kind: 'refuse', code: string, reason: string }
  | { kind: 'heartbeat', seq: number, sentAtMs: number }
  | { kind: 'terminate', forced: boolean, noticeMs: number, reason: string }

export type HandshakeRole = 'initiator' | 'responder'
