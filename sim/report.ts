/**
 * The sim report: `analyse` turns a run record into `report.json` (schema
 * below, documented in docs/sim.md), checked with zod before it is written.
 *
 * Delivery accounting: a (message, node) pair is EXPECTED when the node is not
 * the publisher, had joined (first mesh peer) before the publish, stayed up at
 * least `load.expect_within_seconds` after it, and — during a partition — is on
 * the publisher's side. Pairs across a partition are counted apart, in
 * `partitions[].across`: with no sync protocol yet they are simply lost.
 */
import { createHash } from 'node:crypto'
import { z } from 'zod'
import type { RunRecord, NodeLife, PublishRecord, ConsensusRunRecord } from './run.ts'
import type { CpuFigures } from './bench/raw-libp2p.ts'
import { deviations } from './profile.ts'
import { graphFigures, weightedDiameter, type SimGraph } from './graph.ts'
import { drawLink, LINK_MSS_BYTES, RETRANSMISSIONS_MAX, type LinkParams } from './memory-links.ts'

export const REPORT_SCHEMA = 'fedmesh.sim.report/1'
/**
 * How long gossipsub can still hand out a message by IHAVE/IWANT: it gossips
 * ids from its last `mcacheGossip` = 3 history windows (one per heartbeat),
 * plus one heartbeat of slack. A split-time message younger than this at the
 * heal can still cross if the halves reconnect; an older one cannot.
 */
export const GOSSIP_HISTORY_HEARTBEATS = 4
/** Points kept in the latency CDF (evenly spaced quantiles). */
const CDF_POINTS_MAX = 200

const percentilesSchema = z.strictObject({ count: z.number().int().min(0), p50: z.number().nullable(), p90: z.number().nullable(), p99: z.number().nullable(), max: z.number().nullable() })

/** Per-node CPU and memory of one run (fedmesh, or the raw libp2p baseline measured the same way: sim/bench/raw-libp2p.ts). */
const cpuFiguresSchema = z.strictObject({
  nodes: z.number().int().min(0),
  nodes_joined: z.number().int().min(0),
  connections_mean: z.number().min(0),
  /** CPU per node per second while nothing is published (the second half of the settle window), ms/s */
  idle_ms_per_s: z.number(),
  /** CPU per node from the first start until every node had a mesh peer, ms */
  join_ms: z.number(),
  /** load-phase CPU net of the idle rate, per delivered message, ms */
  per_delivery_ms: z.number().nullable(),
  deliveries: z.number().int().min(0),
  expected_deliveries: z.number().int().min(0),
  rss_bytes_per_node_net: z.number()
})

const graphFiguresSchema = z.strictObject({
  nodes: z.number().int().min(0),
  components: z.number().int().min(0),
  largest_component: z.number().int().min(0),
  diameter_hops: z.number().int().min(0),
  distance_histogram: z.array(z.number().int().min(0)),
  degree: z.strictObject({ min: z.number().int().min(0), mean: z.number().min(0), max: z.number().int().min(0) })
})
const graphMomentSchema = z.strictObject({
  mesh: graphFiguresSchema,
  connections: graphFiguresSchema,
  /** nodes with no mesh peer on the load topic, and how many of their connected subscribers hold a prune backoff for them */
  meshless: z.array(z.strictObject({ node: z.number().int(), subscribers: z.number().int().min(0), backoff: z.number().int().min(0) }))
})

const linkRangeSchema = z.strictObject({ min: z.number(), max: z.number(), distribution: z.enum(['uniform', 'log_uniform']) })
const spreadSchema = z.strictObject({ min: z.number(), p50: z.number(), max: z.number() })

/** The scenario's per-link model (virtual time with `links`): its parameters, what the links drew, what they carried. */
const linkModelSchema = z.strictObject({
  latency_ms: linkRangeSchema,
  /** null: unlimited */
  bandwidth_kbps: linkRangeSchema.nullable(),
  loss: linkRangeSchema,
  rto_min_ms: z.number(),
  /** the loss model in words */
  retransmission: z.string(),
  /** what the links of the connection graphs (load start ∪ load end) drew; null spreads with no link */
  drawn: z.strictObject({ links: z.number().int().min(0), latency_ms: spreadSchema.nullable(), bandwidth_kbps: spreadSchema.nullable(), loss: spreadSchema.nullable() }),
  /** the largest load envelope: its serialization at each hop's bandwidth is part of the hop's weight in modelled_diameter_ms */
  message_bytes: z.number().int().min(0),
  /** what every link carried from the first node's start to the end of the drain */
  usage: z.strictObject({
    links: z.number().int().min(0),
    buffers: z.number().int().min(0),
    bytes: z.number().int().min(0),
    retransmitted: z.number().int().min(0),
    held_behind: z.number().int().min(0),
    bandwidth_wait_max_ms: z.number().min(0)
  })
})

