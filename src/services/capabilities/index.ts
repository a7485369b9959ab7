/**
 * Capability discovery (src/net/capability-records.ts): this node announces
 * its configured capabilities as DHT provider records, and answers
 * `discover` queries with the members that provide a capability, each
 * checked against the membership and its signed node record.
 */
import type { AbortOptions, PeerId, PeerInfo } from '@libp2p/interface'
import type { CID } from 'multiformats/cid'
import type { HybridPublicKey, SignatureVerifier } from '../../core/signature.ts'
import type { Logger } from '../../runtime/log.ts'
import type { ProviderRejection } from '../../net/capability-records.ts'
import { CapabilityService } from './capabilities.ts'

export { CapabilityService }

/** The part of kad-dht discovery uses. */
export interface CapabilityDht {
  provide: (key: CID, options?: AbortOptions) => AsyncIterable<unknown>
  findProviders: (key: CID, options?: AbortOptions) => AsyncIterable<{ name: string, providers?: PeerInfo[] }>
  get: (key: Uint8Array, options?: AbortOptions) => AsyncIterable<{ name: string, value?: Uint8Array }>
}

export interface CapabilityMembers {
  key: (nodeId: string) => HybridPublicKey | undefined
  siteOf: (nodeId: string) => string | undefined
}

export interface CapabilitiesComponents {
  dht: CapabilityDht
  /** this node's own signed node record (the DHT answers for others) */
  ownRecord: () => Uint8Array | undefined
  peerId: PeerId
  members: CapabilityMembers
  verifier: SignatureVerifier
  /** told of new connections (the first announcement waits for a peer) */
  events: { addEventListener: (type: 'peer:connect', listener: () => void) => void, removeEventListener: (type: 'peer:connect', listener: () => void) => void }
  logger: Logger
}

export interface CapabilitiesInit {
  federationId: string
  capabilities: string[]
  jurisdiction: string
  /** announce at all (only a federated node does) */
  publish: boolean
  /** default CAPABILITY_REPROVIDE_MS */
  reprovideMs?: number
}

/** One provider that passed every check. */
export interface CapabilityProvider {
  node_id: string
  site_id: string | null
  jurisdiction: string
  capabilities: string[]
  addrs: string[]
}

export interface DiscoveryResult {
  capability: string
  jurisdiction: string | null
  providers: CapabilityProvider[]
  /** providers the DHT named that failed a check */
  rejected: Array<{ node_id: string, reason: ProviderRejection }>
  /** more than CAPABILITY_PROVIDERS_MAX providers answered: the rest were not considered */
  truncated: boolean
}

/** What operations may call. */
export interface Capabilities {
  discover: (capability: string, jurisdiction?: string, options?: AbortOptions) => Promise<DiscoveryResult>
  /** announces now (tests; also at start, on the first peer and periodically) */
  announce: () => Promise<void>
}

/** Builds the service. */
export function capabilities (init: CapabilitiesInit): (components: CapabilitiesComponents) => CapabilityService {
  return (components) => new CapabilityService(components, init)
}
