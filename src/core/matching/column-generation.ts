/**
 * The cycle LP of the capped clearing by column generation, over the
 * CATEGORY graph: participants on the same (need → offer) edge are
 * interchangeable, so a column is a category cycle of ≤ cap edges with an
 * integer multiplicity, and a row is an edge with its units as capacity.
 *
 *   max Σ_c |c|·x_c  s.t.  Σ_{c ∋ e} x_c ≤ u_e,  x ≥ 0
 *
 * Listing every cycle is hopeless at scale (over 3M at 1,000 categories / 1M
 * participants / cap 3), but an optimal basis has at most one column per edge.
 * So the LP starts from the heuristic's cycles and every two-cycle, is solved
 * each round (by interior point and crossover: exact duals), and the
 * pricing pass (pricing.ts) adds, per start category, the most violated
 * cycle under the edge duals y. When no cycle is violated, y is an optimal
 * dual and the LP value is the bound.
 *
 * Every round's duals, whatever their quality, give a certified bound
 * (certificate.ts: repaired to feasibility from the same pricing pass), so a
 * round cut short by the clock still leaves a valid bound — the least seen is
 * kept. Deterministic: the rounds, their columns and their order depend only
 * on the instance, unless the time budget ends the generation first.
 */
import type { CategoryGraph } from './category-graph.ts'
import type { BoundChains } from './pools.ts'
import { blockEdges } from './category-graph.ts'
import { boundFromPricing, sanitizePrices } from './certificate.ts'
import { canonicalCycle, priceWalks } from './pricing.ts'
import type { LinearProgram, LinearSolution, LinearSolver } from './linear-program.ts'
import type { CategoryCycles } from './category-cycles.ts'
import { linearProgram } from './linear-program.ts'

/** A column is added when its Σ (y_e − 1) is below this (simplex duals are exact to ~1e-9). */
const VIOLATION_TOLERANCE = -1e-6
/** Violated cycles added per start category and round: more per round, fewer rounds (each round re-solves the LP); 64 rather than 16 took 1,000 categories / 10k / cap 4 from 8,190 to 8,212 served in the same budget, 256 fell back to 8,152 (slower rounds). */
const COLUMNS_PER_START = 64
/** The next round's solve is expected to take up to this multiple of the last one's (more columns each round). */
const NEXT_ROUND_GROWTH = 1.5

export interface ColumnGenerationResult {
  /** every column generated, in the order added */
  pool: CategoryCycles
  /** the last LP solution over the pool (null when no LP finished) */
  values: Float64Array | null
  /** the LP value of that solution */
  lpValue: number
  /** the least certified bound of any round (Infinity when none) */
  bound: number
  /** true when a round's pricing found no violated cycle: the LP over the pool is the full cycle LP */
  converged: boolean
  /** true when `values` is a vertex (crossover ran), false for an interior point (most columns fractional) */
  vertex: boolean
  rounds: number
}

export interface ColumnGenerationOptions {
  solver: LinearSolver
  remainingSeconds: () => number
  /** stop after this many rounds (deterministic work limit) */
  roundsMax: number
  /** violated cycles added per start category and round (default COLUMNS_PER_START) */
  columnsPerStart?: number
}

/** Solves the cycle LP of `graph` within the cap by column generation, starting from the heuristic's chains. */
export function generateCycleColumns (graph: CategoryGraph, cap: number, heuristic: BoundChains, options: ColumnGenerationOptions): ColumnGenerationResult {
  const capacity = graph.edgeCapacity
  const rowOfEdge = new Int32Array(graph.edgeCount).fill(-1)
  let rowCount = 0
  for (let e = 0; e < graph.edgeCount; e++) if (capacity[e]! > 0) rowOfEdge[e] = rowCount++
  const edgeOfRow = new Int32Array(rowCount)
  for (let e = 0; e < graph.edgeCount; e++) if (rowOfEdge[e]! >= 0) edgeOfRow[rowOfEdge[e]!] = e
  const seen = new Set<string>()
  const edges: number[] = []
  const starts: number[] = [0]
  const batch = (cycles: Int32Array[]): ColumnBatch => {
    const columns: ColumnBatch = { cost: [], upper: [], rows: [] }
    for (const cycle of cycles) {
      const key = cycle.join(',')
      if (seen.has(key)) continue
      seen.add(key)
      const rows: number[] = []
      for (const e of cycle) {
        rows.push(rowOfEdge[e]!)
        edges.push(e)
      }
      starts.push(edges.length)
      columns.cost.push(cycle.length)
      // no column bound: the rows imply it, and a bound would carry dual value the row prices then miss
      columns.upper.push(Infinity)
      // a cycle may use an edge once only (simple), so its rows are distinct
      columns.rows.push(rows.sort((a, b) => a - b))
    }
    return columns
  }
  const initial = batch([...heuristicCycles(graph, heuristic), ...twoCycles(graph)])
  const rowUpper = Float64Array.from(edgeOfRow, (e) => capacity[e]!)
  const lp = restrictedLp(options.solver, initial, rowUpper)
  const result: ColumnGenerationResult = { pool: pack(edges, starts), values: null, lpValue: 0, bound: Infinity, converged: false, vertex: false, rounds: 0 }
  try {
    const prices = new Float64Array(graph.edgeCount)
    // seconds the last round's solve took: a round that cannot finish in the time left is not started (the restricted
    // LP only grows, and the next solve took up to ~1.5× the last at 1,000 categories / 100k / cap 3); its time goes to
    // rounding and repair instead
    let lastSolve = 0
    // rounds end at an interior point (no crossover) until a pricing pass finds nothing; the LP is then re-solved to a
    // vertex, whose duals decide convergence (an interior point's duals sit inside the optimal dual face and may price
    // out columns a vertex's do not, or the other way round)
    let interior = true
    while (result.rounds < options.roundsMax && options.remainingSeconds() > lastSolve) {
      const before = options.remainingSeconds()
      const solution = lp.solve({ timeLimitSeconds: options.remainingSeconds(), interior })
      lastSolve = Math.max(0, before - options.remainingSeconds()) * NEXT_ROUND_GROWTH
      result.rounds++
      if ((solution.status !== 'optimal' && solution.status !== 'approximate') || solution.rowDual === null || solution.colValue === null) break
      result.values = solution.colValue
      result.vertex = solution.status === 'optimal'
      result.lpValue = 0
      for (let c = 0; c + 1 < starts.length; c++) result.lpValue += solution.colValue[c]! * (starts[c + 1]! - starts[c]!)
      for (let r = 0; r < rowCount; r++) prices[edgeOfRow[r]!] = solution.rowDual[r]!
      const price = sanitizePrices(prices, graph.edgeCount)
      const pricing = priceWalks(graph, capacity, price, cap, VIOLATION_TOLERANCE, options.columnsPerStart ?? COLUMNS_PER_START)
      result.bound = Math.min(result.bound, boundFromPricing(graph, capacity, price, pricing.leastByLength))
      const added = batch(pricing.cycles)
      if (added.cost.length === 0) {
        if (!interior) {
          result.converged = true
          break
        }
        interior = false
        continue
      }
      lp.addColumns(added)
    }
  } finally {
    lp.dispose()
  }
  result.pool = pack(edges, starts)
  // the last solution covers the columns present when it was solved; later ones are 0
  if (result.values !== null && result.values.length < result.pool.count) {
    const values = new Float64Array(result.pool.count)
    values.set(result.values)
    result.values = values
  }
  return result
}

