/**
 * Move acknowledgements, the receipt of a move (issue 14 item 5): when a
 * participant moves, its new node and its old node acknowledge the move
 * (signed, gossiped as the data class `move_ack`); every other member, on
 * the first ack it sees of a move, resolves the participant's old id through
 * the DHT itself and gossips its own ack: ok with the home it resolved, or
 * failed with the reason. Every node keeps the acks until the move's grace
 * ends; the mover's nodes show them as the receipt (`participant
 * move-status`): which members resolved the new home, which failed and why,
 * which are still pending.
 */
import type { HybridPublicKey, HybridSigner, SignatureVerifier } from '../../core/signature.ts'
import type { Receipt } from '../../core/migration/move-ack.ts'
import type { MoveAckRepository } from '../../store/move-acks.ts'
import type { Clock } from '../../runtime/clock.ts'
import type { Logger } from '../../runtime/log.ts'
import type { EnvelopeChannel } from '../envelopes/index.ts'
import { MoveAckService, encodeMoveAckPayload, decodeMoveAckPayload } from './move-acks.ts'

export { MOVE_ACK_CLASS, MOVE_ACK_SCHEMA_ID } from './constants.ts'
export { MoveAckService, encodeMoveAckPayload, decodeMoveAckPayload }

/** The membership: keys for signatures, the member list and sites for the receipt. */
export interface MoveAckMembers {
  key: (nodeId: string) => HybridPublicKey | undefined
  siteOf: (nodeId: string) => string | undefined
  members: () => string[]
}

/** What resolution gives (the migration service resolves through the DHT). */
export interface MoveAckResolution {
  home: string
  key?: string
  hops: Array<{ seq: number }>
}

export interface MoveAcksComponents {
  envelopes: EnvelopeChannel
  acks: MoveAckRepository
  members: MoveAckMembers
  /** follows redirects from a participant id (hop bound, loop detection) */
  resolve: (id: string) => Promise<MoveAckResolution>
  signer: HybridSigner
  verifier: SignatureVerifier
  clock: Clock
  logger: Logger
  nodeId: string
}

export interface MoveAcksInit {
  federationId: string
  /** acknowledge moves (only a federated node does) */
  publish: boolean
  pollMs: number
  /** default MOVE_ACK_ATTEMPTS_MAX */
  attemptsMax?: number
}

/** One move, as the redirect that made it names it. */
export interface MoveRef {
  key: string
  from: string
  seq: number
  graceUntil: number
}

/** What the migration service and operations call. */
export interface MoveAcks {
  /** this node knows the move's outcome first-hand (it is the new or the old home): sign and gossip an ok ack now */
  acknowledge: (move: MoveRef, home: string) => Promise<void>
  /** the receipt of a move: one line per member */
  receipt: (move: MoveRef) => Promise<Receipt>
  /** one round: resolve and acknowledge pending moves, drop those past their grace (tests drive it) */
  tick: () => Promise<void>
}

/** Builds the service. */
export function moveAcks (init: MoveAcksInit): (components: MoveAcksComponents) => MoveAckService {
  return (components) => new MoveAckService(components, init)
}
