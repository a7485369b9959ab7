/**
 * Node reputation: how far a member's word can be trusted in exchanges, kept
 * by each node for every other member from what it observed itself.
 *
 *   accuracy  = (Σ (1000 − |attested − observed|) + PRIOR × 500) / (n + PRIOR)           permille
 *               over completed edges where our participant received from theirs, comparing
 *               the satisfaction their latest attestation claimed with what ours gave
 *   adherence = ((on_time + honoured) × 1000 + PRIOR × 500) / (on_time + late + honoured + broken + PRIOR)
 *   score     = round((ACCURACY_WEIGHT × accuracy + (1000 − ACCURACY_WEIGHT) × adherence) / 10000)     0…100
 *
 * PRIOR pseudo-observations at 500 keep a newcomer at 50 and stop one event
 * from swinging a score. An attestation's weight is score / 100, zero below
 * REPUTATION_IGNORE_BELOW; a weighted claim is shrunk towards the neutral 500
 * by the missing weight. Integer arithmetic only: the same facts give the same
 * score everywhere.
 */
import type { AdherenceKind } from '../chain/state.ts'

/** Pseudo-observations at the neutral value in both averages. */
export const REPUTATION_PRIOR_COUNT = 5
/** The neutral value, permille. */
export const REPUTATION_NEUTRAL_PERMILLE = 500
/** Share of accuracy in the score, permille (the rest is adherence). */
export const ACCURACY_WEIGHT_PERMILLE = 600
/** Below this score a node's attestations carry no weight. */
export const REPUTATION_IGNORE_BELOW = 25
/** Counters saturate here so a score never overflows a safe integer. */
export const REPUTATION_COUNT_MAX = 1_000_000_000

/** The score of a member nothing is known about (both averages at the neutral value). */
export const REPUTATION_SCORE_INITIAL = 50

/** What a node has observed of one member. */
export interface NodeReputation {
  node: string
  /** Σ (1000 − |attested − observed|) over `accuracy_count` observations */
  accuracy_sum: number
  accuracy_count: number
  on_time: number
  late: number
  honoured: number
  broken: number
}

/** A member nothing is known about yet (score 50). */
export function initialReputation (node: string): NodeReputation {
  return { node, accuracy_sum: 0, accuracy_count: 0, on_time: 0, late: 0, honoured: 0, broken: 0 }
}

/** After a completed edge: the satisfaction the provider's node attested (null when it had not) vs the one observed. */
export function applyObservation (reputation: NodeReputation, attestedPermille: number | null, observedPermille: number): NodeReputation {
  if (attestedPermille === null || reputation.accuracy_count >= REPUTATION_COUNT_MAX) return reputation
  return {
    ...reputation,
    accuracy_sum: reputation.accuracy_sum + 1000 - Math.abs(attestedPermille - observedPermille),
    accuracy_count: reputation.accuracy_count + 1
  }
}

/** After an adherence fact from the chain machine. */
export function applyAdherence (reputation: NodeReputation, kind: AdherenceKind): NodeReputation {
  if (reputation[kind] >= REPUTATION_COUNT_MAX) return reputation
  return { ...reputation, [kind]: reputation[kind] + 1 }
}

/** Accuracy of the node's attestations, permille. */
export function accuracyPermille (r: NodeReputation): number {
  return Math.round((r.accuracy_sum + REPUTATION_PRIOR_COUNT * REPUTATION_NEUTRAL_PERMILLE) / (r.accuracy_count + REPUTATION_PRIOR_COUNT))
}

/** Protocol adherence (answers on time, commitments honoured), permille. */
export function adherencePermille (r: NodeReputation): number {
  const good = r.on_time + r.honoured
  const all = good + r.late + r.broken
  return Math.round((good * 1000 + REPUTATION_PRIOR_COUNT * REPUTATION_NEUTRAL_PERMILLE) / (all + REPUTATION_PRIOR_COUNT))
}

/** The score, 0…100, shown per member next to consensus trust. */
export function reputationScore (r: NodeReputation): number {
  return Math.round((ACCURACY_WEIGHT_PERMILLE * accuracyPermille(r) + (1000 - ACCURACY_WEIGHT_PERMILLE) * adherencePermille(r)) / 10_000)
}

/** How much an attestation from a node of this score counts, permille: score × 10, zero below REPUTATION_IGNORE_BELOW. */
export function attestationWeightPermille (score: number): number {
  return score < REPUTATION_IGNORE_BELOW ? 0 : Math.min(1000, Math.max(0, Math.round(score * 10)))
}

/**
 * A claimed satisfaction weighted by its issuer's score: shrunk towards 500 by
 * the missing weight. Matching uses it (0…1000 = its WEIGHT_MAX) to prefer chains
 * through well-rated participants; an unrated participant is neutral.
 */
export function weightedSatisfactionPermille (claimedPermille: number | null, issuerScore: number): number {
  if (claimedPermille === null) return REPUTATION_NEUTRAL_PERMILLE
  const w = attestationWeightPermille(issuerScore)
  return Math.round((w * claimedPermille + (1000 - w) * REPUTATION_NEUTRAL_PERMILLE) / 1000)
}

/** One accuracy input: what a node attested about its participant vs the satisfaction observed here. */
export interface AccuracyInput {
  attested_permille: number | null
  observed_permille: number
}

/** A member's reputation from everything this node observed of it (the same facts in any order give the same counts). */
export function reputationOf (node: string, observations: readonly AccuracyInput[], facts: readonly AdherenceKind[]): NodeReputation {
  let reputation = initialReputation(node)
  for (const o of observations) reputation = applyObservation(reputation, o.attested_permille, o.observed_permille)
  for (const kind of facts) reputation = applyAdherence(reputation, kind)
  return reputation
}
