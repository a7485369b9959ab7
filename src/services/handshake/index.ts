/**
 * The federation handshake on the network: `/fedmesh/handshake/1.0.0`
 * between two members on their first connection, driving the pure machines
 * of src/core/handshake/ (one negotiation: `stepSession`; the relation over
 * time: activation, heartbeats, suspension, termination, re-establishment).
 * Every relation transition and agreed policy is appended to the audit log;
 * the agreed bilateral classes go to the data policies, which the bilateral
 * stream's send path asks. Spec: protocols/handshake.md.
 */
import type { Libp2p } from '@libp2p/interface'
import type { DataClass } from '../../core/data-class.ts'
import type { HybridPublicKey, HybridSigner, SignatureVerifier } from '../../core/signature.ts'
import type { Relation, RelationTransition } from '../../core/handshake/index.ts'
import type { Clock } from '../../runtime/clock.ts'
import type { Random } from '../../runtime/random.ts'
import type { Logger } from '../../runtime/log.ts'
import type { AuditAppender } from '../audit/appender.ts'
import type { DataPolicies } from '../policies/index.ts'
import { HandshakeService } from './handshake.ts'

export { HandshakeService }
export { UnknownRelationError } from './errors.ts'

/** The libp2p host functions the service uses. */
export type HandshakeHost = Pick<Libp2p, 'handle' | 'unhandle' | 'dialProtocol' | 'addEventListener' | 'removeEventListener' | 'hangUp' | 'getPeers' | 'getConnections'>

/** Members: the key that verifies a peer, its site (the data policies are per site). */
export interface HandshakeMembers {
  key: (nodeId: string) => HybridPublicKey | undefined
  siteOf: (nodeId: string) => string | undefined
}

export interface HandshakeComponents {
  host: HandshakeHost
  members: HandshakeMembers
  policies: Pick<DataPolicies, 'bilateralAllowed' | 'agreeBilateral'>
  /** this node's current signed node record (the node-records service signs it) */
  nodeRecord: () => Uint8Array | undefined
  /** verifies a peer's node record for its PeerId; returns the key it binds, throws on any fault */
  verifyNodeRecord: (bytes: Uint8Array, expectedPeer: string) => { publicKey: HybridPublicKey }
  signer: HybridSigner
  verifier: SignatureVerifier
  clock: Clock
  /** handshake nonces */
  random: Random
  logger: Logger
  /** when given, every relation transition and agreed policy is appended */
  audit?: AuditAppender
  /** this node's PeerId text */
  nodeId: string
}

export interface HandshakeInit {
  /** the heartbeat interval this node proposes; default HEARTBEAT_INTERVAL_MS_DEFAULT */
  heartbeatIntervalMs?: number
  /** K: missed heartbeat intervals before a relation is suspended; default HEARTBEATS_MISSED_MAX */
  heartbeatsMissedMax?: number
  /** classes this node requires to receive from every peer; default none */
  requiredClasses?: DataClass[]
  /** the largest bilateral message this node takes; default BILATERAL_MESSAGE_BYTES_MAX */
  messageBytesMax?: number
  /** handshake on each new connection with a member (default true; tests turn it off to drive `establish`) */
  onConnect?: boolean
  /**
   * a first handshake waits until the peer has been connected this long (checked at the relation timer's ticks), so
   * connections that last less (a DHT lookup's, closed by the connection trimmer after its grace) get no relation;
   * default 0: the lower PeerId opens on connect. The node sets it to its connection grace when one is given
   * (the sim's `connection_grace_ms`); production keeps 0
   */
  openAfterMs?: number
  /** the relation timer's period; default min(TICK_MS_MAX, heartbeat interval / 2); 0 = no timer (tests call `tick`) */
  tickMs?: number
}

/** A relation as `fedmesh relations` shows it. */
export interface RelationView {
  peer: string
  site: string | null
  state: Relation['state']
  /** classes this node may send the peer, and the peer this node, as agreed */
  sends: DataClass[]
  receives: DataClass[]
  heartbeat_interval_ms: number | null
  last_heartbeat_ms: number | null
  established_at_ms: number | null
  establishments: number
  terminates_at_ms: number | null
  reason: string | null
}

/** What a relation listener hears: the relation after a change, and the transitions that made it. */
export type RelationListener = (relation: Relation, transitions: RelationTransition[]) => void

/** What operations, the bilateral service and tests may call on a running node's handshake. */
export interface Handshake {
  /** every relation, by peer id */
  relations: () => RelationView[]
  relation: (peer: string) => Relation | undefined
  /** runs a handshake with `peer` now (as initiator); resolves to the relation after it */
  establish: (peer: string) => Promise<Relation>
  /** terminates the relation: with notice (graceful) or at once, blocking re-establishment (forced); the peer is told */
  terminate: (peer: string, init: { forced: boolean, noticeMs?: number, reason: string }) => Promise<Relation>
  /** lifts a forced termination */
  allow: (peer: string) => Relation
  /** sends due heartbeats and applies due suspensions and notices (the timer calls it; tests with a moved clock may too) */
  tick: () => Promise<void>
  /** hears every relation change; returns the unsubscribe function */
  subscribe: (listener: RelationListener) => () => void
}

/** Builds the service. */
export function handshake (init: HandshakeInit = {}): (components: HandshakeComponents) => HandshakeService {
  return (components) => new HandshakeService(components, init)
}
