/**
 * Modelled link latency for the in-memory transport under virtual time.
 *
 * @libp2p/memory's `latency` option delays every buffer on the receiving side
 * *one after another* (`await delay(latency)` inside an `it-map` over the
 * stream): a buffer waits its 10 ms only once the buffer before it has been
 * delivered. Each link was therefore a pipe of 100 buffers per second per
 * direction, not a latency: a burst of k buffers (a new connection's
 * identify, gossipsub and DHT streams, a sync round, yamux window updates)
 * delivered its last buffer k × 10 ms late, and every gossip message queued
 * behind it waited too.
 *
 * `pipelineMemoryLatency` replaces the transport's connection pairs with
 * ones that stamp each buffer when it is sent and deliver it at
 * sent + latency, in order: a first-in first-out link with a fixed latency
 * and no bandwidth limit, which is what the sim models (docs/sim.md, "Virtual
 * time"). It patches the transport's internal `MemoryConnection.prototype.dial`
 * once for the process (the class is not in the package's exports, so it is
 * reached by the file next to its entry point); with latency 0 the library's
 * own dial runs unchanged.
 *
 * With a scenario's `links` model (`LinkNetwork`, registered by the cluster for
 * its nodes' listen addresses), each link — an unordered pair of nodes — draws
 * its own latency, bandwidth and loss rate from the run seed and the two
 * nodes (`drawLink`), and each direction of it is a TCP-like pipe:
 *
 * - serialization: a buffer of s bytes occupies the direction for
 *   s × 8 / bandwidth ms, starting when the buffer before it has finished
 *   (queueing); it then arrives one propagation latency later;
 * - loss: each 1460-byte segment of it is lost with the link's loss rate
 *   (a seeded stream per link direction); a buffer with a lost segment is
 *   retransmitted, not dropped — it arrives an RTO later, RTO =
 *   max(rto_min_ms, 2 × RTT) with RTT = 2 × latency, doubling each time the
 *   retransmission is lost again (at most `RETRANSMISSIONS_MAX`);
 * - order: a connection delivers in order, so buffers behind a retransmitted
 *   one wait for it (head-of-line blocking), as a TCP receive buffer does.
 *
 * No byte is ever lost: yamux and noise above need a reliable stream.
 * Delivery instants are whole ms (rounded up), so the virtual clock stays on
 * integers. Without a model, every link keeps the fixed latency above.
 */
import { createHash } from 'node:crypto'
import type { MultiaddrConnection, PeerId } from '@libp2p/interface'
import { multiaddr } from '@multiformats/multiaddr'
import type { Uint8ArrayList } from 'uint8arraylist'
import type { LinkRange } from './scenario.ts'

type Chunk = Uint8Array | Uint8ArrayList

/** Wake-ups per instant, per installed clock (a fake clock installs its own setTimeout: a run's leftovers never meet the next run's). */
const wakeupsByClock = new WeakMap<typeof setTimeout, Map<number, Array<() => void>>>()

/**
 * Calls `wake` at `atMs`, sharing one timer with every other wake-up due at that instant, in the order they
 * were asked for. Every link has the same latency, so what all links send at one instant is due together:
 * one timer per instant instead of one per link direction and buffer.
 */
function wakeAt (atMs: number, wake: () => void): void {
  const timer = globalThis.setTimeout
  let wakeups = wakeupsByClock.get(timer)
  if (wakeups === undefined) {
    wakeups = new Map()
    wakeupsByClock.set(timer, wakeups)
  }
  const due = wakeups.get(atMs)
  if (due !== undefined) {
    due.push(wake)
    return
  }
  const batch = [wake]
  const all = wakeups
  all.set(atMs, batch)
  timer(() => {
    if (all.get(atMs) === batch) all.delete(atMs)
    for (const next of batch) next()
  }, atMs - Date.now())
}

/** When a buffer of `bytes` sent now may arrive (ms, maybe fractional); the direction rounds it up and keeps the order. */
type Arrival = (bytes: number) => number

/** One direction of a connection: buffers in sending order, each with the time it may be delivered. */
class Direction {
  private readonly queue: Array<{ chunk: Chunk, atMs: number }> = []
  private wake: (() => void) | undefined
  private ended = false
  private error: Error | undefined
  /** the delivery instant of the buffer pushed last: none is delivered before it (in order, head-of-line) */
  private lastAtMs = -Infinity

  constructor (private readonly arrival: Arrival, private readonly onHeld?: () => void) {}

