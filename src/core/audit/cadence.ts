/**
 * When a node's periodic audit checkpoint is due (protocols/audit.md,
 * "Checkpoint cadence"). A node used to sign and gossip a checkpoint every
 * interval, and every checkpoint it published or received added a boundary
 * record to its own log, so the log always "grew" and a quiet federation
 * of n members kept exchanging n checkpoints per interval forever (each one
 * gossiped to every member, stored, witnessed by ~w of them). Now a periodic
 * checkpoint is signed only when the log grew by something other than the
 * audit class's own traffic, or when the newest checkpoint is older than the
 * quiet limit (so checkpoint traffic itself is committed to within it).
 * Pure: the service reads the records and the clock.
 */
/** A record the log holds only because of checkpoint traffic: a crossing of the audit class (in or out, accepted or not). */
export function isCheckpointTraffic (record: { kind: string, data_class?: unknown }, auditClass: string): boolean {
  return (record.kind === 'boundary' || record.kind === 'boundary_batch') && record.data_class === auditClass
}

export interface CheckpointCadenceInput {
  /** size of the log now */
  headSize: number
  /** the newest own checkpoint this run signed: its size and when (undefined: none yet) */
  last: { size: number, atMs: number } | undefined
  /** whether the log holds a record after `last.size` that is not checkpoint traffic */
  grewOtherwise: boolean
  nowMs: number
  /** the longest a log that grew only by checkpoint traffic goes without a checkpoint */
  quietMsMax: number
}

/** 'due': sign one now; 'empty' / 'unchanged' / 'quiet': not this time (why, for counting). */
export type CheckpointCadence = 'due' | 'empty' | 'unchanged' | 'quiet'

export function checkpointCadence (input: CheckpointCadenceInput): CheckpointCadence {
  if (input.headSize === 0) return 'empty'
  if (input.last === undefined) return 'due'
  if (input.headSize <= input.last.size) return 'unchanged'
  if (input.grewOtherwise) return 'due'
  return input.nowMs - input.last.atMs >= input.quietMsMax ? 'due' : 'quiet'
}
