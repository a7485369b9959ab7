/**
 * Bilateral data on the network: `/fedmesh/bilateral/1.0.0` carries the
 * classes that never enter gossip (incident_summary, playbook_metadata,
 * coordination_request, and any class a policy keeps out of gossip) to one
 * peer whose handshake-agreed policy allows them. A class not allowed never
 * leaves (checked on the send path, before anything is written or queued);
 * one a peer sends outside its policy is rejected, counted and audited.
 * Messages for a peer that is offline, not negotiated yet or suspended wait in
 * a persisted queue and go when the relation is (re-)established.
 * Spec: protocols/bilateral.md.
 */
import type { Libp2p } from '@libp2p/interface'
import type { Registry } from 'prom-client'
import type { DataClass } from '../../core/data-class.ts'
import type { HybridPublicKey, HybridSigner, SignatureVerifier } from '../../core/signature.ts'
import type { BilateralRepository, ReceivedBilateral } from '../../store/bilateral-queue.ts'
import type { Clock } from '../../runtime/clock.ts'
import type { Random } from '../../runtime/random.ts'
import type { Logger } from '../../runtime/log.ts'
import type { AuditAppender } from '../audit/appender.ts'
import type { DataPolicies } from '../policies/index.ts'
import type { Handshake } from '../handshake/index.ts'
import { BilateralService } from './bilateral.ts'

export { BilateralService }
export * from './errors.ts'

export type BilateralHost = Pick<Libp2p, 'handle' | 'unhandle' | 'dialProtocol'>

export interface BilateralMembers {
  key: (nodeId: string) => HybridPublicKey | undefined
  siteOf: (nodeId: string) => string | undefined
  nodeOfSite: (siteId: string) => string | undefined
}

export interface BilateralComponents {
  host: BilateralHost
  /** the relations the handshake keeps (agreed policies, states, changes) */
  relations: Pick<Handshake, 'relation' | 'subscribe'>
  policies: Pick<DataPolicies, 'checkDelivery' | 'bilateralClasses'>
  members: BilateralMembers
  repository: BilateralRepository
  /** every crossing, delivered or refused, is appended (in the batch of the write it goes with) */
  audit: AuditAppender
  signer: HybridSigner
  verifier: SignatureVerifier
  clock: Clock
  /** envelope ids */
  random: Random
  logger: Logger
  /** where `fedmesh_bilateral_rejected_total` is registered (absent: counted in memory only) */
  registry?: Registry
  /** this node's PeerId text */
  nodeId: string
}

export interface BilateralInit {
  federationId: string
  /** period of the frontier exchange with peers (ms; default RESYNC_INTERVAL_MS_DEFAULT; 0: only on (re)activation and `resync()`) */
  resyncIntervalMs?: number
  /** envelopes per batch (default and ceiling BILATERAL_BATCH_ENTRIES_MAX; tests lower it to see resumption) */
  batchEntriesMax?: number
  /** acknowledged entries kept per peer (default RETAINED_ACKED_PER_PEER_DEFAULT, at least 1) */
  retainedAckedMax?: number
}

/** One peer's bilateral logs as `fedmesh relations --json` shows them (protocols/bilateral.md "Log sync"). */
export interface BilateralPeerStatus {
  peer: string
  site: string | null
  /** this node's log to the peer */
  out: {
    /** newest seq sealed */
    head: number
    /** the peer's contiguous frontier of it, as last heard in this run (null: not heard since start) */
    peer_frontier: number | null
    /** entries not acknowledged yet */
    queued: number
    /** entries that will never go (refused by a policy or by the peer) */
    withdrawn: number
    /** lowest seq still held (0: none) */
    low: number
    /** entries held (acknowledged ones are kept for a peer that comes back empty) */
    retained: number
  } | null
  /** the peer's log to this node */
  in: {
    frontier: number
    /** settled seqs above a gap */
    held: number
    /** ranges that can never come */
    lost: Array<{ from: number, to: number }>
  } | null
}

/** What to send. */
export interface BilateralSendInput {
  dataClass: DataClass
  /** a member's site id or PeerId */
  to: string
  payload: Uint8Array
  /** default BILATERAL_SCHEMA_ID */
  schemaId?: string
}

/** What became of a send. */
export interface BilateralSendResult {
  /** delivered now, or queued until the relation carries it */
  status: 'delivered' | 'queued'
  message_id: string
  peer: string
  site: string | null
  data_class: DataClass
}

/** What operations and tests may call on a running node's bilateral stream. */
export interface Bilateral {
  send: (input: BilateralSendInput) => Promise<BilateralSendResult>
  /** messages waiting, per peer */
  queued: () => Promise<Record<string, number>>
  /** exchanges frontiers with `peer` and sends what it lacks (the handshake's activation does it) */
  flush: (peer: string) => Promise<void>
  /** flushes every peer this node holds log entries for whose relation carries data (the periodic round) */
  resync: () => Promise<void>
  /** per-peer log positions, both directions */
  logs: () => Promise<BilateralPeerStatus[]>
  /** messages peers delivered */
  inbox: (init?: { sinceMs?: number, limit?: number }) => Promise<ReceivedBilateral[]>
  /** inbound messages rejected, by code (also `fedmesh_bilateral_rejected_total{code}`) */
  rejected: () => Record<string, number>
}

/** Builds the service. */
export function bilateral (init: BilateralInit): (components: BilateralComponents) => BilateralService {
  return (components) => new BilateralService(components, init)
}
