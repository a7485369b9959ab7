/**
 * Sim scenario files (`sim/scenarios/*.yaml`): zod-validated in strict mode,
 * so a misspelt key is an error, and checked across keys (bootstrap set not
 * larger than the network, partition groups naming real nodes, …) before any
 * node starts. Every problem names its dotted key.
 */
import { readFile } from 'node:fs/promises'
import { parse } from 'yaml'
import { z } from 'zod'
import { InputError } from '../src/core/errors.ts'
import { DATA_CLASSES } from '../src/wire/envelope.ts'
import { CONNECTIONS_MAX } from '../src/net/host.ts'
import { BOOTSTRAP_PEERS_MAX } from '../src/config/schema.ts'
import { keyProblems, yamlProblem, type KeyProblem } from '../src/config/problems.ts'
import { BYZANTINE_BEHAVIOURS } from './consensus.ts'

/** Nodes in one scenario; beyond this one machine runs out of file descriptors and memory. */
export const SCENARIO_NODES_MAX = 5000
export const SCENARIO_DURATION_SECONDS_MAX = 3600
/** Messages per second the coordinator schedules; each one is verified by every node. */
export const LOAD_RATE_PER_SECOND_MAX = 1000
export const PAYLOAD_BYTES_MAX = 64 * 1024
export const PARTITIONS_MAX = 16
export const WORKERS_MAX = 64
/** Consensus slots one run plays; each waits for every honest node to decide. */
export const CONSENSUS_SLOTS_MAX = 1000

/** Data classes the sim may load: all wire classes except the one every node already publishes itself. */
/** Classes the node itself runs (metrics, consensus votes, summaries); a sim load may use only the others. */
const NODE_OWN_CLASSES = ['aggregated_metrics', 'vote', 'summary'] as const
export const SIM_DATA_CLASSES = DATA_CLASSES.filter((name) => !(NODE_OWN_CLASSES as readonly string[]).includes(name)) as Array<Exclude<typeof DATA_CLASSES[number], typeof NODE_OWN_CLASSES[number]>>

/** One problem in a scenario file: the dotted key and what is wrong with it. */
export type ScenarioProblem = KeyProblem

/** The scenario file is invalid; raised before any node starts. */
export class ScenarioError extends InputError {
  static override readonly code = 'ScenarioError'
  override readonly name = 'ScenarioError'
  readonly problems: ScenarioProblem[]

  constructor (problems: ScenarioProblem[], file?: string) {
    super(`invalid scenario ${file ?? ''}:\n${problems.map((p) => `  ${p.key}: ${p.message}`).join('\n')}`)
    this.problems = problems
  }
}

const count = z.number({ error: 'must be a number' }).int('must be an integer')
const seconds = z.number({ error: 'must be a number' }).min(0, 'must not be negative')
/** A node index (`7`) or an inclusive index range (`"0-49"`). */
const nodeRange = z.union([count.min(0, 'must not be negative'), z.string().regex(/^\d+-\d+$/, 'must be an index or a range "from-to"')])

const topologySchema = z.discriminatedUnion('kind', [
  /** nodes know only the bootstrap set and find the rest through the DHT */
  z.strictObject({ kind: z.literal('dht') }),
  /** each node also dials `degree` peers drawn at random */
  z.strictObject({ kind: z.literal('random'), degree: count.min(1, 'must be at least 1') }),
  /** each node also dials its next `neighbours` nodes by index */
  z.strictObject({ kind: z.literal('ring'), neighbours: count.min(1, 'must be at least 1').default(1) }),
  /** contiguous index blocks; each node also dials `degree` random peers of its own cluster */
  z.strictObject({ kind: z.literal('clusters'), count: count.min(1, 'must be at least 1'), degree: count.min(1, 'must be at least 1') })
], { error: 'must have kind dht, random, ring or clusters' })

const partitionSchema = z.strictObject({
  /** every node in exactly one group; connections across groups are cut and refused */
  groups: z.array(z.array(nodeRange).min(1, 'a group needs at least one node')).min(2, 'a partition needs at least two groups'),
  start_seconds: seconds,
  /** absent: the split lasts to the end */
  heal_seconds: seconds.optional()
})

