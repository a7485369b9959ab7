/**
 * The cross-thread transport (sim/thread-transport.ts). Two `ThreadNetwork`s joined by a MessageChannel
 * speak the whole port protocol (open / accept / refuse / data / close / abort, batched per tick) here in
 * the test's thread; the sim's thread mode (test/sim/threads.test.ts) runs it between real worker threads.
 */
import test, { type ExecutionContext } from 'ava'
import { MessageChannel, type MessagePort } from 'node:worker_threads'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { createLibp2p } from 'libp2p'
import { plaintext } from '@libp2p/plaintext'
import { yamux } from '@chainsafe/libp2p-yamux'
import { ping, type PingService } from '@libp2p/ping'
import { Uint8ArrayList } from 'uint8arraylist'
import type { Listener, MultiaddrConnection, Transport, Upgrader } from '@libp2p/interface'
import { ThreadNetwork, type ThreadTransportComponents } from '../../sim/thread-transport.ts'

const silentLog = Object.assign(() => {}, { enabled: false, trace: () => {}, error: () => {}, newScope: () => silentLog }) as unknown as MultiaddrConnection['log']
const logger = { forComponent: () => silentLog }

/** Addresses `/memory/a-*` live in thread 0, `/memory/b-*` in thread 1. */
const ownerOf = (address: string): number | undefined => address.startsWith('/memory/a-') ? 0 : address.startsWith('/memory/b-') ? 1 : undefined

interface Batch { ops: Array<number | string>, bytes: ArrayBuffer }

/** Two networks over one channel; every batch thread 0 posts is recorded. */
function pair (): { a: ThreadNetwork, b: ThreadNetwork, posted: Array<{ ops: number, bytes: number }> } {
  const channel = new MessageChannel()
  const posted: Array<{ ops: number, bytes: number }> = []
  const post = channel.port1.postMessage.bind(channel.port1)
  // sizes taken before the post: the transfer detaches the buffer
  channel.port1.postMessage = (batch: Batch, transfer?: readonly Transferable[]) => { posted.push({ ops: batch.ops.length, bytes: batch.bytes.byteLength }); post(batch, transfer as never) }
  const a = new ThreadNetwork({ thread: 0, ports: new Map<number, MessagePort>([[1, channel.port1]]), ownerOf })
  const b = new ThreadNetwork({ thread: 1, ports: new Map<number, MessagePort>([[0, channel.port2]]), ownerOf })
  return { a, b, posted }
}

async function components (): Promise<ThreadTransportComponents> {
  return { peerId: peerIdFromPrivateKey(await generateKeyPair('Ed25519')), logger }
}

/** An upgrader that hands raw connections out: dials resolve to them, inbound ones are queued. */
function rawUpgrader (): { upgrader: Upgrader, next: () => Promise<MultiaddrConnection> } {
  const queued: MultiaddrConnection[] = []
  const waiting: Array<(conn: MultiaddrConnection) => void> = []
  const upgrader = {
    upgradeOutbound: async (conn: MultiaddrConnection) => conn,
    upgradeInbound: async (conn: MultiaddrConnection) => {
      const waiter = waiting.shift()
      if (waiter === undefined) queued.push(conn)
      else waiter(conn)
    }
  } as unknown as Upgrader
  return {
    upgrader,
    next: async () => {
      const conn = queued.shift()
      if (conn !== undefined) return conn
      return await new Promise((resolve) => waiting.push(resolve))
    }
  }
}

async function listenAt (network: ThreadNetwork, address: string, upgrader: Upgrader): Promise<{ listener: Listener, transport: Transport }> {
  const transport = network.transport()(await components())
  const listener = transport.createListener({ upgrader })
  await listener.listen(multiaddr(address))
  return { listener, transport }
}

async function dial (network: ThreadNetwork, address: string, upgrader: Upgrader, signal = new AbortController().signal): Promise<MultiaddrConnection> {
  const transport = network.transport()(await components())
  return await transport.dial(multiaddr(address), { upgrader, signal }) as unknown as MultiaddrConnection
}

/** Chunks as a source (an async generator: its steps are microtasks, so all of it runs in one tick). */
/** Two networks (threads 0 and 1) over one channel, a listener at /memory/b-1 and one connection to it; both networks close at the test's end. */
async function connected (t: ExecutionContext): Promise<{ dialer: MultiaddrConnection, listener: MultiaddrConnection, posted: Array<{ ops: number, bytes: number }> }> {
  const { a, b, posted } = pair()
  t.teardown(() => { a.close(); b.close() })
  const { upgrader, next } = rawUpgrader()
  await listenAt(b, '/memory/b-1', upgrader)
  const dialer = await dial(a, '/memory/b-1', upgrader)
  return { dialer, listener: await next(), posted }
}

