/**
 * The migration service (issue 14): participants move between nodes. On the
 * old node it exports a participant (a signed, verifiable document), pauses
 * it while it moves, watches the DHT for the redirect the new node publishes,
 * then stops hosting it and serves the redirect until its grace ends. On the
 * new node it verifies an export and the participant's key control before
 * anything switches, signs (as the participant) and countersigns the
 * redirect, publishes it, then hosts the participant. Anyone resolves a
 * participant id by following redirects.
 */
import type { HybridPublicKey, HybridSigner, SignatureVerifier } from '../../core/signature.ts'
import type { Clock } from '../../runtime/clock.ts'
import type { Logger } from '../../runtime/log.ts'
import type { RedirectDht } from '../../net/participant-redirects.ts'
import type { ParticipantRepository } from '../../store/participants.ts'
import type { MoveRepository } from '../../store/participant-moves.ts'
import type { ChainRepository } from '../../store/chains.ts'
import type { ParticipantExport } from '../../core/migration/export.ts'
import type { Receipt } from '../../core/migration/move-ack.ts'
import { MigrationService } from './migration.ts'

export { MigrationService }

/** A redirect as move-status and resolve show it. */
export interface RedirectView {
  /** hex SHA-256 of the participant key */
  key: string
  from: string
  to: string
  seq: number
  issued_at: number
  grace_until: number
  signed_by: 'key' | 'recovery'
  countersigner: string
}

/** Where a participant id leads. */
export interface ResolutionView {
  id: string
  home: string
  /** hex SHA-256 of the participant key, when at least one redirect was followed */
  key?: string
  hops: RedirectView[]
}

/** What `participant move` gives the operator to carry to the new node. */
export interface MoveStart {
  export: ParticipantExport
  /** the participant's key text (`fedmesh-participant-key:1:…`): the new node asks it to prove key control */
  key: string
}

export interface MoveStatusView {
  participant: string
  outgoing?: { to_site: string, status: string, started_at: number, redirect?: RedirectView, note?: string }
  incoming?: { from: string, status: string, imported_at: number, redirect?: RedirectView, published_peers?: number, note?: string }
  /** the move's receipt: which members resolved the new home, which failed (with reasons), which are pending (added by the operation from the move-ack service) */
  receipt?: Receipt
}

/** What operations call. */
export interface Migration {
  exportParticipant: (id: string) => Promise<ParticipantExport>
  startMove: (id: string, toSite: string) => Promise<MoveStart>
  accept: (document: ParticipantExport, keyText: string, options: { publish: boolean }) => Promise<MoveStatusView>
  /**
   * On the node the participant recovers to: with its recovery key, publish a recovery-signed redirect
   * from the export's id to this node (overriding a stolen-key redirect within the recovery window), then host it
   */
  recover: (document: ParticipantExport, recoveryKeyText: string, keyText: string | undefined) => Promise<MoveStatusView>
  resolve: (id: string) => Promise<ResolutionView>
  moveStatus: (id: string) => Promise<MoveStatusView>
  /** one round of the background work (tests drive it) */
  tick: () => Promise<void>
}

/** The membership as migration reads it. */
export interface MigrationMembers {
  key: (nodeId: string) => HybridPublicKey | undefined
  nodeOfSite: (siteId: string) => string | undefined
}

export interface MigrationComponents {
  dht: RedirectDht
  participants: ParticipantRepository
  moves: MoveRepository
  chainStore: ChainRepository
  members: MigrationMembers
  signer: HybridSigner
  verifier: SignatureVerifier
  clock: Clock
  logger: Logger
  nodeId: string
  /** told when this node starts or stops hosting a participant (the summaries service recounts) */
  hostingChanged?: () => void
  /** told when this node knows a move first-hand (the new node hosts, the old node saw the redirect): the move-ack service acknowledges it */
  moved?: (move: { key: string, from: string, seq: number, graceUntil: number }, home: string) => Promise<void>
}

export interface MigrationInit {
  federationId: string
  siteId: string
  cooldownMs: number
  graceMs: number
  recoveryWindowMs: number
  pollMs: number
}

/** Builds the migration service. */
export function migration (init: MigrationInit): (components: MigrationComponents) => MigrationService {
  return (components) => new MigrationService(components, init)
}
