/**
 * Two (or more) node identities with signed node records, a membership view,
 * and a driver that passes handshake messages between two pure sessions.
 */
import { createHash } from 'node:crypto'
import { generateKeyPairFromSeed } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { hybridSignerFromSeeds, hybridVerifier } from '../../../src/crypto/hybrid.ts'
import { createNodeRecord, verifyNodeRecord } from '../../../src/wire/node-record.ts'
import {
  HANDSHAKE_VERSION, sessionDone, startInitiator, startResponder, stepSession,
  type Capabilities, type HandshakeMessage, type HandshakeSession, type LocalHandshake, type SessionContext
} from '../../../src/core/handshake/index.ts'
import type { DataClass } from '../../../src/core/data-class.ts'
import type { HybridPublicKey, HybridSigner } from '../../../src/core/signature.ts'

const seed = (label: string): Uint8Array => new Uint8Array(createHash('sha256').update(label).digest())
export const verifier = hybridVerifier()

export interface Node {
  peerId: string
  signer: HybridSigner
  nodeRecord: Uint8Array
}

/** A node with a deterministic key and its signed record (for `site`). */
export async function node (label: string, site = label): Promise<Node> {
  const key = await generateKeyPairFromSeed('Ed25519', seed(`handshake/${label}/ed25519`))
  const signer = hybridSignerFromSeeds({ ed25519Seed: key.raw.subarray(0, 32), mldsaSeed: seed(`handshake/${label}/mldsa`) })
  const peerId = peerIdFromPrivateKey(key).toString()
  const nodeRecord = createNodeRecord({ peerId, seq: 1, timestampMs: 1_700_000_000_000, siteId: site, jurisdiction: 'UK', capabilities: [], federationEnabled: true, addrs: [] }, signer)
  return { peerId, signer, nodeRecord }
}

export function capabilities (offered: DataClass[], wanted: DataClass[] = offered, extra: Partial<Capabilities> = {}): Capabilities {
  return { versions: [HANDSHAKE_VERSION], offered, wanted, qos: { heartbeatIntervalMs: 1000, messageBytesMax: 64 * 1024 }, ...extra }
}

/** A session context for `self` in a federation whose membership holds `members` (peer → key). */
export function context (self: Node, caps: Capabilities, members: Map<string, HybridPublicKey>, required: DataClass[] = []): SessionContext {
  const local: LocalHandshake = { node: self.peerId, nodeRecord: self.nodeRecord, capabilities: caps, required }
  return { local, signer: self.signer, verifier, memberKey: (id) => members.get(id), verifyNodeRecord: (bytes, peer) => verifyNodeRecord(bytes, peer, verifier) }
}

export const membersOf = (...nodes: Node[]): Map<string, HybridPublicKey> => new Map(nodes.map((n) => [n.peerId, n.signer.publicKey]))

export const nonce = (label: string): Uint8Array => seed(`nonce/${label}`)

/** Runs a whole handshake between an initiator and a responder, optionally rewriting messages on the way; returns both ends and the transcript. */
export function run (init: {
  initiator: Node
  responder: Node
  initiatorContext: SessionContext
  responderContext: SessionContext
  /** rewrites (or drops, with undefined) a message before it is delivered */
  tamper?: (message: HandshakeMessage, from: 'initiator' | 'responder') => HandshakeMessage | undefined
}): { initiator: HandshakeSession, responder: HandshakeSession, transcript: Array<{ from: 'initiator' | 'responder', message: HandshakeMessage }> } {
  const opened = startInitiator({ peer: init.responder.peerId, nonce: nonce('i'), local: init.initiatorContext.local })
  let initiator = opened.session
  let responder = startResponder({ peer: init.initiator.peerId, nonce: nonce('r'), local: init.responderContext.local })
  const transcript: Array<{ from: 'initiator' | 'responder', message: HandshakeMessage }> = []
  let queue: Array<{ from: 'initiator' | 'responder', message: HandshakeMessage }> = opened.outbound.map((message) => ({ from: 'initiator' as const, message }))
  for (let steps = 0; queue.length > 0 && steps < 100; steps++) {
    const next: typeof queue = []
    for (const item of queue) {
      const message = init.tamper === undefined ? item.message : init.tamper(item.message, item.from)
      if (message === undefined) continue
      transcript.push({ from: item.from, message })
      if (item.from === 'initiator') {
        const step = stepSession(responder, message, init.responderContext)
        responder = step.session
        next.push(...step.outbound.map((m) => ({ from: 'responder' as const, message: m })))
      } else {
        const step = stepSession(initiator, message, init.initiatorContext)
        initiator = step.session
        next.push(...step.outbound.map((m) => ({ from: 'initiator' as const, message: m })))
      }
    }
    queue = next
    if (sessionDone(initiator) && sessionDone(responder) && queue.length === 0) break
  }
  return { initiator, responder, transcript }
}
