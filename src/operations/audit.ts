/**
 * Audit log operator actions (docs/audit.md): the newest entries (`audit.tail`,
 * polled by the console, so not itself audited), a paged export, verify
 * (names the first bad leaf), and inclusion / consistency proofs checked
 * before they are returned. Each reads the node's one AuditLog.
 */
import { z } from 'zod'
import { toHex } from '../core/audit/hash.ts'
import { verifyConsistencyProof, verifyInclusionProof } from '../core/audit/proof.ts'
import { signedCheckpointToJson, type SignedCheckpointJson } from '../core/audit/checkpoint.ts'
import type { AuditRecord, UnknownAuditRecord } from '../core/audit/record.ts'
import { AUDIT_LOG_LEAVES_MAX } from '../core/audit/constants.ts'
import { AUDIT_ENTRIES_LIMIT_MAX, AuditLog, type AuditEntry } from '../store/audit-log.ts'
import type { AuditVerifyReport } from '../store/audit-verify.ts'
import { parseArguments } from './arguments.ts'
import type { Operation, OperationComponents } from './operation.ts'

export const TAIL_LIMIT_DEFAULT = 50

const index = z.number().int().nonnegative().max(AUDIT_LOG_LEAVES_MAX)
const size = z.number().int().positive().max(AUDIT_LOG_LEAVES_MAX)

/** One entry as tail and export show it: the record's fields flat, plus its index, time and (for crossings) result. */
export type AuditEntryView = { index: number, time: string, result?: 'accept' | 'reject' | 'ignore' } & (AuditRecord | UnknownAuditRecord)

/** accept / reject / ignore of a boundary record (the reason of a refused one starts with its gossip action). */
function resultOf (record: AuditRecord | UnknownAuditRecord): AuditEntryView['result'] {
  if (record.kind === 'boundary_batch') return 'accept'
  if (record.kind !== 'boundary') return undefined
  if (record.verdict === 'accepted') return 'accept'
  return typeof record.reason === 'string' && record.reason.startsWith('ignore:') ? 'ignore' : 'reject'
}

function view (entry: AuditEntry): AuditEntryView {
  const result = resultOf(entry.record)
  return { index: entry.index, time: new Date(entry.record.timestamp_ms).toISOString(), ...(result === undefined ? {} : { result }), ...entry.record }
}

async function logOf (context: OperationComponents): Promise<AuditLog> {
  return context.auditLog ?? await AuditLog.open(context.store)
}

export interface AuditTailResult {
  size: number
  root: string
  entries: AuditEntryView[]
}

/** `audit tail [--since N] [--limit N]`: the newest `limit` entries, or `limit` entries from `since`. */
export const auditTail: Operation<{ since?: number, limit?: number }, AuditTailResult> = {
  name: 'audit.tail',
  audited: false,
  async run (context, args) {
    const { since, limit } = parseArguments(z.strictObject({ since: index.optional(), limit: z.number().int().min(1).max(AUDIT_ENTRIES_LIMIT_MAX).default(TAIL_LIMIT_DEFAULT) }), args, 'audit.tail')
    const log = await logOf(context)
    const head = log.head()
    const from = since ?? Math.max(0, head.size - limit)
    const entries = await log.entries({ since: from, limit })
    return { size: head.size, root: toHex(head.root), entries: entries.map(view) }
  }
}

export interface AuditExportResult extends AuditTailResult {
  /** the next `since` to ask for, or null when the export reached the end */
  next: number | null
  /** the node's newest own signed checkpoint, when it has one */
  checkpoint: SignedCheckpointJson | null
}

/** `audit export [--since N]`: entries in index order, a page (≤ AUDIT_ENTRIES_LIMIT_MAX) at a time. */
export const auditExport: Operation<{ since?: number, limit?: number }, AuditExportResult> = {
  name: 'audit.export',
  async run (context, args) {
    const { since, limit } = parseArguments(z.strictObject({ since: index.default(0), limit: z.number().int().min(1).max(AUDIT_ENTRIES_LIMIT_MAX).default(AUDIT_ENTRIES_LIMIT_MAX) }), args, 'audit.export')
    const log = await logOf(context)
    const head = log.head()
    const entries = await log.entries({ since, limit })
    const last = entries.at(-1)?.index
    const [checkpoint] = await log.checkpoints({ limit: 1, reverse: true })
    return {
      size: head.size,
      root: toHex(head.root),
      entries: entries.map(view),
      next: last !== undefined && last + 1 < head.size ? last + 1 : null,
      checkpoint: checkpoint === undefined ? null : signedCheckpointToJson(checkpoint)
    }
  }
}

/** `audit verify`: recomputes the tree from the stored leaves; `ok`, or the first bad leaf and why. */
export const auditVerify: Operation<unknown, AuditVerifyReport> = {
  name: 'audit.verify',
  async run (context, args) {
    parseArguments(z.strictObject({}), args, 'audit.verify')
    return await (await logOf(context)).verify()
  }
}

export interface AuditProveResult {
  index: number
  size: number
  leaf_hash: string
  root: string
  proof: string[]
  record: AuditRecord | UnknownAuditRecord
  /** the proof was checked against the root before it was returned */
  verified: true
}

/** `audit prove <index> [--size N]`: the inclusion proof of one leaf, checked before it is returned. */
export const auditProve: Operation<{ index: number, size?: number }, AuditProveResult> = {
  name: 'audit.prove',
  async run (context, args) {
    const parsed = parseArguments(z.strictObject({ index, size: size.optional() }), args, 'audit.prove')
    const log = await logOf(context)
    const proof = await log.inclusionProof(parsed.index, parsed.size)
    verifyInclusionProof({ index: proof.index, size: proof.size, leafHash: proof.leafHash, proof: proof.proof, root: proof.root })
    const [entry] = await log.entries({ since: proof.index, limit: 1 })
    return {
      index: proof.index, size: proof.size, leaf_hash: toHex(proof.leafHash), root: toHex(proof.root), proof: proof.proof.map(toHex), record: entry.record, verified: true
    }
  }
}

export interface AuditConsistencyResult {
  old_size: number
  new_size: number
  old_root: string
  new_root: string
  proof: string[]
  verified: true
}

/** `audit consistency <old-size> [--new-size N]`: the log's consistency proof between two sizes, checked before it is returned. */
export const auditConsistency: Operation<{ old_size: number, new_size?: number }, AuditConsistencyResult> = {
  name: 'audit.consistency',
  async run (context, args) {
    const parsed = parseArguments(z.strictObject({ old_size: size, new_size: size.optional() }), args, 'audit.consistency')
    const proof = await (await logOf(context)).consistencyProof(parsed.old_size, parsed.new_size)
    verifyConsistencyProof(proof)
    return { old_size: proof.oldSize, new_size: proof.newSize, old_root: toHex(proof.oldRoot), new_root: toHex(proof.newRoot), proof: proof.proof.map(toHex), verified: true }
  }
}

export const auditOperations: Array<Operation<never, unknown>> = [auditTail, auditExport, auditVerify, auditProve, auditConsistency] as Array<Operation<never, unknown>>
