/**
 * `audit verify`: recompute the tree from the stored leaves and compare it
 * with everything stored about it, streaming (memory O(log n)).
 *
 * What each tampering shows as, and the index named:
 * - a leaf edited, reordered or replaced: its hash differs from its stored
 *   level-0 node → that leaf;
 * - a leaf deleted: a gap in the keys, or fewer leaves than the committed
 *   size → the first missing index;
 * - a leaf inserted: a key at or beyond the committed size, or (if the later
 *   keys were shifted up) a hash mismatch at the inserted index;
 * - a leaf rewritten together with its level-0 hash: the first stored
 *   subtree above it that disagrees → the first leaf of that subtree;
 * - everything rewritten consistently: the node's own signed checkpoints
 *   disagree → the leaf range since the last checkpoint that still matched.
 */
import type { Sublevel } from './store.ts'
import { equalBytes, hashLeaf, toHex } from '../core/audit/hash.ts'
import { appendLeafHashes, emptyTree, treeRoot, type TreeNode } from '../core/audit/tree.ts'
import { signedCheckpointFromJson, type SignedCheckpoint, type SignedCheckpointJson } from '../core/audit/checkpoint.ts'
import { AUDIT_SIZE_KEY, leafIndexOf, nodeIndexOf, nodeKey } from './audit-layout.ts'

/** Why verify failed. */
export type AuditProblem = 'missing-leaf' | 'extra-leaf' | 'leaf-hash-mismatch' | 'node-mismatch' | 'checkpoint-mismatch'

/** The outcome of verify: the whole log checks, or the first bad leaf and why. */
export type AuditVerifyReport =
  | { ok: true, size: number, root: string, checkpoints_checked: number }
  | { ok: false, size: number, first_bad_index: number, problem: AuditProblem, detail: string }

/** The sublevels verify reads. */
export interface AuditVerifyInput {
  leaves: Sublevel<Uint8Array>
  nodes: Sublevel<Uint8Array>
  meta: Sublevel<number>
  checkpoints: Sublevel<SignedCheckpointJson>
}

const CHUNK = 1024

/** Reads one level's stored nodes in index order, a chunk at a time (awaiting only when a chunk runs out). */
class LevelCursor {
  private buffer: Array<[string, Uint8Array]> = []
  private at = 0
  private done = false
  private readonly iterator

  constructor (nodes: Sublevel<Uint8Array>, level: number) {
    this.iterator = nodes.iterator({ gte: nodeKey(level, 0), lt: nodeKey(level + 1, 0) })
  }

  /** True when `take` needs a `fill` first. */
  get empty (): boolean { return this.at === this.buffer.length && !this.done }

  async fill (): Promise<void> {
    this.buffer = await this.iterator.nextv(CHUNK)
    this.at = 0
    if (this.buffer.length === 0) this.done = true
  }

  /** The next stored node of this level (after `fill` when `empty`), or undefined past the end. */
  take (): { index: number, hash: Uint8Array } | undefined {
    if (this.at === this.buffer.length) return undefined
    const [key, hash] = this.buffer[this.at++]
    return { index: nodeIndexOf(key), hash }
  }

  async close (): Promise<void> { await this.iterator.close() }
}

/** Recomputes the tree from the leaves; see the module comment for what is named. */
export async function verifyAuditLog (input: AuditVerifyInput): Promise<AuditVerifyReport> {
  const size = (await input.meta.get(AUDIT_SIZE_KEY)) ?? 0
  const checkpoints: SignedCheckpoint[] = (await input.checkpoints.values().all()).map(signedCheckpointFromJson)
  const cursors: LevelCursor[] = []
  const fail = (firstBadIndex: number, problem: AuditProblem, detail: string): AuditVerifyReport =>
    ({ ok: false, size, first_bad_index: firstBadIndex, problem, detail })
  const leaves = input.leaves.iterator()
  let state = emptyTree()
  let nextCheckpoint = 0
  let lastGoodCheckpoint = 0
  try {
    for (let rows = await leaves.nextv(CHUNK); rows.length > 0; rows = await leaves.nextv(CHUNK)) {
      for (const [key, leaf] of rows) {
        const index = leafIndexOf(key)
        if (index > state.size && state.size < size) return fail(state.size, 'missing-leaf', `leaf ${state.size} is missing (next stored leaf is ${index})`)
        if (index >= size) return fail(index, 'extra-leaf', `leaf ${index} is stored but the log has ${size} leaves`)
        const step = appendLeafHashes(state, [hashLeaf(leaf)])
        for (const node of step.nodes) {
          const cursor = (cursors[node.level] ??= new LevelCursor(input.nodes, node.level))
          if (cursor.empty) await cursor.fill()
          const stored = cursor.take()
          if (stored === undefined || stored.index !== node.index || !equalBytes(stored.hash, node.hash)) return mismatch(node, fail)
        }
        state = step.state
        while (nextCheckpoint < checkpoints.length && checkpoints[nextCheckpoint].size <= state.size) {
          const checkpoint = checkpoints[nextCheckpoint++]
          if (checkpoint.size === 0) continue
          if (checkpoint.size !== state.size || !equalBytes(treeRoot(state), checkpoint.root)) {
            return fail(lastGoodCheckpoint, 'checkpoint-mismatch', `the tree of ${checkpoint.size} leaves is not the one signed at that size (root ${toHex(checkpoint.root)}): the log was rewritten within leaves ${lastGoodCheckpoint}..${checkpoint.size - 1}`)
          }
          lastGoodCheckpoint = checkpoint.size
        }
      }
    }
    if (state.size < size) return fail(state.size, 'missing-leaf', `the log has ${size} leaves but only ${state.size} are stored`)
    return { ok: true, size, root: toHex(treeRoot(state)), checkpoints_checked: nextCheckpoint }
  } finally {
    await leaves.close()
    for (const c of cursors) if (c !== undefined) await c.close()
  }
}

/** The report for a computed node that differs from (or is absent in) the store. */
function mismatch (node: TreeNode, fail: (index: number, problem: AuditProblem, detail: string) => AuditVerifyReport): AuditVerifyReport {
  const firstLeaf = node.index * 2 ** node.level
  return node.level === 0
    ? fail(firstLeaf, 'leaf-hash-mismatch', `leaf ${firstLeaf} does not hash to its stored hash (edited, replaced or moved)`)
    : fail(firstLeaf, 'node-mismatch', `the stored subtree ${node.level}/${node.index} (leaves ${firstLeaf}..${firstLeaf + 2 ** node.level - 1}) does not match its leaves`)
}
