/**
 * Chain settlement on the network: the direct stream protocol
 * `/fedmesh/chain/1.0.0` between a chain's home nodes, driving the pure
 * machine of src/core/chain/ (`stepChain`). Every step's writes and the
 * messages it queues are persisted in one store batch before anything is
 * sent; each message stays in a per-destination outbox, retried with backoff,
 * until its destination answers (store-and-forward across restarts); a timer
 * ticks the machine at its next deadline.
 */
import type { Libp2p } from '@libp2p/interface'
import type { HybridPublicKey, HybridSigner, SignatureVerifier } from '../../core/signature.ts'
import type { ChainPolicy } from '../../core/chain/binding.ts'
import type { ChainRecord } from '../../core/chain/state.ts'
import type { SignedStatement } from '../../core/identity/statement.ts'
import type { ChainRepository } from '../../store/chains.ts'
import type { ParticipantRepository } from '../../store/participants.ts'
import type { Clock } from '../../runtime/clock.ts'
import type { Logger } from '../../runtime/log.ts'
import { ChainService } from './chains.ts'

export { ChainService }
export { UnknownSiteError, OutboxFullError } from './errors.ts'

/** The libp2p host functions the service uses. */
export type ChainHost = Pick<Libp2p, 'handle' | 'unhandle' | 'dialProtocol' | 'addEventListener' | 'removeEventListener'>

/** Members: keys for verification, site ids for steps (participant ids carry site ids). */
export interface ChainMembers {
  key: (nodeId: string) => HybridPublicKey | undefined
  siteOf: (nodeId: string) => string | undefined
  nodeOfSite: (siteId: string) => string | undefined
}

export interface ChainsComponents {
  host: ChainHost
  chainStore: ChainRepository
  participants: ParticipantRepository
  members: ChainMembers
  signer: HybridSigner
  verifier: SignatureVerifier
  clock: Clock
  logger: Logger
  /** this node's PeerId text */
  nodeId: string
  /** told after a step persisted exchanges or observations (the attestation service re-attests) */
  exchangesRecorded?: () => void
  /** this node's participants that moved or are moving away (the migration service): a proposal naming one is rejected `participant_moved` */
  movedParticipants?: () => Promise<ReadonlySet<string>>
}

export interface ChainsInit {
  federationId: string
  siteId: string
  /** this node's policy for chains proposed to it; default CHAIN_POLICY_DEFAULT */
  policy?: ChainPolicy
  /** first retry delay; default RETRY_MS_MIN */
  retryMsMin?: number
  /** longest retry delay; default RETRY_MS_MAX */
  retryMsMax?: number
}

/** A step of a chain to propose, as `match` reports it (node = site id). */
export interface ProposedStep {
  node: string
  need: string
  offer: string
  participant?: string
}

export interface ProposeInput {
  steps: ProposedStep[]
  /** default CONSENT_WINDOW_MS_DEFAULT */
  consentWindowMs?: number
  /** consent deadline → execution start; default EXECUTION_DELAY_MS_DEFAULT */
  executionDelayMs?: number
  /** default EXECUTION_WINDOW_MS_DEFAULT */
  executionWindowMs?: number
}

/** What operations may call on a running node's chains. */
export interface Chains {
  /** proposes a chain this node found (it hosts at least one step) */
  propose: (input: ProposeInput) => Promise<ChainRecord>
  /** a hosted participant's signed consent, refusal, delivery or confirmation */
  participantStatement: (signed: SignedStatement) => Promise<ChainRecord>
  /** every chain this node takes part in */
  records: () => ChainRecord[]
  record: (id: string) => ChainRecord | undefined
  /** participants reserved by an open chain (matching must not offer them) */
  reserved: () => Set<string>
  /** messages waiting for an answer, per destination */
  pending: () => Record<string, number>
}

/** Builds the service. */
export function chains (init: ChainsInit): (components: ChainsComponents) => ChainService {
  return (components) => new ChainService(components, init)
}
