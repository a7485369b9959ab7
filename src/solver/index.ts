/**
 * solveClearing: the node's entry point to the clearing. Everything blocking
 * (graph, heuristic, HiGHS) runs in a worker thread, so the node's main
 * thread never waits on it.
 *
 * - mode 'heuristic' (default): the deterministic rarest-first clearing of
 *   core/matching/clearing.ts, optimal when it meets the circulation bound.
 * - mode 'exact': then core/matching/exact.ts with HiGHS within `timeLimitMs`
 *   (skipped when the heuristic already meets the circulation bound). At the
 *   deadline the worker is terminated and the best answer it had posted is
 *   returned (at least the heuristic's, with a valid bound).
 * A crashed worker gives the heuristic's answer with `solverError` set to a
 * SolverCrashedError; an aborted signal rejects with SolverAbortedError.
 */
import { Worker } from 'node:worker_threads'
import { performance } from 'node:perf_hooks'
import type { MatchingInstance } from '../core/matching/instance.ts'
import type { Chain } from '../core/matching/chain.ts'
import { clear, resolveCap, type Clearing } from '../core/matching/clearing.ts'
import type { BoundMethod, ClearingMethod } from '../core/matching/exact.ts'
import { chainsFromTable } from './chain-table.ts'
import type { SolverMessage, SolverRequest } from './protocol.ts'
import { SolverAbortedError, SolverCrashedError, TimeLimitOutOfRangeError } from './errors.ts'
import { SOLVER_TIME_LIMIT_MS_DEFAULT, SOLVER_TIME_LIMIT_MS_MAX } from './constants.ts'

export * from './errors.ts'
export * from './constants.ts'
export type { BoundMethod, ClearingMethod } from '../core/matching/exact.ts'

export interface SolveClearingOptions {
  /** longest chain; null = no cap */
  cap: number | null
  /** exact mode's budget in ms; default SOLVER_TIME_LIMIT_MS_DEFAULT */
  timeLimitMs?: number
  /** default 'heuristic' */
  mode?: 'heuristic' | 'exact'
  signal?: AbortSignal
  /** memory limits of the worker (node:worker_threads ResourceLimits); HiGHS's wasm heap is outside them */
  resourceLimits?: import('node:worker_threads').ResourceLimits
}

/** A clearing with where its chains and bound come from (`bound` = min(circulation, ⌊certified LP⌋)). */
export interface ClearingResult extends Clearing {
  /** = participantsServed */
  served: number
  method: ClearingMethod
  boundMethod: BoundMethod
  circulationBound: number
  /** ⌊certified LP bound⌋ when an LP was solved */
  lpBound: number | null
  /** why `optimal` holds: 'bound' (served = bound) or 'mip' (HiGHS proved it); null when not optimal */
  proof: 'bound' | 'mip' | null
  /** wall-clock time of the whole solve, worker start to answer */
  timeMs: number
  /** ms from the start until the heuristic's answer was in hand (the hard stop never returns before it) */
  heuristicMs: number
  /** what ended the solve: the worker's final answer, the time limit (worker terminated), or a crash */
  stoppedBy: 'solver' | 'deadline' | 'crash'
  /** set when the worker crashed and this is the heuristic's answer */
  solverError: SolverCrashedError | null
}