/** Attacks after the gossipsub v1.1 evaluation (Vyzovitis et al. 2020); sim/attacks.ts. */
export const ATTACK_KINDS = ['sybil', 'eclipse', 'covert_flash'] as const
export const ATTACKERS_MAX = 5000

const attackSchema = z.strictObject({
  /** sybil: non-members dial honest nodes and publish junk; eclipse: extra members dial one victim and forward nothing; covert_flash: the byzantine members behave, then flood invalid messages and stop forwarding */
  kind: z.enum(ATTACK_KINDS, { error: `must be one of ${ATTACK_KINDS.join(', ')}` }),
  /** attacker peers (sybil, eclipse); covert_flash uses the byzantine members (byzantine.count) */
  count: count.min(0, 'must not be negative').max(ATTACKERS_MAX, `must be at most ${ATTACKERS_MAX}`).default(0),
  /** seconds into the load phase when the attack starts (covert_flash: the flash) */
  start_seconds: seconds.default(0),
  /** per attacker per second: dials (sybil, eclipse re-dials) and junk messages */
  rate_per_second: z.number().min(0.1, 'must be at least 0.1').max(100, 'must be at most 100').default(1)
})

/** Bounds of the virtual-time link model (`links`, sim/memory-links.ts). */
export const LINK_LATENCY_MS_MAX = 10_000
/** 100 Gbit/s */
export const LINK_BANDWIDTH_KBPS_MAX = 100_000_000
/** a packet loss rate; at 1 every retransmission would be lost again */
export const LINK_LOSS_MAX = 0.5
export const LINK_RTO_MIN_MS_MAX = 60_000
export const LINK_DISTRIBUTIONS = ['uniform', 'log_uniform'] as const
/** A per-link parameter's range, normalised (a fixed value has min = max). */
export interface LinkRange { min: number, max: number, distribution: typeof LINK_DISTRIBUTIONS[number] }

/**
 * One per-link parameter: a number (every link the same) or `{ min, max, distribution }` (each link draws its own
 * from the seed: uniform, or uniform in the logarithm, as WAN latencies and bandwidths spread). Normalised to the
 * range form; a number n is `{ min: n, max: n }`.
 */
function linkValue (bound: z.ZodNumber): z.ZodType<LinkRange, unknown> {
  const range = z.strictObject({
    min: bound,
    max: bound,
    distribution: z.enum(LINK_DISTRIBUTIONS, { error: `must be ${LINK_DISTRIBUTIONS.join(' or ')}` }).default('uniform')
  })
  // not a z.union: its one error ("no branch matched") would hide which bound a value broke
  return z.unknown().transform((value, ctx): LinkRange => {
    if (typeof value !== 'number' && (value === null || typeof value !== 'object' || Array.isArray(value))) {
      ctx.addIssue({ code: 'custom', message: 'must be a number or { min, max, distribution? }' })
      return z.NEVER
    }
    const result = typeof value === 'number' ? bound.safeParse(value) : range.safeParse(value)
    if (!result.success) {
      for (const issue of result.error.issues) ctx.addIssue({ ...issue } as Parameters<typeof ctx.addIssue>[0])
      return z.NEVER
    }
    return typeof result.data === 'number' ? { min: result.data, max: result.data, distribution: 'uniform' } : result.data
  })
}

/**
 * The in-memory links' network model under `--clock virtual` (sim/memory-links.ts, docs/sim.md "Links: the
 * per-link model"). Absent: every link takes a fixed 10 ms, no bandwidth limit, no loss (the runs before it).
 */
