/**
 * The limits of each data class's origin logs (src/core/sync), from the
 * config: `sync.retention` per class (or its `default`), and for the
 * superseding `audit_checkpoint` class the newest `audit.checkpoints_retained`
 * per origin (a checkpoint commits to its whole log prefix, so the older ones
 * are superseded, not lost: protocols/sync.md, "Superseding classes").
 */
import type { LogLimits } from '../core/sync/log-book.ts'
import { AUDIT_CHECKPOINT_CLASS } from '../services/audit/constants.ts'
import { LOG_HELD_ENTRIES_MAX } from '../services/sync/constants.ts'
import { SYNC_RETENTION_ENTRIES_DEFAULT, type Config } from './schema.ts'

export function logLimits (config: Pick<Config, 'sync' | 'audit'>): (dataClass: string) => LogLimits {
  return (dataClass) => {
    if (dataClass === AUDIT_CHECKPOINT_CLASS) {
      const retentionEntries = config.audit.checkpoints_retained
      return { retentionEntries, heldEntriesMax: retentionEntries, supersedes: true }
    }
    const retentionEntries = config.sync.retention[dataClass] ?? config.sync.retention.default ?? SYNC_RETENTION_ENTRIES_DEFAULT
    return { retentionEntries, heldEntriesMax: Math.min(retentionEntries, LOG_HELD_ENTRIES_MAX) }
  }
}
