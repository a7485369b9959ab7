/**
 * The coordinator: plays a scenario's plan against a cluster (in-process or
 * workers) and records what happened — node lives, publishes, deliveries,
 * samples over time. `analyse` (report.ts) turns that record into the report.
 *
 * Phases: join (bootstrap set first, then everyone else at the join rate,
 * each knowing only the bootstrap addresses; then the topology's extra dials)
 * → wait until every node has a gossipsub mesh peer → settle → load (the
 * timeline: publishes, churn, partitions) → drain.
 */
import type { Scenario } from './scenario.ts'
import { makePlan, type Plan, type PlannedEvent } from './plan.ts'
import type { Cluster, ClusterSample, NodeSample, PublishResult } from './cluster.ts'
import type { NodeConsensusView } from './consensus.ts'
import { simNow } from './load.ts'
import { startIdleProfile } from './idle-profile.ts'
import { missingDeliveries } from './report.ts'
import type { CpuFigures } from './bench/raw-libp2p.ts'
import type { AttackStats, PenaltyStats } from './attacks.ts'
import type { SimGraph } from './graph.ts'
import type { LinkUsage } from './memory-links.ts'

/** Node starts in flight at once during the join phase. */
const STARTS_CONCURRENT_MAX = 16
const DIALS_CONCURRENT_MAX = 32

/** One run of a node, in simNow ms. */
export interface NodeLife {
  startedAtMs: number
  joinedAtMs?: number
  stoppedAtMs?: number
}

export interface PublishRecord extends PublishResult {
  dataClass: string
  /** the partition in force when it was published, if any */
  partition?: number
  groupOf?: number[]
}

export interface SeriesPoint {
  atMs: number
  nodesUp: number
  connectionsMean: number
  rssBytes: number
  bytesSent: number
  bytesReceived: number
}

export interface PartitionRecord {
  partition: number
  startMs: number
  healMs?: number
  groupSizes: number[]
}

/** The consensus phase as observed from outside the nodes. */
export interface ConsensusRunRecord {
  /** slot → the honest proposal's hash */
  honestHashes: Map<string, string>
  /** node index → peer id (evidence names offenders by id) */
  nodeIds: string[]
  /** ms from a slot's proposal until each honest node was seen holding its QC */
  decisionMs: number[]
  attackMessages: number
  /** every up node's QCs and evidence at the end */
  views: NodeConsensusView[]
  verdicts: Record<string, number>
}

/**
 * CPU marks of an in-process or thread-mode real-time run (`process.cpuUsage()`, ms of user + system over
 * every node and thread of this process): absent under virtual time (a host figure would break identical
 * reports) and with worker processes (the nodes' CPU is spent in the child processes).
 */
export interface CpuRecord {
  /** CPU from the first node's start until every node had a mesh peer (or the join timeout) */
  joinMs: number
  /** the second half of the settle window: nothing is published */
  idleMs: number
  idleWallMs: number
  /** the load phase, and the drain after it when no consensus slot runs in between */
  loadMs: number
  loadWallMs: number
  /** deliveries up to this time belong to the load window */
  loadWindowEndMs: number
}

/** Everything the coordinator observed. */
export interface RunRecord {
  scenario: Scenario
  plan: Plan
  workers: number
  transport: string
  clock: 'real' | 'virtual'
  startedAtMs: number
  /** RSS of the cluster's process(es) before any node started */
  rssBaselineBytes: number
  loadStartMs: number
  loadEndMs: number
  finishedAtMs: number
  lives: Map<number, NodeLife[]>
  publishes: Map<number, PublishRecord>
  publishFailures: Array<{ message: number, node: number, error: string }>
  /** message → node → first delivery time */
  deliveries: Map<number, Map<number, number>>
  /** the same message delivered to the same node's application again */
  duplicateDeliveries: number
  verdicts: Record<string, number>
  series: SeriesPoint[]
  lastNodes: NodeSample[]
  partitions: PartitionRecord[]
  topologyDials: { attempted: number, failed: number }
  consensus?: ConsensusRunRecord
  cpu?: CpuRecord
  /** the scenario's attack: when it started (simNow ms), what it did, the scores at the end of the load */
  attack?: { startMs: number, stats: AttackStats, penalties: PenaltyStats }
  /** the load topic's mesh and the connections when the load started and when it ended (in-process clusters) */
  graphs?: { loadStart: SimGraph, loadEnd: SimGraph, linkLatencyMs: number | null, /** the scenario's per-link model (virtual time with `links`): what the links carried, the largest load envelope */ links?: { usage: LinkUsage, messageBytes: number } }
  /** the lean profile's verification cache, read when the cluster closes */
  verificationCache?: { hits: number, misses: number }
  /** the raw libp2p baseline measured after the run, in the same process (simulate's `baseline` option) */
  cpuBaseline?: { figures: CpuFigures, settings: string, /** the baseline again with noise, when the run was plaintext */ noise?: CpuFigures }
}

