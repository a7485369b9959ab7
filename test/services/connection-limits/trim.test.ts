/**
 * The connection trimmer: the pure choice (table-driven), then real libp2p
 * hosts whose connections carry gossipsub's streams — which libp2p's own
 * pruner never closes — held under the high water.
 */
import test from 'ava'
import type { FedmeshLibp2p } from '../../../src/net/host.ts'
import { connectionLimits, connectionsToTrim, meshCounts, type TrimCandidate } from '../../../src/services/connection-limits/index.ts'
import { silentLogger } from '../../../src/runtime/log.ts'
import { startedHost } from '../../fixtures/hosts.ts'

const c = (id: string, openedAtMs: number, peer = `peer-${id}`): TrimCandidate => ({ id, peer, openedAtMs })

const cases: Array<{ name: string, connections: TrimCandidate[], meshes?: Record<string, number>, expected: string[] }> = [
  { name: 'at the high water nothing is trimmed', connections: [c('a', 0), c('b', 1), c('c', 2), c('d', 3)], expected: [] },
  { name: 'above the high water the newest go, down to the low water', connections: [c('a', 0), c('b', 1), c('c', 2), c('d', 3), c('e', 4)], expected: ['e', 'd', 'c'] },
  { name: 'mesh peers are spared', connections: [c('a', 0), c('b', 1), c('c', 2), c('d', 3), c('e', 4)], meshes: { 'peer-e': 1, 'peer-d': 1 }, expected: ['c', 'b', 'a'] },
  // a node in a dozen topics has nearly every connection in some mesh: sparing them all trimmed nothing
  { name: 'at most the low water of mesh peers are spared, those in the most meshes first', connections: [c('a', 0), c('b', 1), c('c', 2), c('d', 3), c('e', 4)], meshes: { 'peer-a': 1, 'peer-b': 3, 'peer-c': 2, 'peer-d': 1, 'peer-e': 1 }, expected: ['e', 'd', 'a'] },
  { name: 'among mesh peers in as many meshes, the longest connected are spared', connections: [c('a', 0), c('b', 1), c('c', 2), c('d', 3), c('e', 4)], meshes: { 'peer-a': 2, 'peer-b': 2, 'peer-c': 2, 'peer-d': 2, 'peer-e': 2 }, expected: ['e', 'd', 'c'] },
  { name: 'connections in their grace period are spared', connections: [c('a', 0), c('b', 1), c('c', 2), c('d', 95), c('e', 99)], expected: ['c', 'b', 'a'] },
  { name: 'ties go by id', connections: [c('e', 5), c('b', 5), c('d', 5), c('a', 5), c('c', 5)], expected: ['a', 'b', 'c'] }
]

for (const { name, connections, meshes, expected } of cases) {
  test(name, (t) => {
    const chosen = connectionsToTrim(connections, { highWater: 4, lowWater: 2, graceMs: 10, nowMs: 100, meshes: new Map(Object.entries(meshes ?? {})) })
    t.deepEqual(chosen.map((x) => x.id), expected)
  })
}

test('meshCounts counts a peer once per topic mesh', (t) => {
  t.deepEqual([...meshCounts(['x', 'y', 'x', 'z', 'x'])], [['x', 3], ['y', 1], ['z', 1]])
})

const host = async (): Promise<FedmeshLibp2p> => await startedHost('trim-test')

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
    connections: hub, meshPeers: () => [], clock: { now: () => nowMs }, logger: silentLogger()
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

test('a hub whose every connection is a mesh peer in three topics still comes down to the low water, keeping mesh peers', async (t) => {
  const topics = ['/fedmesh/trim-test/a/1', '/fedmesh/trim-test/b/1', '/fedmesh/trim-test/c/1']
  const hub = await host()
  const spokes = await Promise.all(Array.from({ length: 6 }, async () => await host()))
  t.teardown(async () => { await Promise.all([hub, ...spokes].map(async (h) => { await h.stop() })) })
  for (const node of [hub, ...spokes]) for (const topic of topics) node.services.pubsub.subscribe(topic)
  let nowMs = 1_000_000
  const pubsub = hub.services.pubsub
  const meshPeers = (): string[] => topics.flatMap((topic) => pubsub.getMeshPeers(topic))
  const trimmer = connectionLimits({ highWater: 3, lowWater: 2, graceMs: 60_000 })({ connections: hub, meshPeers, clock: { now: () => nowMs }, logger: silentLogger() })
  trimmer.start()
  t.teardown(() => { trimmer.stop() })
  for (const spoke of spokes) await spoke.dial(hub.getMultiaddrs()[0])
  // each spoke grafts the hub (its only topic peer) on every topic at its heartbeat
  await until('every spoke in every hub mesh', () => topics.every((topic) => pubsub.getMeshPeers(topic).length === 6), 30_000)
  const first = new Set(hub.getConnections().map((conn) => conn.id))
  nowMs += 60_000
  trimmer.check()
  await until('the hub to come down to the low water', () => hub.getConnections().filter((conn) => first.has(conn.id)).length <= 2)
  const kept = hub.getConnections().filter((conn) => first.has(conn.id)).map((conn) => conn.remotePeer.toString())
  t.is(kept.length, 2, 'the low water of the old connections is kept')
  t.true(kept.every((peer) => meshPeers().includes(peer)), 'the kept ones are mesh peers')
})
