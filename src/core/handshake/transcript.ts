/**
 * The bytes each side signs: the domain, then the canonical JSON of both
 * hellos (nonces, capabilities, node records) and the signer's role. Both
 * nonces are fresh, so a signature answers exactly this handshake; the role
 * keeps the initiator's signature from passing for the responder's.
 */
import { toString } from 'uint8arrays'
import { canonicalJson } from '../consensus/canonical.ts'
import { HANDSHAKE_TRANSCRIPT_DOMAIN } from './constants.ts'
import type { HandshakeRole, Hello } from './messages.ts'

function helloJson (hello: Hello): unknown {
  const c = hello.capabilities
  return {
    node: hello.node,
    nonce: toString(hello.nonce, 'base16'),
    node_record: toString(hello.nodeRecord, 'base16'),
    versions: c.versions,
    offered: c.offered,
    wanted: c.wanted,
    heartbeat_interval_ms: c.qos.heartbeatIntervalMs,
    message_bytes_max: c.qos.messageBytesMax
  }
}

/** What `signer` signs in the handshake between these two hellos. */
export function transcriptBytes (init: { initiator: Hello, responder: Hello, signer: HandshakeRole }): Uint8Array {
  return new TextEncoder().encode(HANDSHAKE_TRANSCRIPT_DOMAIN + canonicalJson({ initiator: helloJson(init.initiator), responder: helloJson(init.responder), signer: init.signer }))
}