function pack (edges: number[], starts: number[]): CategoryCycles {
  return { edges: Int32Array.from(edges), starts: Int32Array.from(starts), count: starts.length - 1, truncated: false }
}

/** The category cycles of bound chains (each chain's steps' edges), canonical, in chain order. */
export function heuristicCycles (graph: CategoryGraph, chains: BoundChains): Int32Array[] {
  const blockEdge = blockEdges(graph)
  const cycles: Int32Array[] = []
  for (let c = 0; c + 1 < chains.chainStarts.length; c++) {
    const steps = chains.stepBlocks.subarray(chains.chainStarts[c]!, chains.chainStarts[c + 1]!)
    const edges = Array.from(steps, (block) => blockEdge[block]!)
    // a chain through a category twice is two cycles' worth of units; only simple cycles are columns
    if (new Set(edges.map((e) => graph.edgeFrom[e]!)).size === edges.length) cycles.push(canonicalCycle(graph, edges))
  }
  return cycles
}

/** Every two-cycle u ⇄ v (u < v) with units both ways. */
function twoCycles (graph: CategoryGraph): Int32Array[] {
  const cycles: Int32Array[] = []
  const { outStart, outEdges, edgeTo, edgeCapacity } = graph
  for (let u = 0; u < graph.categoryCount; u++) {
    for (let i = outStart[u]!; i < outStart[u + 1]!; i++) {
      const e = outEdges[i]!
      const v = edgeTo[e]!
      if (v <= u || edgeCapacity[e]! <= 0) continue
      // v's out-edges are sorted by target (edges are sorted by (from, to)): binary search for v → u
      let lo = outStart[v]!
      let hi = outStart[v + 1]!
      while (lo < hi) {
        const mid = (lo + hi) >> 1
        if (edgeTo[outEdges[mid]!]! < u) lo = mid + 1
        else hi = mid
      }
      if (lo < outStart[v + 1]! && edgeTo[outEdges[lo]!] === u && edgeCapacity[outEdges[lo]!]! > 0) cycles.push(Int32Array.of(e, outEdges[lo]!))
    }
  }
  return cycles
}

/** Columns to append to the restricted LP: rows ascending within a column, all of them existing rows. */
interface ColumnBatch {
  cost: number[]
  upper: number[]
  rows: number[][]
}

/**
 * The restricted LP, re-solved whole each round by the solver's one-shot LP
 * (interior point + crossover). HiGHS's simplex warm-started from the last
 * basis was slower on these LPs (1,000 categories / 10k / cap 4: 13 s for one
 * round of 400 new columns with dual simplex; 4–8 s per round with primal
 * simplex, measured again for issue 18), so no LP is kept open.
 */
function restrictedLp (solver: LinearSolver, initial: ColumnBatch, rowUpper: Float64Array): { addColumns: (added: ColumnBatch) => void, solve: (options: { timeLimitSeconds: number, interior: boolean }) => LinearSolution, dispose: () => void } {
  const columns: ColumnBatch = { cost: [...initial.cost], upper: [...initial.upper], rows: [...initial.rows] }
  return {
    addColumns: (added) => {
      columns.cost.push(...added.cost)
      columns.upper.push(...added.upper)
      columns.rows.push(...added.rows)
    },
    solve: ({ timeLimitSeconds, interior }) => solver.solve(program(columns, rowUpper), { timeLimitSeconds, interior }),
    dispose: () => {}
  }
}

function program (columns: ColumnBatch, rowUpper: Float64Array): LinearProgram {
  return linearProgram({ ...columns, rowUpper, integer: false })
}
