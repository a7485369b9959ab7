/**
 * The exact/certified mode of the capped clearing: given the heuristic's
 * answer (clearing.ts) and an LP/MIP solver (injected: HiGHS in a worker,
 * src/solver/), find a better clearing or prove there is none.
 *
 * - The cycle formulation (every simple cycle ≤ cap is a column, max Σ |c|·x_c
 *   with Σ_{c ∋ e} x_c ≤ units of e) is solved as a MIP up to
 *   EXACT_MIP_CYCLES_MAX cycles; up to EXACT_LP_ROUND_CYCLES_MAX, "LP-round":
 *   its LP, floored, plus a MIP on the units the floor leaves.
 * - Beyond, column generation of the same cycle LP (column-generation.ts),
 *   and destroy-and-repair moves (repair-search.ts) on every answer.
 * - Every LP's duals become a certified bound (certificate.ts); the reported
 *   bound is min(circulation, ⌊certified LP⌋).
 * The heuristic's answer is kept unless the solver's is strictly better, so
 * this never serves fewer. Pure: the clock is a `remainingSeconds` argument.
 */
import type { CategoryGraph } from './category-graph.ts'
import { Pools } from './pools.ts'
import { compactClearing, rarestFirst, searchLeftover, type CompactClearing } from './clearing.ts'
import { enumerateCategoryCycles, type CategoryCycles } from './category-cycles.ts'
import { certifiedBound } from './certificate.ts'
import { linearProgram, type LinearProgram, type LinearSolution, type LinearSolver } from './linear-program.ts'
import { returnBound } from './return-bound.ts'
import { swapTwoForThree } from './local-search.ts'
import { repairSearch } from './repair-search.ts'
import { EXACT_RESIDUAL_MIP_NODES_MAX, EXACT_RETURN_BOUND_WORK_MAX, EXACT_COLUMN_ROUNDS_MAX, EXACT_LP_ROUND_CYCLES_MAX, EXACT_MIP_CYCLES_MAX, EXACT_REPAIR_WORK_MAX } from './limits.ts'
import { generateCycleColumns, heuristicCycles } from './column-generation.ts'

/** Share of the exact mode's time the column generation may use; the rest is for rounding and the MIP. */
const COLUMN_GENERATION_SHARE = 0.8
/** Share of the time the first repair search (on the heuristic's own chains) may use; the solver steps get the rest. */
const FIRST_REPAIR_SHARE = 0.4

/** How the chains were found: the heuristic, the heuristic improved by two-for-three swaps (local-search.ts), the cycle MIP, or LP-round. */
export type ClearingMethod = 'heuristic' | 'local-search' | 'mip' | 'lp-round'
/** Where the bound comes from: the circulation, the circulation under return capacities (return-bound.ts), or the certified cycle LP. */
export type BoundMethod = 'circulation' | 'return-flow' | 'cycle-lp'

/** A clearing with the provenance of its chains and of its bound. */
export interface ExactClearing extends CompactClearing {
  method: ClearingMethod
  boundMethod: BoundMethod
  /** the uncapped circulation optimum */
  circulationBound: number
  /** ⌊certified LP bound⌋, when an LP was solved */
  lpBound: number | null
  /** why `optimal` holds: served meets the bound, or the MIP solver proved it (not certified by us); null when not optimal */
  proof: 'bound' | 'mip' | null
}

export interface ExactOptions {
  solver: LinearSolver
  /** seconds left in the caller's budget (the clock stays outside the core) */
  remainingSeconds: () => number
  /** overrides for tests and benches; default EXACT_*_MAX */
  mipCyclesMax?: number
  lpRoundCyclesMax?: number
  columnRoundsMax?: number
  returnBoundWorkMax?: number
  residualNodeLimit?: number
  repairWorkMax?: number
}

/** Marks a heuristic clearing with its provenance (no solver run). */
export function heuristicClearing (heuristic: CompactClearing): ExactClearing {
  return { ...heuristic, method: 'heuristic', boundMethod: 'circulation', circulationBound: heuristic.bound, lpBound: null, proof: heuristic.optimal ? 'bound' : null }
}