export const reportSchema = z.strictObject({
  schema: z.literal(REPORT_SCHEMA),
  scenario: z.string(),
  seed: z.number().int(),
  mode: z.strictObject({ workers: z.number().int().min(0), transport: z.string(), clock: z.enum(['real', 'virtual']) }),
  nodes: z.number().int().min(1),
  /** the sim profile and every way this run differs from production nodes (sim/profile.ts) */
  profile: z.strictObject({
    name: z.enum(['production', 'lean']),
    deviations: z.array(z.string()),
    /** lean: the verification cache counts (one cache per process, or per worker and summed; null in the production profile) */
    verification_cache: z.strictObject({ hits: z.number().int().min(0), misses: z.number().int().min(0) }).nullable()
  }),
  wall_seconds: z.number().min(0),
  join: z.strictObject({
    nodes_joined: z.number().int().min(0),
    nodes_started: z.number().int().min(0),
    time_ms: percentilesSchema,
    topology_dials: z.strictObject({ attempted: z.number().int(), failed: z.number().int() })
  }),
  messages: z.strictObject({
    published: z.number().int().min(0),
    /** sha256 over "message:envelope id" lines in message order: equal for two runs of one seed (ids come from the seeded Random) */
    envelope_id_digest: z.string(),
    publish_failures: z.number().int().min(0),
    expected_deliveries: z.number().int().min(0),
    delivered: z.number().int().min(0),
    delivery_ratio: z.number().min(0).max(1).nullable(),
    /** deliveries to nodes that were not expected to get the message (joined late, left early, other side) */
    unexpected_deliveries: z.number().int().min(0),
    /** the same message reaching the same node's application twice */
    duplicate_deliveries: z.number().int().min(0),
    /** wire pipeline verdicts on the load's data classes: accept, ignore:<code>, reject:<code>; `audit_checkpoint/<verdict>` for audit gossip arrivals */
    verdicts: z.record(z.string(), z.number().int().min(0)),
    latency_ms: percentilesSchema
  }),
  per_node: z.strictObject({
    bytes_sent: percentilesSchema,
    bytes_received: percentilesSchema,
    connections: percentilesSchema,
    /** RSS of the node processes / nodes up, at the last sample with the most nodes up */
    rss_bytes_per_node: z.number().min(0),
    /** the same, after subtracting the processes' RSS before any node started */
    rss_bytes_per_node_net: z.number(),
    rss_baseline_bytes: z.number().min(0)
  }),
  partitions: z.array(z.strictObject({
    partition: z.number().int(),
    start_s: z.number(),
    heal_s: z.number().nullable(),
    group_sizes: z.array(z.number().int()),
    published_during_split: z.number().int(),
    within: z.strictObject({ expected: z.number().int(), delivered: z.number().int() }),
    across: z.strictObject({ pairs: z.number().int(), delivered: z.number().int(), lost: z.number().int() }),
    /** the across pairs of messages published more than gossip_window_ms before the heal (or with no heal): nothing can bring them over */
    across_beyond_gossip_window: z.strictObject({ pairs: z.number().int(), delivered: z.number().int() }),
    gossip_window_ms: z.number(),
    published_after_heal: z.number().int(),
    after_heal: z.strictObject({ expected: z.number().int(), delivered: z.number().int() })
  })),
  series: z.array(z.strictObject({
    t_s: z.number(),
    nodes_up: z.number().int(),
    connections_mean: z.number(),
    rss_bytes_per_node: z.number(),
    bytes_sent_per_s: z.number(),
    /** of messages published in the second starting at t_s (load phase only) */
    delivery_ratio: z.number().nullable()
  })),
  latency_cdf: z.array(z.strictObject({ latency_ms: z.number(), fraction: z.number() })),
  /**
   * the network's shape when the load started and ended (in-process runs; null with workers): the load topic's
   * gossipsub mesh and the connections. Under virtual time every link takes link_latency_ms, so a delivery along
   * the mesh takes hops × that: modelled_diameter_ms is the larger mesh diameter of the two moments × the link
   * latency, and p99_over_diameter the latency p99 against it (the goal: at most 2)
   */
  graph: z.strictObject({
    link_latency_ms: z.number().nullable(),
    load_start: graphMomentSchema,
    load_end: graphMomentSchema,
    modelled_diameter_ms: z.number().nullable(),
    p99_over_diameter: z.number().nullable(),
    /** present only with a scenario `links` model; with it, link_latency_ms is its latency when fixed (else null) and modelled_diameter_ms the longest weighted shortest path of the mesh, each hop weighted by its link's latency + the load envelope's serialization */
    link_model: linkModelSchema.optional()
  }).nullable(),
  /** consensus slots played after the load (null when the scenario plays none) */
  consensus: z.strictObject({
    slots: z.number().int().min(0),
    honest_nodes: z.number().int().min(0),
    byzantine_nodes: z.array(z.number().int()),
    behaviours: z.array(z.string()),
    /** (honest node, slot) pairs, and those where the node holds a QC on the honest proposal */
    decisions: z.strictObject({ expected: z.number().int().min(0), reached: z.number().int().min(0) }),
    /** slots where two nodes (any, byzantine included) hold QCs on different hashes, or a QC is on another hash than the honest one: must be 0 */
    conflicting_qcs: z.number().int().min(0),
    /** proposal → QC held, per honest node (coordinator's 50 ms polling adds up to that much) */
    decision_ms: percentilesSchema,
    /** messages the byzantine members sent */
    attack_messages: z.number().int().min(0),
    /** per byzantine member that equivocated: how many honest nodes hold evidence against it */
    evidence: z.array(z.strictObject({ node: z.number().int(), honest_nodes_holding: z.number().int() })),
    /** verdicts on the vote class at every node: accept, ignore:<code>, reject:<code> */
    verdicts: z.record(z.string(), z.number().int().min(0))
  }).nullable(),
  /** the scenario's attack (sim/attacks.ts), null without one */
  attack: z.strictObject({
    kind: z.string(),
    attackers: z.number().int().min(0),
    /** from the start of the load phase */
    start_s: z.number(),
    /** eclipse: the node under attack */
    victim: z.number().int().nullable(),
    /** attacker dials: completed / failed as the attacker saw them (a sybil's dial may complete on its side before the honest node's gater closes it) */
    dials: z.strictObject({ attempted: z.number().int().min(0), completed: z.number().int().min(0), failed: z.number().int().min(0) }),
    /** honest nodes' gater checks of peers outside the membership (each refused) */
    gater_refusals: z.number().int().min(0),
    /** sybil: the most connections honest nodes held to attackers at any round (must be 0); null when the attackers are members */
    honest_connections_to_attackers_max: z.number().int().min(0).nullable(),
    attack_messages: z.number().int().min(0),
    /** delivery to honest nodes of messages honest nodes published before / after the attack started */
    honest_delivery: z.strictObject({
      before: z.strictObject({ expected: z.number().int(), delivered: z.number().int() }),
      after: z.strictObject({ expected: z.number().int(), delivered: z.number().int() })
    }),
    /** covert_flash: delivery to honest nodes of the (valid) load the byzantine members published after the flash — honest nodes that graylisted them drop it */
    from_attackers_after: z.strictObject({ expected: z.number().int(), delivered: z.number().int() }),
    victim_delivery: z.strictObject({
      expected: z.number().int(),
      delivered: z.number().int(),
      attacker_connections_max: z.number().int().nullable(),
      honest_connections_min: z.number().int().nullable()
    }).nullable(),
    /** gossipsub scores honest nodes hold for the attackers at the end of the load */
    penalties: z.strictObject({
      pairs_scored: z.number().int().min(0),
      pairs_negative: z.number().int().min(0),
      pairs_graylisted: z.number().int().min(0),
      graylist_threshold: z.number(),
      min_score: z.number().nullable()
    })
  }).nullable(),
  /** in-process and thread-mode real-time runs only (null under virtual time or worker processes): fedmesh's CPU per node, and the raw libp2p baseline measured in the same run (--baseline) */
  cpu: z.strictObject({
    fedmesh: cpuFiguresSchema,
    baseline: cpuFiguresSchema.nullable(),
    /** what the baseline ran: peers, degree, message size, heartbeat */
    baseline_settings: z.string().nullable(),
    /** fedmesh / baseline */
    ratio: z.strictObject({ connections: z.number().nullable(), idle: z.number().nullable(), join: z.number().nullable(), per_delivery: z.number().nullable(), rss: z.number().nullable() }).nullable(),
    /** plaintext (lean "network-only") runs with --baseline: the same baseline again with noise, so noise's cost shows beside the plaintext figures */
    baseline_noise: cpuFiguresSchema.nullable().default(null)
  }).nullable(),
  node_detail: z.array(z.strictObject({
    index: z.number().int(),
    bootstrap: z.boolean(),
    lives: z.number().int(),
    join_ms: z.number().nullable(),
    connections: z.number().int(),
    bytes_sent: z.number(),
    bytes_received: z.number(),
    /** messages this node was expected to get (messages.expected_deliveries counts them) and never did */
    missed: z.number().int().min(0)
  }))
})

