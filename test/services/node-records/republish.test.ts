/**
 * A node republishes its record on a jittered period: nodes started together
 * drift apart instead of hitting the DHT together every ten minutes.
 */
import test from 'ava'
import FakeTimers from '@sinonjs/fake-timers'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { nodeRecords, type RecordDht } from '../../../src/services/node-records/index.ts'
import { NODE_RECORD_REPUBLISH_JITTER, NODE_RECORD_REPUBLISH_MS } from '../../../src/services/node-records/constants.ts'
import { hybridSignerFromSeeds, hybridVerifier } from '../../../src/crypto/hybrid.ts'
import { silentLogger } from '../../../src/runtime/log.ts'
import { seededRandom, jitteredMs } from '../../../src/runtime/random.ts'

test('jitteredMs stays within ± the spread and is reproducible from a seed', (t) => {
  const draws = (seed: number): number[] => { const random = seededRandom(new Uint8Array(32).fill(seed)); return Array.from({ length: 200 }, () => jitteredMs(1000, 0.2, random)) }
  const a = draws(1)
  t.deepEqual(a, draws(1))
  t.notDeepEqual(a, draws(2))
  t.true(a.every((ms) => ms >= 800 && ms <= 1200))
  t.true(Math.max(...a) - Math.min(...a) > 200, 'the draws spread over the range')
})

test.serial('two nodes started at the same instant republish their records at different times, each within the jitter', async (t) => {
  const clock = FakeTimers.install({ toFake: ['setTimeout', 'clearTimeout', 'Date'], now: Date.UTC(2026, 0, 1) })
  t.teardown(() => { clock.uninstall() })
  const putsAt: number[][] = [[], []]
  const publishers = await Promise.all([0, 1].map(async (i) => {
    const privateKey = await generateKeyPair('Ed25519')
    const dht: RecordDht = {
      put: async function * () { putsAt[i].push(Date.now()) },
      get: async function * () {}
    }
    return nodeRecords({ siteId: `site_${i}`, jurisdiction: 'UK', capabilities: [], federationEnabled: true })({
      dht,
      peerId: peerIdFromPrivateKey(privateKey),
      addresses: () => [],
      signer: hybridSignerFromSeeds({ ed25519Seed: privateKey.raw.subarray(0, 32), mldsaSeed: new Uint8Array(32).fill(i) }),
      verifier: hybridVerifier(),
      clock: { now: () => Date.now() },
      random: seededRandom(new Uint8Array(32).fill(10 + i)),
      logger: silentLogger()
    })
  }))
  for (const publisher of publishers) publisher.start()
  t.teardown(() => { for (const publisher of publishers) publisher.stop() })
  await clock.tickAsync(6 * NODE_RECORD_REPUBLISH_MS)
  for (const puts of putsAt) {
    const gaps = puts.slice(1).map((at, i) => at - puts[i])
    t.true(gaps.length >= 5)
    t.true(gaps.every((gap) => Math.abs(gap - NODE_RECORD_REPUBLISH_MS) <= NODE_RECORD_REPUBLISH_MS * NODE_RECORD_REPUBLISH_JITTER), `gaps ${gaps.join(', ')}`)
  }
  t.notDeepEqual(putsAt[0].slice(1), putsAt[1].slice(1))
})

test('a publication asked for while one is under way joins it: start, then the first peer, walk the DHT once', async (t) => {
  const privateKey = await generateKeyPair('Ed25519')
  let puts = 0
  let firstPeer!: () => void
  const peerArrived = new Promise<void>((resolve) => { firstPeer = resolve })
  const dht: RecordDht = {
    // kad-dht's put waits for a first peer in its routing table before it walks
    put: async function * () { puts++; await peerArrived },
    get: async function * () {}
  }
  const publisher = nodeRecords({ siteId: 'site_a', jurisdiction: 'UK', capabilities: [], federationEnabled: true })({
    dht,
    peerId: peerIdFromPrivateKey(privateKey),
    addresses: () => [],
    signer: hybridSignerFromSeeds({ ed25519Seed: privateKey.raw.subarray(0, 32), mldsaSeed: new Uint8Array(32).fill(7) }),
    verifier: hybridVerifier(),
    clock: { now: () => Date.now() },
    random: seededRandom(new Uint8Array(32).fill(7)),
    logger: silentLogger()
  })
  publisher.start()
  t.teardown(() => { publisher.stop() })
  const onFirstPeer = publisher.publish()
  firstPeer()
  await onFirstPeer
  t.is(puts, 1)
  // once it is over, a later publication (the periodic republish) walks again
  await publisher.publish()
  t.is(puts, 2)
})
