/**
 * Error base classes shared by every layer.
 *
 * One class per failure, each with a stable `name` that callers branch on
 * (never on message text). `InputError` marks bad input — from an operator
 * (CLI exit 2, HTTP 400) or from a peer (gossip REJECT) — as opposed to a
 * programmer error, which is a plain thrown `Error` / failed assertion.
 */

/** Bad input: the caller's fault, reported precisely, never a crash. */
export class InputError extends Error {
  static readonly code: string = 'InputError'
  override readonly name: string = 'InputError'
}

/** Throws a programmer error when an invariant does not hold. Assertions stay on in production. */
export function assert (condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(`assertion failed: ${message}`)
}