export interface Progress {
  phase: 'join' | 'settle' | 'load' | 'consensus' | 'drain' | 'done'
  /** seconds into the run / expected total */
  elapsedSeconds: number
  totalSeconds: number
  nodesUp: number
  nodesJoined: number
  published: number
  delivered: number
}

export interface RunOptions {
  onProgress?: (progress: Progress) => void
}

/** CPU time of this process so far, ms (user + system). */
function cpuMs (): number {
  const usage = process.cpuUsage()
  return (usage.user + usage.system) / 1000
}

/** How often the drain looks whether every expected delivery has happened. */
const DRAIN_POLL_MS = 100

const sleep = async (ms: number): Promise<void> => { if (ms > 0) await new Promise((resolve) => setTimeout(resolve, ms)) }

/** Runs `task` over `items` with at most `limit` in flight. */
async function eachLimited<T> (items: T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await task(items[next++])
  }))
}

/** Plays one scenario on a cluster; the cluster is closed at the end. */
export async function runScenario (scenario: Scenario, cluster: Cluster, mode: { workers: number, transport: string, clock?: 'real' | 'virtual' }, options: RunOptions = {}): Promise<RunRecord> {
  const baseline = await cluster.sample()
  const coordinator = new Coordinator(scenario, cluster, mode, baseline.rssBytes, options)
  return await coordinator.run()
}

/** The state of one run and its phases. */
class Coordinator {
  private readonly scenario: Scenario
  private readonly plan: Plan
  private readonly cluster: Cluster
  private readonly options: RunOptions
  private readonly record: RunRecord
  private phase: Progress['phase'] = 'join'
  private sampling: Promise<void> | undefined
  private readonly addrs = new Map<number, string[]>()
  private readonly bootstrapAddrs: string[] = []
  private readonly bootstrapAddrOf = new Map<number, string>()
  private readonly inFlight = new Set<Promise<void>>()
  private activePartition: { index: number, groupOf: number[] } | undefined

  constructor (scenario: Scenario, cluster: Cluster, mode: { workers: number, transport: string, clock?: 'real' | 'virtual' }, rssBaselineBytes: number, options: RunOptions) {
    this.scenario = scenario
    this.plan = makePlan(scenario)
    this.cluster = cluster
    this.options = options
    this.record = {
      scenario, plan: this.plan, workers: mode.workers, transport: mode.transport, clock: mode.clock ?? 'real',
      startedAtMs: simNow(), rssBaselineBytes, loadStartMs: 0, loadEndMs: 0, finishedAtMs: 0,
      lives: new Map(), publishes: new Map(), publishFailures: [], deliveries: new Map(), duplicateDeliveries: 0,
      verdicts: {}, series: [], lastNodes: [], partitions: [], topologyDials: { attempted: 0, failed: 0 }
    }
  }

