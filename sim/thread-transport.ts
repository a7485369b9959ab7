/**
 * A libp2p transport for nodes spread over worker threads (the sim's `--threads K`).
 *
 * Addresses are `/memory/<name>`. A dial to an address listened on in the same thread joins the
 * two ends in memory, as @libp2p/memory does; a dial to an address another thread owns (the
 * `ownerOf` resolver says which) goes over the MessagePort between the two threads. One
 * `ThreadNetwork` per thread holds that thread's listeners and ports; every node of the thread
 * gets its transport from it (`network.transport()`).
 *
 * On a port, each connection has an id and a small protocol: open (address, dialler's peer id) →
 * accept (listener's peer id) or refuse (reason); then data, close, abort either way. Everything
 * one thread writes to a port during one turn of its event loop goes out as ONE message: a list of
 * operations and one transferred ArrayBuffer holding every data chunk's bytes, copied once, when
 * written (the writer may reuse its buffer afterwards, as it may with a socket). The
 * receiver hands out views of that buffer, in order: nothing is lost or reordered.
 */
import type { MessagePort } from 'node:worker_threads'
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import {
  ConnectionFailedError, ListenError, TypedEventEmitter, serviceCapabilities, transportSymbol,
  type ComponentLogger, type Connection, type CreateListenerOptions, type DialTransportOptions, type Listener,
  type ListenerEvents, type Logger, type MultiaddrConnection, type PeerId, type Transport
} from '@libp2p/interface'
import type { Uint8ArrayList } from 'uint8arraylist'

/** What a transport needs of a node's libp2p components. */
export interface ThreadTransportComponents {
  peerId: PeerId
  logger: ComponentLogger
}

export interface ThreadNetworkInit {
  /** this thread's index */
  thread: number
  /** a port to each other thread, by that thread's index */
  ports: Map<number, MessagePort>
  /** the thread listening on an address (`/memory/<name>`, no /p2p); undefined: nobody */
  ownerOf: (address: string) => number | undefined
}

/** Port operations; each is its code followed by its fields, flattened into one array per batch. */
const OPEN = 0 // id, address, dialler peer id
const ACCEPT = 1 // id, listener peer id
const REFUSE = 2 // id, reason
const DATA = 3 // id, byte length (the bytes follow the previous DATA's in the batch buffer)
const CLOSE = 4 // id
const ABORT = 5 // id, reason

/** One batch on a port. */
interface Batch {
  ops: Array<number | string>
  bytes: ArrayBuffer
}

/** A port's staging buffer for one tick's bytes: at least this, and a new one sized to the last tick's bytes up to the max. */
const STAGING_BYTES_MIN = 4096
const STAGING_BYTES_KEPT_MAX = 1 << 20

const MEMORY_ADDRESS = /^\/memory\/[^/]+$/

/** The `/memory/<name>` part of an address (without a trailing /p2p/<id>); undefined for any other address. */
function memoryAddress (ma: Multiaddr): string | undefined {
  const address = (ma.getPeerId() === null ? ma : ma.decapsulate('/p2p')).toString()
  return MEMORY_ADDRESS.test(address) ? address : undefined
}

/** An async byte queue: what one end of a connection reads. Ends (optionally with an error) after what was pushed before. */
class Inbox {
  private readonly chunks: Array<Uint8Array | Uint8ArrayList> = []
  private ended = false
  private error: Error | undefined
  private wake: (() => void) | undefined

  push (chunk: Uint8Array | Uint8ArrayList): void {
    if (this.ended) return
    this.chunks.push(chunk)
    this.notify()
  }

  /** Ends the queue: a reader gets what is queued, then the end; with `error`, the error instead of what is queued. */
  end (error?: Error): void {
    if (this.ended) return
    this.ended = true
    this.error = error
    if (error !== undefined) this.chunks.length = 0
    this.notify()
  }

