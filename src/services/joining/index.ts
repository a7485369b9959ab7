/**
 * Joining a federation and keeping connected: dial the bootstrap peers while
 * the node has no connection at all (backing off), and dial peers the DHT or
 * bootstrap discovers, a few at a time, up to a connection target.
 */
import type { FedmeshLibp2p } from '../../net/host.ts'
import type { Logger } from '../../runtime/log.ts'
import { Joining } from './joining.ts'

export { Joining }

export interface JoiningComponents {
  /** the parts of the host joining uses */
  connections: Pick<FedmeshLibp2p, 'peerId' | 'dial' | 'getPeers' | 'getConnections' | 'addEventListener' | 'removeEventListener'>
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
