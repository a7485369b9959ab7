/**
 * RFC 9162 §2.1.3 inclusion proofs and §2.1.4 consistency proofs.
 *
 * Generation is split in two pure halves around the store: `*ProofRanges`
 * says which subtree hashes a proof holds (as leaf ranges), the caller fetches
 * the stored perfect subtrees `nodesForRanges` names, and `proofFromNodes`
 * folds them. Verification follows the RFC's algorithms step by step, plus
 * the two rules real verifiers got wrong: no consistency proof from size 0
 * (transparency-dev/merkle#140) and none to a smaller size
 * (certificate-transparency-rfcs#100).
 */
import { AUDIT_LOG_LEAVES_MAX, HASH_BYTES, PROOF_HASHES_MAX } from './constants.ts'
import {
  ConsistencyFromEmptyTreeError, ConsistencyToSmallerTreeError, MalformedProofError, ProofRangeError, ProofRootMismatchError
} from './errors.ts'
import { equalBytes, hashChildren } from './hash.ts'
import { foldRange, perfectSubtrees, splitPoint, type LeafRange, type NodeId } from './tree.ts'

function checkSize (size: number, what: string): void {
  if (!Number.isSafeInteger(size) || size < 1 || size > AUDIT_LOG_LEAVES_MAX) {
    throw new ProofRangeError(`${what} ${size} is not a tree size in 1..${AUDIT_LOG_LEAVES_MAX}`)
  }
}

/** The ranges whose hashes form PATH(index, D[size]) (RFC 9162 §2.1.3.1), leaf to root. */
export function inclusionProofRanges (index: number, size: number): LeafRange[] {
  checkSize(size, 'tree size')
  if (!Number.isSafeInteger(index) || index < 0 || index >= size) throw new ProofRangeError(`leaf ${index} is not in a tree of ${size}`)
  const topDown: LeafRange[] = []
  let start = 0
  let n = size
  let m = index
  while (n > 1) {
    const k = splitPoint(n)
    if (m < k) {
      topDown.push([start + k, start + n])
      n = k
    } else {
      topDown.push([start, start + k])
      start += k
      m -= k
      n -= k
    }
  }
  return topDown.reverse()
}

/** The ranges whose hashes form PROOF(oldSize, D[newSize]) (RFC 9162 §2.1.4.1), in proof order. */
export function consistencyProofRanges (oldSize: number, newSize: number): LeafRange[] {
  checkConsistencySizes(oldSize, newSize)
  const topDown: LeafRange[] = []
  let start = 0
  let n = newSize
  let m = oldSize
  let whole = true // SUBPROOF's b: true while the old tree is the left edge of the new one
  while (m !== n) {
    const k = splitPoint(n)
    if (m <= k) {
      topDown.push([start + k, start + n])
      n = k
    } else {
      topDown.push([start, start + k])
      start += k
      m -= k
      n -= k
      whole = false
    }
  }
  if (!whole) topDown.push([start, start + n])
  return topDown.reverse()
}

/** Every perfect subtree the ranges are made of, without repeats. */
export function nodesForRanges (ranges: readonly LeafRange[]): NodeId[] {
  const seen = new Set<string>()
  const out: NodeId[] = []
  for (const range of ranges) {
    for (const node of perfectSubtrees(range)) {
      const key = `${node.level}/${node.index}`
      if (!seen.has(key)) { seen.add(key); out.push(node) }
    }
  }
  return out
}

/** The proof hashes: each range's MTH folded from its perfect subtrees, fetched through `lookup`. */
export function proofFromNodes (ranges: readonly LeafRange[], lookup: (node: NodeId) => Uint8Array): Uint8Array[] {
  return ranges.map((range) => foldRange(perfectSubtrees(range).map(lookup)))
}

function checkProofShape (proof: readonly Uint8Array[]): void {
  if (proof.length > PROOF_HASHES_MAX) throw new MalformedProofError(`a proof has at most ${PROOF_HASHES_MAX} hashes, got ${proof.length}`)
  for (const [i, hash] of proof.entries()) {
    if (hash.length !== HASH_BYTES) throw new MalformedProofError(`proof hash ${i} is ${hash.length} bytes, not ${HASH_BYTES}`)
  }
}

const odd = (x: number): boolean => x % 2 === 1
const half = (x: number): number => Math.floor(x / 2)

