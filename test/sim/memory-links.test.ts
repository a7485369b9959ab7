/**
 * The virtual-time link model (sim/memory-links.ts): a buffer arrives a fixed latency after it was sent,
 * however many were sent with it, in order — not one latency after the buffer before it was delivered, as
 * @libp2p/memory's own `latency` option does. With a scenario's `links` model: per-link draws from the seed,
 * bandwidth queueing, and losses as retransmission delays with head-of-line blocking (no byte ever lost).
 */
import test from 'ava'
import FakeTimers from '@sinonjs/fake-timers'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import type { MultiaddrConnection, PeerId } from '@libp2p/interface'
import { LinkNetwork, drawLink, pipelinedDial, pipelineMemoryLatency, type LinkModelSpec, type MemoryConnectionLike } from '../../sim/memory-links.ts'
import type { LinkRange } from '../../sim/scenario.ts'

const silentLog = Object.assign(() => {}, { enabled: false, trace: () => {}, error: () => {}, newScope: () => silentLog }) as unknown as MultiaddrConnection['log']

test.serial('five buffers sent at once over a 10 ms link all arrive at 10 ms, in order; the other direction too; close ends both', async (t) => {
  const clock = FakeTimers.install({ toFake: ['setTimeout', 'clearTimeout', 'Date'], now: 0 })
  try {
    const peerId = peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
    let listener: MultiaddrConnection | undefined
    const self: MemoryConnectionLike = {
      latency: 10,
      connections: new Set(),
      init: { address: '/memory/link-test', onConnection: (connection) => { listener = connection } },
      components: { peerId, logger: { forComponent: () => silentLog } }
    }
    const dial = pipelinedDial(async () => { throw new Error('the library dial runs only with latency 0') })
    const dialling = dial.call(self, peerId, new AbortController().signal)
    await clock.tickAsync(10)
    const dialer = await dialling
    if (listener === undefined) return t.fail('the listener side was handed over')
    t.is(self.connections.size, 2)
    const arrivals: Array<[number, number]> = []
    const reading = (async () => { for await (const chunk of listener.source) arrivals.push([(chunk as Uint8Array)[0], Date.now()]) })()
    const back: number[] = []
    const readingBack = (async () => { for await (const chunk of dialer.source) back.push(Date.now() - 10 - (chunk as Uint8Array)[0]) })()
    void dialer.sink((async function * () { for (let i = 0; i < 5; i++) yield Uint8Array.of(i) })())
    await clock.tickAsync(3)
    void listener.sink((async function * () { yield Uint8Array.of(13) })())
    await clock.tickAsync(20)
    t.deepEqual(arrivals, [[0, 20], [1, 20], [2, 20], [3, 20], [4, 20]])
    t.deepEqual(back, [0])
    await dialer.close()
    await clock.tickAsync(1)
    await reading
    await readingBack
    t.is(self.connections.size, 0)
  } finally {
    clock.uninstall()
  }
})

test.serial('the patch finds the library\'s MemoryConnection (the run fails loudly if the layout changes) and is idempotent', async (t) => {
  await t.notThrowsAsync(pipelineMemoryLatency())
  await t.notThrowsAsync(pipelineMemoryLatency())
})

test.serial('buffers that three links send at one instant are delivered by one shared timer, each at sent + latency', async (t) => {
  const clock = FakeTimers.install({ toFake: ['setTimeout', 'clearTimeout', 'Date'], now: 0 })
  try {
    const peerId = peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
    const links: Array<{ dialer: MultiaddrConnection, listener: MultiaddrConnection }> = []
    for (let i = 0; i < 3; i++) {
      let listener: MultiaddrConnection | undefined
      const self: MemoryConnectionLike = {
        latency: 10,
        connections: new Set(),
        init: { address: `/memory/shared-link-test-${i}`, onConnection: (connection) => { listener = connection } },
        components: { peerId, logger: { forComponent: () => silentLog } }
      }
      const dialling = pipelinedDial(async () => { throw new Error('unused') }).call(self, peerId, new AbortController().signal)
      await clock.tickAsync(10)
      const dialer = await dialling
      if (listener === undefined) return t.fail('the listener side was handed over')
      links.push({ dialer, listener })
    }
    const arrivals: Array<[number, number]> = []
    const reading = links.map(async ({ listener }, i) => { for await (const _chunk of listener.source) arrivals.push([i, Date.now()]) })
    const sentAt = Date.now()
    for (const { dialer } of links) void dialer.sink((async function * () { yield Uint8Array.of(1) })())
    await clock.tickAsync(0)
    t.is(clock.countTimers(), 1, 'one timer for the three deliveries due at one instant')
    await clock.tickAsync(10)
    t.deepEqual(arrivals, [[0, sentAt + 10], [1, sentAt + 10], [2, sentAt + 10]])
    for (const { dialer } of links) await dialer.close()
    await clock.tickAsync(1)
    await Promise.all(reading)
  } finally {
    clock.uninstall()
  }
})

