/**
 * The `aggregated_metrics` data class: a node's own counters (peers, gossip
 * messages in/out, uptime), published every `metrics_interval_seconds` while
 * federation is enabled, and the latest report of every member, shown by
 * `fedmesh status`. Counts only: nothing about participants.
 */
import { z } from 'zod'
import type { PeerId } from '@libp2p/interface'
import type { GossipClass, GossipVerdict } from '../net/gossip.ts'

export const AGGREGATED_METRICS_CLASS = 'aggregated_metrics'
/** A report is a handful of numbers; anything larger is not one. */
export const METRICS_REPORT_BYTES_MAX = 1024
/** Reports kept, one per peer; a federation beyond this is out of scope for one node's status page. */
export const METRICS_REPORTS_MAX = 4096

export const metricsReportSchema = z.strictObject({
  node_id: z.string().min(1).max(128),
  site_id: z.string().min(1).max(64),
  peers: z.number().int().min(0).max(1_000_000),
  messages_in: z.number().int().min(0),
  messages_out: z.number().int().min(0),
  uptime_seconds: z.number().min(0),
  timestamp: z.number().int().min(0)
})

export type MetricsReport = z.infer<typeof metricsReportSchema>

/** A report as received, with when it arrived. */
export interface ReceivedMetricsReport extends MetricsReport {
  received_at: number
}

/** Encodes a report for the wire. */
export function encodeMetricsReport (report: MetricsReport): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(report))
}

/** Decodes and checks a report; the verdict names what was wrong. */
export function decodeMetricsReport (data: Uint8Array, from: PeerId): GossipVerdict<MetricsReport> {
  if (data.byteLength > METRICS_REPORT_BYTES_MAX) return { action: 'reject', reason: 'too_large' }
  let raw: unknown
  try {
    raw = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(data))
  } catch {
    return { action: 'reject', reason: 'malformed' }
  }
  const parsed = metricsReportSchema.safeParse(raw)
  if (!parsed.success) return { action: 'reject', reason: 'schema' }
  // A node reports only on itself: the gossip source of the first hop may differ, so compare with the claimed node id later (signed envelopes bind it).
  void from
  return { action: 'accept', value: parsed.data }
}

/** The latest report per node, bounded. */
export class MetricsBoard {
  private readonly reports = new Map<string, ReceivedMetricsReport>()

  /** Records a report unless an equal-or-newer one from that node is already held. */
  record (report: MetricsReport, receivedAt: number): void {
    const held = this.reports.get(report.node_id)
    if (held !== undefined && held.timestamp >= report.timestamp) return
    if (held === undefined && this.reports.size >= METRICS_REPORTS_MAX) {
      // evict the stalest report: the board shows live members first
      let stalest: string | undefined
      let oldest = Infinity
      for (const [id, r] of this.reports) if (r.received_at < oldest) { oldest = r.received_at; stalest = id }
      if (stalest !== undefined) this.reports.delete(stalest)
    }
    this.reports.set(report.node_id, { ...report, received_at: receivedAt })
  }

  /** Reports sorted by node id. */
  list (): ReceivedMetricsReport[] {
    return [...this.reports.values()].sort((a, b) => a.node_id.localeCompare(b.node_id))
  }
}

/** The gossip class: validate with `decode`, record accepted reports on the board. */
export function aggregatedMetricsClass (init: {
  board: MetricsBoard
  now: () => number
  decode: (data: Uint8Array, from: PeerId) => Promise<GossipVerdict<MetricsReport>> | GossipVerdict<MetricsReport>
}): GossipClass<MetricsReport> {
  return {
    dataClass: AGGREGATED_METRICS_CLASS,
    validate: init.decode,
    deliver: (report) => { init.board.record(report, init.now()) }
  }
}
