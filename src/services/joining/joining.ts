/**
 * The joining loop and the discovery dialler (see index.ts).
 *
 * @libp2p/bootstrap dials once at start and only TCP-style addresses (its
 * matcher does not know /memory), so a node whose bootstrap peer was down, or
 * a sim node, would otherwise never join.
 */
import { multiaddr } from '@multiformats/multiaddr'
import type { PeerId } from '@libp2p/interface'
import type { Logger } from '../../runtime/log.ts'
import { DIAL_MS_MAX, DISCOVERY_CONNECTIONS_TARGET, DISCOVERY_DIALS_CONCURRENT_MAX, REJOIN_INTERVAL_MS_MAX, REJOIN_INTERVAL_MS_MIN } from './constants.ts'
import type { JoiningComponents, JoiningInit } from './index.ts'

/** The joining loop and the discovery dialler of one node. */
export class Joining {
  private readonly libp2p: JoiningComponents['connections']
  private readonly bootstrap: string[]
  private readonly log: Logger
  private readonly connectionsTarget: number
  private rejoinTimer: NodeJS.Timeout | undefined
  private rejoinIntervalMs = REJOIN_INTERVAL_MS_MIN
  private dialsInFlight = 0
  private running = false

  constructor (components: JoiningComponents, init: JoiningInit) {
    this.libp2p = components.connections
    this.bootstrap = init.bootstrap ?? []
    this.log = components.logger
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
