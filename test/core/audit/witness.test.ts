import test from 'ava'
import { signCheckpoint, type SignedCheckpoint } from '../../../src/core/audit/checkpoint.ts'
import { hashLeaf } from '../../../src/core/audit/hash.ts'
import { consistencyProofRanges, proofFromNodes } from '../../../src/core/audit/proof.ts'
import {
  splitViewEvidenceFromJson, splitViewEvidenceToJson, verifySplitViewEvidence, type SplitViewEvidence
} from '../../../src/core/audit/split-view.ts'
import { appendLeafHashes, emptyTree, treeRoot, type NodeId } from '../../../src/core/audit/tree.ts'
import { WITNESS_DRAW_BYTES, witnessCheckpoint, witnessesThis, witnessProbability } from '../../../src/core/audit/witness.ts'
import { seededRandom } from '../../../src/runtime/random.ts'
import { realMember, realVerifier } from '../consensus/fixtures.ts'

const ORIGIN = 'fedmesh/test-fed/node-1'
const origin = realMember(1)
const stranger = realMember(3)

/** One view of a log: its leaves, checkpoints it signs and the consistency answers it serves. */
function view (leaves: string[]) {
  const { nodes } = appendLeafHashes(emptyTree(), leaves.map((l) => hashLeaf(new TextEncoder().encode(l))))
  const byId = new Map(nodes.map((n) => [`${n.level}/${n.index}`, n.hash]))
  const lookup = (id: NodeId): Uint8Array => byId.get(`${id.level}/${id.index}`) as Uint8Array
  const rootAt = (size: number) => treeRoot(appendLeafHashes(emptyTree(), leaves.slice(0, size).map((l) => hashLeaf(new TextEncoder().encode(l)))).state)
  return {
    checkpoint: (size: number): SignedCheckpoint => signCheckpoint(origin.signer, { origin: ORIGIN, size, root: rootAt(size) }),
    answer: (oldSize: number, newSize: number) => ({ old_root: rootAt(oldSize), proof: proofFromNodes(consistencyProofRanges(oldSize, newSize), lookup) })
  }
}

const honestLeaves = Array.from({ length: 40 }, (_, i) => `record ${i}`)
const honest = view(honestLeaves)
// the fork rewrites record 9 and goes on from there
const forked = view(honestLeaves.map((l, i) => (i === 9 ? 'record 9, rewritten' : l)))

test('a witness cosigns the first checkpoint it sees from an origin, then only proven extensions', (t) => {
  const first = honest.checkpoint(10)
  t.deepEqual(witnessCheckpoint({ latest: undefined, incoming: first }), { verdict: 'cosign', latest: first })
  const next = honest.checkpoint(25)
  t.deepEqual(witnessCheckpoint({ latest: first, incoming: next }), { verdict: 'needs-proof', old_size: 10, new_size: 25 })
  t.deepEqual(witnessCheckpoint({ latest: first, incoming: next, answer: honest.answer(10, 25) }), { verdict: 'cosign', latest: next })
  t.deepEqual(witnessCheckpoint({ latest: next, incoming: first, answer: honest.answer(10, 25) }), { verdict: 'known' })
  t.deepEqual(witnessCheckpoint({ latest: next, incoming: honest.checkpoint(25) }), { verdict: 'known' })
})

test('a garbage answer is not cosigned and is not evidence either', (t) => {
  const decision = witnessCheckpoint({ latest: honest.checkpoint(10), incoming: honest.checkpoint(25), answer: { old_root: new Uint8Array(32), proof: [new Uint8Array(32)] } })
  t.is(decision.verdict, 'unproven')
})

test('two checkpoints of one size with different roots are split-view evidence anyone can verify', (t) => {
  const decision = witnessCheckpoint({ latest: honest.checkpoint(20), incoming: forked.checkpoint(20) })
  if (decision.verdict !== 'split-view') return t.fail(`expected a split view, got ${decision.verdict}`)
  t.is(decision.evidence.kind, 'conflicting-roots')
  const evidence = splitViewEvidenceFromJson(JSON.parse(JSON.stringify(splitViewEvidenceToJson(decision.evidence))))
  t.notThrows(() => { verifySplitViewEvidence(evidence, origin.signer.publicKey, realVerifier) })
  t.throws(() => { verifySplitViewEvidence(evidence, stranger.signer.publicKey, realVerifier) }, { name: 'CheckpointSignatureError' })
})