  async * read (): AsyncGenerator<Uint8Array | Uint8ArrayList> {
    while (true) {
      const chunk = this.chunks.shift()
      if (chunk !== undefined) {
        yield chunk
        continue
      }
      if (this.ended) {
        if (this.error !== undefined) throw this.error
        return
      }
      await new Promise<void>((resolve) => { this.wake = resolve })
    }
  }

  private notify (): void {
    const wake = this.wake
    this.wake = undefined
    wake?.()
  }
}

/** What carries one end's writes and hears of its closing: the other end in this thread, or a port. */
interface Peer {
  /** the other end's bytes */
  write: (chunk: Uint8Array | Uint8ArrayList) => void
  /** this end closed (error: aborted) */
  closed: (error?: Error) => void
}

/** One end of a connection, as libp2p's upgrader takes it. */
class End implements MultiaddrConnection {
  readonly inbox = new Inbox()
  readonly source: AsyncGenerator<Uint8Array | Uint8ArrayList>
  remoteAddr: Multiaddr
  readonly timeline: MultiaddrConnection['timeline'] = { open: Date.now() }
  readonly log: Logger
  peer: Peer | undefined
  private done = false
  /** called once the end is closed or aborted either way (the owner forgets it) */
  onDone: (() => void) | undefined

  constructor (remoteAddr: Multiaddr, log: Logger) {
    this.remoteAddr = remoteAddr
    this.log = log
    this.source = this.inbox.read()
  }

  get isDone (): boolean {
    return this.done
  }

  sink = async (source: AsyncIterable<Uint8Array | Uint8ArrayList>): Promise<void> => {
    for await (const chunk of source) {
      if (this.done) continue
      this.peer?.write(chunk)
    }
  }

  // own properties, not methods: libp2p's upgrader copies the connection's fields into its own object
  close = async (): Promise<void> => {
    if (this.done) return
    this.finish()
    this.peer?.closed()
  }

  abort = (err: Error): void => {
    if (this.done) return
    this.finish(err)
    this.peer?.closed(err)
  }

  /** The other side closed (error: aborted): read what came, then the end. */
  remoteClosed (error?: Error): void {
    if (this.done) return
    this.finish(error)
  }

  private finish (error?: Error): void {
    this.done = true
    this.timeline.close = Date.now()
    this.inbox.end(error)
    this.onDone?.()
  }
}

/** Joins two ends of this thread. */
function joinLocal (a: End, b: End): void {
  a.peer = { write: (chunk) => { b.inbox.push(chunk) }, closed: (error) => { b.remoteClosed(error) } }
  b.peer = { write: (chunk) => { a.inbox.push(chunk) }, closed: (error) => { a.remoteClosed(error) } }
}

/** A dial this thread sent over a port, waiting for accept or refuse. */
interface PendingDial {
  end: End
  resolve: (end: End) => void
  reject: (err: Error) => void
  address: string
}

/** The port to one other thread: its connections, and the batch being collected for it. */
class Link {
  private readonly port: MessagePort
  private readonly network: ThreadNetwork
  private readonly ends = new Map<number, End>()
  private readonly dials = new Map<number, PendingDial>()
  private nextId: number
  private ops: Array<number | string> = []
  /** this tick's bytes, copied in as they are written (a writer may reuse its buffer once the write returned) */
  private staging = new Uint8Array(STAGING_BYTES_MIN)
  private bytes = 0
  private scheduled = false
  private closed = false

  constructor (port: MessagePort, network: ThreadNetwork, ownsEvenIds: boolean) {
    this.port = port
    this.network = network
    // the two threads number their dials apart: one even, one odd
    this.nextId = ownsEvenIds ? 0 : 1
    port.on('message', (batch: Batch) => { this.receive(batch) })
    port.on('close', () => { this.shut(new ConnectionFailedError('the thread at the other end of the port closed')) })
  }