const linksSchema = z.strictObject({
  /** one-way propagation latency, drawn per link (unordered node pair), rounded to whole ms */
  latency_ms: linkValue(z.number({ error: 'must be a number' }).min(0, 'must not be negative').max(LINK_LATENCY_MS_MAX, `must be at most ${LINK_LATENCY_MS_MAX}`)).default({ min: 10, max: 10, distribution: 'uniform' }),
  /** each direction's bandwidth in kbit/s (1 kbit = 1000 bits), drawn per link; absent: unlimited */
  bandwidth_kbps: linkValue(z.number({ error: 'must be a number' }).min(1, 'must be at least 1').max(LINK_BANDWIDTH_KBPS_MAX, `must be at most ${LINK_BANDWIDTH_KBPS_MAX}`)).optional(),
  /** packet loss rate per 1460-byte segment, drawn per link: a lost buffer is retransmitted (delayed), never dropped */
  loss: linkValue(z.number({ error: 'must be a number' }).min(0, 'must not be negative').max(LINK_LOSS_MAX, `must be at most ${LINK_LOSS_MAX}`)).default({ min: 0, max: 0, distribution: 'uniform' }),
  /** the retransmission timeout's floor (TCP's minimum RTO; Linux 200 ms): a loss costs max(rto_min_ms, 2 × RTT) */
  rto_min_ms: count.min(1, 'must be at least 1').max(LINK_RTO_MIN_MS_MAX, `must be at most ${LINK_RTO_MIN_MS_MAX}`).default(200)
})

