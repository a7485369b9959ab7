/**
 * The audit service: the node's side of watching and being watched.
 *
 * Every `checkpointIntervalMs` it signs a checkpoint (origin
 * `fedmesh/<federation_id>/<peerId>`, size, root) of its own audit log, keeps
 * it and gossips it on the federation-wide `audit_checkpoint` class — when
 * the log grew by more than upkeep since the last one, else once in
 * `quietIntervalsMax` intervals, and never sooner than `spacingMsPerMember`
 * per member after the last (core/audit/cadence.ts). It
 * witnesses the other members' logs: a checkpoint that extends the latest one
 * it accepted from that origin (proven by a consistency proof the origin
 * serves on `/fedmesh/audit/1.0.0`) is cosigned and the cosignature handed
 * straight to the origin on `/fedmesh/audit-cosign/1.0.0` (not gossiped: only
 * the origin keeps it); two histories no proof can reconcile become split-view evidence,
 * kept and gossiped like equivocation evidence. Spec: protocols/audit.md.
 */
import type { Libp2p } from '@libp2p/interface'
import type { Registry } from 'prom-client'
import type { HybridSigner, SignatureVerifier } from '../../core/signature.ts'
import type { SignedCheckpoint } from '../../core/audit/checkpoint.ts'
import type { SplitViewEvidence } from '../../core/audit/split-view.ts'
import type { AuditLog } from '../../store/audit-log.ts'
import type { AuditWitnessStore } from '../../store/audit-witness.ts'
import type { Clock } from '../../runtime/clock.ts'
import type { Logger } from '../../runtime/log.ts'
import type { Random } from '../../runtime/random.ts'
import type { EnvelopeChannel } from '../envelopes/index.ts'
import type { MemberKeys } from '../members/index.ts'
import type { AuditAppender } from './appender.ts'
import { AuditService } from './audit.ts'
import type { CosignatureStats } from './metrics.ts'

export { AUDIT_CHECKPOINT_CLASS, AUDIT_COSIGN_PROTOCOL, AUDIT_PROTOCOL, CHECKPOINTS_RETAINED_DEFAULT, CHECKPOINT_INTERVAL_SECONDS_DEFAULT, CHECKPOINT_SPACING_MS_PER_MEMBER, QUIET_CHECKPOINT_INTERVALS_DEFAULT, WITNESSES_PER_CHECKPOINT_DEFAULT } from './constants.ts'
export type { CosignatureStats } from './metrics.ts'
export { auditAppender, type AuditAppender } from './appender.ts'
export { AuditService, checkpointOrigin } from './audit.ts'

export interface AuditComponents {
  envelopes: EnvelopeChannel
  /** the node's own log (one per store) */
  log: AuditLog
  witnesses: AuditWitnessStore
  /** appends the service's own events (witness decisions) */
  audit: AuditAppender
  signer: HybridSigner
  verifier: SignatureVerifier
  /** keys of members, and who they are (the witness sampling counts them) */
  members: Pick<MemberKeys, 'key'> & { members: () => string[] }
  /** this node's own draws of which checkpoints it witnesses (the CSPRNG in production: an origin cannot predict them) */
  random: Random
  /** the stream side of the host: the consistency-proof and cosign protocols (connections and the peer store: whether an origin can be dialled without a DHT lookup) */
  streams: Pick<Libp2p, 'handle' | 'unhandle' | 'dialProtocol' | 'getConnections' | 'peerStore'>
  clock: Clock
  logger: Logger
  /** this node's PeerId text */
  nodeId: string
  /** the node's Prometheus registry: cosignature counts (absent: only `cosignatureStats()`) */
  registry?: Registry
}

export interface AuditInit {
  federationId: string
  /** ms between two of the node's own checkpoints; 0 = only when `checkpoint()` is called */
  checkpointIntervalMs: number
  /** false: witness and answer proofs, but gossip no checkpoints of our own (a node not yet federated) */
  publish?: boolean
  /** members that witness each checkpoint on average (config `audit.witnesses_per_checkpoint`); default WITNESSES_PER_CHECKPOINT_DEFAULT */
  witnessesPerCheckpoint?: number
  /** a log that grew only by upkeep is checkpointed once in this many intervals; default QUIET_CHECKPOINT_INTERVALS_DEFAULT */
  quietIntervalsMax?: number
  /** periodic checkpoints are at least this many ms per member apart (and from the start); default CHECKPOINT_SPACING_MS_PER_MEMBER */
  spacingMsPerMember?: number
}

/** What operations and tests may call on a running node's audit service. */
export interface Audit {
  /** Signs, keeps and gossips a checkpoint of the log now; undefined while the log is empty. */
  checkpoint: () => Promise<SignedCheckpoint | undefined>
  /** Split-view evidence this node holds, against any origin. */
  evidence: () => Promise<SplitViewEvidence[]>
  /** Resolves when every witness step queued so far has run and its cosignature was handed over or dropped. */
  settled: () => Promise<void>
  /** Cosignatures sent as a witness and received as an origin, by result. */
  cosignatureStats: () => CosignatureStats
}

/** Builds the service. */
export function audit (init: AuditInit): (components: AuditComponents) => AuditService {
  return (components) => new AuditService(components, init)
}
