import test from 'ava'
import fc from 'fast-check'
import { fromString } from 'uint8arrays'
import { emptyRoot, hashLeaf, toHex } from '../../../src/core/audit/hash.ts'
import { appendLeafHashes, emptyTree, treeRoot, type NodeId, type TreeNode } from '../../../src/core/audit/tree.ts'
import {
  consistencyProofRanges, inclusionProofRanges, isValidConsistencyProof, isValidInclusionProof, nodesForRanges, proofFromNodes,
  rootsFromConsistencyProof, verifyConsistencyProof, verifyInclusionProof
} from '../../../src/core/audit/proof.ts'
import { mth, path, proof as naiveProof } from './rfc-naive.ts'
import { VECTOR_CONSISTENCY, VECTOR_EMPTY_ROOT, VECTOR_INCLUSION, VECTOR_LEAVES, VECTOR_ROOTS } from './vectors.ts'

const hex = (s: string): Uint8Array => fromString(s, 'base16')
const hexAll = (list: readonly string[]): Uint8Array[] => list.map(hex)

/** A tree over `leaves` with every completed node kept in a map: what the store does, in memory. */
function buildTree (leaves: readonly Uint8Array[]) {
  const { state, nodes } = appendLeafHashes(emptyTree(), leaves.map(hashLeaf))
  const byId = new Map(nodes.map((n: TreeNode) => [`${n.level}/${n.index}`, n.hash]))
  const lookup = (id: NodeId): Uint8Array => {
    const hash = byId.get(`${id.level}/${id.index}`)
    if (hash === undefined) throw new Error(`node ${id.level}/${id.index} was never completed`)
    return hash
  }
  return {
    root: treeRoot(state),
    inclusion: (index: number, size: number) => proofFromNodes(inclusionProofRanges(index, size), lookup),
    consistency: (oldSize: number, newSize: number) => proofFromNodes(consistencyProofRanges(oldSize, newSize), lookup),
    rootAt: (size: number) => treeRoot(appendLeafHashes(emptyTree(), leaves.slice(0, size).map(hashLeaf)).state)
  }
}

const vectorLeaves = hexAll(VECTOR_LEAVES)
const vectorTree = buildTree(vectorLeaves)

test('the empty tree and the reference trees of 1..8 leaves have the published roots', (t) => {
  t.is(toHex(emptyRoot()), VECTOR_EMPTY_ROOT)
  t.is(toHex(treeRoot(emptyTree())), VECTOR_EMPTY_ROOT)
  for (let n = 1; n <= 8; n++) t.is(toHex(vectorTree.rootAt(n)), VECTOR_ROOTS[n - 1], `root of ${n} leaves`)
})

/** Every way the certificate-transparency verifier tests corrupt an inclusion proof. */
function corruptInclusion (index: number, size: number, proof: Uint8Array[], root: Uint8Array, leafHash: Uint8Array) {
  const some = hex('abacaba000000000000000000000000000000000000000000060061e00123456')
  const probes = [
    { desc: 'index - 1', index: index - 1, size, root, leafHash, proof },
    { desc: 'index + 1', index: index + 1, size, root, leafHash, proof },
    { desc: 'index ^ 2', index: index ^ 2, size, root, leafHash, proof },
    { desc: 'size * 2', index, size: size * 2, root, leafHash, proof },
    { desc: 'size / 2', index, size: Math.floor(size / 2), root, leafHash, proof },
    { desc: 'wrong leaf', index, size, root, leafHash: new TextEncoder().encode('WrongLeaf'), proof },
    { desc: 'empty root', index, size, root: emptyRoot(), leafHash, proof },
    { desc: 'random root', index, size, root: some, leafHash, proof },
    { desc: 'trailing garbage', index, size, root, leafHash, proof: [...proof, new Uint8Array(0)] },
    { desc: 'trailing root', index, size, root, leafHash, proof: [...proof, root] },
    { desc: 'preceding garbage', index, size, root, leafHash, proof: [new Uint8Array(0), ...proof] },
    { desc: 'preceding root', index, size, root, leafHash, proof: [root, ...proof] }
  ]
  for (let i = 0; i < proof.length; i++) {
    const tampered = proof.map((h) => h.slice())
    tampered[i][0] ^= 8
    probes.push({ desc: `tampered path[${i}]`, index, size, root, leafHash, proof: tampered })
  }
  if (proof.length > 0) probes.push({ desc: 'removed hash', index, size, root, leafHash, proof: proof.slice(0, -1) })
  if (proof.length > 1) probes.push({ desc: 'inserted hash', index, size, root, leafHash, proof: [proof[0], some, ...proof.slice(1)] })
  return probes
}

test('the reference inclusion proofs are generated exactly, verify, and every corruption of them fails', (t) => {
  for (const vector of VECTOR_INCLUSION) {
    const expected = hexAll(vector.proof)
    const root = hex(VECTOR_ROOTS[vector.size - 1])
    const leafHash = hashLeaf(vectorLeaves[vector.index])
    t.deepEqual(vectorTree.inclusion(vector.index, vector.size).map(toHex), vector.proof, `proof for ${vector.index} of ${vector.size}`)
    t.notThrows(() => { verifyInclusionProof({ index: vector.index, size: vector.size, leafHash, proof: expected, root }) })
    for (const probe of corruptInclusion(vector.index, vector.size, expected, root, leafHash)) {
      t.false(isValidInclusionProof(probe), `${probe.desc} must fail for leaf ${vector.index} of ${vector.size}`)
    }
  }
})

