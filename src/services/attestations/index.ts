/**
 * Attestations on the network: each node signs claims about its own
 * participants (computed from their completed exchanges, core/attestation)
 * and gossips them as the data class `attestation`, re-issued when the claims
 * change; every node validates received ones (schema, federation, clock, the
 * issuer a member and the participant's home node, signature) and keeps the
 * latest per participant. It also turns the satisfactions this node observed
 * from other nodes' participants into accuracy observations of node
 * reputation (core/reputation): what the home node attested vs what happened.
 */
import type { HybridPublicKey, HybridSigner, SignatureVerifier } from '../../core/signature.ts'
import type { SignedAttestation } from '../../core/attestation/attestation.ts'
import type { AttestationRepository } from '../../store/attestations.ts'
import type { ChainRepository } from '../../store/chains.ts'
import type { ParticipantRepository } from '../../store/participants.ts'
import type { Clock } from '../../runtime/clock.ts'
import type { Logger } from '../../runtime/log.ts'
import type { EnvelopeChannel } from '../envelopes/index.ts'
import { AttestationService } from './attestations.ts'

export { ATTESTATION_CLASS, ATTESTATION_SCHEMA_ID } from './constants.ts'
export { AttestationService }

/** Members: keys for signatures, site ids for participant ids. */
export interface AttestationMembers {
  key: (nodeId: string) => HybridPublicKey | undefined
  siteOf: (nodeId: string) => string | undefined
}

export interface AttestationsComponents {
  envelopes: EnvelopeChannel
  attestations: AttestationRepository
  /** completed exchanges (this node's participants) and observations (other nodes' participants) */
  chainStore: Pick<ChainRepository, 'exchanges' | 'observations' | 'record'>
  participants: Pick<ParticipantRepository, 'get'>
  members: AttestationMembers
  signer: HybridSigner
  verifier: SignatureVerifier
  clock: Clock
  logger: Logger
  /** this node's PeerId text */
  nodeId: string
}

export interface AttestationsInit {
  federationId: string
  /** issue and publish this node's attestations (only a federated node does) */
  publish: boolean
  /** default ATTESTATION_DEBOUNCE_MS */
  debounceMs?: number
  /** default ATTESTATION_REVIEW_MS */
  reviewMs?: number
}

/** What other services and operations may call. */
export interface Attestations {
  /** exchanges or observations were recorded: attest and observe shortly */
  changed: () => void
  /** runs one attestation pass now (tests, and `changed` after its debounce) */
  review: () => Promise<void>
  /** the latest attestation of a participant this node holds */
  latest: (participant: string) => Promise<SignedAttestation | undefined>
}

/** Builds the service. */
export function attestations (init: AttestationsInit): (components: AttestationsComponents) => AttestationService {
  return (components) => new AttestationService(components, init)
}
