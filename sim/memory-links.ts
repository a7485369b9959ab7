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
 */
import type { MultiaddrConnection, PeerId } from '@libp2p/interface'
import { multiaddr } from '@multiformats/multiaddr'
import type { Uint8ArrayList } from 'uint8arraylist'

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

/** One direction of a link: buffers in sending order, each with the time it may be delivered. */
class Direction {
  private readonly queue: Array<{ chunk: Chunk, atMs: number }> = []
  private wake: (() => void) | undefined
  private ended = false
  private error: Error | undefined

  constructor (private readonly latencyMs: number) {}

  push (chunk: Chunk): void {
    if (this.ended) return
    this.queue.push({ chunk, atMs: Date.now() + this.latencyMs })
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

/** A dial whose two directions each deliver a buffer `latency` ms after it was sent, in order. */
export function pipelinedDial (original: Dial): Dial {
  return async function (this: MemoryConnectionLike, dialingPeerId: PeerId, signal: AbortSignal): Promise<MultiaddrConnection> {
    if (!(this.latency > 0)) return await original.call(this, dialingPeerId, signal)
    const toListener = new Direction(this.latency)
    const toDialer = new Direction(this.latency)
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
      const timer = setTimeout(() => { signal?.removeEventListener('abort', onAbort); resolve() }, this.latency)
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
