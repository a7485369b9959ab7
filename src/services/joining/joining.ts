/**
 * The joining loop, the self lookup and the discovery dialler (see index.ts).
 *
 * @libp2p/bootstrap dials once at start and only TCP-style addresses (its
 * matcher does not know /memory), so a node whose bootstrap peer was down, or
 * a sim node, would otherwise never join. Everything here runs on connection
 * events and on its own backoff timers: a connected node does no periodic work
 * (polling `getPeers()` every 500 ms cost every idle node CPU for nothing).
 */
import { multiaddr } from '@multiformats/multiaddr'
import type { PeerId } from '@libp2p/interface'
import type { Logger } from '../../runtime/log.ts'
import { jitteredMs, type Random } from '../../runtime/random.ts'
import {
  DIAL_MS_MAX, DISCOVERY_CONNECTIONS_TARGET, DISCOVERY_DIALS_CONCURRENT_MAX, REJOIN_INTERVAL_MS_MAX, REJOIN_INTERVAL_MS_MIN,
  RETRY_JITTER, SELF_QUERY_FIRST_MS, SELF_QUERY_MS_MAX, SELF_QUERY_RETRY_MS_MAX, SELF_QUERY_RETRY_MS_MIN
} from './constants.ts'
import type { JoiningComponents, JoiningInit, SelfQueryDht } from './index.ts'

/** What kad-dht dispatches on the node's event bus when one of its self-queries ends, with the peers it found. */
export const KAD_SELF_QUERY_EVENT = 'kad-dht:query:self'

/** The joining loop and the discovery dialler of one node. */
export class Joining {
  private readonly libp2p: JoiningComponents['connections']
  private readonly dht: SelfQueryDht | undefined
  private readonly random: Random
  private readonly bootstrap: string[]
  private readonly log: Logger
  private readonly connectionsTarget: number
  private rejoinTimer: NodeJS.Timeout | undefined
  private rejoinIntervalMs = REJOIN_INTERVAL_MS_MIN
  private selfQueryTimer: NodeJS.Timeout | undefined
  private selfQueryIntervalMs = SELF_QUERY_RETRY_MS_MIN
  /** a self lookup found a peer since the node last (re)joined */
  private findable = false
  private selfQuerying = false
  private dialsInFlight = 0
  private running = false
  private shutdown = new AbortController()

  constructor (components: JoiningComponents, init: JoiningInit) {
    this.libp2p = components.connections
    this.dht = components.dht
    this.random = components.random.fork('joining')
    this.bootstrap = init.bootstrap ?? []
    this.log = components.logger
    this.connectionsTarget = init.connectionsTarget ?? DISCOVERY_CONNECTIONS_TARGET
  }

  start (): void {
    if (this.running) return
    this.running = true
    this.shutdown = new AbortController()
    this.libp2p.addEventListener('peer:discovery', this.onDiscovery)
    this.libp2p.addEventListener('peer:connect', this.onConnect)
    this.libp2p.addEventListener('peer:disconnect', this.onDisconnect)
    this.bus().addEventListener(KAD_SELF_QUERY_EVENT, this.onKadSelfQuery)
    if (this.libp2p.getConnections().length === 0) this.scheduleRejoin(0)
    else this.onConnect()
  }

  stop (): void {
    this.running = false
    this.shutdown.abort()
    this.libp2p.removeEventListener('peer:discovery', this.onDiscovery)
    this.libp2p.removeEventListener('peer:connect', this.onConnect)
    this.libp2p.removeEventListener('peer:disconnect', this.onDisconnect)
    this.bus().removeEventListener(KAD_SELF_QUERY_EVENT, this.onKadSelfQuery)
    clearTimeout(this.rejoinTimer)
    clearTimeout(this.selfQueryTimer)
    this.rejoinTimer = undefined
    this.selfQueryTimer = undefined
  }

  /** A connection exists: stop rejoining; make the node findable if it is not yet. */
  private readonly onConnect = (): void => {
    if (!this.running) return
    clearTimeout(this.rejoinTimer)
    this.rejoinTimer = undefined
    this.rejoinIntervalMs = REJOIN_INTERVAL_MS_MIN
    if (!this.findable && this.selfQueryTimer === undefined && !this.selfQuerying) this.scheduleSelfQuery(SELF_QUERY_FIRST_MS)
  }

  /** The node's event bus as a plain EventTarget: kad-dht's event is not in libp2p's typed event map. */
  private bus (): EventTarget {
    return this.libp2p as unknown as EventTarget
  }

