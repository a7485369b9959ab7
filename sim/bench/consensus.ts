/**
 * bench:consensus — votes tallied per second by the consensus state machine
 * (`applyVote`) for 100 members × 1,000 slots:
 *   - pure tally: signatures not checked (a verifier that accepts), all 100,000 votes;
 *   - verified: real hybrid signatures (Ed25519 + native ML-DSA-65) checked on
 *     every vote, over the first VERIFIED_SLOTS slots (signing 100,000 ML-DSA
 *     votes up front would dominate the run; pass --full for all 1,000 slots).
 * Votes arrive in a seeded random order across all open slots (as gossip would
 * deliver them). Prints medians of RUNS runs and the ratio; goal ≥ 10,000
 * votes/s pure tally. Never fails on figures.
 */
import { createHash } from 'node:crypto'
import { hybridSignerFromSeeds, hybridVerifier, resolveMlDsaBackend } from '../../src/crypto/hybrid.ts'
import { createConsensusState, applyVote, type ConsensusState } from '../../src/core/consensus/machine.ts'
import { createMembership } from '../../src/core/consensus/membership.ts'
import { DEFAULT_POLICY } from '../../src/core/consensus/threshold.ts'
import { signVote, voteMessage, type Vote } from '../../src/core/consensus/vote.ts'
import type { SignatureVerifier } from '../../src/core/signature.ts'

const MEMBERS = 100
const SLOTS = 1000
const VERIFIED_SLOTS = process.argv.includes('--full') ? SLOTS : 50
const RUNS = 5
const FED = 'bench'
const GOAL_VOTES_PER_SECOND = 10_000

const seed = (label: string): Uint8Array => new Uint8Array(createHash('sha256').update(label).digest())
const hashOf = (label: string): string => createHash('sha256').update(label).digest('hex')
const BASE58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz'
const nodeId = (i: number): string => `12D3KooW${BASE58[Math.floor(i / 58)]}${BASE58[i % 58]}`.padEnd(52, '1')

function median (values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]!
}

/** mulberry32, seeded: the same delivery order every run. */
function shuffle<T> (items: T[], seedValue: number): T[] {
  let a = seedValue >>> 0
  const random = (): number => {
    a = (a + 0x6D2B79F5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  const out = [...items]
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1))
    ;[out[i], out[j]] = [out[j]!, out[i]!]
  }
  return out
}

const backend = resolveMlDsaBackend('native')
process.stdout.write(`consensus bench: ${MEMBERS} members × ${SLOTS} slots, threshold bft (quorum ${Math.floor((2 * MEMBERS) / 3) + 1}), ML-DSA-65 backend ${backend}, ${RUNS} runs\n`)

const signers = Array.from({ length: MEMBERS }, (_, i) => hybridSignerFromSeeds({ ed25519Seed: seed(`ed/${i}`), mldsaSeed: seed(`ml/${i}`), backend: 'native' }))
const membership = createMembership(FED, signers.map((s, i) => ({ node_id: nodeId(i), public_key: s.publicKey, joined_at: 0 })))
const start = (): ConsensusState => createConsensusState({ membership, policy: DEFAULT_POLICY, now: 0 })

/** 9 of 10 slots unanimous; every 10th split 60/40, so it fails and resolves by tie-breaking. */
const hashFor = (slot: number, member: number): string => hashOf(slot % 10 === 9 && member >= 60 ? `other-${slot}` : `event-${slot}`)

function run (votes: Vote[], verifier: SignatureVerifier): { seconds: number, decided: number } {
  let state = start()
  const started = performance.now()
  for (const vote of votes) state = applyVote(state, vote, { now: 1, verifier }).state
  const seconds = (performance.now() - started) / 1000
  let decided = 0
  for (const slot of state.slots.values()) if (slot.status === 'decided') decided++
  return { seconds, decided }
}

// pure tally: unsigned votes, a verifier that accepts
const empty = { ed25519: new Uint8Array(0), mldsa: new Uint8Array(0) }
const unsigned: Vote[] = []
for (let s = 0; s < SLOTS; s++) for (let m = 0; m < MEMBERS; m++) unsigned.push({ federation_id: FED, slot: `s/${s}`, event_hash: hashFor(s, m), voter: nodeId(m), signature: empty })
const pureOrder = shuffle(unsigned, 1)
const accept: SignatureVerifier = { verify: () => true }
const pureRuns = Array.from({ length: RUNS }, () => run(pureOrder, accept))
const pureRate = unsigned.length / median(pureRuns.map((r) => r.seconds))

// verified: real signatures
const signStarted = performance.now()
const signed: Vote[] = []
for (let s = 0; s < VERIFIED_SLOTS; s++) {
  for (let m = 0; m < MEMBERS; m++) signed.push(signVote(signers[m]!, { federation_id: FED, slot: `s/${s}`, event_hash: hashFor(s, m), voter: nodeId(m) }))
}
const signSeconds = (performance.now() - signStarted) / 1000
const verifier = hybridVerifier('native')
const verifiedOrder = shuffle(signed, 2)
const verifiedRuns = Array.from({ length: RUNS }, () => run(verifiedOrder, verifier))
const verifiedRate = signed.length / median(verifiedRuns.map((r) => r.seconds))

// the hybrid signature check alone over the same votes, same run: how much of the verified cost is crypto
const cryptoStarted = performance.now()
for (const vote of signed) {
  if (!verifier.verify(membership.members.get(vote.voter)!.public_key, voteMessage(FED, vote.slot, vote.event_hash), vote.signature)) throw new Error('bench vote does not verify')
}
const cryptoSeconds = (performance.now() - cryptoStarted) / 1000

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US')
process.stdout.write([
  `pure tally (no signature check): ${fmt(unsigned.length)} votes, median ${median(pureRuns.map((r) => r.seconds)).toFixed(3)} s → ${fmt(pureRate)} votes/s ` +
    `(${(1e6 / pureRate).toFixed(1)} µs/vote; ${pureRuns[0]!.decided} of ${SLOTS} slots decided) — goal ≥ ${fmt(GOAL_VOTES_PER_SECOND)}: ${pureRate >= GOAL_VOTES_PER_SECOND ? 'met' : 'NOT met'}`,
  `verified (Ed25519 + ML-DSA-65 ${backend}): ${fmt(signed.length)} votes over ${VERIFIED_SLOTS} slots, median ${median(verifiedRuns.map((r) => r.seconds)).toFixed(3)} s → ${fmt(verifiedRate)} votes/s ` +
    `(${(1e6 / verifiedRate).toFixed(1)} µs/vote; ${verifiedRuns[0]!.decided} of ${VERIFIED_SLOTS} slots decided)`,
  `  100 × 1,000 at that rate: ${(MEMBERS * SLOTS / verifiedRate).toFixed(1)} s${VERIFIED_SLOTS === SLOTS ? ' (measured)' : ' (extrapolated; --full measures it)'}`,
  `  signing the verified votes took ${signSeconds.toFixed(1)} s (${(signSeconds * 1e6 / signed.length).toFixed(0)} µs/vote, not part of the tally)`,
  `  of which the hybrid signature check alone (Ed25519 + ML-DSA-65 verify): ${(cryptoSeconds * 1e6 / signed.length).toFixed(1)} µs/vote`,
  `ratio pure / verified: ${(pureRate / verifiedRate).toFixed(1)}×`
].join('\n') + '\n')