/** Improves a capped heuristic clearing with the solver, within the time left; never returns fewer participants served. */
export function improveClearing (graph: CategoryGraph, heuristic: CompactClearing, options: ExactOptions): ExactClearing {
  const base = heuristicClearing(heuristic)
  const cap = heuristic.cap
  if (cap === null || heuristic.optimal) return base
  const capacity = graph.edgeCapacity
  // the combinatorial bound first: no solver, and at cap 3 it alone drops the units that have no short way back
  // (at cap 2 the cycle LP below is exact and cheap: two-cycles only)
  let best = cap < 3 ? base : withBound(base, returnBound(graph, cap, options.returnBoundWorkMax ?? EXACT_RETURN_BOUND_WORK_MAX), 'return-flow')
  if (best.optimal) return best
  // the heuristic's own chains, improved by the two-for-three swaps (no solver: cheap at any size)
  const own = ownCycles(graph, heuristic)
  best = bindCounts(graph, heuristic, best, own.cycles, own.counts, 'local-search', false, share(options.remainingSeconds, FIRST_REPAIR_SHARE), options)
  if (best.optimal || options.remainingSeconds() <= 0) return best
  const cycles = enumerateCategoryCycles(graph, capacity, cap, options.lpRoundCyclesMax ?? EXACT_LP_ROUND_CYCLES_MAX)
  if (cycles.truncated) {
    return columnGeneration(graph, heuristic, best, options)
  }
  const lp = solveCycleProgram(graph, cycles, capacity, false, options)
  best = withBound(best, lp.rowDual === null ? null : signedCertifiedBound(graph, capacity, lp.prices, cap), 'cycle-lp')
  if (best.optimal || options.remainingSeconds() <= 0) return best
  // LP-round: the LP floored, a MIP on what the floor leaves, the leftover search
  const rounded = lpRound(graph, cycles, lp.colValue, options)
  if (rounded !== null) best = bindCounts(graph, heuristic, best, cycles, rounded, 'lp-round', false, options.remainingSeconds, options)
  if (best.optimal || options.remainingSeconds() <= 0 || cycles.count > (options.mipCyclesMax ?? EXACT_MIP_CYCLES_MAX)) return best
  // small enough for the whole MIP: it proves the optimum (started from LP-round's counts when it has them)
  const mip = solveCycleProgram(graph, cycles, capacity, true, options, rounded ?? undefined)
  if (mip.colValue === null) return best
  return bindCounts(graph, heuristic, best, cycles, mip.colValue, 'mip', mip.status === 'optimal', options.remainingSeconds, options)
}

/** The heuristic's simple chains as category cycles with counts (chains through a category twice are left to the leftover search). */
function ownCycles (graph: CategoryGraph, heuristic: CompactClearing): { cycles: CategoryCycles, counts: Float64Array } {
  const byKey = new Map<string, number>()
  const list: Int32Array[] = []
  const counts: number[] = []
  for (const cycle of heuristicCycles(graph, heuristic.boundChains)) {
    const key = cycle.join(',')
    const at = byKey.get(key)
    if (at !== undefined) {
      counts[at]!++
      continue
    }
    byKey.set(key, list.length)
    list.push(cycle)
    counts.push(1)
  }
  const starts = new Int32Array(list.length + 1)
  list.forEach((cycle, c) => { starts[c + 1] = starts[c]! + cycle.length })
  const edges = new Int32Array(starts[list.length]!)
  list.forEach((cycle, c) => edges.set(cycle, starts[c]!))
  return { cycles: { edges, starts, count: list.length, truncated: false }, counts: Float64Array.from(counts) }
}

/** The least certified bound of the prices and of their negation (an LP solver's sign convention is not trusted either; both are valid). */
function signedCertifiedBound (graph: CategoryGraph, capacity: Float64Array, prices: Float64Array, cap: number): number {
  return Math.min(certifiedBound(graph, capacity, prices, cap), certifiedBound(graph, capacity, prices.map((p) => -p), cap))
}

/**
 * Binds solver cycle counts to units and searches the leftover; returns the
 * result when it serves more than `best`, else `best` (marked optimal when the
 * MIP proved these counts optimal and binding lost nothing).
 */
function bindCounts (graph: CategoryGraph, heuristic: CompactClearing, best: ExactClearing, solverCycles: CategoryCycles, solverCounts: Float64Array, method: ClearingMethod, proved: boolean,
  remainingSeconds: () => number, options: ExactOptions): ExactClearing {
  const cap = heuristic.cap!
  // a proved MIP optimum is left alone; otherwise two-chains give units to three-chains where that serves more,
  // then destroy-and-repair moves (repair-search.ts) within the time left
  let { cycles, counts } = proved ? { cycles: solverCycles, counts: solverCounts } : swapTwoForThree(graph, solverCycles, solverCounts, cap)
  if (!proved && remainingSeconds() > 0) {
    ({ cycles, counts } = repairSearch(graph, cycles, counts, { cap, workMax: options.repairWorkMax ?? EXACT_REPAIR_WORK_MAX, remainingSeconds }))
  }
  const pools = new Pools(graph)
  // longest cycles first: they are the ones the heuristic's short-first split misses
  const order = Array.from({ length: cycles.count }, (_, c) => c).sort((a, b) => (cycles.starts[b + 1]! - cycles.starts[b]!) - (cycles.starts[a + 1]! - cycles.starts[a]!) || a - b)
  let planned = 0
  for (const c of order) {
    const times = Math.max(0, Math.round(counts[c]!))
    planned += times * (cycles.starts[c + 1]! - cycles.starts[c]!)
    if (times > 0) pools.bind(cycles.edges.subarray(cycles.starts[c]!, cycles.starts[c + 1]!), times)
  }
  searchLeftover(graph, pools, rarestFirst(graph), cap)
  // a proved MIP optimum is the optimum of the instance only when every planned unit was bound
  const provedHere = proved && !graph.sharedIdentities && pools.served >= planned
  if (pools.served <= best.participantsServed) {
    const optimal = best.optimal || (provedHere && pools.served === best.participantsServed)
    return { ...best, optimal, proof: best.proof ?? (optimal ? 'mip' : null) }
  }
  const improved = compactClearing(pools, best.bound, heuristic.weightBound, cap)
  const optimal = improved.optimal || provedHere
  return { ...best, ...improved, method, optimal, proof: improved.optimal ? 'bound' : optimal ? 'mip' : null }
}