export type Report = z.output<typeof reportSchema>

/** Nearest-rank percentiles of a list. */
/** A digest of every published message's envelope id, in message order. */
function envelopeIdDigest (publishes: ReadonlyMap<number, { envelopeId: string }>): string {
  const hash = createHash('sha256')
  for (const message of [...publishes.keys()].sort((a, b) => a - b)) hash.update(`${message}:${publishes.get(message)!.envelopeId}\n`)
  return hash.digest('hex')
}

/** The consensus phase: decisions, conflicting QCs (safety, checked across all nodes' stores), evidence against equivocators. */
function consensusSection (record: RunRecord, consensus: ConsensusRunRecord): NonNullable<Report['consensus']> {
  const { plan, scenario } = record
  const byzantine = new Set(plan.byzantine)
  const honestViews = consensus.views.filter((v) => !byzantine.has(v.index))
  let reached = 0
  let conflicting = 0
  for (const [slot, honestHash] of consensus.honestHashes) {
    reached += honestViews.filter((v) => v.slots[slot]?.qcHash === honestHash).length
    const hashes = new Set(consensus.views.map((v) => v.slots[slot]?.qcHash).filter((h): h is string => h !== null && h !== undefined))
    if (hashes.size > 1 || (hashes.size === 1 && !hashes.has(honestHash))) conflicting++
  }
  const equivocate = scenario.byzantine.behaviours.includes('equivocate')
  return {
    slots: plan.slots.length,
    honest_nodes: plan.nodes.length - plan.byzantine.length,
    byzantine_nodes: plan.byzantine,
    behaviours: [...scenario.byzantine.behaviours],
    decisions: { expected: plan.slots.length * (plan.nodes.length - plan.byzantine.length), reached },
    conflicting_qcs: conflicting,
    decision_ms: percentiles(consensus.decisionMs),
    attack_messages: consensus.attackMessages,
    evidence: equivocate
      ? plan.byzantine.map((node) => ({ node, honest_nodes_holding: honestViews.filter((v) => v.equivocators.includes(consensus.nodeIds[node])).length }))
      : [],
    verdicts: consensus.verdicts
  }
}