  /** Dials `address` in the other thread. */
  async dial (address: string, end: End, from: PeerId, signal: AbortSignal): Promise<End> {
    if (this.closed) throw new ConnectionFailedError(`no thread listens at ${address} (its port is closed)`)
    const id = this.nextId
    this.nextId += 2
    return await new Promise<End>((resolve, reject) => {
      const onAbort = (): void => {
        if (!this.dials.delete(id)) return
        this.send(ABORT, id, 'dial aborted')
        reject(signal.reason instanceof Error ? signal.reason : new ConnectionFailedError(`dial to ${address} aborted`))
      }
      signal.addEventListener('abort', onAbort, { once: true })
      const done = (): void => { signal.removeEventListener('abort', onAbort) }
      this.dials.set(id, { end, address, resolve: (e) => { done(); resolve(e) }, reject: (err) => { done(); reject(err) } })
      this.send(OPEN, id, address, from.toString())
    })
  }

  /** Closes the port: every connection over it is aborted, dials in flight fail. */
  shut (error: Error): void {
    if (this.closed) return
    this.flush()
    this.closed = true
    for (const dial of this.dials.values()) dial.reject(error)
    this.dials.clear()
    for (const end of [...this.ends.values()]) end.remoteClosed(error)
    this.ends.clear()
    this.port.close()
  }

  private attach (id: number, end: End): void {
    this.ends.set(id, end)
    end.peer = {
      write: (chunk) => { this.sendData(id, chunk) },
      closed: (error) => {
        this.ends.delete(id)
        if (error === undefined) this.send(CLOSE, id)
        else this.send(ABORT, id, error.message)
      }
    }
  }

  private receive (batch: Batch): void {
    const { ops, bytes } = batch
    let offset = 0
    let i = 0
    while (i < ops.length) {
      const op = ops[i++] as number
      const id = ops[i++] as number
      switch (op) {
        case OPEN: {
          const address = ops[i++] as string
          const from = ops[i++] as string
          const accepted = this.network.accept(address, from)
          if (typeof accepted === 'string') {
            this.send(REFUSE, id, accepted)
          } else {
            this.attach(id, accepted.end)
            this.send(ACCEPT, id, accepted.peerId)
            accepted.start()
          }
          break
        }
        case ACCEPT: {
          const peerId = ops[i++] as string
          const dial = this.dials.get(id)
          this.dials.delete(id)
          if (dial === undefined) break // aborted meanwhile: the other end has our ABORT on its way
          dial.end.remoteAddr = multiaddr(`${dial.address}/p2p/${peerId}`)
          this.attach(id, dial.end)
          dial.resolve(dial.end)
          break
        }
        case REFUSE: {
          const reason = ops[i++] as string
          const dial = this.dials.get(id)
          this.dials.delete(id)
          dial?.reject(new ConnectionFailedError(`thread ${this.network.thread}: dial to ${dial.address} refused: ${reason}`))
          break
        }
        case DATA: {
          const length = ops[i++] as number
          this.ends.get(id)?.inbox.push(new Uint8Array(bytes, offset, length))
          offset += length
          break
        }
        case CLOSE: {
          const end = this.ends.get(id)
          this.ends.delete(id)
          end?.remoteClosed()
          break
        }
        case ABORT: {
          const reason = ops[i++] as string
          const end = this.ends.get(id)
          this.ends.delete(id)
          const dial = this.dials.get(id)
          this.dials.delete(id)
          const error = new ConnectionFailedError(`aborted by the remote end: ${reason}`)
          end?.remoteClosed(error)
          dial?.reject(error)
          break
        }
        default:
          throw new Error(`thread transport: unknown port operation ${op}`)
      }
    }
  }

