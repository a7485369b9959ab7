/**
 * Safety: with the default threshold and at most f = ⌊(n−1)/3⌋ Byzantine
 * members (equivocating, voting arbitrarily, showing each observer a different
 * face), no slot ever gets two valid QCs for different hashes — checked on
 * what each observer's state machine certifies and, from outside, over every
 * vote anyone signed. Companion tests show the bounds are real.
 */
import test from 'ava'
import { createConsensusState, applyVote, type ConsensusState } from '../../../src/core/consensus/machine.ts'
import { verifyQC, type QuorumCertificate } from '../../../src/core/consensus/quorum-certificate.ts'
import { DEFAULT_POLICY, faultTolerance, quorumSize, type ConsensusPolicy } from '../../../src/core/consensus/threshold.ts'
import type { SignatureVerifier } from '../../../src/core/signature.ts'
import type { Vote } from '../../../src/core/consensus/vote.ts'
import { digestMember, digestVerifier, realMember, realVerifier, membershipOf, voteBy, hashOf, type TestMember } from './fixtures.ts'

const FED = 'grid'
const SLOT = 'gov/1'
const SEEDS = 1000
const OBSERVERS = 3

/** mulberry32: a small seeded generator, so every seed replays exactly. */
function rng (seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6D2B79F5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

function shuffle<T> (items: T[], random: () => number): T[] {
  const out = [...items]
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1))
    ;[out[i], out[j]] = [out[j]!, out[i]!]
  }
  return out
}

const digestMembers = Array.from({ length: 100 }, (_, i) => digestMember(i))
const HASHES = ['A', 'B', 'C', 'D'].map(hashOf)

interface Scenario {
  members: TestMember[]
  byzantine: Set<string>
  /** what each observer receives, in order */
  deliveries: Vote[][]
  /** every vote anyone signed */
  signed: Vote[]
}

/** One seeded scenario: honest members vote once, Byzantine members sign any hashes and show each observer what they like. */
function scenario (seed: number, n: number, byzantineCount: number, members: TestMember[], policy: ConsensusPolicy): Scenario {
  const random = rng(seed)
  const chosen = shuffle(members.slice(0, n), random)
  const byzantine = new Set(chosen.slice(0, byzantineCount).map((m) => m.node_id))
  const quorum = quorumSize(policy, n)
  // a third of the seeds split the honest members as the attacker would like (just enough for A, the rest B),
  // a third at random between A and B, a third all for A (so decisions happen and the checks have QCs to look at)
  const mode = Math.floor(random() * 3)
  const honest = chosen.slice(byzantineCount)
  const honestVotes = honest.map((m, i) => {
    const hash = mode === 0 ? (i < quorum - byzantineCount ? HASHES[0]! : HASHES[1]!) : mode === 1 ? HASHES[Math.floor(random() * 2)]! : HASHES[0]!
    return voteBy(m, FED, SLOT, hash)
  })
  const byzantineVotes = chosen.slice(0, byzantineCount).map((m) => HASHES.map((h) => voteBy(m, FED, SLOT, h)))
  const deliveries: Vote[][] = []
  for (let o = 0; o < OBSERVERS; o++) {
    const shown: Vote[] = []
    for (const votes of byzantineVotes) {
      // each observer sees the hash the attacker picks for it, and sometimes a second one too
      shown.push(votes[o % 2]!)
      if (random() < 0.3) shown.push(votes[Math.floor(random() * votes.length)]!)
    }
    // honest votes may be lost on the way to some observers
    const received = honestVotes.filter(() => random() < 0.95)
    deliveries.push(shuffle([...received, ...shown], random))
  }
  return { members: chosen, byzantine, deliveries, signed: [...honestVotes, ...byzantineVotes.flat()] }
}

/** Runs each observer's state machine over its deliveries; returns every QC any of them certified. */
function certify (s: Scenario, policy: ConsensusPolicy, verifier: SignatureVerifier): QuorumCertificate[] {
  const qcs: QuorumCertificate[] = []
  for (const delivery of s.deliveries) {
    let state: ConsensusState = createConsensusState({ membership: membershipOf(FED, s.members), policy, now: 0 })
    for (const vote of delivery) {
      const step = applyVote(state, vote, { now: 1, verifier })
      state = step.state
      for (const record of step.records) if (record.kind === 'qc') qcs.push(record.qc)
    }
  }
  return qcs
}

/** From outside: every hash for which a valid QC could be assembled from all signed votes. */
function certifiableHashes (s: Scenario, policy: ConsensusPolicy): string[] {
  const signers = new Map<string, Set<string>>()
  for (const vote of s.signed) {
    const set = signers.get(vote.event_hash) ?? new Set()
    set.add(vote.voter)
    signers.set(vote.event_hash, set)
  }
  const quorum = quorumSize(policy, s.members.length)
  return [...signers].filter(([, set]) => set.size >= quorum).map(([hash]) => hash)
}

/** n for seed i: cycles through 4..100 so every size (50 and 100 included) gets about ten seeds. */
const sizeFor = (i: number): number => 4 + (i % 97)

