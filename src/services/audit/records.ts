/**
 * What the node writes into its audit log for the events other services
 * see: boundary crossings, operator actions, and the membership and policy
 * changes a consensus step decided. Pure: time is an argument.
 */
import { createHash } from 'node:crypto'
import { AUDIT_BATCH_IDS_MAX, type AuditRecord, type BoundaryBatchRecord, type BoundaryCrossingRecord } from '../../core/audit/record.ts'
import { AUDIT_NAME_LENGTH_MAX, AUDIT_TEXT_LENGTH_MAX } from '../../core/audit/constants.ts'
import { canonicalJson } from '../../core/consensus/canonical.ts'
import type { ConsensusRecord } from '../../core/consensus/machine.ts'
import type { Membership } from '../../core/consensus/membership.ts'

const clip = (text: string, max: number): string => (text.length > max ? text.slice(0, max) : text)

/** A boundary-crossing record; `reason` is `<action>:<code>` for a refused message (e.g. `reject:bad_signature`). */
export function boundaryRecord (init: {
  nowMs: number
  direction: 'in' | 'out'
  dataClass: string
  peer: string | undefined
  verdict: 'accepted' | 'rejected'
  reason?: string
  messageId?: string
  bytes?: number
  attributes?: Record<string, string | number | boolean>
}): BoundaryCrossingRecord {
  return {
    kind: 'boundary',
    timestamp_ms: init.nowMs,
    direction: init.direction,
    data_class: clip(init.dataClass, AUDIT_NAME_LENGTH_MAX),
    // a message handed in without a sender (sync, local replay) is recorded as such, never dropped
    peer: clip(init.peer ?? 'unknown', AUDIT_NAME_LENGTH_MAX),
    verdict: init.verdict,
    ...(init.reason === undefined ? {} : { reason: clip(init.reason, AUDIT_TEXT_LENGTH_MAX) }),
    ...(init.messageId === undefined ? {} : { message_id: init.messageId }),
    ...(init.bytes === undefined ? {} : { bytes: init.bytes }),
    ...(init.attributes === undefined ? {} : { attributes: init.attributes })
  }
}

/**
 * The records of envelopes accepted together from one peer in one store batch (group commit of a sync batch):
 * per origin, in the order given, one `boundary_batch` record per AUDIT_BATCH_IDS_MAX envelopes naming each by id,
 * instead of one `boundary` record each. Empty when `accepted` is.
 */
export function boundaryBatchRecords (init: {
  nowMs: number
  dataClass: string
  peer: string | undefined
  accepted: ReadonlyArray<{ messageId: string, source: string, bytes: number }>
}): BoundaryBatchRecord[] {
  const bySource = new Map<string, Array<{ messageId: string, bytes: number }>>()
  for (const { messageId, source, bytes } of init.accepted) {
    let list = bySource.get(source)
    if (list === undefined) bySource.set(source, list = [])
    list.push({ messageId, bytes })
  }
  const out: BoundaryBatchRecord[] = []
  for (const [source, list] of bySource) {
    for (let i = 0; i < list.length; i += AUDIT_BATCH_IDS_MAX) {
      const chunk = list.slice(i, i + AUDIT_BATCH_IDS_MAX)
      out.push({
        kind: 'boundary_batch',
        timestamp_ms: init.nowMs,
        direction: 'in',
        data_class: clip(init.dataClass, AUDIT_NAME_LENGTH_MAX),
        peer: clip(init.peer ?? source, AUDIT_NAME_LENGTH_MAX),
        verdict: 'accepted',
        source: clip(source, AUDIT_NAME_LENGTH_MAX),
        message_ids: chunk.map((c) => c.messageId),
        bytes: chunk.reduce((sum, c) => sum + c.bytes, 0)
      })
    }
  }
  return out
}

/** The record of one operator action run through the operations (CLI or API), with its outcome. */
export function operatorRecord (init: { nowMs: number, action: string, error?: unknown }): AuditRecord {
  const failed = init.error !== undefined
  const name = failed ? ((init.error as Error)?.name ?? 'Error') : undefined
  return {
    kind: 'operator',
    timestamp_ms: init.nowMs,
    action: clip(init.action, AUDIT_NAME_LENGTH_MAX),
    detail: failed ? clip(`failed: ${name}`, AUDIT_TEXT_LENGTH_MAX) : 'ok',
    attributes: { outcome: failed ? 'failed' : 'ok' }
  }
}

/**
 * The membership and policy changes among a consensus step's records, as
 * audit records: one per member admitted or removed (against `before`), one
 * per policy now in force (with the hash of its canonical JSON).
 */
export function consensusAuditRecords (init: { nowMs: number, before: Membership | undefined, records: readonly ConsensusRecord[] }): AuditRecord[] {
  const out: AuditRecord[] = []
  let before = init.before
  for (const record of init.records) {
    if (record.kind === 'membership') {
      const after = record.membership
      const common = { kind: 'membership' as const, timestamp_ms: init.nowMs, epoch: after.epoch }
      for (const id of after.members.keys()) if (before?.members.has(id) !== true) out.push({ ...common, change: before === undefined ? 'founded' : 'admitted', node: id })
      for (const id of before?.members.keys() ?? []) if (!after.members.has(id)) out.push({ ...common, change: 'removed', node: id })
      before = after
    } else if (record.kind === 'policy') {
      const hash = createHash('sha256').update(canonicalJson(record.policy)).digest('hex')
      out.push({ kind: 'policy', timestamp_ms: init.nowMs, change: 'federation_policy_decided', policy_hash: hash })
    }
  }
  return out
}
