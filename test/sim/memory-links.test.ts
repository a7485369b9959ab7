/**
 * The virtual-time link model (sim/memory-links.ts): a buffer arrives a fixed latency after it was sent,
 * however many were sent with it, in order — not one latency after the buffer before it was delivered, as
 * @libp2p/memory's own `latency` option does.
 */
import test from 'ava'
import FakeTimers from '@sinonjs/fake-timers'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import type { MultiaddrConnection } from '@libp2p/interface'
import { pipelinedDial, pipelineMemoryLatency, type MemoryConnectionLike } from '../../sim/memory-links.ts'

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
