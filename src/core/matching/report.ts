/**
 * The report `fedmesh match` prints (and `--json` emits): chains with an
 * explanation each, participants served, the bound, the gap and the time.
 * Pure: the caller measures the time.
 */
import type { Clearing } from './clearing.ts'
import type { ChainStep } from './chain.ts'
import { explainChain } from './chain.ts'

/** One chain of a report. */
export interface ReportedChain {
  length: number
  steps: ChainStep[]
  explanation: string
}

/** A clearing as reported to operators and scripts (snake_case keys: it is a JSON output format). */
export interface MatchReport {
  cap: number | null
  chains: ReportedChain[]
  participants_served: number
  /** the uncapped optimum: no clearing serves more */
  bound: number
  gap: number
  weight: number
  weight_bound: number
  time_ms: number
}

/** Builds the report of a clearing that took `timeMs`. */
export function matchReport (clearing: Clearing, timeMs: number): MatchReport {
  return {
    cap: clearing.cap,
    chains: clearing.chains.map((chain) => ({ length: chain.steps.length, steps: chain.steps, explanation: explainChain(chain) })),
    participants_served: clearing.participantsServed,
    bound: clearing.bound,
    gap: clearing.gap,
    weight: clearing.weight,
    weight_bound: clearing.weightBound,
    time_ms: timeMs
  }
}

/** The report as text for people: one line per chain, then the totals. */
export function formatMatchReport (report: MatchReport): string {
  const lines = report.chains.map((chain, i) => `chain ${i + 1} (${chain.length}): ${chain.explanation}`)
  if (lines.length === 0) lines.push('no chains')
  const bound = report.gap === 0
    ? `optimal (bound ${report.bound})`
    : `bound ${report.bound}, gap ${report.gap}${report.cap === null ? '' : ` (cap ${report.cap})`}`
  lines.push('', `${report.participants_served} participants served in ${report.chains.length} chains, ${bound}; ` +
    `cap ${report.cap ?? 'none'}; ${report.time_ms.toFixed(1)} ms`)
  return lines.join('\n')
}