  async run (): Promise<RunRecord> {
    const sampler = setInterval(() => { void this.takeSample() }, this.scenario.sample_interval_seconds * 1000)
    // process.cpuUsage() covers every thread of this process: worker threads' nodes are measured, child processes' are not
    const measureCpu = this.record.clock === 'real' && (this.record.workers === 0 || this.record.transport === 'thread')
    try {
      const joinCpu = cpuMs()
      await this.join()
      const joinEndCpu = cpuMs()
      this.phase = 'settle'
      // the first half of the settle window lets the join's after-effects (DHT walks, discovery dials) pass; the second half is the idle measurement
      await sleep(this.scenario.join.settle_seconds * 500)
      // the idle profiler sees this thread only: in-process runs
      const profiler = measureCpu && this.record.workers === 0 ? await startIdleProfile() : undefined
      const idleCpu = cpuMs()
      const idleWall = simNow()
      await sleep(this.scenario.join.settle_seconds * 500)
      const loadCpu = cpuMs()
      await profiler?.stop()
      const loadWall = simNow()
      this.phase = 'load'
      await this.load()
      const cpu: CpuRecord = { joinMs: joinEndCpu - joinCpu, idleMs: loadCpu - idleCpu, idleWallMs: loadWall - idleWall, loadMs: cpuMs() - loadCpu, loadWallMs: simNow() - loadWall, loadWindowEndMs: simNow() }
      this.phase = 'consensus'
      await this.consensus()
      this.phase = 'drain'
      await Promise.all(this.inFlight)
      await sleep(this.scenario.drain_seconds * 1000)
      // then, up to drain_max_seconds in all, until nothing expected is missing: on a loaded host the
      // deliveries come late, not never, and the report says how late (latency), not a smaller count
      const drainEnd = simNow() + Math.max(0, (this.scenario.drain_max_seconds ?? this.scenario.drain_seconds) - this.scenario.drain_seconds) * 1000
      while (simNow() < drainEnd && missingDeliveries(this.record) > 0) await sleep(DRAIN_POLL_MS)
      if (this.plan.slots.length === 0) Object.assign(cpu, { loadMs: cpuMs() - loadCpu, loadWallMs: simNow() - loadWall, loadWindowEndMs: simNow() })
      if (measureCpu) this.record.cpu = cpu
      await this.takeSample()
      // what the modelled links carried, join to drain
      const links = this.cluster.linkModel?.()
      if (this.record.graphs !== undefined && links !== undefined) this.record.graphs.links = links
    } finally {
      clearInterval(sampler)
      await this.sampling
      const cache = this.cluster.verificationCache?.()
      if (cache !== undefined) this.record.verificationCache = cache
      this.phase = 'done'
      await this.cluster.close()
      this.record.finishedAtMs = simNow()
    }
    return this.record
  }

  /** Bootstrap nodes one by one (each knows the earlier ones), the rest at the join rate, topology dials, then the wait for every node's first mesh peer. */
  private async join (): Promise<void> {
    const { plan, scenario, record } = this
    const joinStart = simNow()
    const bootstrapCount = plan.nodes.filter((n) => n.bootstrap).length
    for (const index of plan.startOrder.slice(0, bootstrapCount)) {
      await this.startNode(index)
      const address = this.addrs.get(index)![0]
      this.bootstrapAddrs.push(address)
      this.bootstrapAddrOf.set(index, address)
    }
    let launched = 0
    await eachLimited(plan.startOrder.slice(bootstrapCount), STARTS_CONCURRENT_MAX, async (index) => {
      const slot = launched++
      await sleep(joinStart + (bootstrapCount + slot) * 1000 / scenario.join.rate_per_second - simNow())
      await this.startNode(index)
    })
    record.topologyDials.attempted = plan.dials.length
    await eachLimited(plan.dials, DIALS_CONCURRENT_MAX, async ([from, to]) => {
      const ok = await this.cluster.dial(from, this.addrs.get(to)![0])
      if (!ok) record.topologyDials.failed++
    })
    const joinDeadline = simNow() + scenario.join.timeout_seconds * 1000
    while (simNow() < joinDeadline) {
      await this.takeSample()
      if (record.lastNodes.every((n) => !n.up || n.joinedAtMs !== undefined)) break
      await sleep(200)
    }
  }

