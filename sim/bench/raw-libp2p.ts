/**
 * The raw libp2p baseline: bare peers with nothing of fedmesh — memory
 * transport, noise, yamux, identify, gossipsub (degree 6, StrictNoSign,
 * content ids) — in this process, measured the way the sim measures fedmesh
 * (sim/run.ts): per node, connections, idle CPU (ms of CPU per second),
 * CPU to join, CPU per delivered message (net of the idle rate), RSS net of
 * the process before any peer started. CPU is `process.cpuUsage()` deltas
 * (user + system) over all peers of the process, divided by peers or by
 * deliveries.
 *
 * `npm run bench:raw [-- --nodes N --runs R --rate M --seconds S]` runs this
 * baseline and the fedmesh sim (the same nodes, rate and message size,
 * sim/scenarios made on the fly) alternately R times in one process, then
 * prints medians and fedmesh / baseline ratios. `npm run sim -- <scenario>
 * --baseline` puts one baseline measurement beside the fedmesh figures in
 * the report (`cpu`).
 *
 * `createRawPeer` is also the sim's attacker host (sim/attacks.ts): a peer
 * that speaks the same wire protocols but runs none of fedmesh's checks.
 */
import { createHash } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import { createLibp2p, type Libp2p } from 'libp2p'
import { memory } from '@libp2p/memory'
import { noise } from '@chainsafe/libp2p-noise'
import { plaintext } from '@libp2p/plaintext'
import { yamux } from '@chainsafe/libp2p-yamux'
import { identify } from '@libp2p/identify'
import { gossipsub, type GossipSub } from '@chainsafe/libp2p-gossipsub'
import { multiaddr } from '@multiformats/multiaddr'
import type { PrivateKey } from '@libp2p/interface'
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus'
import { uniformInt } from 'pure-rand/distribution/uniformInt'

/** Bytes a fedmesh envelope adds to its payload (hybrid Ed25519 + ML-DSA-65 signature, header), measured on the sim's load envelopes. */
export const ENVELOPE_OVERHEAD_BYTES = 3_550
/** The baseline's message size for the sim's default 256-byte payload: ~3.8 KB, the size of a sim load envelope. */
export const RAW_MESSAGE_BYTES_DEFAULT = 256 + ENVELOPE_OVERHEAD_BYTES
/** Gossipsub mesh degree of the baseline (gossipsub's default D) and the connections each peer aims at. */
export const RAW_DEGREE = 6
const JOIN_TIMEOUT_MS = 60_000
const POLL_MS = 50
const RAW_TOPIC = '/raw/bench/1'

export type RawPeer = Libp2p<{ identify: ReturnType<ReturnType<typeof identify>>, pubsub: GossipSub }>

export interface RawPeerInit {
  listen: string
  privateKey?: PrivateKey
  /** identify's protocol prefix (fedmesh mounts identify under 'fedmesh'; libp2p's default is 'ipfs') */
  protocolPrefix?: string
  heartbeatMs?: number
  /** default noise; plaintext matches a lean sim run's "network-only" connections */
  encryption?: 'noise' | 'plaintext'
}

function contentId (message: { data: Uint8Array }): Uint8Array {
  return createHash('sha256').update(message.data).digest()
}

/** A bare libp2p peer on the memory transport: noise, yamux, identify, gossipsub. Not started. */
export async function createRawPeer (init: RawPeerInit): Promise<RawPeer> {
  return await createLibp2p({
    ...(init.privateKey === undefined ? {} : { privateKey: init.privateKey }),
    start: false,
    addresses: { listen: [init.listen] },
    transports: [memory()],
    connectionEncrypters: [init.encryption === 'plaintext' ? plaintext() : noise()],
    streamMuxers: [yamux()],
    services: {
      identify: identify(init.protocolPrefix === undefined ? {} : { protocolPrefix: init.protocolPrefix }),
      pubsub: gossipsub({
        globalSignaturePolicy: 'StrictNoSign',
        msgIdFn: contentId,
        allowPublishToZeroTopicPeers: true,
        emitSelf: false,
        fallbackToFloodsub: false,
        ...(init.heartbeatMs === undefined ? {} : { heartbeatInterval: init.heartbeatMs })
      }) as unknown as () => GossipSub
    }
  }) as unknown as RawPeer
}

/** Per-node figures of one measured run (the same shape for fedmesh and the baseline). */
export interface CpuFigures {
  nodes: number
  nodes_joined: number
  connections_mean: number
  /** CPU per node per second while nothing is published (the second half of the settle window), ms/s */
  idle_ms_per_s: number
  /** CPU per node from its start to the whole network's first mesh peer each (ms) */
  join_ms: number
  /** CPU of the load phase, net of the idle rate, per delivered message (ms) */
  per_delivery_ms: number | null
  deliveries: number
  expected_deliveries: number
  /** process RSS growth since before the first peer started, per node */
  rss_bytes_per_node_net: number
}