export const scenarioSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, 'must be a lowercase name (letters, digits, "-", "_")'),
  seed: count.min(0, 'must not be negative').max(2 ** 31 - 1, 'must be below 2^31').default(1),
  nodes: count.min(1, 'must be at least 1').max(SCENARIO_NODES_MAX, `must be at most ${SCENARIO_NODES_MAX}`),
  /** size of the bootstrap set: the only addresses the other nodes are given */
  bootstrap: count.min(1, 'must be at least 1').max(BOOTSTRAP_PEERS_MAX, `must be at most ${BOOTSTRAP_PEERS_MAX} (a node config's bootstrap list)`).default(1),
  /**
   * how many of the bootstrap set each other node is told about (drawn at random); absent = all.
   * A node keeps a connection to every bootstrap peer it knows, so with all of them known the set
   * admits at most CONNECTIONS_MAX (300) nodes; telling each node a few spreads the load.
   */
  bootstrap_known: count.min(1, 'must be at least 1').optional(),
  topology: topologySchema.default({ kind: 'dht' }),
  federation: z.strictObject({
    /** the node's own aggregated_metrics gossip; long by default so it does not drown the measured load */
    metrics_interval_seconds: count.min(1).max(3600).default(3600),
    /** true: a genesis naming every sim node (bft threshold) is loaded into each node's store before it starts, so consensus runs */
    genesis: z.boolean().default(false)
  }).default({ metrics_interval_seconds: 3600, genesis: false }),
  /** consensus slots played after the load phase: an honest proposer proposes, every honest member votes (needs federation.genesis) */
  consensus: z.strictObject({
    slots: count.min(0, 'must not be negative').max(CONSENSUS_SLOTS_MAX, `must be at most ${CONSENSUS_SLOTS_MAX}`).default(0),
    /** how long the coordinator waits for every honest node to hold a slot's QC */
    decide_within_seconds: seconds.default(30)
  }).default({ slots: 0, decide_within_seconds: 30 }),
  /** members that misbehave in every consensus slot (never bootstrap nodes); f < n/3 keeps safety */
  byzantine: z.strictObject({
    count: count.min(0, 'must not be negative').default(0),
    behaviours: z.array(z.enum(BYZANTINE_BEHAVIOURS, { error: `must be one of ${BYZANTINE_BEHAVIOURS.join(', ')}` })).min(1, 'needs at least one behaviour').default([...BYZANTINE_BEHAVIOURS])
  }).default({ count: 0, behaviours: [...BYZANTINE_BEHAVIOURS] }),
  connections_target: count.min(1, 'must be at least 1').max(CONNECTIONS_MAX, `must be at most ${CONNECTIONS_MAX}`).default(12),
  /** connections a (non-bootstrap) node keeps before libp2p's connection manager prunes (DHT queries open many); bootstrap nodes keep the production limit */
  connections_max: count.min(1, 'must be at least 1').max(CONNECTIONS_MAX, `must be at most ${CONNECTIONS_MAX}`).default(24),
  /**
   * sim-only: how long a new connection is spared by the connection trimmer (production CONNECTION_GRACE_MS, 20 s,
   * sized for a joiner's DHT lookups on real links). A run of a few virtual seconds is otherwise over before any
   * connection comes of age, and every node keeps all it opened while joining. Absent: production's.
   */
  connection_grace_ms: count.min(0, 'must not be negative').max(600_000, 'must be at most 600000').optional(),
  /** sim-only: seconds between two of a node's audit checkpoints (production `audit.checkpoint_interval_seconds`, 60); absent: production's */
  audit_checkpoint_interval_seconds: count.min(1, 'must be at least 1').max(86_400, 'must be at most 86400').optional(),
  /** sim-only: production `audit.checkpoint_spacing_ms_per_member` (1000); absent: production's */
  audit_checkpoint_spacing_ms_per_member: count.min(0, 'must not be negative').max(60_000, 'must be at most 60000').optional(),
  /**
   * sim-only: checkpoints of each origin a node keeps in its `audit_checkpoint` log (production
   * `audit.checkpoints_retained`, 16, on disk). In the sim every store is in memory: 200 nodes × 200 origins × 16
   * checkpoints of ~7 KB grow the process by ~4.5 GB with no load. Absent: production's.
   */
  audit_checkpoints_retained: count.min(1, 'must be at least 1').max(10_000, 'must be at most 10000').optional(),
  gossip_heartbeat_ms: count.min(50, 'must be at least 50').max(10_000, 'must be at most 10000').default(700),
  /** period of a node's anti-entropy sync round with one member (production default 10 s; the sim's runs are short) */
  sync_interval_ms: count.min(100, 'must be at least 100').max(60_000, 'must be at most 60000').default(1000),
  join: z.strictObject({
    rate_per_second: z.number().positive('must be positive').default(100),
    timeout_seconds: seconds.default(120),
    /** extra time after every node joined, for DHT discovery to fill connections */
    settle_seconds: seconds.default(2)
  }).default({ rate_per_second: 100, timeout_seconds: 120, settle_seconds: 2 }),
  load: z.strictObject({
    data_classes: z.array(z.enum(SIM_DATA_CLASSES, { error: `must be one of ${SIM_DATA_CLASSES.join(', ')}` })).min(1, 'needs at least one data class').default(['incident_summary']),
    rate_per_second: z.number().min(0, 'must not be negative').max(LOAD_RATE_PER_SECOND_MAX, `must be at most ${LOAD_RATE_PER_SECOND_MAX}`).default(2),
    payload_bytes: count.min(0, 'must not be negative').max(PAYLOAD_BYTES_MAX, `must be at most ${PAYLOAD_BYTES_MAX}`).default(256),
    /** a delivery counts as expected when the receiver stays up at least this long after the publish */
    expect_within_seconds: seconds.default(2)
  }).default({ data_classes: ['incident_summary'], rate_per_second: 2, payload_bytes: 256, expect_within_seconds: 2 }),
  churn: z.strictObject({
    leave_per_minute: seconds.default(0),
    join_per_minute: seconds.default(0)
  }).default({ leave_per_minute: 0, join_per_minute: 0 }),
  partitions: z.array(partitionSchema).max(PARTITIONS_MAX).default([]),
  attack: attackSchema.optional(),
  /** production (default) or lean: lean adds a process-wide signature verification cache (sim/profile.ts) */
  profile: z.enum(['production', 'lean'], { error: 'must be production or lean' }).default('production'),
  /** lean profile only: its sim-only host settings and V8 heap flags (sim/profile.ts `leanSettings`; absent keys take the lean defaults) */
  lean: z.strictObject({
    /** plaintext: a "network-only" run without noise (the report names it; --baseline measures noise's cost beside it) */
    encryption: z.enum(['noise', 'plaintext'], { error: 'must be noise or plaintext' }).optional(),
    /** memory: libp2p's peer store in a MemoryDatastore of its own, not in the node's store */
    peer_store: z.enum(['store', 'memory'], { error: 'must be store or memory' }).optional(),
    /** false: gossipsub sends no IDONTWANT */
    idontwant: z.boolean().optional(),
    /** false: errors are built without stack frames during the run (libraries build errors as control flow) */
    stack_traces: z.boolean().optional(),
    /** V8 flags for the sim process (and its workers), from a short list of heap flags; the sim re-runs itself with them */
    v8_flags: z.array(z.string().regex(/^--(max-semi-space-size|min-semi-space-size|semi-space-growth-factor|max-old-space-size)=\d+$|^--(optimize-for-size|no-optimize-for-size)$/, 'must be --max-semi-space-size=N, --min-semi-space-size=N, --semi-space-growth-factor=N, --max-old-space-size=N or --optimize-for-size')).max(8).optional()
  }).optional(),
  /** virtual time only: per-link latency, bandwidth and loss drawn from the seed (absent: a fixed 10 ms, no limit, no loss) */
  links: linksSchema.optional(),
  duration_seconds: z.number({ error: 'must be a number' }).positive('must be positive').max(SCENARIO_DURATION_SECONDS_MAX, `must be at most ${SCENARIO_DURATION_SECONDS_MAX}`),
  /** time after the last publish for messages to arrive */
  drain_seconds: seconds.default(5),
  /** the drain goes on past drain_seconds, up to this many seconds in all, while an expected delivery is missing (default: no extension) */
  drain_max_seconds: seconds.optional(),
  sample_interval_seconds: z.number().min(0.1, 'must be at least 0.1').default(1)
})