test(`default threshold, f = ⌊(n−1)/3⌋ Byzantine members, n = 4..100, ${SEEDS} seeds: never two valid QCs in one slot`, (t) => {
  const sizes = new Set<number>()
  let decisions = 0
  for (let i = 0; i < SEEDS; i++) {
    const n = sizeFor(i)
    sizes.add(n)
    const s = scenario(i, n, faultTolerance(n), digestMembers, DEFAULT_POLICY)
    const qcs = certify(s, DEFAULT_POLICY, digestVerifier)
    const membership = membershipOf(FED, s.members)
    for (const qc of qcs) verifyQC(qc, { membership, policy: DEFAULT_POLICY, verifier: digestVerifier })
    const hashes = new Set(qcs.map((qc) => qc.event_hash))
    if (hashes.size > 1) return t.fail(`seed ${i}, n = ${n}: conflicting QCs for ${[...hashes].join(', ')}`)
    if (certifiableHashes(s, DEFAULT_POLICY).length > 1) return t.fail(`seed ${i}, n = ${n}: two hashes certifiable from the signed votes`)
    decisions += qcs.length
  }
  t.true(sizes.has(4) && sizes.has(50) && sizes.has(100))
  t.true(decisions > SEEDS / 2, `the property must be exercised by real decisions (${decisions})`)
})

test('the same property with real hybrid signatures (n = 10, f = 3, 3 seeds)', (t) => {
  const members = Array.from({ length: 10 }, (_, i) => realMember(i))
  for (let i = 0; i < 3; i++) {
    const s = scenario(i, 10, faultTolerance(10), members, DEFAULT_POLICY)
    const qcs = certify(s, DEFAULT_POLICY, realVerifier)
    for (const qc of qcs) verifyQC(qc, { membership: membershipOf(FED, s.members), policy: DEFAULT_POLICY, verifier: realVerifier })
    t.true(new Set(qcs.map((qc) => qc.event_hash)).size <= 1, `seed ${i}`)
  }
})

/** Honest members split so both A and B reach the quorum with the Byzantine members' help; returns both QCs. */
function conflictingQCs (n: number, byzantineCount: number, policy: ConsensusPolicy): QuorumCertificate[] {
  const members = digestMembers.slice(0, n)
  const quorum = quorumSize(policy, n)
  const byzantine = members.slice(0, byzantineCount)
  const honest = members.slice(byzantineCount)
  const forA = honest.slice(0, quorum - byzantineCount)
  const forB = honest.slice(quorum - byzantineCount)
  const s: Scenario = {
    members,
    byzantine: new Set(byzantine.map((m) => m.node_id)),
    deliveries: [
      [...forA, ...byzantine].map((m) => voteBy(m, FED, SLOT, HASHES[0]!)),
      [...forB, ...byzantine].map((m) => voteBy(m, FED, SLOT, HASHES[1]!))
    ],
    signed: []
  }
  const qcs = certify(s, policy, digestVerifier)
  for (const qc of qcs) verifyQC(qc, { membership: membershipOf(FED, members), policy, verifier: digestVerifier })
  return qcs
}

test('with 2q − n Byzantine members (more than f, at least n/3) conflicting QCs do form under the default threshold', (t) => {
  for (let n = 4; n <= 100; n++) {
    const quorum = quorumSize(DEFAULT_POLICY, n)
    const needed = 2 * quorum - n
    t.true(needed > faultTolerance(n) && needed >= n / 3, `n = ${n}`)
    t.is(new Set(conflictingQCs(n, needed, DEFAULT_POLICY).map((qc) => qc.event_hash)).size, 2, `n = ${n}`)
    t.is(new Set(conflictingQCs(n, needed - 1, DEFAULT_POLICY).map((qc) => qc.event_hash)).size, 1, `n = ${n}`)
  }
})

test('with threshold 0.66 at n = 100, f = 33 Byzantine members can form conflicting QCs', (t) => {
  const policy: ConsensusPolicy = { threshold: 0.66, min_participating_nodes: 2, tie_breaking: 'timestamp_priority' }
  t.is(faultTolerance(100), 33)
  const qcs = conflictingQCs(100, 33, policy)
  t.deepEqual(new Set(qcs.map((qc) => qc.event_hash)), new Set([HASHES[0], HASHES[1]]))
  // the same attack against bft fails
  t.is(new Set(conflictingQCs(100, 33, DEFAULT_POLICY).map((qc) => qc.event_hash)).size, 1)
})

test('liveness: with every vote delivered and at most f Byzantine members voting elsewhere, every observer decides the honest hash', (t) => {
  for (let i = 0; i < 200; i++) {
    const n = sizeFor(i)
    const random = rng(10_000 + i)
    const members = shuffle(digestMembers.slice(0, n), random)
    const f = faultTolerance(n)
    const votes = members.map((m, k) => voteBy(m, FED, SLOT, k < f ? HASHES[1 + Math.floor(random() * 3)]! : HASHES[0]!))
    for (let o = 0; o < 2; o++) {
      let state = createConsensusState({ membership: membershipOf(FED, members), policy: DEFAULT_POLICY, now: 0 })
      for (const vote of shuffle(votes, random)) state = applyVote(state, vote, { now: 1, verifier: digestVerifier }).state
      const slot = state.slots.get(SLOT)!
      if (slot.status !== 'decided' || slot.decided_hash !== HASHES[0]) return t.fail(`seed ${i}, n = ${n}: ${slot.status}`)
    }
  }
  t.pass()
})
