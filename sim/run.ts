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
import { simNow } from './load.ts'

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

/** Everything the coordinator observed. */
export interface RunRecord {
  scenario: Scenario
  plan: Plan
  workers: number
  transport: string
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
}

export interface Progress {
  phase: 'join' | 'settle' | 'load' | 'drain' | 'done'
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

const sleep = async (ms: number): Promise<void> => { if (ms > 0) await new Promise((resolve) => setTimeout(resolve, ms)) }

/** Runs `task` over `items` with at most `limit` in flight. */
async function eachLimited<T> (items: T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await task(items[next++])
  }))
}

/** Plays one scenario on a cluster; the cluster is closed at the end. */
export async function runScenario (scenario: Scenario, cluster: Cluster, mode: { workers: number, transport: string }, options: RunOptions = {}): Promise<RunRecord> {
  const plan = makePlan(scenario)
  const baseline = await cluster.sample()
  const record: RunRecord = {
    scenario, plan, workers: mode.workers, transport: mode.transport,
    startedAtMs: simNow(), rssBaselineBytes: baseline.rssBytes, loadStartMs: 0, loadEndMs: 0, finishedAtMs: 0,
    lives: new Map(), publishes: new Map(), publishFailures: [], deliveries: new Map(), duplicateDeliveries: 0,
    verdicts: {}, series: [], lastNodes: [], partitions: [], topologyDials: { attempted: 0, failed: 0 }
  }
  const joinSecondsPlanned = scenario.nodes / scenario.join.rate_per_second + scenario.join.settle_seconds + 2
  const totalSeconds = (): number => (record.loadStartMs === 0 ? joinSecondsPlanned : (record.loadStartMs - record.startedAtMs) / 1000) + scenario.duration_seconds + scenario.drain_seconds
  let phase: Progress['phase'] = 'join'
  const report = (): void => {
    const last = record.lastNodes
    options.onProgress?.({
      phase,
      elapsedSeconds: (simNow() - record.startedAtMs) / 1000,
      totalSeconds: totalSeconds(),
      nodesUp: last.filter((n) => n.up).length,
      nodesJoined: last.filter((n) => n.up && n.joinedAtMs !== undefined).length,
      published: record.publishes.size,
      delivered: [...record.deliveries.values()].reduce((sum, byNode) => sum + byNode.size, 0)
    })
  }
  const absorb = (sample: ClusterSample): void => {
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
    report()
  }
  let sampling: Promise<void> | undefined
  const takeSample = async (): Promise<void> => {
    if (sampling !== undefined) return await sampling
    sampling = cluster.sample().then(absorb).finally(() => { sampling = undefined })
    await sampling
  }
  const sampler = setInterval(() => { void takeSample() }, scenario.sample_interval_seconds * 1000)
  try {
    const addrs = new Map<number, string[]>()
    const bootstrapAddrs: string[] = []
    const bootstrapAddrOf = new Map<number, string>()
    const startNode = async (index: number): Promise<void> => {
      const lives = record.lives.get(index) ?? []
      const life: NodeLife = { startedAtMs: simNow() }
      lives.push(life)
      record.lives.set(index, lives)
      const spec = plan.nodes[index]
      const known = spec.bootstrap ? [...bootstrapAddrs] : spec.knows.map((i) => bootstrapAddrOf.get(i)!).filter((a) => a !== undefined)
      addrs.set(index, await cluster.start(index, known))
    }
    // join: bootstrap nodes one by one (each knows the earlier ones), then the rest at the join rate
    const joinStart = simNow()
    const bootstrapCount = plan.nodes.filter((n) => n.bootstrap).length
    for (const index of plan.startOrder.slice(0, bootstrapCount)) {
      await startNode(index)
      bootstrapAddrs.push(addrs.get(index)![0])
      bootstrapAddrOf.set(index, addrs.get(index)![0])
    }
    const rest = plan.startOrder.slice(bootstrapCount)
    let launched = 0
    await eachLimited(rest, STARTS_CONCURRENT_MAX, async (index) => {
      const slot = launched++
      await sleep(joinStart + (bootstrapCount + slot) * 1000 / scenario.join.rate_per_second - simNow())
      await startNode(index)
    })
    record.topologyDials.attempted = plan.dials.length
    await eachLimited(plan.dials, DIALS_CONCURRENT_MAX, async ([from, to]) => {
      const ok = await cluster.dial(from, addrs.get(to)![0])
      if (!ok) record.topologyDials.failed++
    })
    const joinDeadline = simNow() + scenario.join.timeout_seconds * 1000
    while (simNow() < joinDeadline) {
      await takeSample()
      if (record.lastNodes.every((n) => !n.up || n.joinedAtMs !== undefined)) break
      await sleep(200)
    }
    phase = 'settle'
    await sleep(scenario.join.settle_seconds * 1000)
    // load: the timeline
    phase = 'load'
    record.loadStartMs = simNow()
    const inFlight = new Set<Promise<void>>()
    const track = (promise: Promise<void>): void => {
      inFlight.add(promise)
      void promise.finally(() => inFlight.delete(promise))
    }
    let activePartition: { index: number, groupOf: number[] } | undefined
    const play = async (event: PlannedEvent): Promise<void> => {
      switch (event.kind) {
        case 'publish': {
          const published = cluster.publish(event)
            .then((result) => {
              record.publishes.set(event.message, {
                ...result,
                dataClass: event.dataClass,
                ...(activePartition === undefined ? {} : { partition: activePartition.index, groupOf: activePartition.groupOf })
              })
            })
            .catch((err: Error) => { record.publishFailures.push({ message: event.message, node: event.node, error: err.message }) })
          track(published)
          return
        }
        case 'leave': {
          const life = record.lives.get(event.node)?.at(-1)
          if (life !== undefined) life.stoppedAtMs = simNow()
          track(cluster.stop(event.node))
          return
        }
        case 'join':
          track(startNode(event.node).catch(() => {}))
          return
        case 'partition': {
          activePartition = { index: event.partition, groupOf: event.groupOf }
          const groupSizes = event.groupOf.reduce<number[]>((sizes, g) => { sizes[g] = (sizes[g] ?? 0) + 1; return sizes }, [])
          record.partitions.push({ partition: event.partition, startMs: simNow(), groupSizes })
          await cluster.partition(event.groupOf)
          return
        }
        case 'heal': {
          activePartition = undefined
          const partition = record.partitions.find((p) => p.partition === event.partition)
          if (partition !== undefined) partition.healMs = simNow()
          await cluster.partition(null)
        }
      }
    }
    for (const event of plan.events) {
      await sleep(record.loadStartMs + event.atMs - simNow())
      await play(event)
    }
    await sleep(record.loadStartMs + scenario.duration_seconds * 1000 - simNow())
    record.loadEndMs = simNow()
    phase = 'drain'
    await Promise.all(inFlight)
    await sleep(scenario.drain_seconds * 1000)
    await takeSample()
  } finally {
    clearInterval(sampler)
    await sampling
    phase = 'done'
    await cluster.close()
    record.finishedAtMs = simNow()
  }
  return record
}