export interface RawBaselineOptions {
  nodes: number
  seed?: number
  degree?: number
  messageBytes?: number
  /** messages per second over the whole network */
  ratePerSecond: number
  loadSeconds: number
  /** after the join; the idle CPU is measured over its second half */
  settleSeconds: number
  drainSeconds?: number
  heartbeatMs?: number
  /** default noise */
  encryption?: 'noise' | 'plaintext'
}

const sleep = async (ms: number): Promise<void> => { if (ms > 0) await new Promise((resolve) => setTimeout(resolve, ms)) }
/** CPU time of this process so far, ms (user + system). */
export function cpuMs (): number {
  const usage = process.cpuUsage()
  return (usage.user + usage.system) / 1000
}

let runs = 0

/** Runs the baseline once: join, idle window, load, drain; every peer stopped at the end. */
export async function measureRawLibp2p (options: RawBaselineOptions): Promise<CpuFigures> {
  const n = options.nodes
  const degree = options.degree ?? RAW_DEGREE
  const messageBytes = options.messageBytes ?? RAW_MESSAGE_BYTES_DEFAULT
  const rng = xoroshiro128plus(options.seed ?? 1)
  const run = `${process.pid}-${runs++}`
  const rssBefore = process.memoryUsage.rss()
  const peers: RawPeer[] = []
  const delivered = new Map<number, Set<number>>()
  try {
    const joinCpu = cpuMs()
    for (let i = 0; i < n; i++) {
      const peer = await createRawPeer({ listen: `/memory/raw-${run}-${i}`, ...(options.heartbeatMs === undefined ? {} : { heartbeatMs: options.heartbeatMs }), ...(options.encryption === undefined ? {} : { encryption: options.encryption }) })
      await peer.start()
      peer.services.pubsub.subscribe(RAW_TOPIC)
      peer.services.pubsub.addEventListener('gossipsub:message', (event) => {
        const data = event.detail.msg.data
        const message = new DataView(data.buffer, data.byteOffset, data.byteLength).getUint32(0)
        const got = delivered.get(message) ?? new Set<number>()
        got.add(i)
        delivered.set(message, got)
      })
      // each peer dials degree/2 earlier peers: about `degree` connections each
      const targets = new Set<number>()
      while (targets.size < Math.min(i, Math.ceil(degree / 2))) targets.add(uniformInt(rng, 0, i - 1))
      await Promise.all([...targets].map(async (t) => { await peer.dial(multiaddr(`/memory/raw-${run}-${t}`)).catch(() => {}) }))
      peers.push(peer)
    }
    const deadline = Date.now() + JOIN_TIMEOUT_MS
    while (Date.now() < deadline && !peers.every((p) => p.services.pubsub.getMeshPeers(RAW_TOPIC).length > 0)) await sleep(POLL_MS)
    const joined = peers.filter((p) => p.services.pubsub.getMeshPeers(RAW_TOPIC).length > 0).length
    const joinMs = (cpuMs() - joinCpu) / n

    // like the sim's settle window: the first half lets the join's after-effects pass, the second half is measured
    await sleep(options.settleSeconds * 500)
    const idleCpu = cpuMs()
    const idleWall = performance.now()
    await sleep(options.settleSeconds * 500)
    const idleRate = (cpuMs() - idleCpu) / ((performance.now() - idleWall) / 1000)

    const loadCpu = cpuMs()
    const loadWall = performance.now()
    const count = Math.round(options.ratePerSecond * options.loadSeconds)
    for (let m = 0; m < count; m++) {
      await sleep(loadWall + m * 1000 / options.ratePerSecond - performance.now())
      const data = new Uint8Array(messageBytes)
      new DataView(data.buffer).setUint32(0, m)
      data.set(createHash('sha256').update(`raw/${run}/${m}`).digest(), 4)
      await peers[uniformInt(rng, 0, n - 1)].services.pubsub.publish(RAW_TOPIC, data).catch(() => {})
    }
    await sleep((options.drainSeconds ?? 2) * 1000)
    const loadCpuMs = cpuMs() - loadCpu
    const loadSeconds = (performance.now() - loadWall) / 1000
    const deliveries = [...delivered.values()].reduce((sum, got) => sum + got.size, 0)
    const connections = peers.reduce((sum, p) => sum + p.getConnections().length, 0) / n
    const rss = process.memoryUsage.rss()
    return {
      nodes: n,
      nodes_joined: joined,
      connections_mean: connections,
      idle_ms_per_s: idleRate / n,
      join_ms: joinMs,
      per_delivery_ms: deliveries === 0 ? null : (loadCpuMs - idleRate * loadSeconds) / deliveries,
      deliveries,
      expected_deliveries: count * (n - 1),
      rss_bytes_per_node_net: (rss - rssBefore) / n
    }
  } finally {
    await Promise.all(peers.map(async (p) => { try { await p.stop() } catch {} }))
  }
}

