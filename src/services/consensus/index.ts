/**
 * Consensus on the network: events, votes and equivocation evidence travel as
 * signed envelopes on the `vote` topic; each arriving item is one pure step
 * of the consensus state machine (src/core/consensus/machine.ts). The step's
 * records and the envelope's seen-id are persisted in one batch before the
 * new state is taken and before anything the step produced is gossiped.
 */
import type { HybridSigner, SignatureVerifier } from '../../core/signature.ts'
import type { ConsensusPolicy } from '../../core/consensus/threshold.ts'
import type { PendingSlot } from '../../core/consensus/pending.ts'
import type { VotingPolicy } from '../../core/consensus/voting-policy.ts'
import type { Membership } from '../../core/consensus/membership.ts'
import type { ConsensusStore } from '../../store/consensus.ts'
import type { Clock } from '../../runtime/clock.ts'
import type { Logger } from '../../runtime/log.ts'
import type { EnvelopeChannel } from '../envelopes/index.ts'
import type { AuditAppender } from '../audit/appender.ts'
import { ConsensusService } from './consensus.ts'

export { VOTE_CLASS, CONSENSUS_SCHEMA_ID, CONSENSUS_CONTENT_TYPE } from './constants.ts'
export { ConsensusService, ConsensusNotReadyError, SlotCompletedError, AlreadyVotedError, UnknownEventError, EventNotFromProposerError } from './consensus.ts'

export interface ConsensusComponents {
  envelopes: EnvelopeChannel
  consensusStore: ConsensusStore
  signer: HybridSigner
  verifier: SignatureVerifier
  clock: Clock
  logger: Logger
  /** this node's PeerId text (the voter and proposer id) */
  nodeId: string
  /** told the membership whenever it is loaded or changes (the member directory takes its keys from it) */
  membershipChanged?: (membership: Membership) => void
  /** when given, decided membership and policy changes are audited in the batch of the step that decided them */
  audit?: AuditAppender
}

export interface ConsensusInit {
  /** the config's policy, used until the store holds the federation's */
  fallbackPolicy: ConsensusPolicy
  /** a slot pending longer than this is closed (tie-breaking resolves it) */
  slotTimeoutMs: number
  /** per event type, manual or auto (config `consensus.voting`); default VOTING_POLICY_DEFAULT */
  votingPolicy?: VotingPolicy
}

/** What operations may call on a running node's consensus. */
export interface Consensus {
  propose: (input: { type: string, slot: string, body: unknown }) => Promise<{ event_hash: string, slot: string }>
  vote: (slot: string, eventHash: string) => Promise<{ slot: string, event_hash: string, status: string }>
  /** the open slots with their events and votes so far */
  pending: () => PendingSlot[]
  /** re-reads membership, policy and trust from the store (after a genesis is loaded or trust is adjusted) */
  reload: () => Promise<void>
}

/** Builds the service. */
export function consensus (init: ConsensusInit): (components: ConsensusComponents) => ConsensusService {
  return (components) => new ConsensusService(components, init)
}
