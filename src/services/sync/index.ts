/**
 * Anti-entropy sync, `/fedmesh/sync/1.0.0` (protocols/sync.md): on every
 * connection to a member and periodically, ask one member for its log
 * frontiers, then fetch what is missing in bounded, resumable batches. Each
 * fetched envelope goes through the envelope channel's `receive`, exactly as
 * if gossip had brought it: the same pipeline, the same commit.
 */
import type { PeerId, Stream, StreamHandler, StreamHandlerOptions, AbortOptions } from '@libp2p/interface'
import type { Registry } from 'prom-client'
import type { Clock } from '../../runtime/clock.ts'
import type { Random } from '../../runtime/random.ts'
import type { Logger } from '../../runtime/log.ts'
import type { EnvelopeChannel, GossipTransport, OriginLogs } from '../envelopes/index.ts'
import type { MemberAdmission, MemberKeys } from '../members/index.ts'
import { SyncService } from './sync.ts'
import type { SyncStatus } from './status.ts'
import type { LinkVouches } from './link-vouches.ts'

export { SYNC_PROTOCOL, EVIDENCE_GOSSIP_CLASS } from './constants.ts'
export { SyncService }
export { LinkVouches } from './link-vouches.ts'
export { trustPenalty } from './penalty.ts'
export type { SyncStatus, LogSyncStatus, GapStatus, SyncTimings } from './status.ts'
export { storedStatus } from './status.ts'

/** The slice of the libp2p host sync uses. */
export interface SyncHost {
  handle: (protocol: string, handler: StreamHandler, options?: StreamHandlerOptions) => Promise<void>
  unhandle: (protocol: string) => Promise<void>
  dialProtocol: (peer: PeerId, protocol: string, options?: AbortOptions) => Promise<Stream>
  getPeers: () => PeerId[]
  /** the peers the peer store knows, with the addresses it holds for each (a dial round needs one: see SyncService.tick) */
  peerStore: { all: () => Promise<Array<{ id: PeerId, addresses: readonly unknown[] }>> }
  addEventListener: (type: 'peer:connect', listener: (event: CustomEvent<PeerId>) => void) => void
  removeEventListener: (type: 'peer:connect', listener: (event: CustomEvent<PeerId>) => void) => void
}

export interface SyncComponents {
  envelopes: Pick<EnvelopeChannel, 'receive' | 'dataClasses' | 'receiveBatch'>
  logs: OriginLogs
  host: SyncHost
  members: MemberAdmission & MemberKeys
  clock: Clock
  random: Random
  logger: Logger
  /** this node's PeerId text (never a sync partner of itself) */
  nodeId: string
  /** the verifier the envelope channel uses: sync vouches there for the entries a hash link proved */
  vouches: LinkVouches
  /** when given, sync's Prometheus metrics are registered here (fedmesh_sync_*) */
  registry?: Registry
  /** penalises an origin caught equivocating in its log, once per piece of evidence (node: consensus trust, like vote equivocation) */
  penalise?: (origin: string) => Promise<void>
  /** when given, equivocation evidence also travels on the gossip topic of EVIDENCE_GOSSIP_CLASS (protocols/sync.md) */
  gossip?: Pick<GossipTransport, 'register' | 'publish'>
}


export interface SyncInit {
  /** period of a round with one member; default SYNC_INTERVAL_MS_DEFAULT */
  intervalMs?: number
  /** sync with a member as soon as a connection to it opens; default true */
  onConnect?: boolean
  /** one periodic round in this many may dial a member it is not connected to (the rest stay on connections); default SYNC_DIAL_EVERY_ROUNDS */
  dialEveryRounds?: number
  /** the federation equivocation evidence must be for (every federation when absent) */
  federationId?: string
}

/** What operations and status may call on a running node's sync. */
export interface Sync {
  /** Runs one round with `peer` now; resolves to the envelopes accepted. */
  syncWith: (peer: PeerId, options?: AbortOptions) => Promise<number>
  status: () => SyncStatus
}

/** Builds the service. */
export function sync (init: SyncInit = {}): (components: SyncComponents) => SyncService {
  return (components) => new SyncService(components, init)
}
