/**
 * A metrics report: its schema, wire codec, and the board of the latest
 * report per node.
 */
import { z } from 'zod'
import { decodeJsonPayload } from '../../wire/json-payload.ts'
import { PayloadSchemaError } from '../../core/errors.ts'
import { CLOCK_SKEW_MS_MAX } from '../../wire/limits.ts'
import { METRICS_REPORT_BYTES_MAX, METRICS_REPORT_SCHEMA_ID, METRICS_REPORTS_MAX } from './constants.ts'

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

/**
 * Decodes and checks a report from a validated envelope; a node reports only
 * on itself, so the report's node id must be the envelope's (signed) source.
 */
export function decodeMetricsReport (payload: Uint8Array, envelope: { source: string, schemaId: string, timestampMs: number }): MetricsReport {
  if (envelope.schemaId !== METRICS_REPORT_SCHEMA_ID) throw new PayloadSchemaError(`aggregated_metrics payload has schema ${envelope.schemaId}, expected ${METRICS_REPORT_SCHEMA_ID}`)
  const report = decodeJsonPayload(payload, { schema: metricsReportSchema, bytesMax: METRICS_REPORT_BYTES_MAX, what: 'aggregated_metrics' })
  if (report.node_id !== envelope.source) throw new PayloadSchemaError(`aggregated_metrics from ${envelope.source} reports on ${report.node_id}`)
  // the envelope's (skew-checked) time bounds the report's, so a far-future timestamp cannot pin a report on the board
  if (Math.abs(report.timestamp - envelope.timestampMs) > CLOCK_SKEW_MS_MAX) {
    throw new PayloadSchemaError(`aggregated_metrics timestamp ${report.timestamp} is more than ${CLOCK_SKEW_MS_MAX} ms from its envelope's ${envelope.timestampMs}`)
  }
  return report
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

