/**
 * Disputes across nodes: the direct stream protocol `/fedmesh/dispute/1.0.0`
 * (protocols/dispute.md). A party's statement, a home node's recommendation
 * or a panelist's ruling made on one node reaches the other home node (and
 * the panel once drawn); the escalation into arbitration sends each drawn
 * panelist the case (every signed message of the chain and the dispute),
 * which it verifies alone and records. Every message is persisted with the
 * dispute in one batch before it is answered or sent, sent from a persisted
 * outbox until answered (across restarts), and applied idempotently. A
 * binding ruling rewrites the edge's satisfaction in the home nodes'
 * exchanges and reputation inputs (core/dispute/flow.ts).
 */
import type { Libp2p } from '@libp2p/interface'
import type { Dispute, Ruling } from '../../core/chain/dispute.ts'
import type { ChainRecord } from '../../core/chain/state.ts'
import type { SignedStatement } from '../../core/identity/statement.ts'
import type { HybridPublicKey, HybridSigner, SignatureVerifier } from '../../core/signature.ts'
import type { Clock } from '../../runtime/clock.ts'
import type { Logger } from '../../runtime/log.ts'
import type { AttestationRepository } from '../../store/attestations.ts'
import type { ChainRepository } from '../../store/chains.ts'
import type { DisputeRepository } from '../../store/disputes.ts'
import { DisputeService } from './disputes.ts'

export { DisputeService }
export { DISPUTE_PROTOCOL_ID } from './constants.ts'
export { decodeDisputeMessage, encodeDisputeMessage, type DisputeMessage } from './codec.ts'

/** The libp2p host functions the service uses. */
export type DisputeHost = Pick<Libp2p, 'handle' | 'unhandle' | 'dialProtocol' | 'addEventListener' | 'removeEventListener'>

/** Members: keys for signatures, the member list for the arbitration draw. */
export interface DisputeMembers {
  key: (nodeId: string) => HybridPublicKey | undefined
  /** every member's PeerId text */
  list: () => string[]
}

export interface DisputesComponents {
  host: DisputeHost
  /** disputes, panelists' case records and the dispute outbox */
  disputes: DisputeRepository
  /** the chains this node takes part in, and the exchange and observation records a ruling rewrites */
  chainStore: Pick<ChainRepository, 'record' | 'exchanges' | 'observations' | 'writeOperations'>
  /** reputation accuracy inputs a ruling rewrites */
  accuracy: Pick<AttestationRepository, 'accuracyObservations' | 'observationOperation'>
  members: DisputeMembers
  signer: HybridSigner
  verifier: SignatureVerifier
  clock: Clock
  logger: Logger
  /** this node's PeerId text */
  nodeId: string
  /** told after a binding ruling rewrote exchanges or reputation inputs (the attestation service re-attests) */
  rulingRecorded?: () => void
}

export interface DisputesInit {
  /** first retry delay; default RETRY_MS_MIN */
  retryMsMin?: number
  /** longest retry delay; default RETRY_MS_MAX */
  retryMsMax?: number
}

/** What operations may call on a running node's disputes. */
export interface Disputes {
  /** a hosted participant's signed dispute.open about an edge of `record` */
  open: (record: ChainRecord, signed: SignedStatement) => Promise<Dispute>
  /** a hosted participant's signed dispute.resolve or dispute.escalate */
  party: (disputeId: string, signed: SignedStatement) => Promise<Dispute>
  /** this node's recommendation as a home node of the dispute (mediation) */
  recommend: (disputeId: string, text: string) => Promise<Dispute>
  /** this node's ruling as a drawn panelist (arbitration) */
  rule: (disputeId: string, ruling: Ruling, text?: string) => Promise<Dispute>
  /** the chain record a dispute is about: this node's own, or the one a panelist's case proved */
  chainRecord: (chain: string) => Promise<ChainRecord | undefined>
  /** messages waiting for an answer, per destination */
  pending: () => Record<string, number>
}

/** Builds the service. */
export function disputes (init: DisputesInit = {}): (components: DisputesComponents) => DisputeService {
  return (components) => new DisputeService(components, init)
}