  /** kad-dht's own self-query ended: if it found peers, the node is findable and its own lookup is not needed. */
  private readonly onKadSelfQuery = (event: Event): void => {
    const peers = (event as CustomEvent<{ peers?: unknown } | undefined>).detail?.peers
    if (!this.running || typeof peers !== 'number' || peers === 0) return
    this.findable = true
    this.selfQueryIntervalMs = SELF_QUERY_RETRY_MS_MIN
    clearTimeout(this.selfQueryTimer)
    this.selfQueryTimer = undefined
  }

  /** The last connection closed: rejoin through the bootstrap set, and look itself up again once back. */
  private readonly onDisconnect = (): void => {
    if (!this.running || this.libp2p.getConnections().length > 0) return
    this.findable = false
    this.scheduleRejoin(jitteredMs(REJOIN_INTERVAL_MS_MIN, RETRY_JITTER, this.random))
  }

  private scheduleRejoin (delayMs: number): void {
    clearTimeout(this.rejoinTimer)
    this.rejoinTimer = setTimeout(() => { void this.rejoin() }, delayMs)
    this.rejoinTimer.unref()
  }

  private async rejoin (): Promise<void> {
    this.rejoinTimer = undefined
    if (!this.running || this.libp2p.getConnections().length > 0) return
    const dials = this.bootstrap.map(async (address) => {
      await this.libp2p.dial(multiaddr(address), { signal: AbortSignal.any([this.shutdown.signal, AbortSignal.timeout(DIAL_MS_MAX)]) })
    })
    const results = await Promise.allSettled(dials)
    if (!this.running || results.some((r) => r.status === 'fulfilled') || this.libp2p.getConnections().length > 0) return
    this.rejoinIntervalMs = Math.min(this.rejoinIntervalMs * 2, REJOIN_INTERVAL_MS_MAX)
    if (dials.length > 0) this.log.debug({ retryMs: this.rejoinIntervalMs }, 'no bootstrap peer reachable yet')
    this.scheduleRejoin(jitteredMs(this.rejoinIntervalMs, RETRY_JITTER, this.random))
  }

  private scheduleSelfQuery (delayMs: number): void {
    if (this.dht === undefined) return
    clearTimeout(this.selfQueryTimer)
    this.selfQueryTimer = setTimeout(() => { void this.selfQuery() }, delayMs)
    this.selfQueryTimer.unref()
  }

  /** Looks this node up in the DHT; until a lookup finds a peer, retries with a jittered, doubling backoff. */
  private async selfQuery (): Promise<void> {
    this.selfQueryTimer = undefined
    const dht = this.dht
    if (!this.running || dht === undefined || this.findable) return
    this.selfQuerying = true
    let found = 0
    try {
      const signal = AbortSignal.any([this.shutdown.signal, AbortSignal.timeout(SELF_QUERY_MS_MAX)])
      for await (const event of dht.getClosestPeers(this.libp2p.peerId.toMultihash().bytes, { signal })) {
        if (event.name === 'FINAL_PEER') found++
      }
    } catch (err) {
      this.log.debug({ err: (err as Error).message }, 'self lookup failed')
    } finally {
      this.selfQuerying = false
    }
    if (!this.running) return
    if (found > 0) {
      this.findable = true
      this.selfQueryIntervalMs = SELF_QUERY_RETRY_MS_MIN
      return
    }
    const delayMs = jitteredMs(this.selfQueryIntervalMs, RETRY_JITTER, this.random)
    this.selfQueryIntervalMs = Math.min(this.selfQueryIntervalMs * 2, SELF_QUERY_RETRY_MS_MAX)
    if (this.libp2p.getConnections().length > 0) this.scheduleSelfQuery(delayMs)
  }

  private readonly onDiscovery = (event: CustomEvent<{ id: PeerId }>): void => {
    const peer = event.detail.id
    if (peer.equals(this.libp2p.peerId)) return
    if (this.libp2p.getConnections(peer).length > 0) return
    if (this.libp2p.getPeers().length >= this.connectionsTarget) return
    if (this.dialsInFlight >= DISCOVERY_DIALS_CONCURRENT_MAX) return
    this.dialsInFlight++
    this.libp2p.dial(peer, { signal: AbortSignal.any([this.shutdown.signal, AbortSignal.timeout(DIAL_MS_MAX)]) })
      .catch((err: Error) => { this.log.debug({ peer: peer.toString(), err: err.message }, 'dialling a discovered peer failed') })
      .finally(() => { this.dialsInFlight-- })
  }
}
