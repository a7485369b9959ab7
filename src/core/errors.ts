/**
 * Error base classes shared by every layer.
 *
 * One class per failure, each with a stable `name` that callers branch on
 * (never on message text). `InputError` marks bad input — from an operator
 * (CLI exit 2, HTTP 400) or from a peer — as opposed to a programmer error,
 * which is a plain thrown `Error` / failed assertion.
 *
 * `VerdictError` is the one base class for input that arrives from peers: it
 * carries the gossip `action` it earns and a bounded `code` (a metrics label).
 * `verdictOf` is the one place an error becomes a verdict; anything that is
 * not a VerdictError is our bug, never the peer's fault: IGNORE `internal`.
 */

/** Bad input: the caller's fault, reported precisely, never a crash. */
export class InputError extends Error {
  static readonly code: string = 'InputError'
  override readonly name: string = 'InputError'
}

/** What a peer's message earns: `reject` when provably bad (the sender's score drops), `ignore` when it may be an honest accident. */
export type VerdictAction = 'reject' | 'ignore'

/** Input from a peer that is refused, with the verdict it earns and a bounded reason code. */
export abstract class VerdictError extends InputError {
  static override readonly code: string = 'VerdictError'
  override readonly name: string = 'VerdictError'
  abstract readonly action: VerdictAction
  /** a short snake_case label from a small fixed set (metrics cardinality stays bounded) */
  abstract readonly code: string
}

/** A refusal decided where it happens (a data class's payload rules), with its action and code given there. */
export class PayloadRefusedError extends VerdictError {
  static override readonly code: string = 'PayloadRefusedError'
  override readonly name: string = 'PayloadRefusedError'
  readonly action: VerdictAction
  readonly code: string
  constructor (action: VerdictAction, code: string, message: string, options?: ErrorOptions) {
    super(message, options)
    this.action = action
    this.code = code
  }
}

/** A payload that does not fit its data class's schema: provably bad, REJECT `payload_schema`. */
export class PayloadSchemaError extends PayloadRefusedError {
  static override readonly code = 'PayloadSchemaError'
  override readonly name = 'PayloadSchemaError'
  constructor (message: string, options?: ErrorOptions) {
    super('reject', 'payload_schema', message, options)
  }
}

/** A verdict for a message: accept, or refuse with a reason code. */
export type Verdict = { action: 'accept' } | { action: VerdictAction, code: string }

/** The code of the verdict for anything that is not a VerdictError (our bug, not the peer's). */
export const VERDICT_CODE_INTERNAL = 'internal'

/** The verdict an error thrown while handling a peer's message earns. */
export function verdictOf (err: unknown): { action: VerdictAction, code: string } {
  if (err instanceof VerdictError) return { action: err.action, code: err.code }
  return { action: 'ignore', code: VERDICT_CODE_INTERNAL }
}

/** Throws a programmer error when an invariant does not hold. Assertions stay on in production. */
export function assert (condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(`assertion failed: ${message}`)
}