/**
 * Beyond the listable cycles: the cycle LP by column generation over the
 * category graph (column-generation.ts), its certified bound, then LP-round
 * on the generated columns (floor, a MIP on what the floor leaves, the
 * leftover search).
 */
function columnGeneration (graph: CategoryGraph, heuristic: CompactClearing, best: ExactClearing, options: ExactOptions): ExactClearing {
  const cap = heuristic.cap!
  const total = Math.max(0, options.remainingSeconds())
  // the LP gets up to COLUMN_GENERATION_SHARE of the budget; rounding and the MIP the rest
  const reserve = total * (1 - COLUMN_GENERATION_SHARE)
  const generated = generateCycleColumns(graph, cap, best.boundChains, {
    solver: options.solver,
    remainingSeconds: () => options.remainingSeconds() - reserve,
    roundsMax: options.columnRoundsMax ?? EXACT_COLUMN_ROUNDS_MAX
  })
  const bounded = withBound(best, Number.isFinite(generated.bound) ? generated.bound : null, 'cycle-lp')
  if (bounded.optimal || generated.values === null || options.remainingSeconds() <= 0) return bounded
  // unless it converged, the generated LP ends at an interior point (no crossover: most columns fractional), where the
  // residual MIP would be large and slow; the greedy pass by fractional value, then the swaps and the repair search, do
  // better in the time (1,000 categories / 10k / cap 4 after 7 rounds: 8,223 served in 0.2 s of CPU; the MIP took 30 s)
  const counts = lpRound(graph, generated.pool, generated.values, options, generated.vertex)
  if (counts === null) return bounded
  return bindCounts(graph, heuristic, bounded, generated.pool, counts, 'lp-round', false, options.remainingSeconds, options)
}

/** A clock that runs out once `fraction` of the time left now is spent. */
function share (remainingSeconds: () => number, fraction: number): () => number {
  const reserve = Math.max(0, remainingSeconds()) * (1 - fraction)
  return () => remainingSeconds() - reserve
}

/** Tightens a clearing's bound with another valid bound (null: none found); `lpBound` records an LP's. */
function withBound (clearing: ExactClearing, bound: number | null, boundMethod: BoundMethod): ExactClearing {
  const lpBound = boundMethod === 'return-flow' || bound === null ? clearing.lpBound : Math.min(bound, clearing.lpBound ?? Infinity)
  if (bound === null || bound >= clearing.bound) return { ...clearing, lpBound }
  // the heuristic never serves more than a valid bound; max() only guards against a bug turning into a negative gap
  const tight = Math.max(bound, clearing.participantsServed)
  const optimal = clearing.participantsServed >= tight
  return { ...clearing, lpBound, bound: tight, boundMethod, gap: tight - clearing.participantsServed, optimal, proof: optimal ? 'bound' : clearing.proof }
}

interface CycleSolution extends LinearSolution {
  /** the capacity rows' duals as prices per edge */
  prices: Float64Array
}

/** The cycle formulation over `capacity`, as an LP or a MIP, solved within the time left. */
function solveCycleProgram (graph: CategoryGraph, cycles: CategoryCycles, capacity: Float64Array, integer: boolean, options: ExactOptions, start?: Float64Array, nodeLimit?: number): CycleSolution {
  const { program, rowEdge } = cycleProgram(graph, cycles, capacity, integer)
  const solution = options.solver.solve(program, { timeLimitSeconds: Math.max(0, options.remainingSeconds()), ...(start === undefined ? {} : { start }), ...(nodeLimit === undefined ? {} : { nodeLimit }) })
  const prices = new Float64Array(graph.edgeCount)
  if (solution.rowDual !== null && solution.status === 'optimal') rowEdge.forEach((e, r) => { prices[e] = solution.rowDual![r]! })
  return { ...solution, rowDual: solution.status === 'optimal' ? solution.rowDual : null, prices }
}