export function percentiles (values: number[]): Report['join']['time_ms'] {
  if (values.length === 0) return { count: 0, p50: null, p90: null, p99: null, max: null }
  const sorted = Float64Array.from(values).sort()
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]
  return { count: sorted.length, p50: at(0.5), p90: at(0.9), p99: at(0.99), max: sorted[sorted.length - 1] }
}

type PairKind = 'expected' | 'across' | 'none' | 'byzantine'

/** Whether node `node` should get message `publish`, given its lives. Byzantine members are not counted: delivery is to honest nodes. */
function pairKind (publish: PublishRecord, node: number, lives: NodeLife[] | undefined, expectMs: number, byzantine: ReadonlySet<number>): PairKind {
  if (byzantine.has(node)) return 'byzantine'
  if (node === publish.node || lives === undefined) return 'none'
  const alive = lives.some((life) => life.joinedAtMs !== undefined && life.joinedAtMs <= publish.publishedAtMs &&
    (life.stoppedAtMs === undefined || life.stoppedAtMs >= publish.publishedAtMs + expectMs))
  if (!alive) return 'none'
  if (publish.groupOf !== undefined && publish.groupOf[node] !== publish.groupOf[publish.node]) return 'across'
  return 'expected'
}

interface PartitionCounts {
  published: number
  withinExpected: number
  withinDelivered: number
  acrossPairs: number
  acrossDelivered: number
  beyondPairs: number
  beyondDelivered: number
  afterPublished: number
  afterExpected: number
  afterDelivered: number
}

/** Every (message, node) pair classified and counted: overall, per publish second, per partition. */
interface PairCounts {
  latencies: number[]
  expected: number
  delivered: number
  unexpected: number
  buckets: Map<number, { expected: number, delivered: number }>
  /** expected deliveries never made, by node index */
  missedByNode: Map<number, number>
  partitions: PartitionCounts[]
  /** relative to the attack's start (publish time) */
  beforeAttack: { expected: number, delivered: number }
  afterAttack: { expected: number, delivered: number }
  fromAttackersAfter: { expected: number, delivered: number }
  victim: { expected: number, delivered: number }
}

