/**
 * The LinearSolver of the exact mode, backed by HiGHS compiled to WebAssembly
 * (the npm `highs` package: MIT, no native add-on, single-threaded). Solves
 * block, so this runs inside the solver worker only (worker.ts).
 */
import { createRequire } from 'node:module'
import type { Highs, ModelData } from 'highs'
import type { LinearProgram, LinearSolution, LinearSolver, SolveOptions } from '../core/matching/linear-program.ts'

/** HiGHS model status codes we branch on (types.d.ts: ModelStatusCode). */
const MODEL_STATUS_OPTIMAL = 7
const MODEL_STATUS_TIME_LIMIT = 13
const MODEL_STATUS_UNKNOWN = 15
/** HiGHS solution status "feasible" (types.d.ts: solutionStatus). */
const SOLUTION_FEASIBLE = 2
/**
 * The cycle MIP's objective is a whole number of participants, so a gap
 * below 1 proves optimality; HiGHS's default relative gap (1e-4) would stop
 * short of the optimum on large objectives.
 */
const MIP_ABSOLUTE_GAP = 0.5

// The package's types describe its loader as an ES default export of a CommonJS package, which
// TypeScript's NodeNext resolution cannot call; its CommonJS build exports the same loader directly.
const loadHighs = createRequire(import.meta.url)('highs') as (typeof import('highs'))['default']

/** Loads the wasm runtime (~0.2 s) and returns a solver over it. */
export async function loadHighsSolver (): Promise<LinearSolver> {
  const highs = await loadHighs()
  return {
    solve: (program, options) => solveWith(highs, program, options)
  }
}

function modelData (highs: Highs, program: LinearProgram): ModelData {
  const infinite = (values: Float64Array): Float64Array => values.map((v) => v === Infinity ? highs.infinity : v === -Infinity ? -highs.infinity : v)
  return {
    numCols: program.numCols,
    numRows: program.numRows,
    sense: highs.constants.objectiveSense.maximize,
    colCost: program.colCost,
    colLower: program.colLower,
    colUpper: infinite(program.colUpper),
    rowLower: infinite(program.rowLower),
    rowUpper: infinite(program.rowUpper),
    matrix: { format: 'csc', numRows: program.numRows, numCols: program.numCols, starts: program.matrixStarts, indices: program.matrixIndices, values: program.matrixValues },
    ...(program.integer ? { integrality: new Int32Array(program.numCols).fill(highs.constants.variableType.integer) } : {})
  }
}

function solveWith (highs: Highs, program: LinearProgram, { timeLimitSeconds, start, nodeLimit, interior = false }: SolveOptions): LinearSolution {
  if (program.numCols === 0) return { status: 'optimal', colValue: new Float64Array(0), rowDual: new Float64Array(program.numRows), dualBound: 0 }
  const model = highs.createModel(modelData(highs, program))
  try {
    model.options.set({
      output_flag: false,
      // LPs by interior point with crossover: faster than simplex on the cycle LPs measured (12.7k columns: 4.8 s vs 7.4 s CPU);
      // without crossover HiGHS ends such LPs in status 'unknown' with row duals of the opposite sign, and no bound came of it
      // HiGHS needs a positive limit; a spent budget still gets a token slice so it returns cleanly
      time_limit: Math.max(0.01, timeLimitSeconds),
      // `interior`: no crossover. On column generation's restricted LPs crossover took 20× the interior point itself
      // (1,000 categories / 10k / cap 4, round 6: 23 s vs 1.1 s of CPU); HiGHS then ends in status 'unknown'
      ...(program.integer ? { mip_rel_gap: 0, mip_abs_gap: MIP_ABSOLUTE_GAP } : { solver: 'ipm', run_crossover: interior ? 'off' : 'on' }),
      // a node limit makes a MIP's answer depend on the work done, not on the machine's speed
      ...(program.integer && nodeLimit !== undefined ? { mip_max_nodes: nodeLimit } : {})
    })
    if (start !== undefined && program.integer) model.setSolution({ colValue: start })
    const { modelStatus } = model.run()
    const feasible = Number(model.info.get('primal_solution_status')) === SOLUTION_FEASIBLE
    const status = modelStatus === MODEL_STATUS_OPTIMAL
      ? 'optimal'
      : interior && !program.integer && modelStatus === MODEL_STATUS_UNKNOWN && feasible ? 'approximate' : modelStatus === MODEL_STATUS_TIME_LIMIT ? 'limit' : 'failed'
    const solution = feasible ? model.getSolution() : null
    // for a maximisation HiGHS reports a binding ≤ row's dual ≥ 0, as the core wants (checked in test/solver/)
    // without crossover the interior point's row duals come with the opposite sign (measured for issue 18): normalised
    // here by their sum; the core repairs any prices to dual feasibility anyway (certificate.ts)
    const rowDual = !program.integer && solution !== null ? signed(solution.rowDual) : null
    const dualBound = program.integer ? Number(model.info.get('mip_dual_bound')) : null
    return { status, colValue: solution === null ? null : solution.colValue, rowDual, dualBound }
  } finally {
    model.dispose()
  }
}

/** Row duals with the sign of a maximisation (≥ 0 on binding ≤ rows): negated when they sum below 0. */
function signed (rowDual: Float64Array): Float64Array {
  let sum = 0
  for (const d of rowDual) sum += d
  return sum < 0 ? rowDual.map((d) => -d) : rowDual
}
