/**
 * The member directory: who is in this node's federation, with each member's
 * hybrid public key, site id and jurisdiction. Its only source is the
 * consensus membership (the genesis, then decided membership events), which
 * the consensus service announces; nothing a peer claims (a node record, a
 * summary's label) and no DHT lookup ever adds or changes an entry.
 */
import type { HybridPublicKey } from '../../core/signature.ts'
import type { Logger } from '../../runtime/log.ts'
import { MemberDirectory } from './directory.ts'

export { MemberDirectory }
export { DIRECTORY_MEMBERS_MAX } from './constants.ts'

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
  /** true for a member; before any membership is known, true only for a bootstrap peer */
  admits: (peerId: string) => boolean
}

export interface MemberDirectoryComponents {
  logger: Logger
}

export interface MemberDirectoryInit {
  /** peer ids of the configured bootstrap peers: the only peers admitted before a membership is known */
  bootstrapPeers?: string[]
}

/** Builds the directory. */
export function memberDirectory (init: MemberDirectoryInit = {}): (components: MemberDirectoryComponents) => MemberDirectory {
  return (components) => new MemberDirectory(components, init)
}
