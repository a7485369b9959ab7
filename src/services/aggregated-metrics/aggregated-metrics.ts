/**
 * The aggregated-metrics service (see index.ts): publishes this node's
 * report on a timer and keeps the latest report of every other node.
 */
import { AGGREGATED_METRICS_CLASS, METRICS_REPORT_CONTENT_TYPE, METRICS_REPORT_SCHEMA_ID } from './constants.ts'
import { PayloadRefusedError } from '../../core/errors.ts'
import { MetricsBoard, decodeMetricsReport, encodeMetricsReport, type MetricsReport, type ReceivedMetricsReport } from './report.ts'
import type { AggregatedMetrics, AggregatedMetricsComponents, AggregatedMetricsInit } from './index.ts'

export class AggregatedMetricsService implements AggregatedMetrics {
  private readonly components: AggregatedMetricsComponents
  private readonly init: AggregatedMetricsInit
  private readonly board = new MetricsBoard()
  private timer: NodeJS.Timeout | undefined
  private startedAt = 0

  constructor (components: AggregatedMetricsComponents, init: AggregatedMetricsInit) {
    this.components = components
    this.init = init
  }

  start (): void {
    this.startedAt = this.components.clock.now()
    this.components.envelopes.register({
      dataClass: AGGREGATED_METRICS_CLASS,
      decodePayload: (payload, envelope) => {
        const report = decodeMetricsReport(payload, envelope)
        // the label shown is the membership's: a report claiming another site is refused, never relabelled silently
        const site = this.components.members.siteOf(envelope.source)
        if (report.site_id !== site) {
          throw new PayloadRefusedError('reject', 'wrong_site', `aggregated_metrics from ${envelope.source} is labelled ${report.site_id}, the membership says ${site ?? 'nothing'}`)
        }
        return report
      },
      // safe to commit a fetched batch at once: the step reads nothing back from the store
      groupCommit: true,
      commit: async (report, _envelope, persist) => {
        await persist([]) // nothing stored but the seen-id: reports live in memory only
        this.board.record(report, this.components.clock.now())
        return undefined
      }
    })
    if (!this.init.publish) return
    this.timer = setInterval(() => { void this.publish() }, this.init.intervalMs)
    this.timer.unref()
  }

  stop (): void {
    if (this.timer !== undefined) clearInterval(this.timer)
    this.timer = undefined
  }

  own (): MetricsReport {
    const { source, clock } = this.components
    const now = clock.now()
    return {
      node_id: this.components.nodeId,
      site_id: this.init.siteId,
      peers: source.peers(),
      messages_in: source.messagesIn(),
      messages_out: source.messagesOut(),
      uptime_seconds: Math.max(0, (now - this.startedAt) / 1000),
      timestamp: now
    }
  }

  received (): ReceivedMetricsReport[] {
    return this.board.list().filter((r) => r.node_id !== this.components.nodeId)
  }

  async publish (): Promise<void> {
    const { envelopes } = this.components
    try {
      await envelopes.publish(AGGREGATED_METRICS_CLASS, envelopes.seal(AGGREGATED_METRICS_CLASS, METRICS_REPORT_SCHEMA_ID, encodeMetricsReport(this.own()), METRICS_REPORT_CONTENT_TYPE))
    } catch (err) {
      this.components.logger.warn({ err }, 'publishing aggregated metrics failed')
    }
  }
}