// ---- the per-link model (scenario `links`): bandwidth, loss, draws from the seed ----

const fixed = (value: number): LinkRange => ({ min: value, max: value, distribution: 'uniform' })
const model = (over: Partial<LinkModelSpec> = {}): LinkModelSpec => ({ latency_ms: fixed(10), loss: fixed(0), rto_min_ms: 200, ...over })

/** Two peers, A (node `a`) listening at `address` and B (node `b`) dialling it over `network`; resolves once connected. */
async function connect (clock: ReturnType<typeof FakeTimers.install>, network: LinkNetwork, address: string, a: { index: number, peerId: PeerId }, b: { index: number, peerId: PeerId }): Promise<{ listener: MultiaddrConnection, dialer: MultiaddrConnection, self: MemoryConnectionLike }> {
  network.listen(address, a.index, a.peerId.toString())
  network.listen(`${address}-dialer`, b.index, b.peerId.toString())
  let listener: MultiaddrConnection | undefined
  const self: MemoryConnectionLike = {
    // the node's own latency: the network's drawn link replaces it
    latency: 1,
    connections: new Set(),
    init: { address, onConnection: (connection) => { listener = connection } },
    components: { peerId: a.peerId, logger: { forComponent: () => silentLog } }
  }
  const dialling = pipelinedDial(async () => { throw new Error('unused') }).call(self, b.peerId, new AbortController().signal)
  await clock.runToLastAsync()
  const dialer = await dialling
  if (listener === undefined) throw new Error('the listener side was not handed over')
  return { listener, dialer, self }
}

const peers = async (count: number): Promise<PeerId[]> => await Promise.all(Array.from({ length: count }, async () => peerIdFromPrivateKey(await generateKeyPair('Ed25519'))))

/** Reads a side until it ends: [first byte, arrival ms, length] per buffer. */
function readAll (side: MultiaddrConnection): { arrivals: Array<[number, number, number]>, done: Promise<void> } {
  const arrivals: Array<[number, number, number]> = []
  const done = (async () => { for await (const chunk of side.source) { const bytes = chunk instanceof Uint8Array ? chunk : chunk.subarray(); arrivals.push([bytes[0], Date.now(), bytes.byteLength]) } })()
  return { arrivals, done }
}

/**
 * One link between two fresh peers on `spec`, under fake timers: `body` gets the dialling side and what the listening
 * side reads; afterwards the dialler closes and every buffer must have been read.
 */
async function overOneLink (spec: LinkModelSpec, seed: number, address: string, body: (link: { clock: ReturnType<typeof FakeTimers.install>, network: LinkNetwork, dialer: MultiaddrConnection, read: ReturnType<typeof readAll> }) => Promise<void>): Promise<void> {
  const clock = FakeTimers.install({ toFake: ['setTimeout', 'clearTimeout', 'Date'], now: 0 })
  const network = new LinkNetwork(spec, seed)
  try {
    const [a, b] = await peers(2)
    const { listener, dialer } = await connect(clock, network, address, { index: 0, peerId: a }, { index: 1, peerId: b })
    const read = readAll(listener)
    await body({ clock, network, dialer, read })
    await dialer.close()
    await clock.tickAsync(1)
    await read.done
  } finally {
    network.close()
    clock.uninstall()
  }
}

