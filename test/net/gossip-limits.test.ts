/**
 * Gossipsub's limits agree with fedmesh's, and what gossipsub refuses on its
 * own is counted with the validators' verdicts.
 */
import test from 'ava'
import { createLibp2p } from 'libp2p'
import { memory } from '@libp2p/memory'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { identify } from '@libp2p/identify'
import { gossipsub, type GossipSub } from '@chainsafe/libp2p-gossipsub'
import { PROTOCOL_PREFIX, type FedmeshLibp2p } from '../../src/net/host.ts'
import { GossipRegistry, gossipTopic } from '../../src/net/gossip.ts'
import { GOSSIP_FRAME_BYTES_MAX, GOSSIP_FRAMING_BYTES_MAX, topicDataClass } from '../../src/net/gossip-limits.ts'
import { ENVELOPE_BYTES_MAX } from '../../src/wire/limits.ts'
import { startedHost } from '../fixtures/hosts.ts'
import { NodeMetrics } from '../../src/runtime/metrics.ts'
import { silentLogger } from '../../src/runtime/log.ts'

let hostCount = 0
const FEDERATION = 'limits-test'

interface Peer { libp2p: FedmeshLibp2p, gossip: GossipRegistry, metrics: NodeMetrics, delivered: string[] }

async function peer (): Promise<Peer> {
  const metrics = new NodeMetrics()
  const libp2p = await startedHost('limits-test', { gossipHeartbeatMs: 100, gossipCounters: metrics })
  const gossip = new GossipRegistry({ pubsub: libp2p.services.pubsub, federationId: FEDERATION, counters: metrics, log: silentLogger() })
  const delivered: string[] = []
  gossip.register({
    dataClass: 'aggregated_metrics',
    validate: (data) => ({ action: 'accept', value: new TextDecoder().decode(data.subarray(0, 16)) }),
    deliver: (value: string) => { delivered.push(value) }
  })
  return { libp2p, gossip, metrics, delivered }
}

async function until (what: string, check: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
}

const TOPIC = gossipTopic(FEDERATION, 'aggregated_metrics')

/** What these tests read of gossipsub's private per-peer state. */
interface GossipInternals { peers: Map<string, unknown>, streamsInbound: Map<string, unknown>, streamsOutbound: Map<string, unknown> }

test('the largest frame read is one envelope plus framing', (t) => {
  t.is(GOSSIP_FRAME_BYTES_MAX, ENVELOPE_BYTES_MAX + GOSSIP_FRAMING_BYTES_MAX)
  t.true(GOSSIP_FRAME_BYTES_MAX < 1024 * 1024, 'a 1 MiB frame is above the limit')
  t.is(topicDataClass(TOPIC), 'aggregated_metrics')
  t.is(topicDataClass('/fedmesh/x/not-a-class/1'), 'other')
  t.is(topicDataClass('/anything/else'), 'other')
})

