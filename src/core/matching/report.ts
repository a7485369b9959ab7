/**
 * The report `fedmesh match` prints (and `--json` emits): chains with an
 * explanation each, participants served, the bound, the gap and the time.
 * Pure: the caller measures the time.
 */
import type { Clearing } from './clearing.ts'
import type { ChainStep } from './chain.ts'
import { explainChain } from './chain.ts'
import type { BoundMethod, ClearingMethod } from './exact.ts'

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
  /** min(circulation, ⌊certified LP⌋): no clearing serves more */
  bound: number
  gap: number
  /** no clearing serves more (served meets the bound, or the MIP solver proved it) */
  optimal: boolean
  /** how the chains were found: heuristic | local-search | mip | lp-round */
  method: ClearingMethod
  /** where the bound comes from: circulation | return-flow | cycle-lp */
  bound_method: BoundMethod
  weight: number
  weight_bound: number
  time_ms: number
  /** the solver worker's failure (name, message) when the answer is the heuristic's fallback */
  solver_error?: { name: string, message: string }
}

/** What the exact mode (src/solver/) adds to a clearing; absent for the synchronous core clearing. */
export interface ClearingProvenance {
  method?: ClearingMethod
  boundMethod?: BoundMethod
  solverError?: Error | null
}

/** Builds the report of a clearing that took `timeMs`. */
export function matchReport (clearing: Clearing & ClearingProvenance, timeMs: number): MatchReport {
  return {
    cap: clearing.cap,
    chains: clearing.chains.map((chain) => ({ length: chain.steps.length, steps: chain.steps, explanation: explainChain(chain) })),
    participants_served: clearing.participantsServed,
    bound: clearing.bound,
    gap: clearing.gap,
    optimal: clearing.optimal,
    method: clearing.method ?? 'heuristic',
    bound_method: clearing.boundMethod ?? 'circulation',
    weight: clearing.weight,
    weight_bound: clearing.weightBound,
    time_ms: timeMs,
    ...(clearing.solverError == null ? {} : { solver_error: { name: clearing.solverError.name, message: clearing.solverError.message } })
  }
}

/** The report as text for people: one line per chain, then the totals. */
export function formatMatchReport (report: MatchReport): string {
  const lines = report.chains.map((chain, i) => `chain ${i + 1} (${chain.length}): ${chain.explanation}`)
  if (lines.length === 0) lines.push('no chains')
  const bound = report.gap === 0
    ? `optimal (bound ${report.bound})`
    : `bound ${report.bound}, gap ${report.gap}${report.cap === null ? '' : ` (cap ${report.cap})`}${report.optimal ? ', optimal (proved by the MIP solver)' : ''}`
  lines.push('', `${report.participants_served} participants served in ${report.chains.length} chains, ${bound}; ` +
    `cap ${report.cap ?? 'none'}; method ${report.method}, bound from ${report.bound_method}; ${report.time_ms.toFixed(1)} ms`)
  if (report.solver_error !== undefined) lines.push(`solver failed (${report.solver_error.name}): the heuristic's answer is shown`)
  return lines.join('\n')
}