test.serial('bandwidth: a burst of five 1000-byte buffers on an 800 kbit/s, 10 ms link arrives spaced by size / bandwidth (10 ms each), in order', async (t) => {
  await overOneLink(model({ bandwidth_kbps: fixed(800) }), 1, '/memory/bandwidth-test', async ({ clock, network, dialer, read }) => {
    t.is(Date.now(), 10, 'setting up the connection takes one link latency')
    const sentAt = Date.now()
    void dialer.sink((async function * () { for (let i = 0; i < 5; i++) yield new Uint8Array(1000).fill(i) })())
    await clock.tickAsync(100)
    // 1000 bytes × 8 / 800 kbit/s = 10 ms on the wire each, one after another, then 10 ms of latency
    t.deepEqual(read.arrivals.map(([i, at]) => [i, at - sentAt]), [[0, 20], [1, 30], [2, 40], [3, 50], [4, 60]])
    t.deepEqual(read.arrivals.map(([, , length]) => length), [1000, 1000, 1000, 1000, 1000], 'every byte arrives')
    // the link was idle again by +50: a buffer sent at +100 waits for nothing
    void dialer.sink((async function * () { yield new Uint8Array(100).fill(9) })())
    await clock.tickAsync(20)
    t.deepEqual(read.arrivals.at(-1)?.slice(0, 2), [9, sentAt + 100 + 1 + 10], '100 bytes = 1 ms on the wire + 10 ms')
    t.like(network.usage(), { links: 1, buffers: 6, bytes: 5100, retransmitted: 0, held_behind: 0, bandwidth_wait_max_ms: 40 })
  })
})

test.serial('loss: lost buffers arrive an RTO late, every byte in order, and buffers behind one wait for it (head-of-line)', async (t) => {
  await overOneLink(model({ latency_ms: fixed(30), loss: fixed(0.3) }), 7, '/memory/loss-test', async ({ clock, network, dialer, read }) => {
    const sentAt = Date.now()
    // 40 one-segment buffers, one every 5 ms
    void dialer.sink((async function * () {
      for (let i = 0; i < 40; i++) {
        if (i > 0) await new Promise((resolve) => setTimeout(resolve, 5))
        yield new Uint8Array(100).fill(i)
      }
    })())
    await clock.tickAsync(10_000)
    t.deepEqual(read.arrivals.map(([i]) => i), Array.from({ length: 40 }, (_, i) => i), 'every buffer, in order')
    t.true(read.arrivals.every(([, , length]) => length === 100), 'no byte lost')
    const delays = read.arrivals.map(([i, at]) => at - (sentAt + 5 * i))
    // RTO = max(200, 2 × RTT of 60 ms) = 200 ms, doubling per repeated loss: a buffer's own delay is 30 ms, or 230,
    // 630, 1430 … when lost once, twice, three times; or it is held until the retransmitted one ahead of it arrives
    const own = new Set([30, 230, 630, 1430, 3030, 6230])
    const heldAt: number[] = []
    read.arrivals.forEach(([, at], i) => {
      if (own.has(delays[i])) return
      t.is(at, read.arrivals[i - 1]?.[1], `buffer ${i} (delay ${delays[i]}) is neither on time, nor retransmitted, nor held: ${delays.join(' ')}`)
      heldAt.push(i)
    })
    for (let i = 1; i < 40; i++) t.true(read.arrivals[i][1] >= read.arrivals[i - 1][1], 'delivery instants never go back')
    const usage = network.usage()
    t.true(usage.retransmitted >= 3, `${usage.retransmitted} of 40 retransmitted at a 30 % loss rate`)
    t.true(heldAt.length >= 1, `buffers sent after a lost one waited for it: delays ${delays.join(' ')}`)
    t.true(usage.held_behind >= heldAt.length)
    t.deepEqual(delays, await lossDelays(7), 'the same seed gives the same losses')
    t.notDeepEqual(delays, await lossDelays(8), 'another seed other ones')
  })
})

/** The arrival delays of 40 buffers sent 5 ms apart over the loss test's link (through `arrival` alone, in order). */
async function lossDelays (seed: number): Promise<number[]> {
  const network = new LinkNetwork(model({ latency_ms: fixed(30), loss: fixed(0.3) }), seed)
  const link = network.link(0, 1)
  let last = -Infinity
  return Array.from({ length: 40 }, (_, i) => {
    last = Math.max(last, Math.ceil(network.arrival(link, 1, 100, 5 * i)))
    return last - 5 * i
  })
}