test('a 1 MiB frame is counted, the sender penalised and its connection closed; after reconnecting it delivers again', async (t) => {
  t.timeout(300_000, 'waits for a penalty to decay on gossipsub\'s timers, slower on a loaded host')
  const a = await peer()
  const b = await peer()
  t.teardown(async () => { a.gossip.stop(); b.gossip.stop(); await Promise.all([a.libp2p.stop(), b.libp2p.stop()]) })
  await b.libp2p.dial(a.libp2p.getMultiaddrs()[0]!)
  const subscribed = (): boolean => b.libp2p.services.pubsub.getSubscribers(TOPIC).some((p) => p.equals(a.libp2p.peerId))
  await until('b to see a subscribed', subscribed)
  await b.gossip.publish('aggregated_metrics', new TextEncoder().encode('before'))
  await until('the first message', () => a.delivered.includes('before'))

  const big = new Uint8Array(1024 * 1024).fill(0x61)
  await b.gossip.publish('aggregated_metrics', big)
  await until('the oversized frame counted', async () => (await a.metrics.exposition()).includes('data_class="rpc",direction="in",result="reject",reason="frame_too_large"} 1'))
  t.true(a.libp2p.services.pubsub.getScore(b.libp2p.peerId.toString()) < 0, 'the sender is penalised')
  await until('the connection closed explicitly', () => a.libp2p.getConnections(b.libp2p.peerId).length === 0)
  t.false(a.delivered.includes('a'.repeat(16)))

  // gossipsub keeps a disconnected peer's negative score (it decays only while connected): still penalised
  t.true(a.libp2p.services.pubsub.getScore(b.libp2p.peerId.toString()) < 0, 'the penalty outlives the connection')
  // a fresh connection is a fresh session: gossipsub starts the reconnected peer's score afresh, so the sender
  // delivers again. Up to three sessions: on a loaded host the old session's teardown (run on its streams' close)
  // can land after the new session's start and leave gossipsub without the peer until the next reconnection (a
  // library race; kad-dht's own dials can reconnect the two at any time too). Each failed session is logged.
  const pubsub = a.libp2p.services.pubsub as unknown as GossipInternals
  const id = b.libp2p.peerId.toString()
  let sessions = 0
  for (; sessions < 3 && !a.delivered.some((text) => text.startsWith('after'));) {
    sessions++
    await b.libp2p.dial(a.libp2p.getMultiaddrs()[0]!)
    await until('b to see a subscribed again', subscribed, 30_000)
    try {
      await until('a message after reconnecting', async () => {
        await b.gossip.publish('aggregated_metrics', new TextEncoder().encode(`after ${Date.now()}`)).catch(() => 0)
        await new Promise((resolve) => setTimeout(resolve, 200))
        return a.delivered.some((text) => text.startsWith('after'))
      }, 40_000)
    } catch (err) {
      t.log(`session ${sessions}: ${(err as Error).message}; a's score of b ${a.libp2p.services.pubsub.getScore(id)}, connections ${a.libp2p.getConnections(b.libp2p.peerId).length}, a knows b in gossipsub ${pubsub.peers.has(id)}, inbound stream ${pubsub.streamsInbound.has(id)}, outbound ${pubsub.streamsOutbound.has(id)}`)
      await a.libp2p.hangUp(b.libp2p.peerId)
      await until('the session closed', () => a.libp2p.getConnections(b.libp2p.peerId).length === 0)
    }
  }
  t.true(a.delivered.some((text) => text.startsWith('after')), `delivered again after reconnecting (${sessions} session(s))`)
})

test('a peer signing its messages (StrictSign, libp2p\'s default) is refused inside gossipsub, and it is counted', async (t) => {
  const a = await peer()
  const signer = await createLibp2p({
    addresses: { listen: [`/memory/limits-test-raw-${process.pid}-${hostCount++}`] },
    transports: [memory()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    services: {
      identify: identify({ protocolPrefix: PROTOCOL_PREFIX }),
      pubsub: gossipsub({ globalSignaturePolicy: 'StrictSign', allowPublishToZeroTopicPeers: true, heartbeatInterval: 100 }) as never
    }
  })
  await signer.start()
  t.teardown(async () => { a.gossip.stop(); await Promise.all([a.libp2p.stop(), signer.stop()]) })
  const pubsub = signer.services.pubsub as unknown as GossipSub
  pubsub.subscribe(TOPIC)
  await signer.dial(a.libp2p.getMultiaddrs()[0]!)
  await until('the signer to see a subscribed', () => pubsub.getSubscribers(TOPIC).some((p) => p.equals(a.libp2p.peerId)))
  await pubsub.publish(TOPIC, new TextEncoder().encode('signed'))
  await until('the refusal counted', async () => /data_class="aggregated_metrics",direction="in",result="reject",reason="gossipsub_signature_present"\} 1/.test(await a.metrics.exposition()))
  t.deepEqual(a.delivered, [])
})
