/**
 * Connection limits that hold for every node, bootstrap nodes included.
 *
 * libp2p's own pruner closes a connection only when it carries no stream but
 * identify's, and every fedmesh connection carries gossipsub's long-lived
 * streams, so above `maxConnections` it closed nothing: bootstrap nodes held
 * every joiner they ever accepted (190–300 in the sim). This trimmer closes
 * them anyway, above a high water and down to a low water, sparing connections
 * younger than a grace period and up to the low water's worth of gossip mesh
 * peers (those in the most topic meshes first). libp2p's
 * `maxConnections` stays as the hard cap on inbound connections, above the
 * high water, so a bootstrap node keeps admitting joiners.
 */
import type { FedmeshLibp2p } from '../../net/host.ts'
import type { Clock } from '../../runtime/clock.ts'
import type { Logger } from '../../runtime/log.ts'
import { ConnectionTrimmer } from './connection-trimmer.ts'

export { ConnectionTrimmer }
export { connectionsToTrim, meshCounts, protectedPeers, type TrimCandidate, type TrimLimits } from './trim.ts'
export { CONNECTION_GRACE_MS } from './constants.ts'

export interface ConnectionLimitsComponents {
  connections: Pick<FedmeshLibp2p, 'getConnections' | 'addEventListener' | 'removeEventListener'>
  /** the node's gossipsub mesh peers, one entry per (topic, peer): the trimmer spares the low water's worth, most meshes first */
  meshPeers: () => Iterable<string>
  clock: Clock
  logger: Logger
}

export interface ConnectionLimitsInit {
  /** default CONNECTIONS_HIGH_WATER */
  highWater?: number
  /** default CONNECTIONS_LOW_WATER (capped at the high water) */
  lowWater?: number
  /** default CONNECTION_GRACE_MS */
  graceMs?: number
}

/** Builds the connection trimmer. */
export function connectionLimits (init: ConnectionLimitsInit = {}): (components: ConnectionLimitsComponents) => ConnectionTrimmer {
  return (components) => new ConnectionTrimmer(components, init)
}