  push (chunk: Chunk): void {
    if (this.ended) return
    const due = Math.ceil(this.arrival(chunk.byteLength))
    if (due < this.lastAtMs) this.onHeld?.()
    const atMs = Math.max(due, this.lastAtMs)
    this.lastAtMs = atMs
    this.queue.push({ chunk, atMs })
    this.notify()
  }

  end (error?: Error): void {
    if (this.ended) return
    this.ended = true
    this.error = error
    this.notify()
  }

  async * source (): AsyncGenerator<Chunk> {
    for (;;) {
      const next = this.queue.shift()
      if (next === undefined) {
        if (this.ended) {
          if (this.error !== undefined) throw this.error
          return
        }
        await new Promise<void>((resolve) => { this.wake = resolve })
        continue
      }
      const waitMs = next.atMs - Date.now()
      if (waitMs > 0) await new Promise<void>((resolve) => { wakeAt(next.atMs, resolve) })
      yield next.chunk
    }
  }

  private notify (): void {
    const wake = this.wake
    this.wake = undefined
    wake?.()
  }
}

/** The parts of the library's MemoryConnection the replacement dial uses (private fields, read at run time). */
export interface MemoryConnectionLike {
  latency: number
  connections: Set<MultiaddrConnection>
  init: { address: string, onConnection: (connection: MultiaddrConnection) => void }
  components: { peerId: PeerId, logger: { forComponent: (name: string) => MultiaddrConnection['log'] } }
}

export type Dial = (this: MemoryConnectionLike, dialingPeerId: PeerId, signal: AbortSignal) => Promise<MultiaddrConnection>

/**
 * A dial whose two directions each deliver a buffer `latency` ms after it was sent, in order; or, when the listener's
 * address belongs to a `LinkNetwork`, after the link's drawn serialization, latency and retransmissions.
 */
export function pipelinedDial (original: Dial): Dial {
  return async function (this: MemoryConnectionLike, dialingPeerId: PeerId, signal: AbortSignal): Promise<MultiaddrConnection> {
    const route = routeOf(this.init.address, dialingPeerId.toString())
    if (route === undefined && !(this.latency > 0)) return await original.call(this, dialingPeerId, signal)
    const fixed = (): number => Date.now() + this.latency
    const latencyMs = route?.link.params.latencyMs ?? this.latency
    const toListener = route === undefined ? new Direction(fixed) : route.network.direction(route.link, route.dialerFirst ? 0 : 1)
    const toDialer = route === undefined ? new Direction(fixed) : route.network.direction(route.link, route.dialerFirst ? 1 : 0)
    const log = this.components.logger.forComponent('libp2p:memory')
    const connections = this.connections
    const side = (incoming: Direction, outgoing: Direction, remoteAddr: string): MultiaddrConnection => {
      const connection: MultiaddrConnection = {
        source: incoming.source(),
        sink: async (source) => { for await (const chunk of source) outgoing.push(chunk) },
        close: async () => { closeBoth() },
        abort: (err) => { closeBoth(err) },
        timeline: { open: Date.now() },
        remoteAddr: multiaddr(remoteAddr),
        log
      }
      return connection
    }
    const dialer = side(toDialer, toListener, `${this.init.address}/p2p/${this.components.peerId.toString()}`)
    const listener = side(toListener, toDialer, `${this.init.address}-outgoing/p2p/${dialingPeerId.toString()}`)
    const closeBoth = (err?: Error): void => {
      toListener.end(err)
      toDialer.end(err)
      for (const connection of [dialer, listener]) {
        connections.delete(connection)
        connection.timeline.close ??= Date.now()
      }
    }
    connections.add(dialer)
    connections.add(listener)
    // connection set-up takes one link latency, as in the library
    await new Promise<void>((resolve, reject) => {
      if (signal?.aborted === true) { reject(signal.reason as Error); return }
      const onAbort = (): void => { clearTimeout(timer); reject(signal.reason as Error) }
      const timer = setTimeout(() => { signal?.removeEventListener('abort', onAbort); resolve() }, latencyMs)
      signal?.addEventListener('abort', onAbort, { once: true })
    })
    this.init.onConnection(listener)
    return dialer
  }
}

let patched = false