function countPairs (record: RunRecord): PairCounts {
  const { scenario, plan } = record
  const expectMs = scenario.load.expect_within_seconds * 1000
  const gossipWindowMs = GOSSIP_HISTORY_HEARTBEATS * scenario.gossip_heartbeat_ms
  const counts: PairCounts = {
    latencies: [],
    expected: 0,
    delivered: 0,
    unexpected: 0,
    buckets: new Map(),
    missedByNode: new Map(),
    partitions: record.partitions.map(() => ({ published: 0, withinExpected: 0, withinDelivered: 0, acrossPairs: 0, acrossDelivered: 0, beyondPairs: 0, beyondDelivered: 0, afterPublished: 0, afterExpected: 0, afterDelivered: 0 })),
    beforeAttack: { expected: 0, delivered: 0 },
    afterAttack: { expected: 0, delivered: 0 },
    fromAttackersAfter: { expected: 0, delivered: 0 },
    victim: { expected: 0, delivered: 0 }
  }
  const byzantine = new Set(plan.byzantine)
  const attackStartMs = record.attack?.startMs
  for (const publish of record.publishes.values()) {
    const got = record.deliveries.get(publish.message) ?? new Map<number, number>()
    const second = Math.floor((publish.publishedAtMs - record.loadStartMs) / 1000)
    const bucket = counts.buckets.get(second) ?? { expected: 0, delivered: 0 }
    counts.buckets.set(second, bucket)
    const duringIndex = publish.partition === undefined ? -1 : record.partitions.findIndex((p) => p.partition === publish.partition)
    const during = duringIndex >= 0 ? counts.partitions[duringIndex] : undefined
    let afterIndex = -1
    record.partitions.forEach((p, i) => { if (p.healMs !== undefined && publish.publishedAtMs >= p.healMs) afterIndex = i })
    const after = during === undefined && afterIndex >= 0 ? counts.partitions[afterIndex] : undefined
    if (during !== undefined) during.published++
    if (after !== undefined) after.afterPublished++
    for (const spec of plan.nodes) {
      const kind = pairKind(publish, spec.index, record.lives.get(spec.index), expectMs, byzantine)
      const at = got.get(spec.index)
      if (kind === 'expected') {
        counts.expected++
        bucket.expected++
        const side = attackStartMs === undefined
          ? undefined
          : publish.publishedAtMs < attackStartMs ? (byzantine.has(publish.node) ? undefined : counts.beforeAttack) : (byzantine.has(publish.node) ? counts.fromAttackersAfter : counts.afterAttack)
        if (side !== undefined) side.expected++
        if (side !== undefined && at !== undefined) side.delivered++
        if (spec.index === plan.victim) counts.victim.expected++
        if (spec.index === plan.victim && at !== undefined) counts.victim.delivered++
        if (during !== undefined) during.withinExpected++
        if (after !== undefined) after.afterExpected++
        if (at === undefined) {
          counts.missedByNode.set(spec.index, (counts.missedByNode.get(spec.index) ?? 0) + 1)
          continue
        }
        counts.delivered++
        bucket.delivered++
        counts.latencies.push(at - publish.publishedAtMs)
        if (during !== undefined) during.withinDelivered++
        if (after !== undefined) after.afterDelivered++
      } else if (kind === 'across' && during !== undefined) {
        const healMs = record.partitions[duringIndex].healMs
        const beyond = healMs === undefined || publish.publishedAtMs < healMs - gossipWindowMs
        during.acrossPairs++
        if (beyond) during.beyondPairs++
        if (at !== undefined) during.acrossDelivered++
        if (at !== undefined && beyond) during.beyondDelivered++
      } else if (at !== undefined && kind !== 'byzantine') {
        counts.unexpected++
      }
    }
  }
  return counts
}

/**
 * Deliveries still missing so far: expected pairs not delivered, plus
 * split-time pairs across a partition not delivered (sync must bring those).
 * The run's drain waits on this reaching 0, up to `drain_max_seconds`.
 */
export function missingDeliveries (record: RunRecord): number {
  const counts = countPairs(record)
  return counts.expected - counts.delivered + counts.partitions.reduce((sum, p) => sum + p.acrossPairs - p.acrossDelivered, 0)
}