  private sendData (id: number, chunk: Uint8Array | Uint8ArrayList): void {
    if (this.closed || chunk.byteLength === 0) return
    const needed = this.bytes + chunk.byteLength
    if (needed > this.staging.byteLength) {
      const grown = new Uint8Array(Math.max(needed, this.staging.byteLength * 2))
      grown.set(this.staging.subarray(0, this.bytes))
      this.staging = grown
    }
    if (chunk instanceof Uint8Array) {
      this.staging.set(chunk, this.bytes)
    } else {
      let offset = this.bytes
      for (const part of chunk) {
        this.staging.set(part, offset)
        offset += part.byteLength
      }
    }
    this.bytes = needed
    this.send(DATA, id, chunk.byteLength)
  }

  private send (...op: Array<number | string>): void {
    if (this.closed) return
    for (const field of op) this.ops.push(field)
    if (this.scheduled) return
    this.scheduled = true
    setImmediate(() => { this.flush() })
  }

  /** Posts the batch: its operations and the staged bytes, cut to their length and transferred (not cloned). */
  private flush (): void {
    this.scheduled = false
    if (this.ops.length === 0 || this.closed) return
    // ArrayBuffer.transfer(length): the staging buffer's memory moves into a buffer of exactly the bytes written
    const bytes = (this.staging.buffer as ArrayBuffer & { transfer: (length: number) => ArrayBuffer }).transfer(this.bytes)
    const batch: Batch = { ops: this.ops, bytes }
    this.ops = []
    this.staging = new Uint8Array(Math.max(STAGING_BYTES_MIN, Math.min(this.bytes, STAGING_BYTES_KEPT_MAX)))
    this.bytes = 0
    this.port.postMessage(batch, [bytes])
  }
}

/** A node's listener on one `/memory/<name>` address. */
class ThreadListener extends TypedEventEmitter<ListenerEvents> implements Listener {
  private readonly network: ThreadNetwork
  private readonly components: ThreadTransportComponents
  private readonly options: CreateListenerOptions
  private readonly shutdown = new AbortController()
  private address: string | undefined
  private readonly ends = new Set<End>()

  constructor (network: ThreadNetwork, components: ThreadTransportComponents, options: CreateListenerOptions) {
    super()
    this.network = network
    this.components = components
    this.options = options
  }

  get peerId (): PeerId {
    return this.components.peerId
  }

  async listen (ma: Multiaddr): Promise<void> {
    const address = memoryAddress(ma)
    if (address === undefined) throw new ListenError(`the thread transport listens on /memory/<name> only, not ${ma.toString()}`)
    this.network.listen(address, this)
    this.address = address
    queueMicrotask(() => { this.safeDispatchEvent('listening') })
  }

  /** A new inbound end (from this thread or a port): upgraded, aborted on failure or when the listener closes. */
  inbound (from: string): { end: End, start: () => void } {
    const end = new End(multiaddr(`${this.address ?? '/memory/unknown'}-outgoing/p2p/${from}`), this.components.logger.forComponent('fedmesh:sim:thread-transport'))
    this.ends.add(end)
    end.onDone = () => { this.ends.delete(end) }
    return {
      end,
      start: () => {
        this.options.upgrader.upgradeInbound(end, { signal: this.shutdown.signal }).catch((err: Error) => { end.abort(err) })
      }
    }
  }

  getAddrs (): Multiaddr[] {
    return this.address === undefined ? [] : [multiaddr(this.address)]
  }

  updateAnnounceAddrs (): void {}

  async close (): Promise<void> {
    if (this.address !== undefined) this.network.unlisten(this.address, this)
    this.address = undefined
    for (const end of [...this.ends]) end.abort(new ConnectionFailedError('the listener closed'))
    this.shutdown.abort()
    queueMicrotask(() => { this.safeDispatchEvent('close') })
  }
}

/** One node's transport: dials through, and listens in, its thread's network. */
class ThreadTransport implements Transport {
  readonly [transportSymbol] = true
  readonly [Symbol.toStringTag] = 'fedmesh-sim-thread'
  readonly [serviceCapabilities] = ['@libp2p/transport']
  private readonly network: ThreadNetwork
  private readonly components: ThreadTransportComponents

