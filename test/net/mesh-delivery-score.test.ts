/**
 * Mesh-delivery penalties (P3/P3b) on the periodic class (src/net/gossip.ts
 * `periodicTopicScoreParams`): a black-hole member in the mesh — it takes
 * every message and delivers none, not even its own report — falls below 0
 * and is pruned, while honest members (one of them quiet on the data class,
 * one bursty) stay at 0 or above at every sample of the same run.
 *
 * In virtual time (sim/virtual-time.ts: fake timers for all code, seeded
 * randomness), so the production period (10 s) plays in a few real seconds
 * and the host's load cannot change the outcome. Invariants only.
 */
import test from 'ava'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { MemoryDatastore } from 'datastore-core'
import { createHost, type FedmeshLibp2p } from '../../src/net/host.ts'
import { GossipRegistry, gossipTopic, MESH_DELIVERY_ACTIVATION_PERIODS } from '../../src/net/gossip.ts'
import { NodeMetrics } from '../../src/runtime/metrics.ts'
import { silentLogger } from '../../src/runtime/log.ts'
import { inVirtualTime } from '../../sim/virtual-time.ts'
import { METRICS_INTERVAL_SECONDS_DEFAULT } from '../../src/config/schema.ts'

const FEDERATION = 'p3-test'
const PERIODIC = 'aggregated_metrics'
const DATA = 'incident_summary'
const PERIOD_MS = METRICS_INTERVAL_SECONDS_DEFAULT * 1000

interface Member {
  libp2p: FedmeshLibp2p
  gossip: GossipRegistry
  id: string
}

let runs = 0

async function member (tag: string, blackHole: boolean): Promise<Member> {
  const libp2p = await createHost({
    privateKey: await generateKeyPair('Ed25519'),
    transport: 'memory',
    listen: [`/memory/${tag}`],
    federationEnabled: true,
    bootstrap: [],
    admits: () => true,
    datastore: new MemoryDatastore(),
    memoryLatencyMs: 5
  })
  await libp2p.start()
  const gossip = new GossipRegistry({ pubsub: libp2p.services.pubsub, federationId: FEDERATION, counters: new NodeMetrics(), log: silentLogger(), periodic: { dataClass: PERIODIC, periodMs: PERIOD_MS } })
  for (const dataClass of [PERIODIC, DATA]) {
    // a black hole takes everything and passes nothing on (IGNORE: no penalty for the sender, no forwarding)
    gossip.register({ dataClass, validate: () => blackHole ? { action: 'ignore', code: 'black_hole' } : { action: 'accept', value: null }, deliver: () => {} })
  }
  return { libp2p, gossip, id: libp2p.peerId.toString() }
}

test('P3/P3b: a black hole in the mesh falls below 0 and is pruned; honest members, quiet or not, stay >= 0', async (t) => {
  const run = runs++
  const samples: Array<{ at: number, honestMin: number, blackHole: number[], inMeshes: number }> = []
  const { result } = await inVirtualTime(17, async () => {
    const honest = await Promise.all([0, 1, 2].map(async (i) => await member(`p3-${process.pid}-${run}-${i}`, false)))
    const hole = await member(`p3-${process.pid}-${run}-hole`, true)
    const all = [...honest, hole]
    try {
      for (let i = 0; i < all.length; i++) for (let j = 0; j < i; j++) await all[i].libp2p.dial(all[j].libp2p.getMultiaddrs()[0])
      // every honest member reports on the period (the node's aggregated metrics); member 0 alone publishes data, in bursts
      let tick = 0
      const reports = setInterval(() => {
        tick++
        for (const [i, m] of honest.entries()) void m.gossip.publish(PERIODIC, new TextEncoder().encode(`report ${i} ${tick}`)).catch(() => {})
        if (tick % 3 === 0) for (let k = 0; k < 4; k++) void honest[0].gossip.publish(DATA, new TextEncoder().encode(`burst ${tick} ${k}`)).catch(() => {})
      }, PERIOD_MS)
      const topic = gossipTopic(FEDERATION, PERIODIC)
      const startedAt = Date.now()
      // sample every second for long enough to activate P3 and let a few heartbeats act on it
      const seconds = (MESH_DELIVERY_ACTIVATION_PERIODS + 6) * PERIOD_MS / 1000
      for (let s = 0; s < seconds; s++) {
        await new Promise((resolve) => setTimeout(resolve, 1000))
        let honestMin = Infinity
        for (const a of honest) for (const b of honest) if (a !== b) honestMin = Math.min(honestMin, a.libp2p.services.pubsub.getScore(b.id))
        samples.push({
          at: Date.now() - startedAt,
          honestMin,
          blackHole: honest.map((m) => m.libp2p.services.pubsub.getScore(hole.id)),
          inMeshes: honest.filter((m) => m.libp2p.services.pubsub.getMeshPeers(topic).includes(hole.id)).length
        })
      }
      clearInterval(reports)
      return { meshed: honest.map((m) => m.libp2p.services.pubsub.getMeshPeers(topic).length) }
    } finally {
      for (const m of all) m.gossip.stop()
      await Promise.all(all.map(async (m) => { await m.libp2p.stop() }))
    }
  })
  const last = samples[samples.length - 1]
  t.log(`black hole scores at the end ${last.blackHole.map((v) => v.toFixed(1)).join(', ')}; lowest honest score seen ${Math.min(...samples.map((s) => s.honestMin)).toFixed(2)}`)
  t.true(samples.some((s) => s.inMeshes === 3), 'the black hole was in every honest mesh at first')
  t.true(last.blackHole.every((score) => score < 0), 'the black hole is below 0 at every honest member')
  t.is(last.inMeshes, 0, 'and pruned from every honest mesh')
  t.true(samples.every((s) => s.honestMin >= 0), 'honest members never went below 0')
  t.true(result.meshed.every((n) => n >= 2), 'honest members keep each other in the mesh')
})
