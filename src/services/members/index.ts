/**
 * The member directory: which nodes' envelopes this node accepts, and their
 * hybrid public keys and site ids (from their signed node records).
 */
import type { HybridPublicKey } from '../../core/signature.ts'
import type { Clock } from '../../runtime/clock.ts'
import { MemberDirectory } from './directory.ts'

export { MemberDirectory }

/** What a verified node record says about a member. */
export interface MemberIdentity {
  key: HybridPublicKey
  /** the site id the node record names (summaries are labelled with it) */
  siteId?: string
}

/** Where members' hybrid keys come from (what the envelope channel reads). */
export interface MemberKeys {
  /** the key of a known member, now */
  key: (nodeId: string) => HybridPublicKey | undefined
  /** looks the member up (e.g. in the DHT); undefined when it cannot be found */
  resolve: (nodeId: string, signal: AbortSignal) => Promise<HybridPublicKey | undefined>
  /** false when an allow-list excludes the node: its messages are provably not a member's */
  admits: (nodeId: string) => boolean
}

/** What summaries and status read: a member's site id. */
export interface MemberSites {
  siteOf: (nodeId: string) => string | undefined
}

export interface MemberDirectoryComponents {
  clock: Clock
  /** finds and verifies a node's record; undefined when there is none */
  lookup: (nodeId: string, signal: AbortSignal) => Promise<MemberIdentity | undefined>
}

export interface MemberDirectoryInit {
  /** peer ids admitted; empty = any node with a valid node record */
  allowList?: string[]
}

/** Builds the directory. */
export function memberDirectory (init: MemberDirectoryInit = {}): (components: MemberDirectoryComponents) => MemberDirectory {
  return (components) => new MemberDirectory(components, init)
}