/** Turns a run record into the report (validated against the schema). */
export function analyse (record: RunRecord): Report {
  const { scenario, plan } = record
  const gossipWindowMs = GOSSIP_HISTORY_HEARTBEATS * scenario.gossip_heartbeat_ms
  const pairCounts = countPairs(record)
  const { latencies, expected, delivered, unexpected, buckets, partitions: partitionCounts } = pairCounts
  const sortedLatencies = Float64Array.from(latencies).sort()
  const cdfStep = Math.max(1, Math.floor(sortedLatencies.length / CDF_POINTS_MAX))
  const latencyCdf: Report['latency_cdf'] = []
  for (let i = 0; i < sortedLatencies.length; i += cdfStep) latencyCdf.push({ latency_ms: sortedLatencies[i], fraction: (i + 1) / sortedLatencies.length })
  if (sortedLatencies.length > 0) latencyCdf.push({ latency_ms: sortedLatencies[sortedLatencies.length - 1], fraction: 1 })

  const lastNodes = record.lastNodes
  // memory per node where it means most: the last sample with the most nodes up (early samples are mostly runtime baseline)
  const peak = record.series.reduce((best, point) => point.nodesUp > 0 && point.nodesUp >= best.up ? { perNode: point.rssBytes / point.nodesUp, rss: point.rssBytes, up: point.nodesUp } : best, { perNode: 0, rss: 0, up: 0 })
  const joinTimes = [...record.lives.values()].flatMap((lives) => lives.filter((l) => l.joinedAtMs !== undefined).map((l) => l.joinedAtMs! - l.startedAtMs))
  const series: Report['series'] = record.series.map((point, i) => {
    const previous = record.series[i - 1]
    const seconds = previous === undefined ? 0 : (point.atMs - previous.atMs) / 1000
    const bucket = point.atMs >= record.loadStartMs && record.loadStartMs > 0 ? buckets.get(Math.floor((point.atMs - record.loadStartMs) / 1000)) : undefined
    return {
      t_s: (point.atMs - record.startedAtMs) / 1000,
      nodes_up: point.nodesUp,
      connections_mean: point.connectionsMean,
      rss_bytes_per_node: point.nodesUp === 0 ? 0 : point.rssBytes / point.nodesUp,
      bytes_sent_per_s: previous === undefined || seconds <= 0 ? 0 : Math.max(0, point.bytesSent - previous.bytesSent) / seconds,
      delivery_ratio: bucket === undefined || bucket.expected === 0 ? null : bucket.delivered / bucket.expected
    }
  })
  const report: Report = {
    schema: REPORT_SCHEMA,
    scenario: scenario.name,
    seed: scenario.seed,
    mode: { workers: record.workers, transport: record.transport, clock: record.clock },
    nodes: scenario.nodes,
    profile: { name: scenario.profile, deviations: deviations(scenario, { workers: record.workers, transport: record.transport, clock: record.clock }), verification_cache: record.verificationCache ?? null },
    wall_seconds: (record.finishedAtMs - record.startedAtMs) / 1000,
    join: {
      nodes_joined: [...record.lives.values()].filter((lives) => lives.some((l) => l.joinedAtMs !== undefined)).length,
      nodes_started: record.lives.size,
      time_ms: percentiles(joinTimes),
      topology_dials: record.topologyDials
    },
    messages: {
      published: record.publishes.size,
      envelope_id_digest: envelopeIdDigest(record.publishes),
      publish_failures: record.publishFailures.length,
      expected_deliveries: expected,
      delivered,
      delivery_ratio: expected === 0 ? null : delivered / expected,
      unexpected_deliveries: unexpected,
      duplicate_deliveries: record.duplicateDeliveries,
      verdicts: record.verdicts,
      latency_ms: percentiles(latencies)
    },
    per_node: {
      bytes_sent: percentiles(lastNodes.map((n) => n.bytesSent)),
      bytes_received: percentiles(lastNodes.map((n) => n.bytesReceived)),
      connections: percentiles(lastNodes.filter((n) => n.up).map((n) => n.connections)),
      rss_bytes_per_node: peak.perNode,
      rss_bytes_per_node_net: peak.up === 0 ? 0 : (peak.rss - record.rssBaselineBytes) / peak.up,
      rss_baseline_bytes: record.rssBaselineBytes
    },
    partitions: record.partitions.map((p, i) => {
      const c = partitionCounts[i]
      return {
        partition: p.partition,
        start_s: (p.startMs - record.loadStartMs) / 1000,
        heal_s: p.healMs === undefined ? null : (p.healMs - record.loadStartMs) / 1000,
        group_sizes: p.groupSizes,
        published_during_split: c.published,
        within: { expected: c.withinExpected, delivered: c.withinDelivered },
        across: { pairs: c.acrossPairs, delivered: c.acrossDelivered, lost: c.acrossPairs - c.acrossDelivered },
        across_beyond_gossip_window: { pairs: c.beyondPairs, delivered: c.beyondDelivered },
        gossip_window_ms: gossipWindowMs,
        published_after_heal: c.afterPublished,
        after_heal: { expected: c.afterExpected, delivered: c.afterDelivered }
      }
    }),
    series,
    latency_cdf: latencyCdf,
    graph: graphSection(record, percentiles(latencies).p99),
    consensus: record.consensus === undefined ? null : consensusSection(record, record.consensus),
    attack: attackSection(record, pairCounts),
    cpu: null,
    node_detail: plan.nodes.map((spec) => {
      const last = lastNodes.find((n) => n.index === spec.index)
      const first = record.lives.get(spec.index)?.[0]
      return {
        index: spec.index,
        bootstrap: spec.bootstrap,
        lives: record.lives.get(spec.index)?.length ?? 0,
        join_ms: first?.joinedAtMs === undefined ? null : first.joinedAtMs - first.startedAtMs,
        connections: last?.connections ?? 0,
        bytes_sent: last?.bytesSent ?? 0,
        bytes_received: last?.bytesReceived ?? 0,
        missed: pairCounts.missedByNode.get(spec.index) ?? 0
      }
    })
  }
  report.cpu = cpuSection(record, report)
  return reportSchema.parse(report)
}

