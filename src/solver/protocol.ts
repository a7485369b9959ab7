/** Messages between solveClearing (index.ts) and its worker (worker.ts). */
import type { InstanceNode } from '../core/matching/instance.ts'
import type { ExactClearing } from '../core/matching/exact.ts'
import type { ChainTable } from './chain-table.ts'

/** The worker's input (workerData): the instance without its Taxonomy object, which does not survive structured cloning. */
export interface SolverRequest {
  categories: readonly string[]
  nodes: InstanceNode[]
  cap: number | null
  mode: 'heuristic' | 'exact'
  /** when the caller stops waiting (Date.now() scale: both threads share the wall clock) */
  deadlineEpochMs: number
}

/** `heuristic` comes first, then `final` (the best answer found). */
export interface SolverMessage {
  kind: 'heuristic' | 'final'
  totals: Omit<ExactClearing, 'boundChains'>
  table: ChainTable
}
