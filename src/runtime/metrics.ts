/**
 * The node's Prometheus registry (prom-client: the standard Node.js client,
 * also what @libp2p/prometheus-metrics writes libp2p's own metrics into) and
 * fedmesh's counters. Labels come from small fixed sets only (data class,
 * direction, result, reason code), so cardinality stays bounded.
 */
import { Registry, Counter, Gauge } from 'prom-client'
import type { GossipCounters } from '../net/gossip.ts'

/** fedmesh's own counters, plus running totals the node reports in `aggregated_metrics`. */
export class NodeMetrics implements GossipCounters {
  readonly registry: Registry
  private readonly gossipMessages: Counter<'data_class' | 'direction' | 'result' | 'reason'>
  private readonly peersGauge: Gauge
  /** totals since start, read by the aggregated_metrics publisher */
  messagesIn = 0
  messagesOut = 0

  constructor (registry: Registry = new Registry()) {
    this.registry = registry
    this.gossipMessages = new Counter({
      name: 'fedmesh_gossip_messages_total',
      help: 'Gossip messages by data class, direction, validation result and reason code',
      labelNames: ['data_class', 'direction', 'result', 'reason'],
      registers: [registry]
    })
    this.peersGauge = new Gauge({ name: 'fedmesh_peers', help: 'Connected peers', registers: [registry] })
  }

  message (dataClass: string, direction: 'in' | 'out', result: 'accept' | 'reject' | 'ignore' | 'sent', reason: string): void {
    this.gossipMessages.inc({ data_class: dataClass, direction, result, reason })
    if (direction === 'in') this.messagesIn++
    else this.messagesOut++
  }

  setPeers (count: number): void {
    this.peersGauge.set(count)
  }

  /** Prometheus text exposition of every registered metric. */
  async exposition (): Promise<string> {
    return await this.registry.metrics()
  }
}
