import test from 'ava'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { MemoryDatastore } from 'datastore-core'
import { createHost, type FedmeshLibp2p } from '../../src/net/host.ts'
import { GossipRegistry, gossipTopic } from '../../src/net/gossip.ts'
import { NodeMetrics } from '../../src/runtime/metrics.ts'
import { silentLogger } from '../../src/runtime/log.ts'

let hostCount = 0

/** A libp2p host with its own gossip registry and counters: the registry under test, without a node around it. */
interface Peer {
  libp2p: FedmeshLibp2p
  gossip: GossipRegistry
  metrics: NodeMetrics
  peerId: FedmeshLibp2p['peerId']
}

async function peer (tag: string, bootstrap: string[]): Promise<Peer> {
  const libp2p = await createHost({
    privateKey: await generateKeyPair('Ed25519'),
    transport: 'memory',
    listen: [`/memory/${tag}`],
    federationEnabled: true,
    bootstrap,
    admits: () => true, // the gossip registry alone: no membership in this test
    datastore: new MemoryDatastore(),
    gossipHeartbeatMs: 100
  })
  await libp2p.start()
  const metrics = new NodeMetrics()
  const gossip = new GossipRegistry({ pubsub: libp2p.services.pubsub, federationId: 'gossip-test', counters: metrics, log: silentLogger() })
  return { libp2p, gossip, metrics, peerId: libp2p.peerId }
}

async function pair (): Promise<{ a: Peer, b: Peer, stop: () => Promise<void> }> {
  const tag = `gossip-test-${process.pid}-${hostCount++}`
  const a = await peer(`${tag}-a`, [])
  const b = await peer(`${tag}-b`, [])
  await b.libp2p.dial(a.libp2p.getMultiaddrs()[0]!)
  return { a, b, stop: async () => { a.gossip.stop(); b.gossip.stop(); await b.libp2p.stop(); await a.libp2p.stop() } }
}

async function until (check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out')
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

async function counted (node: Peer, result: string, reason: string): Promise<boolean> {
  return (await node.metrics.exposition()).includes(`data_class="incident_summary",direction="in",result="${result}",reason="${reason}"} 1`)
}

test('topics are /fedmesh/<federation_id>/<data class>/1', (t) => {
  t.is(gossipTopic('uk-grid', 'summary'), '/fedmesh/uk-grid/summary/1')
})

test('a validator that throws makes the message IGNOREd with reason internal, never a penalty', async (t) => {
  const { a, b, stop } = await pair()
  t.teardown(stop)
  const delivered: string[] = []
  a.gossip.register({ dataClass: 'incident_summary', validate: () => { throw new Error('bug in our validator') }, deliver: (value: string) => { delivered.push(value) } })
  b.gossip.register({ dataClass: 'incident_summary', validate: () => ({ action: 'accept', value: 'x' }), deliver: () => {} })
  const topic = gossipTopic('gossip-test', 'incident_summary')
  await until(() => b.libp2p.services.pubsub.getSubscribers(topic).some((p) => p.equals(a.peerId)))
  await b.gossip.publish('incident_summary', new TextEncoder().encode('hello'))
  await until(async () => await counted(a, 'ignore', 'internal'))
  t.deepEqual(delivered, [])
  t.true(a.libp2p.services.pubsub.getScore(b.peerId.toString()) >= 0)
})

test('a rejected message is counted by reason and costs the sender score; an accepted one is delivered once', async (t) => {
  const { a, b, stop } = await pair()
  t.teardown(stop)
  const delivered: string[] = []
  a.gossip.register({
    dataClass: 'incident_summary',
    validate: (data) => {
      const text = new TextDecoder().decode(data)
      return text.startsWith('ok') ? { action: 'accept', value: text } : { action: 'reject', code: 'schema' }
    },
    deliver: (value: string) => { delivered.push(value) }
  })
  b.gossip.register({ dataClass: 'incident_summary', validate: () => ({ action: 'accept', value: 'x' }), deliver: () => {} })
  const topic = gossipTopic('gossip-test', 'incident_summary')
  await until(() => b.libp2p.services.pubsub.getSubscribers(topic).some((p) => p.equals(a.peerId)))
  await b.gossip.publish('incident_summary', new TextEncoder().encode('ok 1'))
  await until(() => delivered.length === 1)
  await b.gossip.publish('incident_summary', new TextEncoder().encode('bad 1'))
  await b.gossip.publish('incident_summary', new TextEncoder().encode('bad 2'))
  await until(async () => (await a.metrics.exposition()).includes('result="reject",reason="schema"} 2'))
  await until(() => a.libp2p.services.pubsub.getScore(b.peerId.toString()) < 0)
  t.deepEqual(delivered, ['ok 1'])
  t.true(await counted(a, 'accept', 'ok'))
})

test('registering a data class twice is a programmer error', async (t) => {
  const { a, stop } = await pair()
  t.teardown(stop)
  const gossipClass = { dataClass: 'playbook_metadata', validate: () => ({ action: 'ignore' as const, code: 'x' }), deliver: () => {} }
  a.gossip.register(gossipClass)
  t.throws(() => a.gossip.register(gossipClass), { message: /registered twice/ })
  await t.throwsAsync(a.gossip.publish('chain', new Uint8Array(1)), { name: 'UnknownDataClassError' })
})
