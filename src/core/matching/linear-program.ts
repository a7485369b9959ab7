/**
 * The linear programs the exact mode builds, and the solver it is given.
 * Pure data: the core builds programs and reads solutions; the solver (HiGHS
 * in a worker thread, src/solver/) is injected, so nothing here does I/O.
 * The shape is HiGHS's sparse model (CSC matrix, row and column bounds).
 */

/** max colCost·x subject to rowLower ≤ Ax ≤ rowUpper, colLower ≤ x ≤ colUpper; A in compressed sparse columns. */
export interface LinearProgram {
  numCols: number
  numRows: number
  colCost: Float64Array
  colLower: Float64Array
  colUpper: Float64Array
  rowLower: Float64Array
  rowUpper: Float64Array
  /** column j has rows matrixIndices[matrixStarts[j] … matrixStarts[j+1]) */
  matrixStarts: Int32Array
  matrixIndices: Int32Array
  matrixValues: Float64Array
  /** every column integer (a MIP) or none (an LP) */
  integer: boolean
}

/**
 * How a solve ended: `optimal` (proved), `approximate` (an LP solved by interior point without
 * crossover: primal feasible and near-optimal, duals near-optimal, no vertex), `limit` (time ran
 * out; values are the best found, if any), `failed` (anything else).
 */
export type SolveStatus = 'optimal' | 'approximate' | 'limit' | 'failed'

/** What a solve returns. Row duals are given for LPs only, with the sign of a maximisation (≥ 0 on a binding ≤ row). */
export interface LinearSolution {
  status: SolveStatus
  /** primal values, when a feasible point was found */
  colValue: Float64Array | null
  rowDual: Float64Array | null
  /** for a MIP: the solver's own bound on the optimum (not certified by us) */
  dualBound: number | null
}

/** A solver for programs: blocking, within `timeLimitSeconds`; `start` is a feasible MIP point to begin from. */
export interface LinearSolver {
  solve: (program: LinearProgram, options: SolveOptions) => LinearSolution
}

export interface SolveOptions {
  timeLimitSeconds: number
  /** a feasible MIP point to begin from */
  start?: Float64Array
  /** branch-and-bound nodes a MIP may explore */
  nodeLimit?: number
  /** an LP may end at an interior point (no crossover to a vertex): status `approximate` */
  interior?: boolean
}

/** Assembles a program from columns given as row lists (rows ascending within a column). */
export function linearProgram (columns: { cost: number[], upper: number[], rows: number[][], rowUpper: Float64Array, integer: boolean }): LinearProgram {
  const numCols = columns.cost.length
  const numRows = columns.rowUpper.length
  const matrixStarts = new Int32Array(numCols + 1)
  for (let j = 0; j < numCols; j++) matrixStarts[j + 1] = matrixStarts[j]! + columns.rows[j]!.length
  const matrixIndices = new Int32Array(matrixStarts[numCols]!)
  for (let j = 0; j < numCols; j++) matrixIndices.set(columns.rows[j]!, matrixStarts[j]!)
  return {
    numCols,
    numRows,
    colCost: Float64Array.from(columns.cost),
    colLower: new Float64Array(numCols),
    colUpper: Float64Array.from(columns.upper),
    rowLower: new Float64Array(numRows).fill(-Infinity),
    rowUpper: columns.rowUpper,
    matrixStarts,
    matrixIndices,
    matrixValues: new Float64Array(matrixIndices.length).fill(1),
    integer: columns.integer
  }
}