/** Every way the certificate-transparency verifier tests corrupt a consistency proof. */
function corruptConsistency (oldSize: number, newSize: number, oldRoot: Uint8Array, newRoot: Uint8Array, proof: Uint8Array[]) {
  const wrong = new TextEncoder().encode('WrongRoot')
  const probes = [
    { desc: 'old size - 1', oldSize: oldSize - 1, newSize, oldRoot, newRoot, proof },
    { desc: 'old size + 1', oldSize: oldSize + 1, newSize, oldRoot, newRoot, proof },
    { desc: 'old size ^ 2', oldSize: oldSize ^ 2, newSize, oldRoot, newRoot, proof },
    { desc: 'new size * 2', oldSize, newSize: newSize * 2, oldRoot, newRoot, proof },
    { desc: 'new size / 2', oldSize, newSize: Math.floor(newSize / 2), oldRoot, newRoot, proof },
    { desc: 'wrong old root', oldSize, newSize, oldRoot: wrong, newRoot, proof },
    { desc: 'wrong new root', oldSize, newSize, oldRoot, newRoot: wrong, proof },
    { desc: 'swapped roots', oldSize, newSize, oldRoot: newRoot, newRoot: oldRoot, proof },
    { desc: 'empty proof', oldSize, newSize, oldRoot, newRoot, proof: [] },
    { desc: 'trailing garbage', oldSize, newSize, oldRoot, newRoot, proof: [...proof, new Uint8Array(0)] },
    { desc: 'trailing old root', oldSize, newSize, oldRoot, newRoot, proof: [...proof, oldRoot] },
    { desc: 'trailing new root', oldSize, newSize, oldRoot, newRoot, proof: [...proof, newRoot] },
    { desc: 'preceding garbage', oldSize, newSize, oldRoot, newRoot, proof: [new Uint8Array(0), ...proof] },
    { desc: 'preceding old root', oldSize, newSize, oldRoot, newRoot, proof: [oldRoot, ...proof] },
    { desc: 'preceding new root', oldSize, newSize, oldRoot, newRoot, proof: [newRoot, ...proof] },
    { desc: 'preceding proof[0]', oldSize, newSize, oldRoot, newRoot, proof: [proof[0], ...proof] },
    { desc: 'truncated', oldSize, newSize, oldRoot, newRoot, proof: proof.slice(0, -1) }
  ]
  for (let i = 0; i < proof.length; i++) {
    const tampered = proof.map((h) => h.slice())
    tampered[i][0] ^= 16
    probes.push({ desc: `tampered proof[${i}]`, oldSize, newSize, oldRoot, newRoot, proof: tampered })
  }
  return probes
}

test('the reference consistency proofs are generated exactly, verify, and every corruption of them fails', (t) => {
  for (const vector of VECTOR_CONSISTENCY) {
    const expected = hexAll(vector.proof)
    const oldRoot = hex(VECTOR_ROOTS[vector.oldSize - 1])
    const newRoot = hex(VECTOR_ROOTS[vector.newSize - 1])
    t.deepEqual(vectorTree.consistency(vector.oldSize, vector.newSize).map(toHex), vector.proof, `proof ${vector.oldSize} → ${vector.newSize}`)
    t.notThrows(() => { verifyConsistencyProof({ oldSize: vector.oldSize, newSize: vector.newSize, oldRoot, newRoot, proof: expected }) })
    if (expected.length === 0) continue
    for (const probe of corruptConsistency(vector.oldSize, vector.newSize, oldRoot, newRoot, expected)) {
      t.false(isValidConsistencyProof(probe), `${probe.desc} must fail for ${vector.oldSize} → ${vector.newSize}`)
    }
  }
})

test('a consistency proof from size 0 is rejected whatever it holds, even 0 → 0 and an empty proof', (t) => {
  const root = emptyRoot()
  for (const [newSize, proof] of [[0, []], [1, []], [8, []], [8, [root]]] as const) {
    const error = t.throws(() => { verifyConsistencyProof({ oldSize: 0, newSize, oldRoot: root, newRoot: root, proof: [...proof] }) })
    t.is(error?.name, 'ConsistencyFromEmptyTreeError')
  }
  t.throws(() => consistencyProofRanges(0, 5), { name: 'ConsistencyFromEmptyTreeError' })
})

test('a consistency proof to a smaller size is rejected, even one that would verify the other way round', (t) => {
  const proof = vectorTree.consistency(2, 5)
  const [r2, r5] = [vectorTree.rootAt(2), vectorTree.rootAt(5)]
  t.notThrows(() => { verifyConsistencyProof({ oldSize: 2, newSize: 5, oldRoot: r2, newRoot: r5, proof }) })
  t.throws(() => { verifyConsistencyProof({ oldSize: 5, newSize: 2, oldRoot: r5, newRoot: r2, proof }) }, { name: 'ConsistencyToSmallerTreeError' })
  t.throws(() => { verifyConsistencyProof({ oldSize: 2, newSize: 1, oldRoot: r2, newRoot: r2, proof: [] }) }, { name: 'ConsistencyToSmallerTreeError' })
  t.throws(() => consistencyProofRanges(5, 2), { name: 'ConsistencyToSmallerTreeError' })
})

