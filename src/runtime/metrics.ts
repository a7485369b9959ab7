/**
 * The node's Prometheus registry (prom-client: the standard Node.js client,
 * also what @libp2p/prometheus-metrics writes libp2p's own metrics into) and
 * fedmesh's metrics. Names follow Prometheus conventions (`_total` counters,
 * `_seconds`, `_bytes`). Labels come from small fixed sets only (data class,
 * direction, result, reason code, state) or from the membership (member), so
 * cardinality stays bounded.
 *
 * Counters and histograms are fed where things happen (the gossip registry
 * calls the `GossipCounters` methods); gauges about state are read at scrape
 * time from `MetricSources` the composition root hands over (`observe`).
 */
import { readdir, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { Registry, Counter, Gauge, Histogram } from 'prom-client'
import type { GossipCounters } from '../net/gossip.ts'

/** Validation latency buckets: from a duplicate refused in microseconds to a slow commit. */
const VALIDATION_BUCKETS_SECONDS = [0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5]
/** Consensus decision latency buckets (slots decide in seconds, time out in minutes). */
const DECISION_BUCKETS_SECONDS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600]
/** Completed slots remembered as already observed (the slot table in memory is bounded too). */
const OBSERVED_SLOTS_MAX = 10_000

/** One slot as consensus holds it in memory. */
export interface SlotView {
  slot: string
  status: 'pending' | 'decided' | 'failed'
  opened_at: number
  completed_at: number | null
}

/** What the node's state looks like, read at scrape time; each is optional (a missing source leaves its metric empty). */
export interface MetricSources {
  /** the clock (ms), for ages */
  now: () => number
  /** peers by state: connected members, other connected peers (bootstrap before a genesis), members not connected, gossip mesh peers */
  peers?: () => Record<'member_connected' | 'other_connected' | 'member_disconnected' | 'gossip_mesh', number>
  /** the membership in force, undefined before a genesis */
  membership?: () => { members: number, epoch: number } | undefined
  /** the consensus slots held in memory */
  consensusSlots?: () => Iterable<SlotView>
  /** when the latest envelope of each (data class, member) was accepted, ms */
  lastAccepted?: () => Iterable<{ dataClass: string, source: string, atMs: number }>
  /** the store's directory on disk (undefined for an in-memory store) */
  storeDirectory?: string
}

/** Bytes of every file under `directory` (LevelDB keeps one flat directory). */
async function directoryBytes (directory: string): Promise<number> {
  let total = 0
  for (const entry of await readdir(directory, { withFileTypes: true })) {
    const path = join(directory, entry.name)
    try {
      total += entry.isDirectory() ? await directoryBytes(path) : (await stat(path)).size
    } catch { /* a file compacted away between readdir and stat */ }
  }
  return total
}

/** fedmesh's metrics, plus running totals the node reports in `aggregated_metrics`. */
export class NodeMetrics implements GossipCounters {
  readonly registry: Registry
  private readonly gossipMessages: Counter<'data_class' | 'direction' | 'result' | 'reason'>
  private readonly peersGauge: Gauge
  private readonly messageChildren = new Map<string, { inc: () => void }>()
  private readonly queueDepthGauge: Gauge<'data_class'>
  private readonly queueBytesGauge: Gauge<'data_class'>
  private readonly queueDroppedCounter: Counter<'data_class'>
  private readonly inFlightGauge: Gauge
  private readonly validationSeconds: Histogram<'data_class'>
  private readonly decisionSeconds: Histogram
  private readonly slotsCompleted: Counter<'status'>
  private sources: MetricSources | undefined
  /** completed slots already counted and timed */
  private readonly observedSlots = new Set<string>()
  /** totals since start, read by the aggregated_metrics publisher */
  messagesIn = 0
  messagesOut = 0

