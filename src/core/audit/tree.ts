/**
 * The growing tree, kept as its compact range: one hash per set bit of the
 * size, the roots of the perfect subtrees that cover leaves [0, size), left
 * (largest) first. Appending needs only these, and so does the root, so the
 * node holds O(log n) hashes in memory however long its log grows.
 *
 * Every perfect subtree a step completes is returned as a `TreeNode` for the
 * store: nodes never change once complete, so proofs for any past size are
 * assembled from them (see proof.ts).
 */
import { assert } from '../errors.ts'
import { AUDIT_LOG_LEAVES_MAX, HASH_BYTES } from './constants.ts'
import { emptyRoot, hashChildren } from './hash.ts'

/** A perfect subtree: 2^level leaves starting at leaf index·2^level. */
export interface NodeId {
  level: number
  index: number
}

/** A completed perfect subtree and its hash. */
export interface TreeNode extends NodeId {
  hash: Uint8Array
}

/** The tree after `size` leaves: the compact range of [0, size). */
export interface TreeState {
  readonly size: number
  /** perfect subtree roots, one per set bit of size, highest bit first */
  readonly frontier: readonly Uint8Array[]
}

/** A half-open range of leaf indices [start, end). */
export type LeafRange = readonly [start: number, end: number]

/** The empty tree. */
export function emptyTree (): TreeState {
  return { size: 0, frontier: [] }
}

/** Appends leaf hashes; returns the new state and every perfect subtree completed (leaves included, level 0). */
export function appendLeafHashes (state: TreeState, leafHashes: readonly Uint8Array[]): { state: TreeState, nodes: TreeNode[] } {
  assert(state.size + leafHashes.length <= AUDIT_LOG_LEAVES_MAX, `the audit log is full (${AUDIT_LOG_LEAVES_MAX} leaves)`)
  const frontier = [...state.frontier]
  const nodes: TreeNode[] = []
  let size = state.size
  for (const leafHash of leafHashes) {
    assert(leafHash.length === HASH_BYTES, 'a leaf hash is 32 bytes')
    let hash = leafHash
    let level = 0
    let index = size
    nodes.push({ level, index, hash })
    // a right child completes its parent; keep merging while the new node is a right child
    while (index % 2 === 1) {
      const left = frontier.pop()
      assert(left !== undefined, 'the compact range has a left sibling for every right child')
      hash = hashChildren(left, hash)
      level++
      index = (index - 1) / 2
      nodes.push({ level, index, hash })
    }
    frontier.push(hash)
    size++
  }
  return { state: { size, frontier }, nodes }
}

/** MTH of the whole tree (RFC 9162 §2.1.1): the compact range folded from the right. */
export function treeRoot (state: TreeState): Uint8Array {
  return foldRange(state.frontier)
}

/** The hash of a range from its perfect subtrees (left to right), as RFC 9162's MTH splits it. */
export function foldRange (hashes: readonly Uint8Array[]): Uint8Array {
  if (hashes.length === 0) return emptyRoot()
  let hash = hashes[hashes.length - 1]
  for (let i = hashes.length - 2; i >= 0; i--) hash = hashChildren(hashes[i], hash)
  return hash
}

/**
 * The perfect subtrees that cover [start, end), left to right, each the largest
 * aligned one that fits. For the ranges RFC 9162's recursion produces (and for
 * [0, size)) folding their hashes from the right gives MTH of the range.
 */
export function perfectSubtrees (range: LeafRange): NodeId[] {
  const [start, end] = range
  assert(Number.isSafeInteger(start) && Number.isSafeInteger(end) && start >= 0 && start <= end, `bad leaf range [${start}, ${end})`)
  const out: NodeId[] = []
  let at = start
  while (at < end) {
    let width = 1
    let level = 0
    while (at % (width * 2) === 0 && at + width * 2 <= end) { width *= 2; level++ }
    out.push({ level, index: at / width })
    at += width
  }
  return out
}

/** The frontier (compact range) of a tree of `size` leaves, as node ids to fetch from the store. */
export function frontierNodes (size: number): NodeId[] {
  return perfectSubtrees([0, size])
}

/** The largest power of two strictly below n (n ≥ 2): RFC 9162's split point k. */
export function splitPoint (n: number): number {
  assert(n >= 2, 'only a range of two or more leaves splits')
  let k = 1
  while (k * 2 < n) k *= 2
  return k
}