export type Scenario = z.output<typeof scenarioSchema>
export type Topology = Scenario['topology']

/** Expands a group's indices and ranges. */
export function groupIndices (group: Array<number | string>): number[] {
  return group.flatMap((entry) => {
    if (typeof entry === 'number') return [entry]
    const [from, to] = entry.split('-').map(Number)
    return Array.from({ length: Math.max(0, to - from + 1) }, (_, offset) => from + offset)
  })
}

/** Checks that only make sense across keys. */
function crossChecks (scenario: Scenario): ScenarioProblem[] {
  const problems: ScenarioProblem[] = []
  if (scenario.bootstrap > scenario.nodes) problems.push({ key: 'bootstrap', message: `is ${scenario.bootstrap}, more than the ${scenario.nodes} nodes` })
  if (scenario.bootstrap_known !== undefined && scenario.bootstrap_known > scenario.bootstrap) problems.push({ key: 'bootstrap_known', message: `is ${scenario.bootstrap_known}, more than the bootstrap set (${scenario.bootstrap})` })
  const topology = scenario.topology
  if (topology.kind === 'random' && topology.degree >= scenario.nodes) problems.push({ key: 'topology.degree', message: `must be below the number of nodes (${scenario.nodes})` })
  if (topology.kind === 'ring' && topology.neighbours >= scenario.nodes) problems.push({ key: 'topology.neighbours', message: `must be below the number of nodes (${scenario.nodes})` })
  if (topology.kind === 'clusters' && topology.count > scenario.nodes) problems.push({ key: 'topology.count', message: `is more than the ${scenario.nodes} nodes` })
  if (topology.kind === 'clusters' && topology.degree >= Math.floor(scenario.nodes / topology.count)) problems.push({ key: 'topology.degree', message: 'must be below the cluster size' })
  if (scenario.lean !== undefined && scenario.profile !== 'lean') problems.push({ key: 'lean', message: 'needs profile: lean' })
  if (scenario.connections_max < scenario.connections_target) problems.push({ key: 'connections_max', message: `must be at least connections_target (${scenario.connections_target})` })
  if (scenario.consensus.slots > 0 && !scenario.federation.genesis) problems.push({ key: 'consensus.slots', message: 'needs federation.genesis: true (consensus runs only with a membership)' })
  const links = scenario.links
  if (links !== undefined) {
    for (const name of ['latency_ms', 'bandwidth_kbps', 'loss'] as const) {
      const value = links[name]
      if (value === undefined) continue
      if (value.min > value.max) problems.push({ key: `links.${name}.max`, message: `must be at least min (${value.min})` })
      if (value.distribution === 'log_uniform' && value.min <= 0) problems.push({ key: `links.${name}.min`, message: 'must be above 0 for distribution log_uniform' })
    }
  }
  const attack = scenario.attack
  if (attack !== undefined) {
    if (attack.start_seconds >= scenario.duration_seconds) problems.push({ key: 'attack.start_seconds', message: 'must be before duration_seconds' })
    if (attack.kind === 'covert_flash' && scenario.byzantine.count === 0) problems.push({ key: 'byzantine.count', message: 'covert_flash is played by the byzantine members: set byzantine.count' })
    if (attack.kind !== 'covert_flash' && attack.count === 0) problems.push({ key: 'attack.count', message: `${attack.kind} needs attackers (attack.count ≥ 1)` })
    if (attack.kind === 'eclipse' && scenario.nodes - scenario.bootstrap - scenario.byzantine.count < 1) problems.push({ key: 'attack.kind', message: 'eclipse needs a victim outside the bootstrap set and the byzantine members' })
  }
  if (scenario.byzantine.count > 0 && scenario.consensus.slots === 0 && attack?.kind !== 'covert_flash') problems.push({ key: 'byzantine.count', message: 'byzantine members act in consensus slots (or in a covert_flash attack): set consensus.slots' })
  if (3 * scenario.byzantine.count >= scenario.nodes) problems.push({ key: 'byzantine.count', message: `must be below a third of the nodes (${scenario.nodes}): f < n/3 is the safety bound` })
  if (scenario.byzantine.count > scenario.nodes - scenario.bootstrap) problems.push({ key: 'byzantine.count', message: 'byzantine members are drawn from the non-bootstrap nodes' })
  scenario.partitions.forEach((partition, p) => {
    const seen = new Map<number, number>()
    partition.groups.forEach((group, g) => {
      group.forEach((entry, e) => {
        if (typeof entry === 'string') {
          const [from, to] = entry.split('-').map(Number)
          if (from > to) problems.push({ key: `partitions.${p}.groups.${g}.${e}`, message: `range ${entry} is empty (from > to)` })
        }
      })
      for (const index of groupIndices(group)) {
        if (index >= scenario.nodes) {
          problems.push({ key: `partitions.${p}.groups.${g}`, message: `names node ${index}, but nodes are 0-${scenario.nodes - 1}` })
          break
        }
        if (seen.has(index)) {
          problems.push({ key: `partitions.${p}.groups.${g}`, message: `names node ${index}, already in group ${seen.get(index)}` })
          break
        }
        seen.set(index, g)
      }
    })
    const missing = scenario.nodes - seen.size
    if (missing > 0 && !problems.some((q) => q.key.startsWith(`partitions.${p}.`))) {
      problems.push({ key: `partitions.${p}.groups`, message: `leave ${missing} node(s) in no group; every node must be in exactly one group` })
    }
    if (partition.start_seconds >= scenario.duration_seconds) problems.push({ key: `partitions.${p}.start_seconds`, message: 'must be before duration_seconds' })
    if (partition.heal_seconds !== undefined && partition.heal_seconds <= partition.start_seconds) problems.push({ key: `partitions.${p}.heal_seconds`, message: 'must be after start_seconds' })
    const previous = scenario.partitions[p - 1]
    if (previous !== undefined && (previous.heal_seconds === undefined || previous.heal_seconds > partition.start_seconds)) {
      problems.push({ key: `partitions.${p}.start_seconds`, message: 'overlaps the previous partition (partitions run one after another, in order)' })
    }
  })
  return problems
}

/** Validates a parsed scenario; throws ScenarioError naming every bad key. */
export function parseScenario (input: unknown, file?: string): Scenario {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw new ScenarioError([{ key: '(root)', message: 'must be a mapping of keys to values' }], file)
  }
  const result = scenarioSchema.safeParse(input)
  if (!result.success) {
    throw new ScenarioError(keyProblems(result.error, input), file)
  }
  const problems = crossChecks(result.data)
  if (problems.length > 0) throw new ScenarioError(problems, file)
  return result.data
}

/** Parses YAML text into a validated scenario. */
export function parseScenarioText (text: string, file?: string): Scenario {
  let raw: unknown
  try {
    raw = parse(text)
  } catch (err) {
    throw new ScenarioError([yamlProblem(err)], file)
  }
  return parseScenario(raw, file)
}

/** Reads and validates a scenario file. */
export async function loadScenario (file: string): Promise<Scenario> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (err) {
    throw new ScenarioError([{ key: '(file)', message: `cannot be read: ${(err as Error).message}` }], file)
  }
  return parseScenarioText(text, file)
}
