/**
 * The JSON payloads of federation-wide data classes (consensus, aggregated
 * metrics, audit checkpoints) are checked the same way, cheapest first:
 * size → UTF-8 → JSON → schema; every failure a PayloadSchemaError (REJECT).
 */
import type { z } from 'zod'
import { PayloadSchemaError } from '../core/errors.ts'

/** Decodes a JSON payload of at most `bytesMax` bytes against `schema`; `what` names the data class in errors. */
export function decodeJsonPayload<S extends z.ZodType> (bytes: Uint8Array, init: { schema: S, bytesMax: number, what: string }): z.output<S> {
  if (bytes.byteLength > init.bytesMax) throw new PayloadSchemaError(`${init.what} payload of ${bytes.byteLength} bytes exceeds ${init.bytesMax}`)
  let raw: unknown
  try {
    raw = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes))
  } catch {
    throw new PayloadSchemaError(`${init.what} payload is not UTF-8 JSON`)
  }
  const parsed = init.schema.safeParse(raw)
  if (!parsed.success) throw new PayloadSchemaError(`${init.what} payload: ${parsed.error.issues[0]?.message ?? 'invalid'}`)
  return parsed.data
}
