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
  /** tries every message queued for `peer` now (the handshake's activation does it) */
  flush: (peer: string) => Promise<void>
  /** messages peers delivered */
  inbox: (init?: { sinceMs?: number, limit?: number }) => Promise<ReceivedBilateral[]>
  /** inbound messages rejected, by code (also `fedmesh_bilateral_rejected_total{code}`) */
  rejected: () => Record<string, number>
}

/** Builds the service. */
export function bilateral (init: BilateralInit): (components: BilateralComponents) => BilateralService {
  return (components) => new BilateralService(components, init)
}
