/** The solver worker's errors, each with a stable `name` callers branch on. */
import { InputError } from '../core/errors.ts'

/** The worker died (an exception, running out of memory, an exit) before its final answer; the result carries the heuristic's answer instead. */
export class SolverCrashedError extends Error {
  static readonly code = 'SolverCrashedError'
  override readonly name = 'SolverCrashedError'
}

/** The caller's signal aborted the solve; the worker was terminated. */
export class SolverAbortedError extends Error {
  static readonly code = 'SolverAbortedError'
  override readonly name = 'SolverAbortedError'
}

/** A time limit that is not a positive integer number of milliseconds up to SOLVER_TIME_LIMIT_MS_MAX. */
export class TimeLimitOutOfRangeError extends InputError {
  static override readonly code = 'TimeLimitOutOfRangeError'
  override readonly name = 'TimeLimitOutOfRangeError'
}
