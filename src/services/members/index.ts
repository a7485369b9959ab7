/**
 * The member directory: who is in this node's federation, with each member's
 * hybrid public key, site id and jurisdiction. Its only source is the
 * consensus membership (the genesis, then decided membership events), which
 * the consensus service announces; nothing a peer claims (a node record, a
 * summary's label) and no DHT lookup ever adds or changes an entry.
 */
import type { AbortOptions, PeerId, Stream, StreamHandler, StreamHandlerOptions } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'
import type { HybridPublicKey, SignatureVerifier } from '../../core/signature.ts'
import type { Membership } from '../../core/consensus/membership.ts'
import type { ConsensusPolicy } from '../../core/consensus/threshold.ts'
import type { ConsensusStore } from '../../store/consensus.ts'
import type { Logger } from '../../runtime/log.ts'
import { MemberDirectory } from './directory.ts'
import { MembershipChainService } from './chain.ts'

export { MemberDirectory, MembershipChainService }
export { MembershipFetchError } from './chain.ts'
export { DIRECTORY_MEMBERS_MAX, membershipChainProtocol } from './constants.ts'

/** What the membership says about a member. */
export interface MemberIdentity {
  key: HybridPublicKey
  /** the membership's site id (summaries and metrics are labelled with it) */
  siteId?: string
  jurisdiction?: string
}

/** Where members' hybrid keys come from (what the envelope channel reads): the membership, nothing else. */
export interface MemberKeys {
  /** the key of a current member; undefined for anyone else */
  key: (nodeId: string) => HybridPublicKey | undefined
}

/** What summaries, metrics and status read: a member's site id. */
export interface MemberSites {
  siteOf: (nodeId: string) => string | undefined
}

/** What the connection gater asks. */
export interface MemberAdmission {
  /** true for a member; before any membership is known, true only for a bootstrap peer or a founder of the genesis draft being signed */
  admits: (peerId: string) => boolean
}

export interface MemberDirectoryComponents {
  logger: Logger
}

export interface MemberDirectoryInit {
  /** peer ids of the configured bootstrap peers: admitted before a membership is known */
  bootstrapPeers?: string[]
  /** the founders of the genesis draft this node signed (from the store): also admitted before a membership is known */
  draftPeers?: string[]
}

/** Builds the directory. */
export function memberDirectory (init: MemberDirectoryInit = {}): (components: MemberDirectoryComponents) => MemberDirectory {
  return (components) => new MemberDirectory(components, init)
}

/** The slice of the libp2p host the membership chain uses. */
export interface MembershipChainHost {
  handle: (protocol: string, handler: StreamHandler, options?: StreamHandlerOptions) => Promise<void>
  unhandle: (protocol: string) => Promise<void>
  dialProtocol: (peer: PeerId, protocol: string, options?: AbortOptions) => Promise<Stream>
  dial: (peer: PeerId, options?: AbortOptions) => Promise<unknown>
  getPeers: () => PeerId[]
  peerStore: { merge: (peer: PeerId, data: { multiaddrs: Multiaddr[] }) => Promise<unknown> }
  addEventListener: (type: 'peer:connect', listener: (event: CustomEvent<PeerId>) => void) => void
  removeEventListener: (type: 'peer:connect', listener: (event: CustomEvent<PeerId>) => void) => void
}

export interface MembershipChainComponents {
  host: MembershipChainHost
  /** the membership per epoch, the decided events and QCs (served), and where fetched links are stored */
  consensusStore: Pick<ConsensusStore, 'membership' | 'membershipAt' | 'events' | 'qc' | 'policy' | 'persist'>
  /** who may ask and answer; `current` is the membership held */
  members: MemberAdmission & { current: () => Membership | undefined }
  verifier: SignatureVerifier
  logger: Logger
  /** the policy QCs are checked with until the store holds the federation's */
  fallbackPolicy: ConsensusPolicy
  /** has consensus re-read membership, policy and trust from the store (it then announces the new membership) */
  reload: () => Promise<void>
  /** this node's PeerId text */
  nodeId: string
}

export interface MembershipChainInit {
  federationId: string
}

/**
 * The membership chain protocol, `/fedmesh/<federation>/membership/1.0.0`
 * (protocols/membership.md): JSON frames, length-prefixed; the asker sends
 * `{ federation_id, from_epoch }`, the member answers with up to
 * MEMBERSHIP_CHAIN_ENTRIES_MAX decided membership events after that epoch,
 * each with its QC; the asker replays them from the membership it holds.
 */
export function membershipChain (init: MembershipChainInit): (components: MembershipChainComponents) => MembershipChainService {
  return (components) => new MembershipChainService(components, init)
}
