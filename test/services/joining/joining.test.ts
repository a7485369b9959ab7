/**
 * Joining is driven by connection events: a connected node does no periodic
 * work, a node that loses its last connection rejoins through the bootstrap
 * set, and the self lookup retries with a growing backoff until it finds a
 * peer. The host is the narrow `connections` component (an EventTarget that
 * counts the calls joining makes); time is @sinonjs/fake-timers'.
 */
import test from 'ava'
import FakeTimers from '@sinonjs/fake-timers'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import type { PeerId } from '@libp2p/interface'
import { joining, type JoiningComponents, type SelfQueryDht } from '../../../src/services/joining/index.ts'
import { REJOIN_INTERVAL_MS_MIN, SELF_QUERY_FIRST_MS, SELF_QUERY_RETRY_MS_MIN, RETRY_JITTER } from '../../../src/services/joining/constants.ts'
import { KAD_SELF_QUERY_EVENT } from '../../../src/services/joining/joining.ts'
import { silentLogger } from '../../../src/runtime/log.ts'
import { seededRandom } from '../../../src/runtime/random.ts'

const BOOTSTRAP = '/memory/joining-test-bootstrap/p2p/12D3KooWQ9FvqhCaL4VyrbLdqXfJNZT6sCKqDsUcgAPUwx7N69U3'

/** The host as joining sees it: connections appear on a successful dial and vanish on `drop`. */
class FakeHost extends EventTarget {
  readonly peerId: PeerId
  readonly calls = { getPeers: 0, getConnections: 0, dial: 0 }
  connections = 0
  dialsSucceed = true

  constructor (peerId: PeerId) { super(); this.peerId = peerId }

  getPeers (): PeerId[] { this.calls.getPeers++; return this.connections > 0 ? [this.peerId] : [] }
  getConnections (): unknown[] { this.calls.getConnections++; return new Array(this.connections).fill({}) }
  async dial (): Promise<unknown> {
    this.calls.dial++
    if (!this.dialsSucceed) throw new Error('refused')
    this.connections++
    this.dispatchEvent(new CustomEvent('peer:connect'))
    return {}
  }

  drop (): void {
    this.connections = 0
    this.dispatchEvent(new CustomEvent('peer:disconnect'))
  }

  resetCalls (): void { this.calls.getPeers = 0; this.calls.getConnections = 0; this.calls.dial = 0 }
}

async function setup (dht?: SelfQueryDht): Promise<{ host: FakeHost, clock: ReturnType<typeof FakeTimers.install>, stop: () => void }> {
  const clock = FakeTimers.install({ toFake: ['setTimeout', 'clearTimeout', 'Date'] })
  const host = new FakeHost(peerIdFromPrivateKey(await generateKeyPair('Ed25519')))
  const service = joining({ bootstrap: [BOOTSTRAP] })({
    connections: host as unknown as JoiningComponents['connections'],
    ...(dht === undefined ? {} : { dht }),
    random: seededRandom(new Uint8Array(32).fill(7)),
    logger: silentLogger()
  })
  service.start()
  return { host, clock, stop: () => { service.stop(); clock.uninstall() } }
}

test.serial('a connected node makes no peer-list polls and no dials', async (t) => {
  const { host, clock, stop } = await setup()
  t.teardown(stop)
  await clock.tickAsync(0)
  t.is(host.connections, 1, 'joined through the bootstrap peer')
  host.resetCalls()
  await clock.tickAsync(10 * 60_000)
  t.deepEqual(host.calls, { getPeers: 0, getConnections: 0, dial: 0 })
})

test.serial('losing the last connection schedules a rejoin, which backs off while the bootstrap set is unreachable', async (t) => {
  const { host, clock, stop } = await setup()
  t.teardown(stop)
  await clock.tickAsync(0)
  host.dialsSucceed = false
  host.resetCalls()
  host.drop()
  await clock.tickAsync(REJOIN_INTERVAL_MS_MIN * (1 + RETRY_JITTER))
  t.is(host.calls.dial, 1, 'one rejoin attempt after the minimum interval')
  // attempts then double (±20 %): 1 s, 2 s, 4 s, 8 s → five attempts within 20 s, not forty
  await clock.tickAsync(20_000)
  t.true(host.calls.dial >= 4 && host.calls.dial <= 6, `${host.calls.dial} attempts`)
  host.dialsSucceed = true
  await clock.tickAsync(40_000)
  t.is(host.connections, 1, 'rejoined once the bootstrap peer answered')
  host.resetCalls()
  await clock.tickAsync(10 * 60_000)
  t.is(host.calls.dial, 0)
})

test.serial('the self lookup retries with a growing backoff until it finds a peer, then stops', async (t) => {
  const callsAt: number[] = []
  const dht: SelfQueryDht = {
    getClosestPeers: async function * () {
      callsAt.push(Date.now())
      // the first three lookups find nobody (a busy or empty network); the fourth finds a peer
      if (callsAt.length < 4) return
      yield { name: 'FINAL_PEER' } as never
    }
  }
  const { clock, stop } = await setup(dht)
  t.teardown(stop)
  await clock.tickAsync(10 * 60_000)
  t.is(callsAt.length, 4)
  const gaps = callsAt.slice(1).map((at, i) => at - callsAt[i])
  t.true(gaps[0] >= SELF_QUERY_RETRY_MS_MIN * (1 - RETRY_JITTER) && gaps[0] <= SELF_QUERY_RETRY_MS_MIN * (1 + RETRY_JITTER), `gaps ${gaps.join(', ')}`)
  t.true(gaps[1] > gaps[0] && gaps[2] > gaps[1], `gaps ${gaps.join(', ')}`)
})

/** A DHT whose lookups find a peer, counted. */
function countingDht (): { dht: SelfQueryDht, calls: number[] } {
  const calls: number[] = []
  return { calls, dht: { getClosestPeers: async function * () { calls.push(Date.now()); yield { name: 'FINAL_PEER' } as never } } }
}

test.serial('when kad-dht\'s own first self-query finds peers, the node\'s own lookup never runs (one walk per join, not two)', async (t) => {
  const { dht, calls } = countingDht()
  const { host, clock, stop } = await setup(dht)
  t.teardown(stop)
  await clock.tickAsync(0)
  t.is(host.connections, 1)
  await clock.tickAsync(SELF_QUERY_FIRST_MS / 2)
  host.dispatchEvent(new CustomEvent(KAD_SELF_QUERY_EVENT, { detail: { peers: 3, duration: 40 } }))
  await clock.tickAsync(10 * 60_000)
  t.deepEqual(calls, [])
})

test.serial('when kad-dht\'s first self-query finds nobody, the node looks itself up once the first delay is over', async (t) => {
  const { dht, calls } = countingDht()
  const { host, clock, stop } = await setup(dht)
  t.teardown(stop)
  const connectedAt = Date.now()
  await clock.tickAsync(0)
  host.dispatchEvent(new CustomEvent(KAD_SELF_QUERY_EVENT, { detail: { peers: 0, duration: 5000 } }))
  await clock.tickAsync(10 * 60_000)
  t.deepEqual(calls, [connectedAt + SELF_QUERY_FIRST_MS], 'one lookup, which found a peer')
})