test('a member that cosigned one history catches the fork when the forked side proves its own consistency', (t) => {
  // the witness accepted the honest view at 12; the origin later shows the forked view at 30
  const latest = honest.checkpoint(12)
  const incoming = forked.checkpoint(30)
  const decision = witnessCheckpoint({ latest, incoming, answer: forked.answer(12, 30) })
  if (decision.verdict !== 'split-view') return t.fail(`expected a split view, got ${decision.verdict}`)
  t.is(decision.evidence.kind, 'inconsistent-prefix')
  const evidence = splitViewEvidenceFromJson(JSON.parse(JSON.stringify(splitViewEvidenceToJson(decision.evidence))))
  t.notThrows(() => { verifySplitViewEvidence(evidence, origin.signer.publicKey, realVerifier) })
  // and the honest side cannot answer for the forked checkpoint at all
  t.is(witnessCheckpoint({ latest, incoming, answer: honest.answer(12, 30) }).verdict, 'unproven')
})

test('a power-of-two old size is caught the same way (the RFC leaves its root out of the proof)', (t) => {
  const decision = witnessCheckpoint({ latest: honest.checkpoint(16), incoming: forked.checkpoint(33), answer: forked.answer(16, 33) })
  t.is(decision.verdict, 'split-view')
})

test('evidence that shows no split is refused by name', (t) => {
  const a = honest.checkpoint(20)
  const cases: SplitViewEvidence[] = [
    { kind: 'conflicting-roots', origin: ORIGIN, checkpoints: [a, honest.checkpoint(20)] },
    { kind: 'conflicting-roots', origin: ORIGIN, checkpoints: [a, forked.checkpoint(21)] },
    { kind: 'inconsistent-prefix', origin: ORIGIN, older: honest.checkpoint(12), newer: honest.checkpoint(30), ...((x) => ({ prefix_root: x.old_root, proof: x.proof }))(honest.answer(12, 30)) },
    { kind: 'inconsistent-prefix', origin: ORIGIN, older: honest.checkpoint(12), newer: forked.checkpoint(30), prefix_root: new Uint8Array(32), proof: forked.answer(12, 30).proof },
    { kind: 'conflicting-roots', origin: 'fedmesh/someone-else', checkpoints: [a, forked.checkpoint(20)] }
  ]
  for (const evidence of cases) {
    t.throws(() => { verifySplitViewEvidence(evidence, origin.signer.publicKey, realVerifier) }, { name: 'InvalidSplitViewEvidenceError' })
  }
})

test('witness sampling: everyone while the membership is small, else witnesses / (members − 1), drawn from the witness\'s own stream', (t) => {
  t.is(witnessProbability(1, 8), 1)
  t.is(witnessProbability(9, 8), 1)
  t.is(witnessProbability(41, 8), 8 / 40)
  t.throws(() => witnessProbability(10, 0), { message: /positive integer/ })
  t.throws(() => witnessesThis(0.5, new Uint8Array(3)), { message: /4 bytes/ })
  t.true(witnessesThis(1, new Uint8Array([255, 255, 255, 255])))
  t.true(witnessesThis(0.5, new Uint8Array([127, 255, 255, 255])))
  t.false(witnessesThis(0.5, new Uint8Array([128, 0, 0, 0])))
  // over many draws of one seeded stream the fraction is close to the probability (deterministic: a fixed seed)
  const draws = seededRandom(new Uint8Array(32).fill(7), 'witness')
  const n = 20_000
  let hits = 0
  for (let i = 0; i < n; i++) if (witnessesThis(0.2, draws.bytes(WITNESS_DRAW_BYTES))) hits++
  t.true(Math.abs(hits / n - 0.2) < 0.01, `${hits} of ${n}`)
})
