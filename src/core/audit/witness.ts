/**
 * Witnessing: the pure decision a member makes when another origin's signed
 * checkpoint reaches it. A witness remembers the latest checkpoint it accepted
 * per origin and cosigns a new one only when a consistency proof shows it
 * extends that one; two checkpoints no proof can reconcile become split-view
 * evidence. Signatures on the checkpoints are checked before this step (the
 * pipeline has the origin's key); the witness signs with `signCosignature`.
 */
import { assert } from '../errors.ts'
import { equalBytes } from './hash.ts'
import { verifyConsistencyProof } from './proof.ts'
import type { SignedCheckpoint } from './checkpoint.ts'
import { conflictingRootsEvidence, type SplitViewEvidence } from './split-view.ts'

/** What the origin answers to "prove consistency from size m to n": the proof and its own root at m. */
export interface ConsistencyAnswer {
  old_root: Uint8Array
  proof: Uint8Array[]
}

/** The witness's decision on an incoming checkpoint. */
export type WitnessDecision =
  /** first sight of the origin, or a proven extension: cosign it and remember it as the latest */
  | { verdict: 'cosign', latest: SignedCheckpoint }
  /** the same checkpoint again, or an older one proven consistent: nothing to do */
  | { verdict: 'known' }
  /** sizes differ and no proof came with it: ask the origin for a proof from `old_size` to `new_size` */
  | { verdict: 'needs-proof', old_size: number, new_size: number }
  /** the proof given proves nothing (garbage, or for other roots): do not cosign; ask again or penalise */
  | { verdict: 'unproven', reason: string }
  /** the origin signed two irreconcilable histories: gossip the evidence */
  | { verdict: 'split-view', evidence: SplitViewEvidence }

/**
 * Decides on `incoming` given the latest checkpoint accepted from its origin.
 * `answer` is the origin's consistency proof between the two sizes (smaller to
 * larger), when the witness has one.
 */
export function witnessCheckpoint (init: { latest: SignedCheckpoint | undefined, incoming: SignedCheckpoint, answer?: ConsistencyAnswer }): WitnessDecision {
  const { latest, incoming, answer } = init
  if (latest === undefined) return { verdict: 'cosign', latest: incoming } // trust on first use: later ones must extend it
  assert(latest.origin === incoming.origin, `a witness compares checkpoints of one origin, not ${latest.origin} and ${incoming.origin}`)
  if (latest.size === incoming.size) {
    return equalBytes(latest.root, incoming.root) ? { verdict: 'known' } : { verdict: 'split-view', evidence: conflictingRootsEvidence(latest, incoming) }
  }
  const [older, newer] = latest.size < incoming.size ? [latest, incoming] : [incoming, latest]
  if (older.size === 0) return newer === incoming ? { verdict: 'cosign', latest: incoming } : { verdict: 'known' } // every tree extends the empty one
  if (answer === undefined) return { verdict: 'needs-proof', old_size: older.size, new_size: newer.size }
  try {
    verifyConsistencyProof({ oldSize: older.size, newSize: newer.size, oldRoot: older.root, newRoot: newer.root, proof: answer.proof })
    return newer === incoming ? { verdict: 'cosign', latest: incoming } : { verdict: 'known' }
  } catch (err) {
    return splitOrUnproven(older, newer, answer, err)
  }
}

/** A proof that fails for the older root may still tie a different root to the newer checkpoint: that is a fork. */
function splitOrUnproven (older: SignedCheckpoint, newer: SignedCheckpoint, answer: ConsistencyAnswer, err: unknown): WitnessDecision {
  if (!equalBytes(answer.old_root, older.root)) {
    try {
      verifyConsistencyProof({ oldSize: older.size, newSize: newer.size, oldRoot: answer.old_root, newRoot: newer.root, proof: answer.proof })
      return {
        verdict: 'split-view',
        evidence: { kind: 'inconsistent-prefix', origin: older.origin, older, newer, prefix_root: answer.old_root, proof: answer.proof }
      }
    } catch { /* fall through: the answer proves nothing */ }
  }
  // the roots a bad proof leads to are not evidence: anyone can write a bad proof
  return { verdict: 'unproven', reason: (err as Error).name ?? 'Error' }
}

/**
 * The chance that a member witnesses a given checkpoint: every other member
 * when there are at most `witnesses` of them, else `witnesses` / (members − 1),
 * so each checkpoint gets `witnesses` witnesses on average and the cost of
 * witnessing grows with the membership, not with its square.
 */
export function witnessProbability (memberCount: number, witnesses: number): number {
  assert(Number.isInteger(witnesses) && witnesses >= 1, `witnesses per checkpoint must be a positive integer, not ${witnesses}`)
  const others = memberCount - 1
  return others <= witnesses ? 1 : witnesses / others
}

/** Bytes of randomness one witness draw reads. */
export const WITNESS_DRAW_BYTES = 4

/**
 * Whether this member witnesses a checkpoint, from a draw of
 * `WITNESS_DRAW_BYTES` random bytes: the draw, read as a fraction of 2³², is
 * below the probability. The draw is the witness's own (its CSPRNG in
 * production), so an origin cannot predict or steer who will check it.
 */
export function witnessesThis (probability: number, draw: Uint8Array): boolean {
  assert(draw.byteLength === WITNESS_DRAW_BYTES, `a witness draw is ${WITNESS_DRAW_BYTES} bytes, not ${draw.byteLength}`)
  if (probability >= 1) return true
  const fraction = new DataView(draw.buffer, draw.byteOffset, WITNESS_DRAW_BYTES).getUint32(0) / 2 ** 32
  return fraction < probability
}