/** Median of a list (the lower middle for an even count). */
export function median (values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor((sorted.length - 1) / 2)]
}

/** The fedmesh side of `bench:raw`: a `dht` scenario with the same nodes, rate and message size as the baseline. */
async function fedmeshFigures (nodes: number, seed: number, rate: number, seconds: number, settle: number): Promise<CpuFigures> {
  const { parseScenario } = await import('../scenario.ts')
  const { simulate } = await import('../simulate.ts')
  const bootstrap = Math.max(1, Math.min(16, Math.ceil(nodes / 64)))
  const scenario = parseScenario({
    name: 'bench-raw',
    seed,
    nodes,
    bootstrap,
    ...(bootstrap > 2 ? { bootstrap_known: 2 } : {}),
    connections_target: 6,
    connections_max: 8,
    gossip_heartbeat_ms: 1000,
    // the production sync period (the sim's default 1 s is a short-run setting that would dominate idle CPU)
    sync_interval_ms: 10_000,
    join: { rate_per_second: 20, timeout_seconds: Math.max(60, nodes), settle_seconds: settle },
    load: { rate_per_second: rate, payload_bytes: RAW_MESSAGE_BYTES_DEFAULT - ENVELOPE_OVERHEAD_BYTES, expect_within_seconds: 3 },
    duration_seconds: seconds,
    drain_seconds: 3,
    sample_interval_seconds: 2
  })
  const { report } = await simulate(scenario)
  if (report.cpu === null) throw new Error('the sim measured no CPU')
  return report.cpu.fedmesh
}

async function main (): Promise<void> {
  const { parseArgs } = await import('node:util')
  const { values } = parseArgs({
    options: {
      nodes: { type: 'string', default: '50' },
      runs: { type: 'string', default: '3' },
      rate: { type: 'string', default: '1' },
      seconds: { type: 'string', default: '20' },
      settle: { type: 'string', default: '10' },
      'raw-only': { type: 'boolean', default: false }
    }
  })
  const nodes = Number(values.nodes)
  const runCount = Number(values.runs)
  const rate = Number(values.rate)
  const seconds = Number(values.seconds)
  const settle = Number(values.settle)
  const raw: CpuFigures[] = []
  const fed: CpuFigures[] = []
  for (let r = 0; r < runCount; r++) {
    // alternate which goes first, so neither always runs on a warmer (or more fragmented) heap
    const order = r % 2 === 0 ? ['raw', 'fedmesh'] : ['fedmesh', 'raw']
    for (const which of order) {
      if (which === 'raw') raw.push(await measureRawLibp2p({ nodes, seed: r + 1, ratePerSecond: rate, loadSeconds: seconds, settleSeconds: settle, heartbeatMs: 1000 }))
      else if (values['raw-only'] !== true) fed.push(await fedmeshFigures(nodes, r + 1, rate, seconds, settle))
      console.error(`run ${r + 1}/${runCount} ${which} done`)
    }
  }
  const keys = ['connections_mean', 'idle_ms_per_s', 'join_ms', 'per_delivery_ms', 'rss_bytes_per_node_net'] as const
  const med = (list: CpuFigures[], key: typeof keys[number]): number | null => list.length === 0 ? null : median(list.map((f) => f[key] ?? Number.NaN))
  console.log(`bench:raw — ${nodes} nodes in one process, ${RAW_MESSAGE_BYTES_DEFAULT}-byte messages at ${rate}/s for ${seconds} s, heartbeat 1 s; median of ${runCount} runs each, alternating`)
  console.log('fedmesh: the sim (dht topology, connections 6/8, sync every 10 s, signed envelopes through the full pipeline); raw: bare libp2p peers, degree 6')
  console.log(`${'per node'.padEnd(26)} ${'raw libp2p'.padStart(12)} ${'fedmesh'.padStart(12)} ${'ratio'.padStart(8)}`)
  for (const key of keys) {
    const a = med(raw, key)
    const b = med(fed, key)
    const scale = key === 'rss_bytes_per_node_net' ? 1 / 1024 / 1024 : 1
    const show = (v: number | null): string => v === null || Number.isNaN(v) ? '—' : (v * scale).toFixed(2)
    console.log(`${key.padEnd(26)} ${show(a).padStart(12)} ${show(b).padStart(12)} ${(a === null || b === null || a === 0 ? '—' : `${(b / a).toFixed(2)}×`).padStart(8)}`)
  }
  console.log(`delivery: raw ${raw.map((f) => `${f.deliveries}/${f.expected_deliveries}`).join(', ')}; fedmesh ${fed.map((f) => `${f.deliveries}/${f.expected_deliveries}`).join(', ') || '—'}`)
  console.log(JSON.stringify({ nodes, rate, seconds, settle, raw, fedmesh: fed }))
}

// not awaited at the top level: main() imports the sim, which imports this module (a top-level await here would deadlock)
if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((err: unknown) => { console.error(err); process.exitCode = 1 })
}