/** Installs the pipelined dial for this process (idempotent). Throws if the library's layout changed. */
export async function pipelineMemoryLatency (): Promise<void> {
  if (patched) return
  const file = new URL('./connections.js', import.meta.resolve('@libp2p/memory'))
  const module = await import(file.href) as { MemoryConnection?: { prototype: { dial?: Dial } } }
  const prototype = module.MemoryConnection?.prototype
  if (prototype?.dial === undefined) throw new Error(`@libp2p/memory changed: no MemoryConnection.prototype.dial in ${file.href}`)
  prototype.dial = pipelinedDial(prototype.dial)
  patched = true
}

/** A TCP segment's payload (Ethernet MTU 1500 − 40 bytes of headers): the unit a loss rate applies to. */
export const LINK_MSS_BYTES = 1460
/** Retransmissions of one buffer past which the model stops drawing more losses (TCP gives up near 15). */
export const RETRANSMISSIONS_MAX = 8

/** A scenario's link model (scenario `links`, normalised). */
export interface LinkModelSpec {
  latency_ms: LinkRange
  /** absent: unlimited */
  bandwidth_kbps?: LinkRange
  loss: LinkRange
  rto_min_ms: number
}

/** One link's drawn parameters. */
export interface LinkParams {
  /** one-way propagation latency, whole ms */
  latencyMs: number
  /** each direction's bandwidth, kbit/s (whole); null: unlimited */
  bandwidthKbps: number | null
  /** loss rate per segment */
  loss: number
}

/** A node in a link draw: a plan node by index, anything else by its peer id. */
export type LinkEnd = number | string

const endKey = (end: LinkEnd): string => typeof end === 'number' ? `n${end}` : `p${end}`

/** The two ends in canonical order (so a draw does not depend on who dialled). */
function linkKey (a: LinkEnd, b: LinkEnd): { key: string, first: string } {
  const [x, y] = [endKey(a), endKey(b)].sort()
  return { key: `${x}|${y}`, first: x }
}

/** A value in `range` at `u` ∈ [0, 1). */
function pick (range: LinkRange, u: number): number {
  if (range.min === range.max) return range.min
  if (range.distribution === 'log_uniform') return Math.exp(Math.log(range.min) + u * (Math.log(range.max) - Math.log(range.min)))
  return range.min + u * (range.max - range.min)
}

/**
 * The parameters of the link between `a` and `b` in a run with `seed`: a pure function of the seed, the model and the
 * unordered pair — not of who dialled, when, or which other links exist.
 */
export function drawLink (spec: LinkModelSpec, seed: number, a: LinkEnd, b: LinkEnd): LinkParams {
  const digest = createHash('sha256').update(`fedmesh-sim-links/${seed}/${linkKey(a, b).key}`).digest()
  const u = (word: number): number => digest.readUInt32LE(word * 4) / 2 ** 32
  return {
    latencyMs: Math.round(pick(spec.latency_ms, u(0))),
    bandwidthKbps: spec.bandwidth_kbps === undefined ? null : Math.max(1, Math.round(pick(spec.bandwidth_kbps, u(1)))),
    loss: pick(spec.loss, u(2))
  }
}

/** A uniform stream in [0, 1) (sfc32) from a label's sha256: one per link direction, for its losses. */
function lossStream (label: string): () => number {
  const digest = createHash('sha256').update(label).digest()
  let a = digest.readUInt32LE(0)
  let b = digest.readUInt32LE(4)
  let c = digest.readUInt32LE(8)
  let d = digest.readUInt32LE(12)
  return () => {
    let t = (a + b) | 0
    a = b ^ (b >>> 9)
    b = (c + (c << 3)) | 0
    c = (c << 21) | (c >>> 11)
    d = (d + 1) | 0
    t = (t + d) | 0
    c = (c + t) | 0
    return (t >>> 0) / 2 ** 32
  }
}

/** What the links of one network carried (deterministic under virtual time: part of the report). */
export interface LinkUsage {
  /** links (node pairs) that carried a connection */
  links: number
  buffers: number
  bytes: number
  /** buffers with a lost segment: delivered after one or more retransmission timeouts */
  retransmitted: number
  /** buffers that arrived but waited for an earlier, retransmitted one (head-of-line blocking) */
  held_behind: number
  /** the longest a buffer waited for its direction's bandwidth before its first bit went out, ms */
  bandwidth_wait_max_ms: number
}

/** One link's state, shared by every connection between its two nodes. */
export interface LinkState {
  params: LinkParams
  /** per direction (0: from the canonically first end): when its bandwidth is free again, and its loss stream */
  directions: Array<{ busyUntilMs: number, random: (() => number) | undefined }>
}

