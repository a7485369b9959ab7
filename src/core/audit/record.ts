/**
 * Audit records: what one leaf of the audit log says happened. A record is
 * typed by `kind`; its leaf bytes are `"fedmesh/audit-record/1\n"` followed by
 * the record's canonical JSON (RFC 8785 for our value subset), so the bytes
 * are deterministic and a new optional field or a new kind extends the format
 * without breaking old leaves. Records describe events, never carry payloads.
 */
import { z } from 'zod'
import { canonicalJson } from '../consensus/canonical.ts'
import {
  AUDIT_ATTRIBUTES_MAX, AUDIT_NAME_LENGTH_MAX, AUDIT_RECORD_BYTES_MAX, AUDIT_RECORD_DOMAIN, AUDIT_TEXT_LENGTH_MAX
} from './constants.ts'
import { MalformedAuditRecordError } from './errors.ts'

/** The kinds of event the log records (issue: crossings, handshakes, policies, membership, operators). */
export const AUDIT_EVENT_KINDS = ['boundary', 'handshake', 'policy', 'membership', 'operator', 'boundary_batch'] as const
export type AuditEventKind = typeof AUDIT_EVENT_KINDS[number]

const name = z.string().min(1).max(AUDIT_NAME_LENGTH_MAX)
const text = z.string().max(AUDIT_TEXT_LENGTH_MAX)
const attributes = z.record(z.string().min(1).max(AUDIT_NAME_LENGTH_MAX), z.union([z.string().max(AUDIT_TEXT_LENGTH_MAX), z.number().refine(Number.isFinite, 'must be finite'), z.boolean()]))
  .refine((a) => Object.keys(a).length <= AUDIT_ATTRIBUTES_MAX, `at most ${AUDIT_ATTRIBUTES_MAX} attributes`)

const common = {
  /** when the event happened, ms since the epoch, from the caller's clock */
  timestamp_ms: z.number().int().nonnegative(),
  /** anything a kind does not name yet (extension point; bounded) */
  attributes: attributes.optional()
}

/** A message crossing the node's boundary, in or out, accepted or rejected (with the reason). */
const boundarySchema = z.strictObject({
  ...common,
  kind: z.literal('boundary'),
  direction: z.enum(['in', 'out']),
  data_class: name,
  /** the other node's PeerId */
  peer: name,
  verdict: z.enum(['accepted', 'rejected']),
  /** why it was rejected (an error name), or a note */
  reason: text.optional(),
  /** envelope id, hex */
  message_id: name.optional(),
  /** encoded size in bytes */
  bytes: z.number().int().nonnegative().optional()
})

/**
 * Envelope ids one `boundary_batch` record names (32 hex characters each): 90 ids and three names at their
 * longest stay under AUDIT_RECORD_BYTES_MAX. A larger batch gets several records.
 */
export const AUDIT_BATCH_IDS_MAX = 90

/**
 * Envelopes of one origin accepted together from one peer in one store batch (a sync batch, protocols/sync.md
 * "Group commit"): one record names every one of them by id, in the order committed, instead of a `boundary`
 * record each. At most AUDIT_BATCH_IDS_MAX ids: a larger batch is described by several records.
 */
const boundaryBatchSchema = z.strictObject({
  ...common,
  kind: z.literal('boundary_batch'),
  direction: z.literal('in'),
  data_class: name,
  /** the peer they came from (PeerId) */
  peer: name,
  verdict: z.literal('accepted'),
  /** the origin that signed every one of them (PeerId) */
  source: name,
  /** envelope ids (16 bytes, lowercase hex), in commit order */
  message_ids: z.array(z.string().regex(/^[0-9a-f]{32}$/, 'must be a 16-byte envelope id in lowercase hex')).min(1).max(AUDIT_BATCH_IDS_MAX),
  /** their encoded size in bytes, summed */
  bytes: z.number().int().nonnegative()
})

/** A handshake state machine moving between states for one peer. */
const handshakeSchema = z.strictObject({
  ...common,
  kind: z.literal('handshake'),
  peer: name,
  from_state: name,
  to_state: name,
  reason: text.optional()
})

/** A data policy (per peer or federation-wide) set, agreed or changed. */
const policySchema = z.strictObject({
  ...common,
  kind: z.literal('policy'),
  /** absent for a federation-wide policy */
  peer: name.optional(),
  change: name,
  /** hex hash of the policy now in force */
  policy_hash: name.optional(),
  reason: text.optional()
})

