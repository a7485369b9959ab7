/**
 * The one argument parser of operations: zod schemas, and an
 * OperationArgumentError that names every bad argument.
 */
import type { z } from 'zod'
import { InputError } from '../core/errors.ts'
import { keyProblems } from '../config/problems.ts'

/** The operation's arguments were invalid (HTTP 400, CLI exit 2). */
export class OperationArgumentError extends InputError {
  static override readonly code = 'OperationArgumentError'
  override readonly name = 'OperationArgumentError'
}

/** Parses an operation's arguments with `schema`; OperationArgumentError naming each problem. */
export function parseArguments<S extends z.ZodType> (schema: S, args: unknown, operation: string): z.output<S> {
  const result = schema.safeParse(args ?? {})
  if (!result.success) throw new OperationArgumentError(`${operation}: ${keyProblems(result.error, args ?? {}).map((p) => `${p.key === '(root)' ? 'arguments' : p.key}: ${p.message}`).join('; ')}`)
  return result.data
}