/** Clears an instance in a worker thread; in exact mode improves or certifies the answer with HiGHS within the time limit. */
export async function solveClearing (instance: MatchingInstance, options: SolveClearingOptions): Promise<ClearingResult> {
  const cap = resolveCap(options.cap)
  const mode = options.mode ?? 'heuristic'
  const timeLimitMs = validateTimeLimit(options.timeLimitMs ?? SOLVER_TIME_LIMIT_MS_DEFAULT)
  options.signal?.throwIfAborted()
  const started = performance.now()
  const request: SolverRequest = { categories: instance.taxonomy.categories, nodes: instance.nodes, cap, mode, deadlineEpochMs: Date.now() + timeLimitMs }
  const worker = new Worker(workerUrl(), { workerData: request, execArgv: workerExecArgv(), ...(options.resourceLimits === undefined ? {} : { resourceLimits: options.resourceLimits }) })
  let resolve!: (result: ClearingResult) => void
  let reject!: (error: Error) => void
  const promise = new Promise<ClearingResult>((res, rej) => { resolve = res; reject = rej })
  let best: SolverMessage | undefined
  let heuristicMs = 0
  let settled = false
  const finish = (message: SolverMessage | undefined, stoppedBy: ClearingResult['stoppedBy'], error: SolverCrashedError | null): void => {
    if (settled) return
    settled = true
    cleanup()
    void worker.terminate()
    // no answer at all from a crashed worker: the heuristic runs here, the one case the caller's thread clears
    const result = message === undefined ? fromClearing(clear(instance, { cap }), started, error) : fromMessage(message, started, error)
    resolve({ ...result, heuristicMs: message === undefined ? result.timeMs : heuristicMs, stoppedBy })
  }
  // the hard stop: exact mode waits no longer than the budget once it has an answer
  const timer = mode === 'exact' ? setTimeout(() => { if (best !== undefined) finish(best, 'deadline', null) }, timeLimitMs) : undefined
  const onAbort = (): void => {
    if (settled) return
    settled = true
    cleanup()
    void worker.terminate()
    reject(new SolverAbortedError('the clearing was aborted', { cause: options.signal?.reason }))
  }
  const cleanup = (): void => {
    if (timer !== undefined) clearTimeout(timer)
    options.signal?.removeEventListener('abort', onAbort)
  }
  options.signal?.addEventListener('abort', onAbort, { once: true })
  worker.on('message', (message: SolverMessage) => {
    best = message
    if (message.kind === 'heuristic') heuristicMs = performance.now() - started
    if (message.kind === 'final') finish(message, 'solver', null)
    else if (mode === 'exact' && performance.now() - started >= timeLimitMs) finish(message, 'deadline', null)
  })
  worker.on('error', (error) => finish(best, 'crash', new SolverCrashedError(`the solver worker crashed: ${error.message}`, { cause: error })))
  worker.on('exit', (code) => finish(best, 'crash', new SolverCrashedError(`the solver worker exited (code ${code}) before its answer`)))
  return await promise
}

function validateTimeLimit (ms: number): number {
  if (!Number.isInteger(ms) || ms <= 0 || ms > SOLVER_TIME_LIMIT_MS_MAX) {
    throw new TimeLimitOutOfRangeError(`time limit must be an integer from 1 to ${SOLVER_TIME_LIMIT_MS_MAX} ms, got ${ms}`)
  }
  return ms
}

/**
 * The parent's Node flags minus those that only make sense for a string entry
 * point (`--input-type`, as in `node --input-type=module -e …`): a worker
 * started from a file with them fails before it runs.
 */
function workerExecArgv (): string[] {
  return process.execArgv.filter((flag) => !flag.startsWith('--input-type'))
}

/** worker.ts next to this module: .ts when running from source, .js from dist/. */
function workerUrl (): URL {
  return new URL(import.meta.url.endsWith('.ts') ? './worker.ts' : './worker.js', import.meta.url)
}

function fromMessage (message: SolverMessage, started: number, solverError: SolverCrashedError | null): Omit<ClearingResult, 'heuristicMs' | 'stoppedBy'> {
  const chains: Chain[] = chainsFromTable(message.table)
  const { totals } = message
  return { ...totals, chains, served: totals.participantsServed, timeMs: performance.now() - started, solverError }
}

function fromClearing (clearing: Clearing, started: number, solverError: SolverCrashedError | null): Omit<ClearingResult, 'heuristicMs' | 'stoppedBy'> {
  return {
    ...clearing,
    served: clearing.participantsServed,
    method: 'heuristic',
    boundMethod: 'circulation',
    circulationBound: clearing.bound,
    lpBound: null,
    proof: clearing.optimal ? 'bound' : null,
    timeMs: performance.now() - started,
    solverError
  }
}

/** How `match` clears: the heuristic in-process (fast, deterministic), or the exact mode in the worker within a budget. */
export interface MatchClearingOptions {
  cap: number | null
  exact?: boolean
  timeLimitMs?: number
}

/** The clearing `match` reports: `clear()` by default; with `exact`, `solveClearing` (HiGHS in a worker, never blocking the caller's thread). */
export async function clearForMatch (instance: MatchingInstance, options: MatchClearingOptions): Promise<Clearing | ClearingResult> {
  if (options.exact !== true) return clear(instance, { cap: options.cap })
  return await solveClearing(instance, { cap: options.cap, mode: 'exact', ...(options.timeLimitMs === undefined ? {} : { timeLimitMs: options.timeLimitMs }) })
}
