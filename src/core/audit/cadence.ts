/**
 * When a node's periodic audit checkpoint is due (protocols/audit.md,
 * "Checkpoint cadence"). A node used to sign and gossip a checkpoint every
 * interval, and every checkpoint it published or received added a boundary
 * record to its own log, so the log always "grew" and a quiet federation
 * of n members kept exchanging n checkpoints per interval forever (each one
 * gossiped to every member, stored, witnessed by ~w of them). Now a periodic
 * checkpoint is signed only when the log grew by something other than the
 * federation's own upkeep (`isUpkeep`), or when the newest checkpoint is older
 * than the quiet limit (so upkeep itself is committed to within it).
 * Pure: the service reads the records and the clock.
 */
/** A record the log holds only because of checkpoint traffic: a crossing of the audit class (in or out, accepted or not). */
export function isCheckpointTraffic (record: { kind: string, data_class?: unknown }, auditClass: string): boolean {
  return (record.kind === 'boundary' || record.kind === 'boundary_batch') && record.data_class === auditClass
}

/** Relation states that connections coming and going move a relation through (not a failure, refusal or termination). */
const RELATION_UPKEEP_STATES: ReadonlySet<string> = new Set(['handshaking', 'active', 'suspended'])

/** The fields of an audit record the cadence reads (records that do not decode are never upkeep). */
export interface CadenceRecord { kind: string, data_class?: unknown, to_state?: unknown, reason?: unknown, change?: unknown }

/**
 * A record of the federation's own upkeep, committed to within the quiet limit rather than at the next interval:
 * checkpoint traffic; a relation moving between handshaking, active and suspended as connections come and go
 * (not a refusal, failure or termination) and the bilateral policy such a handshake agrees; a witness's note that
 * an origin did not prove a checkpoint (`checkpoint_unproven`; a split view is not upkeep). In a quiet federation
 * these were the records that kept every log growing: a witness's dial to an origin re-established their
 * relation, whose records made the next checkpoint due, which drew witnesses that dialled again
 * (protocols/audit.md, "Checkpoint cadence").
 */
export function isUpkeep (record: CadenceRecord, auditClass: string): boolean {
  switch (record.kind) {
    case 'boundary':
    case 'boundary_batch':
      return isCheckpointTraffic(record, auditClass)
    case 'handshake':
      return typeof record.to_state === 'string' && RELATION_UPKEEP_STATES.has(record.to_state) && !(typeof record.reason === 'string' && record.reason.startsWith('refused:'))
    case 'policy':
      return record.change === 'bilateral_policy_agreed'
    case 'membership':
      return record.change === 'checkpoint_unproven'
    default:
      return false
  }
}

export interface CheckpointCadenceInput {
  /** size of the log now */
  headSize: number
  /** the newest own checkpoint this run signed: its size and when (undefined: none yet) */
  last: { size: number, atMs: number } | undefined
  /** whether the log holds a record after `last.size` that is not upkeep (isUpkeep) */
  grewOtherwise: boolean
  nowMs: number
  /** the longest a log that grew only by upkeep goes without a checkpoint */
  quietMsMax: number
  /** the shortest time between two of the node's periodic checkpoints (checkpointSpacingMs); the first of a run is spaced from `startedAtMs` */
  spacingMs: number
  /** when the node's audit service started this run */
  startedAtMs: number
}

/** 'due': sign one now; 'empty' / 'unchanged' / 'spaced' / 'quiet': not this time (why, for counting). */
export type CheckpointCadence = 'due' | 'empty' | 'unchanged' | 'spaced' | 'quiet'

export function checkpointCadence (input: CheckpointCadenceInput): CheckpointCadence {
  if (input.headSize === 0) return 'empty'
  if (input.last !== undefined && input.headSize <= input.last.size) return 'unchanged'
  if (input.nowMs - (input.last?.atMs ?? input.startedAtMs) < input.spacingMs) return 'spaced'
  if (input.last === undefined || input.grewOtherwise) return 'due'
  return input.nowMs - input.last.atMs >= input.quietMsMax ? 'due' : 'quiet'
}

/**
 * The shortest time between two of one member's periodic checkpoints: `msPerMember` per member of the
 * federation, so the whole federation gossips at most one periodic checkpoint per `msPerMember` on average.
 * Every checkpoint reaches every member (gossip is what keeps an origin from showing members different
 * histories), so at a fixed interval the federation's checkpoint traffic grew with the square of its size:
 * 400 members at 60 s sent each member ~6.7 checkpoints a second, more than a 1 msg/s load.
 */
export function checkpointSpacingMs (members: number, msPerMember: number): number {
  return Math.max(0, members) * msPerMember
}