/** Builds the cycle formulation: one column per cycle (cost = its length), one ≤ row per edge some cycle uses. */
export function cycleProgram (graph: CategoryGraph, cycles: CategoryCycles, capacity: Float64Array, integer: boolean): { program: LinearProgram, rowEdge: number[] } {
  const rowOfEdge = new Int32Array(graph.edgeCount).fill(-1)
  const rowEdge: number[] = []
  const cost: number[] = []
  const upper: number[] = []
  const rows: number[][] = []
  for (let c = 0; c < cycles.count; c++) {
    const column: number[] = []
    let most = Infinity
    for (let i = cycles.starts[c]!; i < cycles.starts[c + 1]!; i++) {
      const e = cycles.edges[i]!
      if (rowOfEdge[e]! < 0) {
        rowOfEdge[e] = rowEdge.length
        rowEdge.push(e)
      }
      column.push(rowOfEdge[e]!)
      most = Math.min(most, capacity[e]!)
    }
    cost.push(column.length)
    // an LP's column bounds would take dual value of their own (the rows already imply them): only the MIP gets them
    upper.push(integer ? most : Infinity)
    rows.push(column.sort((a, b) => a - b))
  }
  const rowUpper = Float64Array.from(rowEdge, (e) => capacity[e]!)
  return { program: linearProgram({ cost, upper, rows, rowUpper, integer }), rowEdge }
}

/** LP-round: the LP's cycle counts floored, plus (with `residualMip`) a node-limited MIP over the cycles that still fit in the units the floor leaves (started from, and never worse than, a greedy pass by fractional LP value). */
function lpRound (graph: CategoryGraph, cycles: CategoryCycles, lpCounts: Float64Array | null, options: ExactOptions, residualMip = true): Float64Array | null {
  if (lpCounts === null) return null
  const counts = Float64Array.from(lpCounts, (x) => Math.max(0, Math.floor(x + 1e-6)))
  const residual = Float64Array.from(graph.edgeCapacity)
  for (let c = 0; c < cycles.count; c++) {
    for (let i = cycles.starts[c]!; i < cycles.starts[c + 1]!; i++) residual[cycles.edges[i]!]! -= counts[c]!
  }
  // cycles with every edge still available: a smaller MIP over what the floor left (the LP's fractional cycles
  // alone were tried: a smaller MIP, but HiGHS took longer on it and left more behind)
  const kept: number[] = []
  const edges: number[] = []
  const starts: number[] = [0]
  for (let c = 0; c < cycles.count; c++) {
    let fits = true
    for (let i = cycles.starts[c]!; i < cycles.starts[c + 1]! && fits; i++) fits = residual[cycles.edges[i]!]! > 0
    if (!fits) continue
    kept.push(c)
    for (let i = cycles.starts[c]!; i < cycles.starts[c + 1]!; i++) edges.push(cycles.edges[i]!)
    starts.push(edges.length)
  }
  if (kept.length === 0) return counts
  // a start for the MIP, and the answer if it finds none in time: the kept cycles by descending fractional LP value, each once if it fits
  const start = new Float64Array(kept.length)
  const left = Float64Array.from(residual)
  const byFraction = kept.map((c, j) => j).sort((a, b) => (lpCounts[kept[b]!]! - counts[kept[b]!]!) - (lpCounts[kept[a]!]! - counts[kept[a]!]!) || a - b)
  for (const j of byFraction) {
    let fits = true
    for (let i = starts[j]!; i < starts[j + 1]! && fits; i++) fits = left[edges[i]!]! > 0
    if (!fits) continue
    for (let i = starts[j]!; i < starts[j + 1]!; i++) left[edges[i]!]!--
    start[j] = 1
  }
  let chosen: Float64Array = start
  if (residualMip && options.remainingSeconds() > 0) {
    const rest: CategoryCycles = { edges: Int32Array.from(edges), starts: Int32Array.from(starts), count: kept.length, truncated: false }
    const mip = solveCycleProgram(graph, rest, residual, true, options, start, options.residualNodeLimit ?? EXACT_RESIDUAL_MIP_NODES_MAX)
    if (mip.colValue !== null && servedBy(rest, mip.colValue) >= servedBy(rest, start)) chosen = mip.colValue
  }
  kept.forEach((c, j) => { counts[c]! += Math.max(0, Math.round(chosen[j]!)) })
  return counts
}

/** Participants served by cycle counts. */
function servedBy (cycles: CategoryCycles, counts: Float64Array): number {
  let served = 0
  for (let c = 0; c < cycles.count; c++) served += Math.max(0, Math.round(counts[c]!)) * (cycles.starts[c + 1]! - cycles.starts[c]!)
  return served
}
