/**
 * The audit log's on-disk layout (stable: changing it needs a migration).
 *
 * - `audit-leaves`: leaf index → the leaf's bytes (an encoded audit record)
 * - `audit-nodes`: (level, index) → hash of every completed perfect subtree,
 *   leaves' hashes included (level 0), so a proof reads ≤ 2·log2(n) keys
 * - `audit-meta`: `size` → committed number of leaves, written in every batch
 * - `audit-checkpoints`: size → the node's own signed checkpoint at that size
 *
 * Keys are fixed-width lowercase hex, so text order is numeric order and a
 * level's nodes are one contiguous range.
 */
import { AUDIT_LOG_LEAVES_MAX } from '../core/audit/constants.ts'

export const AUDIT_SUBLEVELS = {
  leaves: 'audit-leaves',
  nodes: 'audit-nodes',
  meta: 'audit-meta',
  checkpoints: 'audit-checkpoints'
} as const

export const AUDIT_SIZE_KEY = 'size'

const INDEX_DIGITS = Math.ceil(Math.log2(AUDIT_LOG_LEAVES_MAX) / 4) // 10 hex digits hold 2^40
const LEVEL_DIGITS = 2

/** The key of leaf `index` (also used for checkpoints by size). */
export function leafKey (index: number): string {
  return index.toString(16).padStart(INDEX_DIGITS, '0')
}

/** The index a leaf key names. */
export function leafIndexOf (key: string): number {
  return Number.parseInt(key, 16)
}

/** The key of the perfect subtree (level, index). */
export function nodeKey (level: number, index: number): string {
  return level.toString(16).padStart(LEVEL_DIGITS, '0') + index.toString(16).padStart(INDEX_DIGITS, '0')
}

/** The index part of a node key. */
export function nodeIndexOf (key: string): number {
  return Number.parseInt(key.slice(LEVEL_DIGITS), 16)
}