  constructor (network: ThreadNetwork, components: ThreadTransportComponents) {
    this.network = network
    this.components = components
  }

  async dial (ma: Multiaddr, options: DialTransportOptions): Promise<Connection> {
    options.signal.throwIfAborted()
    const address = memoryAddress(ma)
    if (address === undefined) throw new ConnectionFailedError(`the thread transport dials /memory/<name> only, not ${ma.toString()}`)
    const end = await this.network.dial(address, this.components, options.signal)
    try {
      options.signal.throwIfAborted()
      return await options.upgrader.upgradeOutbound(end, { ...options })
    } catch (err) {
      end.abort(err as Error)
      throw err
    }
  }

  createListener (options: CreateListenerOptions): Listener {
    return new ThreadListener(this.network, this.components, options)
  }

  listenFilter = (addresses: Multiaddr[]): Multiaddr[] => addresses.filter((ma) => memoryAddress(ma) !== undefined)
  dialFilter = (addresses: Multiaddr[]): Multiaddr[] => this.listenFilter(addresses)
}

/** One thread's share of the network: its listeners and its ports to the other threads. */
export class ThreadNetwork {
  readonly thread: number
  private readonly ownerOf: (address: string) => number | undefined
  private readonly listeners = new Map<string, ThreadListener>()
  private readonly links = new Map<number, Link>()

  constructor (init: ThreadNetworkInit) {
    this.thread = init.thread
    this.ownerOf = init.ownerOf
    for (const [other, port] of init.ports) {
      if (other === init.thread) throw new Error(`thread ${other} has a port to itself`)
      this.links.set(other, new Link(port, this, init.thread < other))
    }
  }

  /** The transport factory for a node of this thread (libp2p's `transports` entry). */
  transport (): (components: ThreadTransportComponents) => Transport {
    return (components) => new ThreadTransport(this, components)
  }

  /** Closes every port: connections over them are aborted at both ends, dials in flight fail. */
  close (): void {
    for (const link of this.links.values()) link.shut(new ConnectionFailedError(`thread ${this.thread} closed its network`))
    this.links.clear()
  }

  listen (address: string, listener: ThreadListener): void {
    if (this.listeners.has(address)) throw new ListenError(`memory address ${address} already in use`)
    this.listeners.set(address, listener)
  }

  unlisten (address: string, listener: ThreadListener): void {
    if (this.listeners.get(address) === listener) this.listeners.delete(address)
  }

  /** An inbound connection from another thread to `address`; a string: why it is refused. */
  accept (address: string, from: string): { end: End, peerId: string, start: () => void } | string {
    const listener = this.listeners.get(address)
    if (listener === undefined) return `no listener at ${address} in thread ${this.thread}`
    return { ...listener.inbound(from), peerId: listener.peerId.toString() }
  }

  async dial (address: string, from: ThreadTransportComponents, signal: AbortSignal): Promise<End> {
    const log = from.logger.forComponent('fedmesh:sim:thread-transport')
    const listener = this.listeners.get(address)
    if (listener !== undefined) {
      const end = new End(multiaddr(`${address}/p2p/${listener.peerId.toString()}`), log)
      const inbound = listener.inbound(from.peerId.toString())
      joinLocal(end, inbound.end)
      // the listener's upgrade starts after this dial returns, as with @libp2p/memory
      queueMicrotask(inbound.start)
      return end
    }
    const owner = this.ownerOf(address)
    const link = owner === undefined ? undefined : this.links.get(owner)
    if (link === undefined) throw new ConnectionFailedError(`no listener at ${address}${owner === undefined ? '' : ` (thread ${owner}${owner === this.thread ? ', this one' : ': no port to it'})`}`)
    return await link.dial(address, new End(multiaddr(address), log), from.peerId, signal)
  }
}