/** The attack as observed: the player's counters and the scores, with honest delivery split at the attack's start. */
function graphSection (record: RunRecord, p99: number | null): Report['graph'] {
  const graphs = record.graphs
  if (graphs === undefined) return null
  const moment = (graph: SimGraph): z.output<typeof graphMomentSchema> => ({ mesh: graphFigures(graph.mesh), connections: graphFigures(graph.connections), meshless: graph.meshless })
  const loadStart = moment(graphs.loadStart)
  const loadEnd = moment(graphs.loadEnd)
  const spec = record.scenario.links
  if (spec !== undefined && graphs.links !== undefined) {
    const model = linkModelSection(record, spec, graphs.links)
    const diameterMs = Math.max(weightedDiameter(graphs.loadStart.mesh, model.hopMs), weightedDiameter(graphs.loadEnd.mesh, model.hopMs))
    return {
      link_latency_ms: spec.latency_ms.min === spec.latency_ms.max ? spec.latency_ms.min : null,
      load_start: loadStart,
      load_end: loadEnd,
      modelled_diameter_ms: roundMs(diameterMs),
      p99_over_diameter: diameterMs === 0 || p99 === null ? null : p99 / roundMs(diameterMs),
      link_model: model.section
    }
  }
  const diameterMs = graphs.linkLatencyMs === null ? null : Math.max(loadStart.mesh.diameter_hops, loadEnd.mesh.diameter_hops) * graphs.linkLatencyMs
  return {
    link_latency_ms: graphs.linkLatencyMs,
    load_start: loadStart,
    load_end: loadEnd,
    modelled_diameter_ms: diameterMs,
    p99_over_diameter: diameterMs === null || diameterMs === 0 || p99 === null ? null : p99 / diameterMs
  }
}

const roundMs = (ms: number): number => Math.round(ms * 1000) / 1000

/** The per-link model's report section, and each mesh hop's modelled one-way time for a load envelope. */
function linkModelSection (record: RunRecord, spec: NonNullable<RunRecord['scenario']['links']>, links: NonNullable<NonNullable<RunRecord['graphs']>['links']>): { section: z.output<typeof linkModelSchema>, hopMs: (a: number, b: number) => number } {
  const drawn = new Map<string, LinkParams>()
  const params = (a: number, b: number): LinkParams => {
    const key = a < b ? `${a}|${b}` : `${b}|${a}`
    let link = drawn.get(key)
    if (link === undefined) {
      link = drawLink(spec, record.scenario.seed, a, b)
      drawn.set(key, link)
    }
    return link
  }
  const hopMs = (a: number, b: number): number => {
    const link = params(a, b)
    return link.latencyMs + (link.bandwidthKbps === null ? 0 : links.messageBytes * 8 / link.bandwidthKbps)
  }
  const connected = new Map<string, LinkParams>()
  for (const graph of [record.graphs!.loadStart, record.graphs!.loadEnd]) {
    graph.connections.forEach((list, a) => {
      for (const b of list) if (a !== b) connected.set(a < b ? `${a}|${b}` : `${b}|${a}`, params(a, b))
    })
  }
  const spread = (values: number[]): z.output<typeof spreadSchema> | null => {
    if (values.length === 0) return null
    const sorted = [...values].sort((x, y) => x - y)
    return { min: sorted[0], p50: sorted[Math.ceil(sorted.length / 2) - 1], max: sorted[sorted.length - 1] }
  }
  const all = [...connected.values()]
  return {
    hopMs,
    section: {
      latency_ms: spec.latency_ms,
      bandwidth_kbps: spec.bandwidth_kbps ?? null,
      loss: spec.loss,
      rto_min_ms: spec.rto_min_ms,
      retransmission: `each ${LINK_MSS_BYTES}-byte segment lost at the link's rate; a buffer with a lost segment arrives after max(rto_min_ms, 2 x RTT), RTT = 2 x latency, doubling while the retransmission is lost again (at most ${RETRANSMISSIONS_MAX}); later buffers wait behind it (in order, no byte lost)`,
      drawn: {
        links: all.length,
        latency_ms: spread(all.map((link) => link.latencyMs)),
        bandwidth_kbps: spec.bandwidth_kbps === undefined ? null : spread(all.map((link) => link.bandwidthKbps ?? 0)),
        loss: spread(all.map((link) => link.loss))
      },
      message_bytes: links.messageBytes,
      usage: links.usage
    }
  }
}