test('equal sizes are consistent only with an empty proof and the same root', (t) => {
  const r = vectorTree.rootAt(3)
  t.notThrows(() => { verifyConsistencyProof({ oldSize: 3, newSize: 3, oldRoot: r, newRoot: r, proof: [] }) })
  t.throws(() => { verifyConsistencyProof({ oldSize: 3, newSize: 3, oldRoot: r, newRoot: vectorTree.rootAt(4), proof: [] }) }, { name: 'ProofRootMismatchError' })
  t.throws(() => { verifyConsistencyProof({ oldSize: 3, newSize: 3, oldRoot: r, newRoot: r, proof: [r] }) }, { name: 'MalformedProofError' })
})

test('an inclusion proof names its failure: index outside the tree, wrong root, wrong length', (t) => {
  const leafHash = hashLeaf(vectorLeaves[1])
  const proof = vectorTree.inclusion(1, 5)
  const root = vectorTree.rootAt(5)
  t.throws(() => { verifyInclusionProof({ index: 5, size: 5, leafHash, proof, root }) }, { name: 'ProofRangeError' })
  t.throws(() => { verifyInclusionProof({ index: 0, size: 0, leafHash, proof: [], root }) }, { name: 'ProofRangeError' })
  t.throws(() => { verifyInclusionProof({ index: 1, size: 5, leafHash, proof, root: vectorTree.rootAt(4) }) }, { name: 'ProofRootMismatchError' })
  t.throws(() => { verifyInclusionProof({ index: 1, size: 5, leafHash, proof: proof.slice(1), root }) }, { name: 'MalformedProofError' })
})

test('root, inclusion and consistency proofs agree with a naive reading of RFC 9162 on random trees', (t) => {
  fc.assert(fc.property(
    fc.integer({ min: 1, max: 300 }), fc.nat(), fc.nat(), fc.integer({ min: 0, max: 2 ** 31 }),
    (size, indexRaw, oldRaw, salt) => {
      const leaves = Array.from({ length: size }, (_, i) => new TextEncoder().encode(`${salt}/${i}`))
      const tree = buildTree(leaves)
      const index = indexRaw % size
      const oldSize = 1 + (oldRaw % size)
      const root = mth(leaves)
      if (toHex(tree.root) !== toHex(root)) return false
      const inclusion = tree.inclusion(index, size)
      if (inclusion.map(toHex).join() !== path(index, leaves).map(toHex).join()) return false
      verifyInclusionProof({ index, size, leafHash: hashLeaf(leaves[index]), proof: inclusion, root })
      const consistency = tree.consistency(oldSize, size)
      if (consistency.map(toHex).join() !== naiveProof(oldSize, leaves).map(toHex).join()) return false
      verifyConsistencyProof({ oldSize, newSize: size, oldRoot: mth(leaves.slice(0, oldSize)), newRoot: root, proof: consistency })
      return true
    }
  ), { numRuns: 400, seed: 9162 })
  t.pass()
})

test('a tree that forked after the old size fails consistency, and the proof from the fork reveals the fork\'s own old root', (t) => {
  fc.assert(fc.property(fc.integer({ min: 2, max: 120 }), fc.nat(), fc.nat(), (newSize, oldRaw, forkRaw) => {
    const oldSize = 1 + (oldRaw % (newSize - 1))
    const forkAt = forkRaw % oldSize // first leaf that differs, inside the old tree
    const honest = Array.from({ length: newSize }, (_, i) => Uint8Array.of(i % 256, i >> 8))
    const forked = honest.map((leaf, i) => (i === forkAt ? Uint8Array.of(0xff, 0xff, i) : leaf))
    const forkTree = buildTree(forked)
    const proof = forkTree.consistency(oldSize, newSize)
    const honestOldRoot = mth(honest.slice(0, oldSize))
    if (isValidConsistencyProof({ oldSize, newSize, oldRoot: honestOldRoot, newRoot: forkTree.root, proof })) return false
    const roots = rootsFromConsistencyProof({ oldSize, newSize, oldRoot: mth(forked.slice(0, oldSize)), proof })
    return toHex(roots.newRoot) === toHex(forkTree.root) && toHex(roots.oldRoot) !== toHex(honestOldRoot)
  }), { numRuns: 300, seed: 140 })
  t.pass()
})

test('the ranges a proof needs are few: at most 2·log2(size) stored nodes at 10^6 leaves', (t) => {
  const size = 1_000_000
  for (const index of [0, 1, 499_999, 999_999]) {
    t.true(nodesForRanges(inclusionProofRanges(index, size)).length <= 40)
  }
  t.true(nodesForRanges(consistencyProofRanges(777_777, size)).length <= 40)
})