/** A member admitted, removed or suspended by a decided membership event. */
const membershipSchema = z.strictObject({
  ...common,
  kind: z.literal('membership'),
  change: name,
  node: name,
  epoch: z.number().int().nonnegative().optional(),
  slot: name.optional()
})

/** Something the node's operator did (CLI or API). */
const operatorSchema = z.strictObject({
  ...common,
  kind: z.literal('operator'),
  action: name,
  actor: name.optional(),
  detail: text.optional()
})

/** Any record the log accepts. */
export const auditRecordSchema = z.discriminatedUnion('kind', [boundarySchema, handshakeSchema, policySchema, membershipSchema, operatorSchema, boundaryBatchSchema])
export type AuditRecord = z.infer<typeof auditRecordSchema>
export type BoundaryCrossingRecord = z.infer<typeof boundarySchema>
export type BoundaryBatchRecord = z.infer<typeof boundaryBatchSchema>
export type HandshakeTransitionRecord = z.infer<typeof handshakeSchema>
export type PolicyChangeRecord = z.infer<typeof policySchema>
export type MembershipChangeRecord = z.infer<typeof membershipSchema>
export type OperatorActionRecord = z.infer<typeof operatorSchema>

/**
 * A record from a later format version that this build does not know: its
 * kind and time are read, the rest kept as is. Leaves are hashed as stored
 * bytes, so an unknown record still verifies.
 */
export interface UnknownAuditRecord {
  kind: string
  timestamp_ms: number
  [field: string]: unknown
}

const unknownSchema = z.looseObject({ kind: name, timestamp_ms: z.number().int().nonnegative() })

const utf8Encoder = new TextEncoder()
const utf8Decoder = new TextDecoder('utf-8', { fatal: true })
const PREFIX = utf8Encoder.encode(`${AUDIT_RECORD_DOMAIN}\n`)

/** The leaf bytes of a record; throws MalformedAuditRecordError when it breaks the schema or AUDIT_RECORD_BYTES_MAX. */
export function encodeAuditRecord (record: AuditRecord): Uint8Array {
  const parsed = auditRecordSchema.safeParse(record)
  if (!parsed.success) throw new MalformedAuditRecordError(`audit record: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(record)'} ${i.message}`).join('; ')}`)
  const body = utf8Encoder.encode(canonicalJson(parsed.data))
  if (PREFIX.length + body.length > AUDIT_RECORD_BYTES_MAX) {
    throw new MalformedAuditRecordError(`audit record is ${PREFIX.length + body.length} bytes; at most ${AUDIT_RECORD_BYTES_MAX}`)
  }
  const out = new Uint8Array(PREFIX.length + body.length)
  out.set(PREFIX, 0)
  out.set(body, PREFIX.length)
  return out
}

/**
 * The record in leaf bytes. A known kind must match its schema and be in
 * canonical form (so one event has one encoding); an unknown kind is returned
 * as an UnknownAuditRecord. Throws MalformedAuditRecordError.
 */
export function decodeAuditRecord (leaf: Uint8Array): AuditRecord | UnknownAuditRecord {
  if (leaf.length > AUDIT_RECORD_BYTES_MAX) throw new MalformedAuditRecordError(`audit record is ${leaf.length} bytes; at most ${AUDIT_RECORD_BYTES_MAX}`)
  for (let i = 0; i < PREFIX.length; i++) {
    if (leaf[i] !== PREFIX[i]) throw new MalformedAuditRecordError(`audit record does not start with "${AUDIT_RECORD_DOMAIN}"`)
  }
  let json: unknown
  let body: string
  try {
    body = utf8Decoder.decode(leaf.subarray(PREFIX.length))
    json = JSON.parse(body)
  } catch (err) {
    throw new MalformedAuditRecordError('audit record is not UTF-8 JSON', { cause: err })
  }
  const kind = (json as { kind?: unknown } | null)?.kind
  if (typeof kind === 'string' && !(AUDIT_EVENT_KINDS as readonly string[]).includes(kind)) {
    const unknown = unknownSchema.safeParse(json)
    if (!unknown.success) throw new MalformedAuditRecordError(`audit record of kind ${kind} lacks kind or timestamp_ms`)
    return unknown.data as UnknownAuditRecord
  }
  const parsed = auditRecordSchema.safeParse(json)
  if (!parsed.success) throw new MalformedAuditRecordError(`audit record: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(record)'} ${i.message}`).join('; ')}`)
  if (canonicalJson(parsed.data) !== body) throw new MalformedAuditRecordError('audit record is not in canonical form')
  return parsed.data
}
