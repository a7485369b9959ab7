/**
 * The `summary` data class's names and timing (protocols/gossip.md).
 */
import type { DataClass } from '../../wire/envelope.ts'

export const SUMMARY_CLASS = 'summary' satisfies DataClass
export const SUMMARY_SCHEMA_ID = 'fedmesh.summary/1'
export const SUMMARY_CONTENT_TYPE = 'application/octet-stream'
/** A node republishes its summary this often, so members that joined later learn it. */
export const SUMMARY_REPUBLISH_MS = 60_000
/** Changes to participants are batched for this long before the summary goes out. */
export const SUMMARY_DEBOUNCE_MS = 500
