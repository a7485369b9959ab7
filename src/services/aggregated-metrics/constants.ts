/**
 * The `aggregated_metrics` data class's names and limits (protocols/gossip.md).
 */
import type { DataClass } from '../../wire/envelope.ts'

export const AGGREGATED_METRICS_CLASS = 'aggregated_metrics' satisfies DataClass
/** Schema id of the payload inside the envelope. */
export const METRICS_REPORT_SCHEMA_ID = 'fedmesh.aggregated_metrics/1'
export const METRICS_REPORT_CONTENT_TYPE = 'application/json'
/** A report is a handful of numbers; anything larger is not one. */
export const METRICS_REPORT_BYTES_MAX = 1024
/** Reports kept, one per peer; a federation beyond this is out of scope for one node's status page. */
export const METRICS_REPORTS_MAX = 4096
