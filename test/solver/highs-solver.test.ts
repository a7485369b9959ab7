import test from 'ava'
import { linearProgram } from '../../src/core/matching/linear-program.ts'
import { loadHighsSolver } from '../../src/solver/highs-solver.ts'

// a cycle LP: a two-cycle (rows 0, 1) and a three-cycle (rows 0, 2, 3) share row 0 of capacity 1; the three-cycle wins
const program = linearProgram({ cost: [2, 3], upper: [Infinity, Infinity], rows: [[0, 1], [0, 2, 3]], rowUpper: Float64Array.of(1, 1, 1, 1), integer: false })

test('an LP solved at a vertex and at an interior point gives the same value and row duals with the sign of a maximisation', async (t) => {
  const solver = await loadHighsSolver()
  for (const interior of [false, true]) {
    const solution = solver.solve(program, { timeLimitSeconds: 60, interior })
    t.true(interior ? ['optimal', 'approximate'].includes(solution.status) : solution.status === 'optimal', `interior ${interior}: ${solution.status}`)
    const value = 2 * solution.colValue![0]! + 3 * solution.colValue![1]!
    t.true(Math.abs(value - 3) < 1e-6, `interior ${interior}: value ${value}`)
    // the shared row is the one that binds: its dual prices the three-cycle at its length, ≥ 0 for a maximisation
    const dual = solution.rowDual!
    const dualValue = dual.reduce((sum, y) => sum + y, 0)
    t.true(dual[0]! > 0, `interior ${interior}: dual of the binding row ${dual[0]}`)
    t.true(Math.abs(dualValue - 3) < 1e-4, `interior ${interior}: dual objective ${dualValue} = the LP value`)
  }
})