  constructor (registry: Registry = new Registry()) {
    this.registry = registry
    const registers = [registry]
    this.gossipMessages = new Counter({
      name: 'fedmesh_gossip_messages_total',
      help: 'Gossip messages by data class, direction, validation result and reason code (gossipsub\'s own refusals included; data_class "rpc" counts whole RPC frames)',
      labelNames: ['data_class', 'direction', 'result', 'reason'],
      registers
    })
    this.peersGauge = new Gauge({ name: 'fedmesh_peers', help: 'Connected peers', registers })
    this.queueDepthGauge = new Gauge({ name: 'fedmesh_ingress_queue_depth', help: 'Inbound messages waiting for validation, by data class', labelNames: ['data_class'], registers })
    this.queueBytesGauge = new Gauge({ name: 'fedmesh_ingress_queue_bytes', help: 'Bytes of inbound messages waiting for validation, by data class', labelNames: ['data_class'], registers })
    this.queueDroppedCounter = new Counter({ name: 'fedmesh_ingress_dropped_total', help: 'Inbound messages dropped at their class queue\'s bound (IGNOREd)', labelNames: ['data_class'], registers })
    this.inFlightGauge = new Gauge({ name: 'fedmesh_validations_in_flight', help: 'Inbound validations running now', registers })
    this.validationSeconds = new Histogram({
      name: 'fedmesh_validation_duration_seconds',
      help: 'Time from the start of an inbound message\'s validation to its verdict (commit included), by data class',
      labelNames: ['data_class'],
      buckets: VALIDATION_BUCKETS_SECONDS,
      registers
    })
    this.decisionSeconds = new Histogram({
      name: 'fedmesh_consensus_decision_duration_seconds',
      help: 'Time from a consensus slot opening to its completion (observed at the scrape after it completed)',
      buckets: DECISION_BUCKETS_SECONDS,
      registers
    })
    this.slotsCompleted = new Counter({ name: 'fedmesh_consensus_slots_completed_total', help: 'Consensus slots completed, by outcome (counted at the scrape after completion)', labelNames: ['status'], registers })
    const self = this
    new Gauge({
      name: 'fedmesh_peers_by_state',
      help: 'Peers by state: member_connected, other_connected, member_disconnected, gossip_mesh',
      labelNames: ['state'],
      registers,
      collect () {
        const peers = self.sources?.peers?.()
        if (peers === undefined) return
        for (const [state, count] of Object.entries(peers)) this.set({ state }, count)
      }
    })
    new Gauge({
      name: 'fedmesh_membership_members',
      help: 'Members in the federation membership in force (0 before a genesis)',
      registers,
      collect () { this.set(self.sources?.membership?.()?.members ?? 0) }
    })
    new Gauge({
      name: 'fedmesh_membership_epoch',
      help: 'Epoch of the membership in force (-1 before a genesis)',
      registers,
      collect () { this.set(self.sources?.membership?.()?.epoch ?? -1) }
    })
    new Gauge({
      name: 'fedmesh_consensus_slots',
      help: 'Consensus slots held in memory, by status (pending, decided, failed)',
      labelNames: ['status'],
      registers,
      collect () {
        const slots = self.sources?.consensusSlots?.()
        if (slots === undefined) return
        const counts = { pending: 0, decided: 0, failed: 0 }
        for (const slot of slots) {
          counts[slot.status]++
          self.observeCompleted(slot)
        }
        for (const [status, count] of Object.entries(counts)) this.set({ status }, count)
      }
    })
    new Gauge({
      name: 'fedmesh_last_accepted_age_seconds',
      help: 'Age of the latest accepted summary and aggregated_metrics envelope, by data class and member',
      labelNames: ['data_class', 'member'],
      registers,
      collect () {
        const sources = self.sources
        if (sources?.lastAccepted === undefined) return
        this.reset()
        const nowMs = sources.now()
        for (const { dataClass, source, atMs } of sources.lastAccepted()) this.set({ data_class: dataClass, member: source }, Math.max(0, (nowMs - atMs) / 1000))
      }
    })
    new Gauge({
      name: 'fedmesh_store_size_bytes',
      help: 'Bytes of the node\'s store on disk',
      registers,
      async collect () {
        const directory = self.sources?.storeDirectory
        if (directory !== undefined) this.set(await directoryBytes(directory).catch(() => 0))
      }
    })
  }

  /** Hands over where the state-reading gauges read from (the composition root calls it once). */
  observe (sources: MetricSources): void {
    this.sources = sources
  }

  message (dataClass: string, direction: 'in' | 'out', result: 'accept' | 'reject' | 'ignore' | 'sent', reason: string): void {
    // the labelled child is looked up once per label set: this runs for every message, junk included
    const key = `${dataClass}|${direction}|${result}|${reason}`
    let child = this.messageChildren.get(key)
    if (child === undefined) {
      child = this.gossipMessages.labels({ data_class: dataClass, direction, result, reason })
      this.messageChildren.set(key, child)
    }
    child.inc()
    if (direction === 'in') this.messagesIn++
    else this.messagesOut++
  }

  queueDepth (dataClass: string, entries: number, bytes: number): void {
    this.queueDepthGauge.set({ data_class: dataClass }, entries)
    this.queueBytesGauge.set({ data_class: dataClass }, bytes)
  }

  queueDropped (dataClass: string): void {
    this.queueDroppedCounter.inc({ data_class: dataClass })
  }

  validationsInFlight (count: number): void {
    this.inFlightGauge.set(count)
  }

  validated (dataClass: string, seconds: number): void {
    this.validationSeconds.observe({ data_class: dataClass }, seconds)
  }

  setPeers (count: number): void {
    this.peersGauge.set(count)
  }

  /** Prometheus text exposition of every registered metric. */
  async exposition (): Promise<string> {
    return await this.registry.metrics()
  }

  /** Counts and times a completed slot once. */
  private observeCompleted (slot: SlotView): void {
    if (slot.status === 'pending' || slot.completed_at === null || this.observedSlots.has(slot.slot)) return
    if (this.observedSlots.size >= OBSERVED_SLOTS_MAX) this.observedSlots.delete(this.observedSlots.values().next().value!)
    this.observedSlots.add(slot.slot)
    this.slotsCompleted.inc({ status: slot.status })
    this.decisionSeconds.observe(Math.max(0, (slot.completed_at - slot.opened_at) / 1000))
  }
}
