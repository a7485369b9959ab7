/**
 * Tie-breaking: what a slot resolves to when no hash reached the quorum. The
 * result is a local, advisory resolution recorded in the history; it is not a
 * QuorumCertificate, so it never changes membership or policy.
 */
import type { TieBreakingRule } from './threshold.ts'

export interface TieBreakInput {
  /** each counted voter's hash */
  votes: ReadonlyMap<string, string>
  /** event timestamps (ms) for the hashes whose event body is known */
  initiatedAt: ReadonlyMap<string, number>
  /** trust score per voter (trust_weighted) */
  trustScores: ReadonlyMap<string, number>
}

/** The hash a rule picks, or null (manual_review, or no votes at all). */
export function breakTie (rule: TieBreakingRule, input: TieBreakInput): string | null {
  if (rule === 'manual_review' || input.votes.size === 0) return null
  const weight = new Map<string, number>()
  for (const [voter, hash] of input.votes) {
    const w = rule === 'trust_weighted' ? (input.trustScores.get(voter) ?? 0) : 1
    weight.set(hash, (weight.get(hash) ?? 0) + w)
  }
  const top = Math.max(...weight.values())
  // the tied candidates: the hashes with the most votes (or the most trust, for trust_weighted)
  const candidates = [...weight].filter(([, w]) => w === top).map(([h]) => h).sort()
  if (rule === 'timestamp_priority') {
    const at = (hash: string): number => input.initiatedAt.get(hash) ?? Number.POSITIVE_INFINITY
    candidates.sort((a, b) => at(a) !== at(b) ? (at(a) < at(b) ? -1 : 1) : (a < b ? -1 : a > b ? 1 : 0))
  }
  return candidates[0] ?? null
}
