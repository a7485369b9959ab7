/**
 * Consensus events: what a slot decides. Each event has a type, a slot id and
 * a hash over its canonical bytes; members vote on that hash.
 */
import { createHash } from 'node:crypto'
import { z } from 'zod'
import { VerdictError } from '../errors.ts'
import { canonicalJson } from './canonical.ts'
import {
  EVENT_DOMAIN, FEDERATION_ID_LENGTH_MAX, SLOT_ID_LENGTH_MAX, SLOT_ID_PATTERN, EVENT_HASH_PATTERN,
  PROPOSAL_TEXT_LENGTH_MAX, PROPOSAL_TITLE_LENGTH_MAX
} from './constants.ts'
import { hybridSignatureJsonSchema, memberJsonSchema, nodeIdSchema } from './member.ts'
import { thresholdSchema, TIE_BREAKING_RULES } from './threshold.ts'

export const EVENT_TYPES = ['governance_proposal', 'membership_add', 'membership_remove', 'policy_change', 'epoch_checkpoint'] as const
export type EventType = typeof EVENT_TYPES[number]

/** A federation id: a slug, as in the node config. */
export const federationIdSchema = z.string()
  .min(1, 'must not be empty')
  .max(FEDERATION_ID_LENGTH_MAX, `must be at most ${FEDERATION_ID_LENGTH_MAX} characters`)
  .regex(/^[a-z0-9]+(?:[._-][a-z0-9]+)*$/, 'must be a slug')

/** A slot id, e.g. `gov/12` or `membership/3`. */
export const slotIdSchema = z.string()
  .min(1, 'must not be empty')
  .max(SLOT_ID_LENGTH_MAX, `must be at most ${SLOT_ID_LENGTH_MAX} characters`)
  .regex(SLOT_ID_PATTERN, 'must use only letters, digits and . _ : / -')

/** An event hash: lowercase hex SHA-256. */
export const eventHashSchema = z.string().regex(EVENT_HASH_PATTERN, 'must be 64 lowercase hex characters (SHA-256)')

const common = {
  federation_id: federationIdSchema,
  slot: slotIdSchema,
  /** when the proposer created the event, ms since the epoch (timestamp_priority tie-breaking uses it) */
  initiated_at: z.number().int().nonnegative(),
  proposer: nodeIdSchema
}

/** A consensus event; `body` depends on `type`. */
export const eventSchema = z.discriminatedUnion('type', [
  z.strictObject({
    ...common,
    type: z.literal('governance_proposal'),
    body: z.strictObject({ title: z.string().min(1).max(PROPOSAL_TITLE_LENGTH_MAX), text: z.string().max(PROPOSAL_TEXT_LENGTH_MAX) })
  }),
  z.strictObject({
    ...common,
    type: z.literal('membership_add'),
    /** `entry_signature`: the candidate's self-signature of `member` (its founder entry), so every voter can check the entry, not only the proposer */
    body: z.strictObject({ member: memberJsonSchema, entry_signature: hybridSignatureJsonSchema.optional() })
  }),
  z.strictObject({ ...common, type: z.literal('membership_remove'), body: z.strictObject({ node_id: nodeIdSchema }) }),
  z.strictObject({
    ...common,
    type: z.literal('policy_change'),
    body: z.strictObject({
      threshold: thresholdSchema.optional(),
      min_participating_nodes: z.number().int().min(1).optional(),
      tie_breaking: z.enum(TIE_BREAKING_RULES).optional()
    }).refine((b) => b.threshold !== undefined || b.min_participating_nodes !== undefined || b.tie_breaking !== undefined, 'must change at least one policy')
  }),
  z.strictObject({
    ...common,
    type: z.literal('epoch_checkpoint'),
    /** `log_hash`: the hash of the proposer's view of the shared log at `epoch` */
    body: z.strictObject({ epoch: z.number().int().nonnegative(), log_hash: eventHashSchema })
  })
])
export type ConsensusEvent = z.output<typeof eventSchema>


/** The event is malformed; `problems` lists each bad field. */
export class InvalidEventError extends VerdictError {
  static override readonly code = 'InvalidEventError'
  override readonly name = 'InvalidEventError'
  readonly action = 'reject'
  override readonly code = 'invalid_event'
}

/** Validates an event from a peer or an operator; throws InvalidEventError naming the bad fields. */
export function parseEvent (input: unknown): ConsensusEvent {
  const result = eventSchema.safeParse(input)
  if (result.success) return result.data
  const problems = result.error.issues.map((i) => `${i.path.map(String).join('.') || '(event)'}: ${i.message}`)
  throw new InvalidEventError(`invalid consensus event: ${problems.join('; ')}`)
}

/** The event's hash: SHA-256 over `"fedmesh/event/1\n" ‖ canonical-JSON(event)`, lowercase hex. */
export function eventHash (event: ConsensusEvent): string {
  return createHash('sha256').update(`${EVENT_DOMAIN}\n`).update(canonicalJson(event)).digest('hex')
}
