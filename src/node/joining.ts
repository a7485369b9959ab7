/**
 * Joining a federation and keeping connected: dial the bootstrap peers while
 * the node has no connection at all (backing off), and dial peers the DHT or
 * bootstrap discovers, a few at a time, up to a connection target.
 *
 * @libp2p/bootstrap dials once at start and only TCP-style addresses (its
 * matcher does not know /memory), so a node whose bootstrap peer was down, or
 * a sim node, would otherwise never join.
 */
import { multiaddr } from '@multiformats/multiaddr'
import type { PeerId } from '@libp2p/interface'
import type { FedmeshLibp2p } from '../net/host.ts'
import type { Logger } from './log.ts'

/** Discovered peers dialled at once; more wait for the next discovery event. */
export const DISCOVERY_DIALS_CONCURRENT_MAX = 8
/** Connections a node seeks through discovery before it stops dialling new peers. */
export const DISCOVERY_CONNECTIONS_TARGET = 32
/** While a federated node has no connection it re-dials its bootstrap peers, backing off up to this. */
export const REJOIN_INTERVAL_MS_MAX = 30_000
export const REJOIN_INTERVAL_MS_MIN = 500
/** One dial, bootstrap or discovered, gives up after this. */
export const DIAL_MS_MAX = 10_000

export interface JoiningInit {
  libp2p: FedmeshLibp2p
  bootstrap: string[]
  log: Logger
  connectionsTarget?: number
}

/** The joining loop and the discovery dialler of one node. */
export class Joining {
  private readonly libp2p: FedmeshLibp2p
  private readonly bootstrap: string[]
  private readonly log: Logger
  private readonly connectionsTarget: number
  private rejoinTimer: NodeJS.Timeout | undefined
  private rejoinIntervalMs = REJOIN_INTERVAL_MS_MIN
  private dialsInFlight = 0
  private running = false

  constructor (init: JoiningInit) {
    this.libp2p = init.libp2p
    this.bootstrap = init.bootstrap
    this.log = init.log
    this.connectionsTarget = init.connectionsTarget ?? DISCOVERY_CONNECTIONS_TARGET
  }

  start (): void {
    if (this.running) return
    this.running = true
    this.libp2p.addEventListener('peer:discovery', this.onDiscovery)
    this.scheduleRejoin(0)
  }

  stop (): void {
    this.running = false
    this.libp2p.removeEventListener('peer:discovery', this.onDiscovery)
    if (this.rejoinTimer !== undefined) clearTimeout(this.rejoinTimer)
    this.rejoinTimer = undefined
  }

  private scheduleRejoin (delayMs: number): void {
    if (this.rejoinTimer !== undefined) clearTimeout(this.rejoinTimer)
    this.rejoinTimer = setTimeout(() => { void this.rejoin() }, delayMs)
    this.rejoinTimer.unref()
  }

  private async rejoin (): Promise<void> {
    this.rejoinTimer = undefined
    if (!this.running) return
    if (this.libp2p.getPeers().length === 0) {
      const dials = this.bootstrap.map(async (address) => {
        await this.libp2p.dial(multiaddr(address), { signal: AbortSignal.timeout(DIAL_MS_MAX) })
      })
      const results = await Promise.allSettled(dials)
      const joined = results.some((r) => r.status === 'fulfilled')
      this.rejoinIntervalMs = joined ? REJOIN_INTERVAL_MS_MIN : Math.min(this.rejoinIntervalMs * 2, REJOIN_INTERVAL_MS_MAX)
      if (!joined && dials.length > 0) this.log.debug({ retryMs: this.rejoinIntervalMs }, 'no bootstrap peer reachable yet')
    }
    if (this.running) this.scheduleRejoin(this.rejoinIntervalMs)
  }

  private readonly onDiscovery = (event: CustomEvent<{ id: PeerId }>): void => {
    const peer = event.detail.id
    if (peer.equals(this.libp2p.peerId)) return
    if (this.libp2p.getConnections(peer).length > 0) return
    if (this.libp2p.getPeers().length >= this.connectionsTarget) return
    if (this.dialsInFlight >= DISCOVERY_DIALS_CONCURRENT_MAX) return
    this.dialsInFlight++
    this.libp2p.dial(peer, { signal: AbortSignal.timeout(DIAL_MS_MAX) })
      .catch((err: Error) => { this.log.debug({ peer: peer.toString(), err: err.message }, 'dialling a discovered peer failed') })
      .finally(() => { this.dialsInFlight-- })
  }
}