/** The registered networks' listeners, by memory address. */
const listeners = new Map<string, { network: LinkNetwork, index: number }>()

/** The link a dial to `address` by `dialer` takes, when the address belongs to a network. */
function routeOf (address: string, dialer: string): { network: LinkNetwork, link: LinkState, dialerFirst: boolean } | undefined {
  const listener = listeners.get(address)
  if (listener === undefined) return undefined
  const { network, index } = listener
  const from: LinkEnd = network.indexOf(dialer) ?? dialer
  const { first } = linkKey(from, index)
  return { network, link: network.link(from, index), dialerFirst: first === endKey(from) }
}

/**
 * The per-link model of one run: the cluster registers each node's listen address; dials to those addresses take
 * links drawn from the seed (`drawLink`), whose directions queue on bandwidth and retransmit lost buffers.
 */
export class LinkNetwork {
  private readonly byPeer = new Map<string, number>()
  private readonly addresses = new Set<string>()
  private readonly links = new Map<string, LinkState>()
  private readonly counts: Omit<LinkUsage, 'links'> = { buffers: 0, bytes: 0, retransmitted: 0, held_behind: 0, bandwidth_wait_max_ms: 0 }

  constructor (readonly spec: LinkModelSpec, readonly seed: number) {}

  /** Node `index` (peer `peerId`) listens at `address`: dials to it take this network's links. */
  listen (address: string, index: number, peerId: string): void {
    const taken = listeners.get(address)
    if (taken !== undefined && taken.network !== this) throw new Error(`memory address ${address} already belongs to another link network`)
    listeners.set(address, { network: this, index })
    this.addresses.add(address)
    this.byPeer.set(peerId, index)
  }

  indexOf (peerId: string): number | undefined {
    return this.byPeer.get(peerId)
  }

  /** The link between two ends, drawn the first time it is used. */
  link (a: LinkEnd, b: LinkEnd): LinkState {
    const { key } = linkKey(a, b)
    let link = this.links.get(key)
    if (link === undefined) {
      const params = drawLink(this.spec, this.seed, a, b)
      const stream = (direction: number): (() => number) | undefined => params.loss > 0 ? lossStream(`fedmesh-sim-links/${this.seed}/${key}/loss/${direction}`) : undefined
      link = { params, directions: [0, 1].map((direction) => ({ busyUntilMs: -Infinity, random: stream(direction) })) }
      this.links.set(key, link)
    }
    return link
  }

  /** A new connection's direction over `link` (0: from its canonically first end). */
  direction (link: LinkState, direction: 0 | 1): Direction {
    return new Direction((bytes) => this.arrival(link, direction, bytes, Date.now()), () => { this.counts.held_behind++ })
  }

  /** When a buffer of `bytes` sent at `nowMs` over one direction of `link` arrives, before the in-order wait. */
  arrival (link: LinkState, direction: 0 | 1, bytes: number, nowMs: number): number {
    const { params } = link
    const state = link.directions[direction]
    this.counts.buffers++
    this.counts.bytes += bytes
    let sentMs = nowMs
    if (params.bandwidthKbps !== null) {
      // kbit/s is bits per ms
      const startMs = Math.max(nowMs, state.busyUntilMs)
      this.counts.bandwidth_wait_max_ms = Math.max(this.counts.bandwidth_wait_max_ms, startMs - nowMs)
      sentMs = startMs + bytes * 8 / params.bandwidthKbps
      state.busyUntilMs = sentMs
    }
    let atMs = sentMs + params.latencyMs
    const random = state.random
    if (random !== undefined) {
      const segments = Math.max(1, Math.ceil(bytes / LINK_MSS_BYTES))
      if (random() < 1 - (1 - params.loss) ** segments) {
        this.counts.retransmitted++
        let rto = Math.max(this.spec.rto_min_ms, 2 * 2 * params.latencyMs)
        atMs += rto
        for (let again = 1; again < RETRANSMISSIONS_MAX && random() < params.loss; again++) {
          rto *= 2
          atMs += rto
        }
      }
    }
    return atMs
  }

  usage (): LinkUsage {
    return { links: this.links.size, ...this.counts }
  }

  /** Unregisters this network's addresses (the run is over). */
  close (): void {
    for (const address of this.addresses) if (listeners.get(address)?.network === this) listeners.delete(address)
    this.addresses.clear()
  }
}