/** The root an inclusion proof leads to (RFC 9162 §2.1.3.2 steps 1–5); throws when the proof cannot be for (index, size). */
export function rootFromInclusionProof (index: number, size: number, leafHash: Uint8Array, proof: readonly Uint8Array[]): Uint8Array {
  checkSize(size, 'tree size')
  if (!Number.isSafeInteger(index) || index < 0 || index >= size) throw new ProofRangeError(`leaf ${index} is not in a tree of ${size}`)
  if (leafHash.length !== HASH_BYTES) throw new MalformedProofError(`a leaf hash is ${HASH_BYTES} bytes, got ${leafHash.length}`)
  checkProofShape(proof)
  let fn = index
  let sn = size - 1
  let r = leafHash
  for (const p of proof) {
    if (sn === 0) throw new MalformedProofError(`inclusion proof for leaf ${index} of ${size} is too long`)
    if (odd(fn) || fn === sn) {
      r = hashChildren(p, r)
      if (!odd(fn)) while (!odd(fn) && fn !== 0) { fn = half(fn); sn = half(sn) }
    } else {
      r = hashChildren(r, p)
    }
    fn = half(fn)
    sn = half(sn)
  }
  if (sn !== 0) throw new MalformedProofError(`inclusion proof for leaf ${index} of ${size} is too short`)
  return r
}

/** Checks that `leafHash` is leaf `index` of the tree of `size` with `root`; throws a named error otherwise. */
export function verifyInclusionProof (init: { index: number, size: number, leafHash: Uint8Array, proof: readonly Uint8Array[], root: Uint8Array }): void {
  const computed = rootFromInclusionProof(init.index, init.size, init.leafHash, init.proof)
  if (!equalBytes(computed, init.root)) throw new ProofRootMismatchError(`inclusion proof for leaf ${init.index} of ${init.size} leads to another root`)
}

function checkConsistencySizes (oldSize: number, newSize: number): void {
  if (oldSize === 0) throw new ConsistencyFromEmptyTreeError('a consistency proof from the empty tree proves nothing (RFC 9162 requires 0 < first)')
  checkSize(oldSize, 'old size')
  checkSize(newSize, 'new size')
  if (newSize < oldSize) throw new ConsistencyToSmallerTreeError(`no consistency proof leads from size ${oldSize} to the smaller size ${newSize}`)
}

/**
 * The two roots a consistency proof leads to (RFC 9162 §2.1.4.2 steps 1–7
 * without the final comparison). `oldRoot` is needed only when oldSize is a
 * power of two, where the RFC prepends it to the proof.
 */
export function rootsFromConsistencyProof (init: { oldSize: number, newSize: number, oldRoot: Uint8Array, proof: readonly Uint8Array[] }): { oldRoot: Uint8Array, newRoot: Uint8Array } {
  const { oldSize, newSize, proof } = init
  checkConsistencySizes(oldSize, newSize)
  checkProofShape(proof)
  if (oldSize === newSize) {
    if (proof.length !== 0) throw new MalformedProofError('a consistency proof between equal sizes is empty')
    return { oldRoot: init.oldRoot, newRoot: init.oldRoot }
  }
  if (proof.length === 0) throw new MalformedProofError(`a consistency proof from ${oldSize} to ${newSize} cannot be empty`)
  // step 2: an old tree that is a perfect subtree of the new one is not in the proof; the verifier supplies it
  const path = isPowerOfTwo(oldSize) ? [init.oldRoot, ...proof] : [...proof]
  let fn = oldSize - 1
  let sn = newSize - 1
  while (odd(fn)) { fn = half(fn); sn = half(sn) }
  let fr = path[0]
  let sr = path[0]
  for (const c of path.slice(1)) {
    if (sn === 0) throw new MalformedProofError(`consistency proof from ${oldSize} to ${newSize} is too long`)
    if (odd(fn) || fn === sn) {
      fr = hashChildren(c, fr)
      sr = hashChildren(c, sr)
      if (!odd(fn)) while (!odd(fn) && fn !== 0) { fn = half(fn); sn = half(sn) }
    } else {
      sr = hashChildren(sr, c)
    }
    fn = half(fn)
    sn = half(sn)
  }
  if (sn !== 0) throw new MalformedProofError(`consistency proof from ${oldSize} to ${newSize} is too short`)
  return { oldRoot: fr, newRoot: sr }
}

/** Checks that the tree (newSize, newRoot) extends (oldSize, oldRoot); throws a named error otherwise. */
export function verifyConsistencyProof (init: { oldSize: number, newSize: number, oldRoot: Uint8Array, newRoot: Uint8Array, proof: readonly Uint8Array[] }): void {
  const roots = rootsFromConsistencyProof(init)
  if (!equalBytes(roots.oldRoot, init.oldRoot) || !equalBytes(roots.newRoot, init.newRoot)) {
    throw new ProofRootMismatchError(`consistency proof from ${init.oldSize} to ${init.newSize} does not lead to both roots`)
  }
}

function isPowerOfTwo (n: number): boolean {
  let k = 1
  while (k < n) k *= 2
  return k === n
}

/** True when the inclusion proof holds (never throws: for callers that only need a yes or no). */
export function isValidInclusionProof (init: Parameters<typeof verifyInclusionProof>[0]): boolean {
  try { verifyInclusionProof(init); return true } catch { return false }
}

/** True when the consistency proof holds (never throws). */
export function isValidConsistencyProof (init: Parameters<typeof verifyConsistencyProof>[0]): boolean {
  try { verifyConsistencyProof(init); return true } catch { return false }
}
