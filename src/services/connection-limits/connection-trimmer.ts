/**
 * The connection trimmer (see index.ts): checks on every new connection, and
 * once more when the youngest spared connection leaves its grace period.
 */
import type { Connection } from '@libp2p/interface'
import { CONNECTION_GRACE_MS, CONNECTIONS_HIGH_WATER, CONNECTIONS_LOW_WATER } from './constants.ts'
import { connectionsToTrim, meshCounts, protectedPeers } from './trim.ts'
import type { ConnectionLimitsComponents, ConnectionLimitsInit } from './index.ts'

/** Keeps one node's connection count under its high water. */
export class ConnectionTrimmer {
  private readonly components: ConnectionLimitsComponents
  readonly highWater: number
  readonly lowWater: number
  private readonly graceMs: number
  /** when each connection opened, on the clock component (libp2p's timeline uses the system clock) */
  private readonly openedAtMs = new Map<string, number>()
  /** connections being closed: no longer counted, never closed twice */
  private readonly closing = new Set<string>()
  private recheck: NodeJS.Timeout | undefined
  private running = false
  /** connections this trimmer closed */
  trimmed = 0

  constructor (components: ConnectionLimitsComponents, init: ConnectionLimitsInit) {
    this.components = components
    this.highWater = init.highWater ?? CONNECTIONS_HIGH_WATER
    this.lowWater = Math.min(init.lowWater ?? CONNECTIONS_LOW_WATER, this.highWater)
    this.graceMs = init.graceMs ?? CONNECTION_GRACE_MS
  }

  start (): void {
    this.running = true
    const nowMs = this.components.clock.now()
    for (const connection of this.components.connections.getConnections()) this.openedAtMs.set(connection.id, nowMs)
    this.components.connections.addEventListener('connection:open', this.onOpen)
    this.components.connections.addEventListener('connection:close', this.onClose)
  }

  stop (): void {
    this.running = false
    this.components.connections.removeEventListener('connection:open', this.onOpen)
    this.components.connections.removeEventListener('connection:close', this.onClose)
    clearTimeout(this.recheck)
    this.recheck = undefined
    this.openedAtMs.clear()
    this.closing.clear()
  }

  private readonly onOpen = (event: CustomEvent<Connection>): void => {
    this.openedAtMs.set(event.detail.id, this.components.clock.now())
    this.check()
  }

  private readonly onClose = (event: CustomEvent<Connection>): void => {
    this.openedAtMs.delete(event.detail.id)
    this.closing.delete(event.detail.id)
  }

  /** Closes the excess; if young connections keep the count above the high water, looks again when they come of age. */
  check (): void {
    if (!this.running) return
    const connections = this.components.connections.getConnections().filter((c) => !this.closing.has(c.id))
    if (connections.length <= this.highWater) return
    const nowMs = this.components.clock.now()
    const byId = new Map(connections.map((c) => [c.id, c]))
    const candidates = connections.map((c) => ({ id: c.id, peer: c.remotePeer.toString(), openedAtMs: this.openedAtMs.get(c.id) ?? nowMs }))
    const limits = { highWater: this.highWater, lowWater: this.lowWater, graceMs: this.graceMs, nowMs, meshes: meshCounts(this.components.meshPeers()) }
    const victims = connectionsToTrim(candidates, limits)
    const spared = protectedPeers(candidates, limits)
    for (const victim of victims) {
      const connection = byId.get(victim.id)
      if (connection === undefined) continue
      this.trimmed++
      this.closing.add(connection.id)
      connection.close().catch((err: Error) => { connection.abort(err) })
    }
    const young = candidates.filter((c) => !spared.has(c.peer) && nowMs - c.openedAtMs < this.graceMs)
    if (connections.length - victims.length > this.highWater && young.length > 0 && this.recheck === undefined) {
      const comesOfAgeMs = Math.min(...young.map((c) => c.openedAtMs)) + this.graceMs
      this.recheck = setTimeout(() => { this.recheck = undefined; this.check() }, comesOfAgeMs - nowMs)
      this.recheck.unref()
    }
  }
}
