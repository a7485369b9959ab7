/**
 * The decision rule: how many votes of a membership of n form a quorum, and
 * when a configured fraction is too weak for Byzantine safety.
 *
 * Two quorums of q votes out of n share at least 2q − n voters. With at most
 * f = ⌊(n−1)/3⌋ faulty members, conflicting QCs are impossible only when that
 * overlap exceeds f (then some honest member would have voted twice).
 */
import { z } from 'zod'
import { InputError } from '../errors.ts'
import { MIN_PARTICIPATING_NODES_DEFAULT } from './constants.ts'

/** `bft` (⌊2n/3⌋+1 votes) or a fraction of the membership in (0.5, 1]. */
export type Threshold = 'bft' | number

export const TIE_BREAKING_RULES = ['timestamp_priority', 'lexicographic', 'trust_weighted', 'manual_review'] as const
export type TieBreakingRule = typeof TIE_BREAKING_RULES[number]

/** Fractions at or below one half let two disjoint quorums form with no fault at all, so they are refused. */
export const thresholdSchema = z.union([
  z.literal('bft'),
  z.number().gt(0.5, 'a threshold fraction must be above 0.5').max(1, 'a threshold fraction must be at most 1')
])

/** The federation's decision policy (the config's and genesis file's `consensus:` section). */
export interface ConsensusPolicy {
  threshold: Threshold
  min_participating_nodes: number
  tie_breaking: TieBreakingRule
}

export const DEFAULT_POLICY: ConsensusPolicy = {
  threshold: 'bft',
  min_participating_nodes: MIN_PARTICIPATING_NODES_DEFAULT,
  tie_breaking: 'timestamp_priority'
}

export class ThresholdOutOfRangeError extends InputError {
  static override readonly code = 'ThresholdOutOfRangeError'
  override readonly name = 'ThresholdOutOfRangeError'
}

// ⌈fraction·n⌉ in floating point: 0.66·50 is 33.00000000000001, which must count as 33.
const FRACTION_EPSILON = 1e-9

/** f = ⌊(n−1)/3⌋: the most Byzantine members a membership of n can tolerate. */
export function faultTolerance (membershipSize: number): number {
  return membershipSize <= 0 ? 0 : Math.floor((membershipSize - 1) / 3)
}

/** Votes needed on one hash for a decision among n members: max(threshold votes, min_participating_nodes). */
export function quorumSize (policy: Pick<ConsensusPolicy, 'threshold' | 'min_participating_nodes'>, membershipSize: number): number {
  const { threshold } = policy
  let votes: number
  if (threshold === 'bft') {
    votes = Math.floor((2 * membershipSize) / 3) + 1
  } else {
    if (!(threshold > 0.5 && threshold <= 1)) throw new ThresholdOutOfRangeError(`threshold ${threshold} must be "bft" or a fraction in (0.5, 1]`)
    votes = Math.ceil(threshold * membershipSize - FRACTION_EPSILON)
  }
  return Math.max(votes, policy.min_participating_nodes, 1)
}

/** Why a policy is unsafe (or useless) for a membership of n. */
export interface QuorumWarning {
  membership_size: number
  quorum: number
  /** fewest voters any two quorums share: 2q − n */
  intersection: number
  fault_tolerance: number
  message: string
}

/** Warnings for `policy` at membership size n: quorums that overlap in ≤ f members, or a quorum larger than n. */
export function quorumWarnings (policy: Pick<ConsensusPolicy, 'threshold' | 'min_participating_nodes'>, membershipSize: number): QuorumWarning[] {
  const quorum = quorumSize(policy, membershipSize)
  const f = faultTolerance(membershipSize)
  const intersection = 2 * quorum - membershipSize
  const base = { membership_size: membershipSize, quorum, intersection, fault_tolerance: f }
  const warnings: QuorumWarning[] = []
  if (quorum > membershipSize) {
    warnings.push({ ...base, message: `n = ${membershipSize}: a quorum needs ${quorum} votes but there are only ${membershipSize} members, so nothing can be decided` })
  } else if (intersection <= f) {
    warnings.push({
      ...base,
      message: `n = ${membershipSize}: threshold ${String(policy.threshold)} gives quorums of ${quorum} that may share only ${intersection} members, ` +
        `not more than f = ${f}: ${f} Byzantine members could form two conflicting decisions (use "bft" for ${Math.floor((2 * membershipSize) / 3) + 1} votes)`
    })
  }
  return warnings
}

/** Membership sizes in [from, to] at which `policy` breaks quorum intersection (for docs and start-up checks). */
export function unsafeMembershipSizes (policy: Pick<ConsensusPolicy, 'threshold' | 'min_participating_nodes'>, from: number, to: number): number[] {
  const sizes: number[] = []
  for (let n = from; n <= to; n++) {
    if (quorumWarnings(policy, n).some((w) => w.quorum <= n)) sizes.push(n)
  }
  return sizes
}
