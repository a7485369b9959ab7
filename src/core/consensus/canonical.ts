/**
 * Canonical JSON for the values we hash and sign (events, genesis files):
 * object keys sorted by UTF-16 code units, no whitespace, numbers as
 * ECMAScript prints them. For our value subset (strings, finite numbers,
 * booleans, null, arrays, plain objects) this is RFC 8785 (JCS); anything
 * else is a programmer error, so it throws.
 */
import { assert } from '../errors.ts'

/** The canonical JSON text of `value` (RFC 8785 for our value subset). */
export function canonicalJson (value: unknown): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value)
  if (typeof value === 'number') {
    assert(Number.isFinite(value), 'canonical JSON numbers must be finite')
    return JSON.stringify(value)
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`
  assert(typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype, `canonical JSON cannot encode ${typeof value}`)
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`
}