  /** Plays the timeline; publishes, stops and starts run in the background (tracked), partitions in order; the attack beside it. */
  private async load (): Promise<void> {
    const { record, scenario } = this
    record.loadStartMs = simNow()
    const loadStartGraph = this.cluster.graph?.()
    const attack = this.attackLoop()
    for (const event of this.plan.events) {
      await sleep(record.loadStartMs + event.atMs - simNow())
      await this.play(event)
    }
    await sleep(record.loadStartMs + scenario.duration_seconds * 1000 - simNow())
    record.loadEndMs = simNow()
    const loadEndGraph = this.cluster.graph?.()
    if (loadStartGraph !== undefined && loadEndGraph !== undefined) record.graphs = { loadStart: loadStartGraph, loadEnd: loadEndGraph, linkLatencyMs: this.cluster.linkLatencyMs ?? null }
    await attack
  }

  /** The scenario's attack: starts at attack.start_seconds, a round every 1/rate s until the load ends, then the scores are read. */
  private async attackLoop (): Promise<void> {
    const { record, scenario } = this
    const spec = scenario.attack
    if (spec === undefined) return
    const control = this.cluster.attack
    if (control === undefined) throw new Error('this cluster cannot play attacks (in-process runs only)')
    const endMs = record.loadStartMs + scenario.duration_seconds * 1000
    const startMs = record.loadStartMs + spec.start_seconds * 1000
    await sleep(startMs - simNow())
    await control.start()
    const intervalMs = 1000 / spec.rate_per_second
    for (let round = 1; startMs + round * intervalMs < endMs; round++) {
      await sleep(startMs + round * intervalMs - simNow())
      await control.tick()
    }
    await sleep(endMs - simNow())
    record.attack = { startMs, ...control.observe() }
  }

  /** Each planned slot: the honest proposal, every byzantine member's attack, every honest vote, then a bounded wait for every honest node's QC. */
  private async consensus (): Promise<void> {
    const { plan, scenario } = this
    if (plan.slots.length === 0) return
    const cluster = this.cluster.consensus
    if (cluster === undefined) throw new Error('this cluster cannot play consensus slots (in-process runs only)')
    const byzantine = new Set(plan.byzantine)
    const honest = plan.nodes.map((n) => n.index).filter((i) => !byzantine.has(i))
    const record: ConsensusRunRecord = { honestHashes: new Map(), nodeIds: await cluster.nodeIds(), decisionMs: [], attackMessages: 0, views: [], verdicts: {} }
    this.record.consensus = record
    const POLL_MS = 50
    for (const { slot, proposer } of plan.slots) {
      const proposedAt = simNow()
      const hash = await cluster.propose(proposer, slot)
      record.honestHashes.set(slot, hash)
      for (const index of plan.byzantine) record.attackMessages += await cluster.attack(index, slot, hash, proposer)
      await Promise.all(honest.filter((i) => i !== proposer).map(async (i) => { await cluster.vote(i, slot, hash) }))
      const waiting = new Set(honest)
      const deadline = proposedAt + scenario.consensus.decide_within_seconds * 1000
      while (waiting.size > 0 && simNow() < deadline) {
        for (const view of await cluster.views([slot])) {
          if (waiting.has(view.index) && view.slots[slot].qcHash !== null) {
            waiting.delete(view.index)
            record.decisionMs.push(simNow() - proposedAt)
          }
        }
        if (waiting.size > 0) await sleep(POLL_MS)
      }
    }
    record.views = await cluster.views(plan.slots.map((s) => s.slot))
    record.verdicts = cluster.verdicts()
  }

  private track (promise: Promise<void>): void {
    this.inFlight.add(promise)
    void promise.finally(() => this.inFlight.delete(promise))
  }

