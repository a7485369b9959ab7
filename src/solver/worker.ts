/**
 * The solver worker: builds the category graph, runs the heuristic clearing
 * and posts it at once (so the caller has an answer whatever happens next),
 * then, in exact mode, improves it with HiGHS within the deadline and posts
 * the final answer. All blocking work of `solveClearing` happens here, off
 * the node's main thread.
 */
import { parentPort, workerData } from 'node:worker_threads'
import { Taxonomy } from '../core/matching/taxonomy.ts'
import { buildCategoryGraph } from '../core/matching/category-graph.ts'
import { clearGraph } from '../core/matching/clearing.ts'
import { heuristicClearing, improveClearing, type ExactClearing } from '../core/matching/exact.ts'
import { chainTable, chainTableTransfer } from './chain-table.ts'
import { loadHighsSolver } from './highs-solver.ts'
import type { SolverRequest, SolverMessage } from './protocol.ts'
import { SOLVER_DEADLINE_SHARE } from './constants.ts'

const request = workerData as SolverRequest
const port = parentPort!

function post (kind: SolverMessage['kind'], clearing: ExactClearing, graph: ReturnType<typeof buildCategoryGraph>): void {
  const { boundChains, ...totals } = clearing
  const table = chainTable(graph, boundChains)
  const message: SolverMessage = { kind, totals, table }
  port.postMessage(message, chainTableTransfer(table))
}

async function run (): Promise<void> {
  const instance = { taxonomy: Taxonomy.of(request.categories), nodes: request.nodes }
  const graph = buildCategoryGraph(instance)
  const heuristic = clearGraph(graph, request.cap)
  const base = heuristicClearing(heuristic)
  post('heuristic', base, graph)
  if (request.mode === 'heuristic' || base.optimal || request.cap === null) {
    post('final', base, graph)
    return
  }
  const solver = await loadHighsSolver()
  // keep a share of the budget for posting and building the answer: the caller's timer is the hard stop
  const remainingSeconds = (): number => (request.deadlineEpochMs - Date.now()) * SOLVER_DEADLINE_SHARE / 1000
  post('final', improveClearing(graph, heuristic, { solver, remainingSeconds }), graph)
}

run().catch((error: unknown) => {
  // rethrown outside the promise chain: the worker dies with the error, which the caller reports as SolverCrashedError
  setImmediate(() => { throw error })
})