test('per-link draws: the same for either order of the ends and whatever other links exist; the same seed the same network, another seed another', (t) => {
  const spec = model({ latency_ms: { min: 5, max: 200, distribution: 'log_uniform' }, bandwidth_kbps: { min: 1000, max: 100_000, distribution: 'uniform' }, loss: { min: 0, max: 0.02, distribution: 'uniform' } })
  for (let a = 0; a < 12; a++) {
    for (let b = a + 1; b < 12; b++) t.deepEqual(drawLink(spec, 1, a, b), drawLink(spec, 1, b, a))
  }
  // dialled in two different orders, with other links in between: each link's parameters are its own
  const first = new LinkNetwork(spec, 1)
  const second = new LinkNetwork(spec, 1)
  const pairs: Array<[number, number]> = [[0, 1], [2, 3], [1, 2], [5, 9], [3, 0]]
  const firstDraws = pairs.map(([a, b]) => first.link(a, b).params)
  second.link(7, 8)
  second.link(4, 6)
  const secondDraws = [...pairs].reverse().map(([a, b]) => second.link(b, a).params).reverse()
  t.deepEqual(secondDraws, firstDraws)
  t.is(first.link(1, 0), first.link(0, 1), 'one state per unordered pair')
  // in range; whole ms and kbit/s
  const draws = Array.from({ length: 300 }, (_, i) => drawLink(spec, 1, i, i + 1))
  t.true(draws.every((d) => Number.isInteger(d.latencyMs) && d.latencyMs >= 5 && d.latencyMs <= 200))
  t.true(draws.every((d) => d.bandwidthKbps !== null && Number.isInteger(d.bandwidthKbps) && d.bandwidthKbps >= 1000 && d.bandwidthKbps <= 100_000))
  t.true(draws.every((d) => d.loss >= 0 && d.loss <= 0.02))
  // log-uniform from 5 to 200 ms: the median near the geometric mean (~32 ms), far below the arithmetic one (~102)
  const median = [...draws].map((d) => d.latencyMs).sort((x, y) => x - y)[150]
  t.true(median > 20 && median < 50, `median ${median} ms`)
  const other = Array.from({ length: 300 }, (_, i) => drawLink(spec, 2, i, i + 1))
  t.true(other.filter((d, i) => d.latencyMs !== draws[i].latencyMs).length > 200, 'another seed draws another network')
  t.deepEqual(Array.from({ length: 300 }, (_, i) => drawLink(spec, 1, i, i + 1)), draws, 'the same seed the same one')
  // a fixed model draws nothing
  t.deepEqual(drawLink(model(), 3, 0, 1), { latencyMs: 10, bandwidthKbps: null, loss: 0 })
  // a non-plan peer is named by its peer id
  t.deepEqual(drawLink(spec, 1, 'QmAttacker', 4), drawLink(spec, 1, 4, 'QmAttacker'))
})

test.serial('a link\'s losses and queueing do not depend on which end dialled: 3 → 7 sees the same delays when 3 dials and when 7 dials', async (t) => {
  const delaysFrom3 = async (dialler: 3 | 7): Promise<number[]> => {
    const clock = FakeTimers.install({ toFake: ['setTimeout', 'clearTimeout', 'Date'], now: 0 })
    const network = new LinkNetwork(model({ latency_ms: { min: 5, max: 50, distribution: 'uniform' }, bandwidth_kbps: fixed(400), loss: fixed(0.2) }), 11)
    try {
      const [p3, p7] = await peers(2)
      const three = { index: 3, peerId: p3 }
      const seven = { index: 7, peerId: p7 }
      const { listener, dialer } = dialler === 3
        ? await connect(clock, network, `/memory/order-test-${dialler}`, seven, three)
        : await connect(clock, network, `/memory/order-test-${dialler}`, three, seven)
      // node 3's side sends, node 7's side reads
      const [sending, receiving] = dialler === 3 ? [dialer, listener] : [listener, dialer]
      const read = readAll(receiving)
      const sentAt = Date.now()
      void sending.sink((async function * () { for (let i = 0; i < 30; i++) yield new Uint8Array(500).fill(i) })())
      await clock.tickAsync(20_000)
      await sending.close()
      await clock.tickAsync(1)
      await read.done
      t.is(read.arrivals.length, 30)
      return read.arrivals.map(([, at]) => at - sentAt)
    } finally {
      network.close()
      clock.uninstall()
    }
  }
  const when3Dials = await delaysFrom3(3)
  const when7Dials = await delaysFrom3(7)
  t.deepEqual(when7Dials, when3Dials)
  t.true(when3Dials.some((d, i) => i > 0 && d - when3Dials[i - 1] > 100), 'a retransmission shows')
})

test('a memory address belongs to one network at a time; closing a network frees its addresses', (t) => {
  const one = new LinkNetwork(model(), 1)
  const two = new LinkNetwork(model(), 1)
  one.listen('/memory/owned', 0, 'QmA')
  t.throws(() => { two.listen('/memory/owned', 0, 'QmA') }, { message: /already belongs to another link network/ })
  one.close()
  t.notThrows(() => { two.listen('/memory/owned', 0, 'QmA') })
  two.close()
})
