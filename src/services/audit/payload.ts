/**
 * The `audit_checkpoint` gossip payload (JSON, protocols/audit.md
 * "Gossip"): a checkpoint from its origin, a witness's cosignature on one, or
 * split-view evidence against an origin.
 */
import { z } from 'zod'
import { decodeJsonPayload } from '../../wire/json-payload.ts'
import { PayloadSchemaError } from '../../core/errors.ts'
import {
  cosignatureFromJson, cosignatureToJson, signedCheckpointFromJson, signedCheckpointToJson, type Cosignature, type SignedCheckpoint
} from '../../core/audit/checkpoint.ts'
import {
  splitViewEvidenceFromJson, splitViewEvidenceToJson, type SplitViewEvidence, type SplitViewEvidenceJson
} from '../../core/audit/split-view.ts'
import { AUDIT_PAYLOAD_BYTES_MAX } from './constants.ts'

/** A decoded payload (schema-checked; signatures not yet verified). */
export type AuditPayload =
  | { kind: 'checkpoint', checkpoint: SignedCheckpoint }
  | { kind: 'cosignature', checkpoint: SignedCheckpoint, cosignature: Cosignature }
  | { kind: 'evidence', evidence: SplitViewEvidence }

const payloadSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('checkpoint'), checkpoint: z.unknown() }),
  z.strictObject({ kind: z.literal('cosignature'), checkpoint: z.unknown(), cosignature: z.unknown() }),
  z.strictObject({ kind: z.literal('evidence'), evidence: z.unknown() })
])

/** Bytes of a payload. */
export function encodeAuditPayload (payload: AuditPayload): Uint8Array {
  const json = payload.kind === 'checkpoint'
    ? { kind: payload.kind, checkpoint: signedCheckpointToJson(payload.checkpoint) }
    : payload.kind === 'cosignature'
      ? { kind: payload.kind, checkpoint: signedCheckpointToJson(payload.checkpoint), cosignature: cosignatureToJson(payload.cosignature) }
      : { kind: payload.kind, evidence: splitViewEvidenceToJson(payload.evidence) }
  return new TextEncoder().encode(JSON.stringify(json))
}

/** A payload from the wire; PayloadSchemaError for anything else. */
export function decodeAuditPayload (bytes: Uint8Array): AuditPayload {
  const p = decodeJsonPayload(bytes, { schema: payloadSchema, bytesMax: AUDIT_PAYLOAD_BYTES_MAX, what: 'audit' })
  try {
    switch (p.kind) {
      case 'checkpoint': return { kind: p.kind, checkpoint: signedCheckpointFromJson(p.checkpoint) }
      case 'cosignature': return { kind: p.kind, checkpoint: signedCheckpointFromJson(p.checkpoint), cosignature: cosignatureFromJson(p.cosignature) }
      case 'evidence': return { kind: p.kind, evidence: splitViewEvidenceFromJson(p.evidence as SplitViewEvidenceJson) }
    }
  } catch (err) {
    throw new PayloadSchemaError(`audit payload ${p.kind}: ${(err as Error).message}`)
  }
}