async function * each (parts: Array<Uint8Array | Uint8ArrayList>): AsyncGenerator<Uint8Array | Uint8ArrayList> {
  yield * parts
}

async function readAll (conn: MultiaddrConnection): Promise<Uint8Array> {
  const list = new Uint8ArrayList()
  for await (const chunk of conn.source) list.append(chunk)
  return list.subarray()
}

/** `count` chunks of 1…97 bytes, each byte its running position mod 251; some are views into a larger buffer. */
function chunks (count: number): { parts: Array<Uint8Array | Uint8ArrayList>, all: Uint8Array } {
  const parts: Array<Uint8Array | Uint8ArrayList> = []
  const backing = new Uint8Array(4096)
  let position = 0
  for (let i = 0; i < count; i++) {
    const size = 1 + (i * 37) % 97
    const bytes = i % 3 === 0 ? backing.subarray(100, 100 + size) : new Uint8Array(size)
    for (let j = 0; j < size; j++) bytes[j] = (position++) % 251
    // a copy: the backing buffer is reused by the next view
    const part = i % 3 === 0 ? bytes.slice() : bytes
    parts.push(i % 5 === 0 ? new Uint8ArrayList(part.subarray(0, size >> 1), part.subarray(size >> 1)) : part)
  }
  const all = new Uint8Array(position)
  for (let k = 0; k < position; k++) all[k] = k % 251
  return { parts, all }
}

/** Reads a connection by hand: `take` exactly n bytes, then `rest` up to its end. */
function reader (conn: MultiaddrConnection): { take: (n: number) => Promise<Uint8Array>, rest: () => Promise<Uint8Array> } {
  const it = conn.source[Symbol.asyncIterator]()
  const list = new Uint8ArrayList()
  return {
    take: async (n) => {
      while (list.byteLength < n) {
        const { done, value } = await it.next()
        if (done === true) break
        list.append(value)
      }
      const bytes = list.subarray(0, Math.min(n, list.byteLength))
      list.consume(bytes.byteLength)
      return bytes
    },
    rest: async () => {
      while (true) {
        const { done, value } = await it.next()
        if (done === true) break
        list.append(value)
      }
      return list.subarray()
    }
  }
}

