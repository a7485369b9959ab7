/**
 * The one way services write to the node's audit log: group commit
 * (`AuditLog.submit`) bound to the node's store, so a record and the data it
 * describes land in one batch, and concurrent single-message callers share
 * batches.
 */
import type { AuditRecord } from '../../core/audit/record.ts'
import type { AuditLog } from '../../store/audit-log.ts'
import type { BatchOperation, Store } from '../../store/store.ts'

/** Appends audit records, optionally in the same store batch as `operations`. */
export interface AuditAppender {
  /** Resolves to the first record's index once records and operations are on disk; rejects if the batch failed. */
  submit: (records: readonly AuditRecord[], operations?: BatchOperation[]) => Promise<number>
}

/** The appender over one node's log and store (there is exactly one AuditLog per store: it holds the tree's state). */
export function auditAppender (log: AuditLog, store: Store): AuditAppender {
  return {
    submit: async (records, operations = []) => {
      if (records.length === 0) {
        if (operations.length > 0) await store.batch(operations)
        return log.head().size
      }
      return await log.submit(records, store, operations)
    }
  }
}