  private async play (event: PlannedEvent): Promise<void> {
    const record = this.record
    switch (event.kind) {
      case 'publish': {
        const partition = this.activePartition
        this.track(this.cluster.publish(event)
          .then((result) => {
            record.publishes.set(event.message, { ...result, dataClass: event.dataClass, ...(partition === undefined ? {} : { partition: partition.index, groupOf: partition.groupOf }) })
          })
          .catch((err: Error) => { record.publishFailures.push({ message: event.message, node: event.node, error: err.message }) }))
        return
      }
      case 'leave': {
        const life = record.lives.get(event.node)?.at(-1)
        if (life !== undefined) life.stoppedAtMs = simNow()
        this.track(this.cluster.stop(event.node))
        return
      }
      case 'join':
        this.track(this.startNode(event.node).catch(() => {}))
        return
      case 'partition': {
        this.activePartition = { index: event.partition, groupOf: event.groupOf }
        const groupSizes = event.groupOf.reduce<number[]>((sizes, g) => { sizes[g] = (sizes[g] ?? 0) + 1; return sizes }, [])
        record.partitions.push({ partition: event.partition, startMs: simNow(), groupSizes })
        await this.cluster.partition(event.groupOf)
        return
      }
      case 'heal': {
        this.activePartition = undefined
        const partition = record.partitions.find((p) => p.partition === event.partition)
        if (partition !== undefined) partition.healMs = simNow()
        await this.cluster.partition(null)
      }
    }
  }

  /** Starts a node with the bootstrap addresses it is told about. */
  private async startNode (index: number): Promise<void> {
    const lives = this.record.lives.get(index) ?? []
    lives.push({ startedAtMs: simNow() })
    this.record.lives.set(index, lives)
    const spec = this.plan.nodes[index]
    const known = spec.bootstrap ? [...this.bootstrapAddrs] : spec.knows.map((i) => this.bootstrapAddrOf.get(i)).filter((a): a is string => a !== undefined)
    this.addrs.set(index, await this.cluster.start(index, known))
  }

  private async takeSample (): Promise<void> {
    if (this.sampling !== undefined) return await this.sampling
    this.sampling = this.cluster.sample().then((sample) => { this.absorb(sample) }).finally(() => { this.sampling = undefined })
    await this.sampling
  }

  /** Folds a sample into the record: deliveries (first per node; repeats counted), verdicts, join times, a series point. */
  private absorb (sample: ClusterSample): void {
    const record = this.record
    for (const delivery of sample.deliveries) {
      const byNode = record.deliveries.get(delivery.message) ?? new Map<number, number>()
      if (byNode.has(delivery.node)) record.duplicateDeliveries++
      else byNode.set(delivery.node, delivery.atMs)
      record.deliveries.set(delivery.message, byNode)
    }
    for (const [key, count] of Object.entries(sample.verdicts)) record.verdicts[key] = (record.verdicts[key] ?? 0) + count
    for (const node of sample.nodes) {
      const life = record.lives.get(node.index)?.at(-1)
      if (life !== undefined && node.up && node.joinedAtMs !== undefined && life.startedAtMs <= node.joinedAtMs && life.joinedAtMs === undefined && life.stoppedAtMs === undefined) life.joinedAtMs = node.joinedAtMs
    }
    const up = sample.nodes.filter((n) => n.up)
    record.series.push({
      atMs: simNow(),
      nodesUp: up.length,
      connectionsMean: up.length === 0 ? 0 : up.reduce((sum, n) => sum + n.connections, 0) / up.length,
      rssBytes: sample.rssBytes,
      bytesSent: sample.nodes.reduce((sum, n) => sum + n.bytesSent, 0),
      bytesReceived: sample.nodes.reduce((sum, n) => sum + n.bytesReceived, 0)
    })
    record.lastNodes = sample.nodes
    this.reportProgress()
  }

  private reportProgress (): void {
    const { record, scenario } = this
    const joinSeconds = record.loadStartMs === 0
      ? scenario.nodes / scenario.join.rate_per_second + scenario.join.settle_seconds + 2
      : (record.loadStartMs - record.startedAtMs) / 1000
    const last = record.lastNodes
    this.options.onProgress?.({
      phase: this.phase,
      elapsedSeconds: (simNow() - record.startedAtMs) / 1000,
      totalSeconds: joinSeconds + scenario.duration_seconds + scenario.drain_seconds,
      nodesUp: last.filter((n) => n.up).length,
      nodesJoined: last.filter((n) => n.up && n.joinedAtMs !== undefined).length,
      published: record.publishes.size,
      delivered: [...record.deliveries.values()].reduce((sum, byNode) => sum + byNode.size, 0)
    })
  }
}
