/**
 * Matching weights from attestations and node reputation (issue 13, items
 * 7–8). The clearing maximises participants served first and weight second
 * (clearing.ts), and binds the heaviest unit of a pool first; these weights
 * make that second objective prefer well-attested participants and
 * high-reputation nodes. They never trade a participant served for weight:
 * `preferServed` keeps the unweighted clearing whenever it serves more.
 *
 *   local participant   w = its operator-set weight when it has one, else its
 *                           attested satisfaction (this node's own attestation,
 *                           full weight: the node computed it), 500 when unrated
 *   remote node's units w = round((A + 10 × R) / 2)
 *                           A = mean over the attestations it issued that this node
 *                               holds of the claimed satisfaction shrunk towards 500
 *                               by the issuer's reputation (`weightedSatisfactionPermille`),
 *                               500 when it issued none
 *                           R = its reputation score here (0…100, 50 when unknown)
 *   chain score         mean of its steps' weights (a local step: its participant's,
 *                           a remote step: its node's); `chain.propose` proposes the
 *                           highest-scoring chain with a participant of this node,
 *                           ties in clearing order
 *
 * All integer permille (0…1000 = WEIGHT_MAX), pure and deterministic.
 */
import { REPUTATION_NEUTRAL_PERMILLE, REPUTATION_SCORE_INITIAL, weightedSatisfactionPermille } from '../reputation/reputation.ts'
import type { ChainStep } from './chain.ts'
import { WEIGHT_MAX } from './limits.ts'

/** The weight of a participant this node hosts: the operator's word first, else its attested satisfaction. */
export function localParticipantWeight (explicitWeight: number | undefined, attestedSatisfactionPermille: number | null | undefined): number {
  if (explicitWeight !== undefined) return explicitWeight
  if (attestedSatisfactionPermille === null || attestedSatisfactionPermille === undefined) return REPUTATION_NEUTRAL_PERMILLE
  return clampWeight(attestedSatisfactionPermille)
}

/** One attestation a remote node issued, as this node holds it. */
export interface HeldAttestation {
  satisfaction_rate_permille: number | null
}

/** The weight of a remote node's (anonymous) units: its attestations shrunk by its reputation, averaged with the reputation itself. */
export function remoteNodeWeight (issued: readonly HeldAttestation[], reputationScore: number = REPUTATION_SCORE_INITIAL): number {
  let attested = REPUTATION_NEUTRAL_PERMILLE
  if (issued.length > 0) {
    let sum = 0
    for (const a of issued) sum += weightedSatisfactionPermille(a.satisfaction_rate_permille, reputationScore)
    attested = Math.round(sum / issued.length)
  }
  return clampWeight(Math.round((attested + 10 * reputationScore) / 2))
}

/** A chain's score: the mean weight of its steps (0 for an empty chain). */
export function chainScore (steps: readonly ChainStep[], weightOf: (step: ChainStep) => number): number {
  if (steps.length === 0) return 0
  let sum = 0
  for (const step of steps) sum += weightOf(step)
  return sum / steps.length
}

/** Indices of `chains` from the best score to the worst; equal scores keep their order (a stable sort). */
export function rankChains (chains: ReadonlyArray<{ steps: readonly ChainStep[] }>, weightOf: (step: ChainStep) => number): number[] {
  const scores = chains.map((chain) => chainScore(chain.steps, weightOf))
  return chains.map((_, i) => i).sort((a, b) => scores[b]! - scores[a]! || a - b)
}

/** The weighted clearing unless the unweighted one serves more participants (weight is only ever the second objective). */
export function preferServed<T extends { participantsServed: number }> (weighted: T, unweighted: T): { clearing: T, fallback: boolean } {
  return unweighted.participantsServed > weighted.participantsServed ? { clearing: unweighted, fallback: true } : { clearing: weighted, fallback: false }
}

/**
 * Clears weighted; when that answer is not proved optimal (served below the
 * bound), clears unweighted too and keeps whichever serves more. A weighted
 * answer at the bound cannot be beaten on participants served.
 */
export async function clearPreferringServed<T extends { participantsServed: number, optimal: boolean }> (weighted: () => T | Promise<T>, unweighted: () => T | Promise<T>): Promise<{ clearing: T, fallback: boolean }> {
  const first = await weighted()
  if (first.optimal) return { clearing: first, fallback: false }
  return preferServed(first, await unweighted())
}

function clampWeight (w: number): number {
  return Math.min(WEIGHT_MAX, Math.max(0, Math.round(w)))
}
