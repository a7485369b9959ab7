/**
 * The connection trimmer: the pure choice (table-driven), then real libp2p
 * hosts whose connections carry gossipsub's streams — which libp2p's own
 * pruner never closes — held under the high water.
 */
import test from 'ava'
import { MemoryDatastore } from 'datastore-core'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { createHost, type FedmeshLibp2p } from '../../../src/net/host.ts'
import { connectionLimits, connectionsToTrim, type TrimCandidate } from '../../../src/services/connection-limits/index.ts'
import { silentLogger } from '../../../src/runtime/log.ts'

const c = (id: string, openedAtMs: number, peer = `peer-${id}`): TrimCandidate => ({ id, peer, openedAtMs })

const cases: Array<{ name: string, connections: TrimCandidate[], protectedPeers?: string[], expected: string[] }> = [
  { name: 'at the high water nothing is trimmed', connections: [c('a', 0), c('b', 1), c('c', 2), c('d', 3)], expected: [] },
  { name: 'above the high water the newest go, down to the low water', connections: [c('a', 0), c('b', 1), c('c', 2), c('d', 3), c('e', 4)], expected: ['e', 'd', 'c'] },
  { name: 'mesh peers are spared', connections: [c('a', 0), c('b', 1), c('c', 2), c('d', 3), c('e', 4)], protectedPeers: ['peer-e', 'peer-d'], expected: ['c', 'b', 'a'] },
  { name: 'connections in their grace period are spared', connections: [c('a', 0), c('b', 1), c('c', 2), c('d', 95), c('e', 99)], expected: ['c', 'b', 'a'] },
  { name: 'ties go by id', connections: [c('e', 5), c('b', 5), c('d', 5), c('a', 5), c('c', 5)], expected: ['a', 'b', 'c'] }
]

for (const { name, connections, protectedPeers, expected } of cases) {
  test(name, (t) => {
    const chosen = connectionsToTrim(connections, { highWater: 4, lowWater: 2, graceMs: 10, nowMs: 100, protectedPeers: new Set(protectedPeers ?? []) })
    t.deepEqual(chosen.map((x) => x.id), expected)
  })
}

let hostCount = 0
async function host (): Promise<FedmeshLibp2p> {
  const libp2p = await createHost({
    privateKey: await generateKeyPair('Ed25519'),
    transport: 'memory',
    listen: [`/memory/trim-test-${process.pid}-${hostCount++}`],
    federationEnabled: true,
    bootstrap: [],
    admits: () => true,
    datastore: new MemoryDatastore()
  })
  await libp2p.start()
  return libp2p
}

async function until (what: string, check: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

test('a hub dialled by six peers closes connections that carry gossipsub streams, once they leave their grace period', async (t) => {
  const hub = await host()
  const spokes = await Promise.all(Array.from({ length: 6 }, async () => await host()))
  t.teardown(async () => { await Promise.all([hub, ...spokes].map(async (h) => { await h.stop() })) })
  let nowMs = 1_000_000
  const trimmer = connectionLimits({ highWater: 3, lowWater: 2, graceMs: 60_000 })({
    connections: hub, protectedPeers: () => new Set(), clock: { now: () => nowMs }, logger: silentLogger()
  })
  trimmer.start()
  t.teardown(() => { trimmer.stop() })
  for (const spoke of spokes) await spoke.dial(hub.getMultiaddrs()[0])
  await until('gossipsub streams on every hub connection', () => hub.getConnections().length === 6 &&
    hub.getConnections().every((conn) => conn.streams.some((s) => s.protocol?.includes('meshsub') === true)))
  trimmer.check()
  t.is(hub.getConnections().length, 6, 'young connections are spared')
  const first = new Set(hub.getConnections().map((conn) => conn.id))
  nowMs += 60_000
  trimmer.check()
  // a spoke whose routing table tags the hub keep-alive redials it at once; such a connection is young again, so only the first six count
  await until('the hub to come down to the low water', () => hub.getConnections().filter((conn) => first.has(conn.id)).length <= 2)
  // redials that push the count over the high water again cost the remaining old connections their place too
  t.true(trimmer.trimmed >= 4, `${trimmer.trimmed} trimmed`)
})
