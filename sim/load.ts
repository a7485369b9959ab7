/**
 * The sim's message load: each published message is a signed envelope on a
 * real data class topic whose payload says which sim message it is and when
 * it was published (JSON, checked with a zod schema on receipt; a payload
 * that fails it is a `PayloadSchemaError`, which the node rejects).
 */
import { z } from 'zod'
import { PayloadSchemaError } from '../src/core/errors.ts'

export const LOAD_SCHEMA_ID = 'fedmesh.sim/load/1'
export const LOAD_CONTENT_TYPE = 'application/json'

const loadPayloadSchema = z.strictObject({
  /** the coordinator's message number */
  message: z.number().int().min(0),
  /** publish time, ms since the epoch with sub-ms precision (`simNow`) */
  published_at_ms: z.number().positive(),
  /** filler up to the scenario's payload size */
  pad: z.string()
})

export type LoadPayload = z.output<typeof loadPayloadSchema>

let virtualClock = false

/** Virtual time on (or off): simNow then reads the (fake) Date, whose origin does not depend on the host. */
export function useVirtualSimClock (on: boolean): void {
  virtualClock = on
}

/** Wall-clock ms with sub-ms precision; comparable across the processes of one machine. Under virtual time, the virtual clock's ms. */
export function simNow (): number {
  return virtualClock ? Date.now() : performance.timeOrigin + performance.now()
}

/** Encodes a load payload of about `payloadBytes` bytes. */
export function encodeLoadPayload (message: number, publishedAtMs: number, payloadBytes: number): Uint8Array {
  const bare = JSON.stringify({ message, published_at_ms: publishedAtMs, pad: '' })
  return new TextEncoder().encode(JSON.stringify({ message, published_at_ms: publishedAtMs, pad: 'x'.repeat(Math.max(0, payloadBytes - bare.length)) }))
}

/** Decodes and checks a load payload; throws PayloadSchemaError for anything else. */
export function decodeLoadPayload (payload: Uint8Array): LoadPayload {
  let raw: unknown
  try {
    raw = JSON.parse(new TextDecoder().decode(payload))
  } catch {
    throw new PayloadSchemaError('sim load payload is not JSON')
  }
  const result = loadPayloadSchema.safeParse(raw)
  if (!result.success) throw new PayloadSchemaError(`sim load payload: ${result.error.issues[0]?.message ?? 'invalid'}`)
  return result.data
}
