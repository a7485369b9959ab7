/**
 * Joining a federation and keeping connected, driven by connection events
 * (no polling): dial the bootstrap peers when the node has no connection at
 * all (backing off), look the node itself up in the DHT until it is findable
 * (backing off), and dial peers the DHT or bootstrap discovers, a few at a
 * time, up to a connection target.
 */
import type { FedmeshLibp2p } from '../../net/host.ts'
import type { Logger } from '../../runtime/log.ts'
import type { Random } from '../../runtime/random.ts'
import { Joining } from './joining.ts'

export { Joining }

/** The part of the DHT joining uses: its own lookup (kad-dht's getClosestPeers). */
export interface SelfQueryDht {
  getClosestPeers: FedmeshLibp2p['services']['dht']['getClosestPeers']
}

export interface JoiningComponents {
  /** the parts of the host joining uses */
  connections: Pick<FedmeshLibp2p, 'peerId' | 'dial' | 'getPeers' | 'getConnections' | 'addEventListener' | 'removeEventListener'>
  /** absent: no self lookup (kad-dht's own schedule only) */
  dht?: SelfQueryDht
  /** spreads retry periods */
  random: Random
  logger: Logger
}

export interface JoiningInit {
  /** bootstrap multiaddrs */
  bootstrap?: string[]
  /** default DISCOVERY_CONNECTIONS_TARGET */
  connectionsTarget?: number
}

/** Builds the joining loop. */
export function joining (init: JoiningInit = {}): (components: JoiningComponents) => Joining {
  return (components) => new Joining(components, init)
}
