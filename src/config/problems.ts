/**
 * Turning zod's validation issues into what an operator needs to read: the
 * dotted key of each problem and what is wrong with it. Shared by the node's
 * config and the sim's scenario files.
 */
import type { z } from 'zod'

/** One problem in a document: the dotted key it concerns and what is wrong with it. */
export interface KeyProblem {
  key: string
  message: string
}

/** The value at a key path of a parsed document (undefined when absent). */
function valueAt (input: unknown, path: PropertyKey[]): unknown {
  let value = input
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined
    value = (value as Record<PropertyKey, unknown>)[key]
  }
  return value
}

/** One KeyProblem per issue (one per key for unknown keys); a missing value reads "is required". */
export function keyProblems (error: z.ZodError, input: unknown): KeyProblem[] {
  return error.issues.flatMap((issue): KeyProblem[] => {
    const path = issue.path.map(String).join('.')
    if (issue.code === 'unrecognized_keys') return issue.keys.map((key) => ({ key: path === '' ? key : `${path}.${key}`, message: 'unknown key' }))
    const missing = issue.code === 'invalid_type' && valueAt(input, issue.path) === undefined
    return [{ key: path === '' ? '(root)' : path, message: missing ? 'is required' : issue.message }]
  })
}

/** YAML text parsed, or a single problem naming the file's syntax error. */
export function yamlProblem (err: unknown): KeyProblem {
  return { key: '(file)', message: `is not valid YAML: ${(err as Error).message.split('\n')[0]}` }
}