function attackSection (record: RunRecord, counts: PairCounts): Report['attack'] {
  const spec = record.scenario.attack
  const attack = record.attack
  if (spec === undefined || attack === undefined) return null
  const { stats, penalties } = attack
  return {
    kind: spec.kind,
    attackers: stats.attackers,
    start_s: (attack.startMs - record.loadStartMs) / 1000,
    victim: record.plan.victim,
    dials: stats.dials,
    gater_refusals: stats.gaterRefusals,
    honest_connections_to_attackers_max: stats.honestConnectionsToAttackersMax,
    attack_messages: stats.attackMessages,
    honest_delivery: { before: counts.beforeAttack, after: counts.afterAttack },
    from_attackers_after: counts.fromAttackersAfter,
    victim_delivery: record.plan.victim === null
      ? null
      : { ...counts.victim, attacker_connections_max: stats.victimAttackerConnectionsMax, honest_connections_min: stats.victimHonestConnectionsMin },
    penalties: { pairs_scored: penalties.pairsScored, pairs_negative: penalties.pairsNegative, pairs_graylisted: penalties.pairsGraylisted, graylist_threshold: penalties.graylistThreshold, min_score: penalties.minScore }
  }
}

const ratioOf = (a: number | null, b: number | null): number | null => a === null || b === null || b === 0 ? null : a / b

/** fedmesh's CPU per node from the run's CPU marks, and the baseline beside it when one was measured. */
function cpuSection (record: RunRecord, report: Report): Report['cpu'] {
  const cpu = record.cpu
  if (cpu === undefined) return null
  const nodes = report.join.nodes_started
  let deliveries = 0
  for (const byNode of record.deliveries.values()) for (const at of byNode.values()) if (at <= cpu.loadWindowEndMs) deliveries++
  const idleRate = cpu.idleWallMs > 0 ? cpu.idleMs / (cpu.idleWallMs / 1000) : 0
  const up = record.lastNodes.filter((n) => n.up)
  const fedmesh: CpuFigures = {
    nodes,
    nodes_joined: report.join.nodes_joined,
    connections_mean: up.length === 0 ? 0 : up.reduce((sum, n) => sum + n.connections, 0) / up.length,
    idle_ms_per_s: nodes === 0 ? 0 : idleRate / nodes,
    join_ms: nodes === 0 ? 0 : cpu.joinMs / nodes,
    per_delivery_ms: deliveries === 0 ? null : (cpu.loadMs - idleRate * cpu.loadWallMs / 1000) / deliveries,
    deliveries,
    expected_deliveries: report.messages.expected_deliveries,
    rss_bytes_per_node_net: report.per_node.rss_bytes_per_node_net
  }
  const baseline = record.cpuBaseline?.figures ?? null
  return {
    fedmesh,
    baseline,
    baseline_settings: record.cpuBaseline?.settings ?? null,
    ratio: baseline === null
      ? null
      : {
          connections: ratioOf(fedmesh.connections_mean, baseline.connections_mean),
          idle: ratioOf(fedmesh.idle_ms_per_s, baseline.idle_ms_per_s),
          join: ratioOf(fedmesh.join_ms, baseline.join_ms),
          per_delivery: ratioOf(fedmesh.per_delivery_ms, baseline.per_delivery_ms),
          rss: ratioOf(fedmesh.rss_bytes_per_node_net, baseline.rss_bytes_per_node_net)
        },
    baseline_noise: record.cpuBaseline?.noise ?? null
  }
}
