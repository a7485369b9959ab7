/**
 * One handshake negotiation as a pure machine (protocols/handshake.md, "State
 * machine"): capability exchange → credential check → policy proposal →
 * accept or counter (bounded rounds) → agreed. Input: the peer's next
 * message; output: the messages to send and, at the end, the agreed terms or
 * the failure. No I/O: the nonce, signer, verifier, membership and node
 * record check are arguments.
 */
import type { DataClass } from '../data-class.ts'
import type { HybridPublicKey, HybridSigner, SignatureVerifier } from '../signature.ts'
import { HANDSHAKE_VERSION, POLICY_ROUNDS_MAX } from './constants.ts'
import {
  BadHandshakeSignatureError, BadNodeRecordError, HandshakeError, HandshakeRefusedByPeerError, IncompatibleVersionError,
  NotAMemberError, PolicyRefusedError, PolicyRoundsExhaustedError, RevokedKeyError, UnexpectedHandshakeMessageError
} from './errors.ts'
import type { Capabilities, HandshakeMessage, HandshakeRole, Hello, PolicyTerms } from './messages.ts'
import { answerTerms, proposeTerms, sameTerms } from './policy.ts'
import { transcriptBytes } from './transcript.ts'

/** Where a negotiation is. */
export type SessionPhase = 'awaiting_hello' | 'awaiting_hello_reply' | 'awaiting_auth' | 'negotiating' | 'agreed' | 'failed'

/** This node's side of every handshake. */
export interface LocalHandshake {
  /** this node's PeerId text */
  node: string
  /** the signed node record it presents */
  nodeRecord: Uint8Array
  /** what it offers and wants from this peer (the service derives it from the data policies) */
  capabilities: Capabilities
  /** classes it requires to receive: a relation without them is refused */
  required: DataClass[]
}

/** What a step may use. */
export interface SessionContext {
  local: LocalHandshake
  signer: HybridSigner
  verifier: SignatureVerifier
  /** the membership's key for a node; undefined for a non-member (revoked members are not in the membership) */
  memberKey: (node: string) => HybridPublicKey | undefined
  /** verifies a node record's signatures for `expectedPeer` and returns the key it binds; throws on any fault */
  verifyNodeRecord: (bytes: Uint8Array, expectedPeer: string) => { publicKey: HybridPublicKey }
}

/** One negotiation with one peer. */
export interface HandshakeSession {
  readonly role: HandshakeRole
  readonly peer: string
  readonly phase: SessionPhase
  readonly own: Hello
  readonly peerHello?: Hello
  /** the version both speak, once hellos crossed */
  readonly version?: number
  /** the last proposal's round (1 = the initiator's first) */
  readonly round: number
  /** the terms this side proposed last */
  readonly proposed?: PolicyTerms
  readonly agreed?: PolicyTerms
  readonly failure?: HandshakeError
}

/** A step's result. */
export interface SessionStep {
  session: HandshakeSession
  /** messages to send to the peer, in order */
  outbound: HandshakeMessage[]
}

/** Opens a handshake as the initiator: the hello to send. */
export function startInitiator (init: { peer: string, nonce: Uint8Array, local: LocalHandshake }): SessionStep {
  const own = helloOf(init.local, init.nonce)
  return { session: { role: 'initiator', peer: init.peer, phase: 'awaiting_hello_reply', own, round: 0 }, outbound: [{ kind: 'hello', hello: own }] }
}

/** Waits for an initiator's hello. */
export function startResponder (init: { peer: string, nonce: Uint8Array, local: LocalHandshake }): HandshakeSession {
  return { role: 'responder', peer: init.peer, phase: 'awaiting_hello', own: helloOf(init.local, init.nonce), round: 0 }
}

function helloOf (local: LocalHandshake, nonce: Uint8Array): Hello {
  return { node: local.node, nonce, capabilities: local.capabilities, nodeRecord: local.nodeRecord }
}

/** Whether the session has ended (agreed or failed). */
export function sessionDone (session: HandshakeSession): boolean {
  return session.phase === 'agreed' || session.phase === 'failed'
}

/** Applies the peer's next message. A failure ends the session and (unless the peer refused) sends a refusal with its code. */
export function stepSession (session: HandshakeSession, message: HandshakeMessage, context: SessionContext): SessionStep {
  if (sessionDone(session)) return { session, outbound: [] }
  try {
    return apply(session, message, context)
  } catch (err) {
    if (!(err instanceof HandshakeError)) throw err
    const outbound: HandshakeMessage[] = message.kind === 'refuse' ? [] : [{ kind: 'refuse', code: err.code, reason: err.message.slice(0, 256) }]
    return { session: { ...session, phase: 'failed', failure: err }, outbound }
  }
}

