/**
 * The `aggregated_metrics` data class: a node's own counters (peers, gossip
 * messages in/out, uptime), published every `metrics_interval_seconds` while
 * federation is enabled, and the latest report of every member, shown by
 * `fedmesh status`. Counts only: nothing about participants.
 */
import type { Clock } from '../../runtime/clock.ts'
import type { Logger } from '../../runtime/log.ts'
import type { EnvelopeChannel } from '../envelopes/index.ts'
import type { MemberSites } from '../members/index.ts'
import { AggregatedMetricsService } from './aggregated-metrics.ts'
import type { MetricsReport, ReceivedMetricsReport } from './report.ts'

export { AGGREGATED_METRICS_CLASS, METRICS_REPORT_SCHEMA_ID, METRICS_REPORT_CONTENT_TYPE } from './constants.ts'
export { AggregatedMetricsService }
export { encodeMetricsReport, decodeMetricsReport, MetricsBoard, type MetricsReport, type ReceivedMetricsReport } from './report.ts'

/** The counters a report carries, read when it is made. */
export interface MetricsSource {
  peers: () => number
  messagesIn: () => number
  messagesOut: () => number
}

export interface AggregatedMetricsComponents {
  envelopes: EnvelopeChannel
  source: MetricsSource
  /** the membership's site ids: a report is labelled with its signer's */
  members: MemberSites
  clock: Clock
  logger: Logger
  /** this node's PeerId text */
  nodeId: string
}

export interface AggregatedMetricsInit {
  siteId: string
  /** publish at all (only a federated node does) */
  publish: boolean
  intervalMs: number
}

/** What status reads. */
export interface AggregatedMetrics {
  /** this node's report now */
  own: () => MetricsReport
  /** the latest report of every other node */
  received: () => ReceivedMetricsReport[]
  publish: () => Promise<void>
}

/** Builds the service. */
export function aggregatedMetrics (init: AggregatedMetricsInit): (components: AggregatedMetricsComponents) => AggregatedMetricsService {
  return (components) => new AggregatedMetricsService(components, init)
}