test('bytes cross the port in order, both ways, and a close delivers what was written before it', async (t) => {
  const { dialer, listener } = await connected(t)
  t.regex(dialer.remoteAddr.toString(), /^\/memory\/b-1\/p2p\//, 'the dialler learns the listener\'s peer id')
  t.regex(listener.remoteAddr.toString(), /\/p2p\//)
  const out = chunks(2000)
  const back = chunks(700)
  const last = chunks(300)
  const atListener = reader(listener)
  const atDialer = reader(dialer)
  // the dialler's sink runs on: it writes `out`, then (below) `last`
  let release: () => void = () => {}
  const sent = new Promise<void>((resolve) => { release = resolve })
  const writes = (async function * () { yield * out.parts; await sent; yield * last.parts })()
  const dialerSink = dialer.sink(writes)
  await listener.sink((async function * () { yield * back.parts })())
  t.deepEqual(await atListener.take(out.all.byteLength), out.all)
  t.deepEqual(await atDialer.take(back.all.byteLength), back.all)
  // what the dialler writes just before it closes still arrives, then the end
  release()
  await dialerSink
  await dialer.close()
  t.deepEqual(await atListener.rest(), last.all)
  t.is(typeof listener.timeline.close, 'number', 'the close reached the other end')
})

test('the chunks written in one tick go out as one message whose buffer holds just their bytes', async (t) => {
  const { dialer, listener, posted } = await connected(t)
  posted.length = 0
  const big = new Uint8Array(64 * 1024)
  // 100 small views of one 64 KiB buffer, written in one tick (the sink loop runs in microtasks)
  const parts = Array.from({ length: 100 }, (_, i) => big.subarray(i * 10, i * 10 + 10))
  await dialer.sink(each(parts))
  await dialer.close()
  const bytes = await readAll(listener)
  t.is(bytes.byteLength, 1000)
  t.is(posted.length, 1, 'one message for the tick: 100 data operations and the close')
  t.is(posted[0].bytes, 1000, 'the transferred buffer holds the chunks\' bytes, not their 64 KiB backing buffer')
})

test('bytes are taken when written: a writer reusing its buffer in the same tick changes nothing sent', async (t) => {
  const { dialer, listener } = await connected(t)
  const reused = new Uint8Array(5000)
  async function * writes (): AsyncGenerator<Uint8Array> {
    // each write is followed, within the tick, by the writer filling the buffer for the next one
    for (let i = 1; i <= 3; i++) {
      reused.fill(i)
      yield reused
    }
    reused.fill(9)
  }
  await dialer.sink(writes())
  await dialer.close()
  const bytes = await readAll(listener)
  t.is(bytes.byteLength, 15000)
  t.deepEqual([bytes[0], bytes[4999], bytes[5000], bytes[9999], bytes[10000], bytes[14999]], [1, 1, 2, 2, 3, 3])
})

test('an abort reaches the other end as an error; a close from the listener side ends the dialler\'s reading', async (t) => {
  const { a, b } = pair()
  t.teardown(() => { a.close(); b.close() })
  const { upgrader, next } = rawUpgrader()
  await listenAt(b, '/memory/b-1', upgrader)
  const first = await dial(a, '/memory/b-1', upgrader)
  const firstInbound = await next()
  const second = await dial(a, '/memory/b-1', upgrader)
  const secondInbound = await next()
  const reading = readAll(firstInbound)
  first.abort(new Error('gone'))
  await t.throwsAsync(reading, { message: /aborted by the remote end: gone/ })
  const dialerReading = readAll(second)
  await secondInbound.close()
  t.deepEqual(await dialerReading, new Uint8Array(0))
  t.is(typeof second.timeline.close, 'number')
})

test('a dial to an address nobody listens on rejects: another thread\'s, an unknown one, a closed listener\'s', async (t) => {
  const { a, b } = pair()
  t.teardown(() => { a.close(); b.close() })
  const { upgrader } = rawUpgrader()
  await t.throwsAsync(dial(a, '/memory/b-9', upgrader), { message: /refused: no listener at \/memory\/b-9 in thread 1/ })
  await t.throwsAsync(dial(a, '/memory/elsewhere', upgrader), { message: /no listener at \/memory\/elsewhere/ })
  await t.throwsAsync(dial(a, '/memory/a-9', upgrader), { message: /no listener at \/memory\/a-9 \(thread 0, this one\)/ })
  const { listener } = await listenAt(b, '/memory/b-2', upgrader)
  await listener.close()
  await t.throwsAsync(dial(a, '/memory/b-2', upgrader), { message: /refused/ })
  await t.throwsAsync(dial(a, '/ip4/127.0.0.1/tcp/1', upgrader), { message: /dials \/memory\/<name> only/ })
})

test('a listener that closes aborts its connections; a network that closes aborts those over its ports at both ends', async (t) => {
  const { a, b } = pair()
  const { upgrader, next } = rawUpgrader()
  const { listener } = await listenAt(b, '/memory/b-1', upgrader)
  const first = await dial(a, '/memory/b-1', upgrader)
  await next()
  const firstReading = readAll(first)
  await listener.close()
  await t.throwsAsync(firstReading, { message: /the listener closed/ })
  await listenAt(b, '/memory/b-2', upgrader)
  const second = await dial(a, '/memory/b-2', upgrader)
  const secondInbound = await next()
  const dialerReading = readAll(second)
  const listenerReading = readAll(secondInbound)
  a.close()
  await t.throwsAsync(dialerReading, { message: /closed its network/ })
  await t.throwsAsync(listenerReading, { message: /other end of the port closed/ })
  await t.throwsAsync(dial(b, '/memory/a-1', upgrader), { message: /port is closed/ })
  b.close()
})

test('a dial within one thread joins the two ends in memory, no port involved', async (t) => {
  const { a, b, posted } = pair()
  t.teardown(() => { a.close(); b.close() })
  const { upgrader, next } = rawUpgrader()
  await listenAt(a, '/memory/a-1', upgrader)
  const dialer = await dial(a, '/memory/a-1', upgrader)
  const listener = await next()
  const out = chunks(300)
  const received = readAll(listener)
  await dialer.sink(each(out.parts))
  await dialer.close()
  t.deepEqual(await received, out.all)
  t.is(posted.length, 0)
})

test('two libp2p nodes in different networks connect over the port (plaintext, yamux) and ping', async (t) => {
  const { a, b } = pair()
  const node = async (network: ThreadNetwork, listen: string[]): Promise<Awaited<ReturnType<typeof createLibp2p<{ ping: PingService }>>>> => await createLibp2p({
    addresses: { listen },
    transports: [network.transport()],
    connectionEncrypters: [plaintext()],
    streamMuxers: [yamux()],
    services: { ping: ping() }
  })
  const listener = await node(b, ['/memory/b-node'])
  const dialer = await node(a, [])
  t.teardown(async () => { await dialer.stop(); await listener.stop(); a.close(); b.close() })
  const rtt = await dialer.services.ping.ping(multiaddr(`/memory/b-node/p2p/${listener.peerId.toString()}`))
  t.true(rtt >= 0)
  t.is(dialer.getConnections(listener.peerId).length, 1)
  await dialer.hangUp(listener.peerId)
  t.is(dialer.getConnections(listener.peerId).length, 0)
})