function apply (session: HandshakeSession, message: HandshakeMessage, context: SessionContext): SessionStep {
  if (message.kind === 'refuse') throw new HandshakeRefusedByPeerError(`${session.peer} refused the handshake: ${message.code}${message.reason === '' ? '' : ` (${message.reason})`}`)
  switch (session.phase) {
    case 'awaiting_hello': {
      if (message.kind !== 'hello') throw unexpected(session, message)
      const version = commonVersion(session.own, message.hello)
      checkCredentials(session.peer, message.hello, context)
      const signature = context.signer.sign(transcriptBytes({ initiator: message.hello, responder: session.own, signer: 'responder' }))
      return { session: { ...session, phase: 'awaiting_auth', peerHello: message.hello, version }, outbound: [{ kind: 'hello_reply', hello: session.own, signature }] }
    }
    case 'awaiting_hello_reply': {
      if (message.kind !== 'hello_reply') throw unexpected(session, message)
      const version = commonVersion(session.own, message.hello)
      const key = checkCredentials(session.peer, message.hello, context)
      if (!context.verifier.verify(key, transcriptBytes({ initiator: session.own, responder: message.hello, signer: 'responder' }), message.signature)) {
        throw new BadHandshakeSignatureError(`${session.peer}: the transcript signature does not verify`)
      }
      const proposal = proposeTerms('initiator', context.local.capabilities, message.hello.capabilities)
      const missing = context.local.required.filter((c) => !proposal.responderSends.includes(c))
      if (missing.length > 0) throw new PolicyRefusedError(`${session.peer} does not offer ${missing.join(', ')}, which this node requires`)
      const signature = context.signer.sign(transcriptBytes({ initiator: session.own, responder: message.hello, signer: 'initiator' }))
      return {
        session: { ...session, phase: 'negotiating', peerHello: message.hello, version, round: 1, proposed: proposal },
        outbound: [{ kind: 'auth', signature, proposal }]
      }
    }
    case 'awaiting_auth': {
      if (message.kind !== 'auth') throw unexpected(session, message)
      const peerHello = session.peerHello!
      const key = context.memberKey(session.peer)!
      if (!context.verifier.verify(key, transcriptBytes({ initiator: peerHello, responder: session.own, signer: 'initiator' }), message.signature)) {
        throw new BadHandshakeSignatureError(`${session.peer}: the transcript signature does not verify`)
      }
      return answer({ ...session, phase: 'negotiating', round: 1 }, message.proposal, context)
    }
    case 'negotiating': {
      if (message.kind === 'accept') {
        if (session.proposed === undefined || !sameTerms(message.terms, session.proposed)) throw new UnexpectedHandshakeMessageError(`${session.peer} accepted terms this node never proposed`)
        return { session: { ...session, phase: 'agreed', agreed: session.proposed }, outbound: [] }
      }
      if (message.kind !== 'counter') throw unexpected(session, message)
      if (message.round !== session.round + 1) throw new UnexpectedHandshakeMessageError(`${session.peer} sent round ${message.round}, expected ${session.round + 1}`)
      if (message.round > POLICY_ROUNDS_MAX) throw new PolicyRoundsExhaustedError(`no agreement with ${session.peer} within ${POLICY_ROUNDS_MAX} rounds`)
      return answer({ ...session, round: message.round }, message.terms, context)
    }
    default:
      throw unexpected(session, message)
  }
}

/** Answers terms the peer proposed in `session.round`: accept, counter in the next round, or refuse. */
function answer (session: HandshakeSession, terms: PolicyTerms, context: SessionContext): SessionStep {
  const reply = answerTerms(session.role, terms, context.local.capabilities, context.local.required)
  if (reply.verdict === 'accept') return { session: { ...session, phase: 'agreed', agreed: terms }, outbound: [{ kind: 'accept', terms }] }
  if (reply.verdict === 'refuse') throw new PolicyRefusedError(`${session.peer}'s terms leave out ${reply.missing.join(', ')}, which this node requires`)
  const round = session.round + 1
  if (round > POLICY_ROUNDS_MAX) throw new PolicyRoundsExhaustedError(`no agreement with ${session.peer} within ${POLICY_ROUNDS_MAX} rounds`)
  return { session: { ...session, round, proposed: reply.terms }, outbound: [{ kind: 'counter', round, terms: reply.terms }] }
}

function unexpected (session: HandshakeSession, message: HandshakeMessage): UnexpectedHandshakeMessageError {
  return new UnexpectedHandshakeMessageError(`${session.peer} sent ${message.kind} while this node is ${session.phase.replaceAll('_', ' ')}`)
}

/** The highest version both hellos list. */
function commonVersion (own: Hello, peer: Hello): number {
  const theirs = new Set(peer.capabilities.versions)
  const common = own.capabilities.versions.filter((v) => theirs.has(v) && v <= HANDSHAKE_VERSION)
  if (common.length === 0) throw new IncompatibleVersionError(`no common handshake version: this node speaks ${own.capabilities.versions.join(', ')}, the peer ${peer.capabilities.versions.join(', ') || 'none'}`)
  return Math.max(...common)
}

/**
 * The credential check, cheapest first: the hello is the peer's own, the
 * peer is a member, its node record verifies (both signatures) for its
 * PeerId, and binds the key the membership holds (not a rotated or revoked
 * one). Returns the membership's key, which verifies the transcript.
 */
function checkCredentials (peer: string, hello: Hello, context: SessionContext): HybridPublicKey {
  if (hello.node !== peer) throw new BadNodeRecordError(`the hello names ${hello.node.slice(0, 100)}, but the connection is from ${peer}`)
  const memberKey = context.memberKey(peer)
  if (memberKey === undefined) throw new NotAMemberError(`${peer} is not a member of the federation`)
  let bound: HybridPublicKey
  try {
    bound = context.verifyNodeRecord(hello.nodeRecord, peer).publicKey
  } catch (err) {
    throw new BadNodeRecordError(`${peer}'s node record: ${(err as Error).message}`, { cause: err })
  }
  if (!sameKey(bound, memberKey)) throw new RevokedKeyError(`${peer}'s node record binds a key the membership does not hold for it (rotated or revoked)`)
  return memberKey
}

function sameKey (a: HybridPublicKey, b: HybridPublicKey): boolean {
  const equal = (x: Uint8Array, y: Uint8Array): boolean => x.length === y.length && x.every((v, i) => v === y[i])
  return a.mldsaLevel === b.mldsaLevel && equal(a.ed25519, b.ed25519) && equal(a.mldsa, b.mldsa)
}
