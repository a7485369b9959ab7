/**
 * The `attestation` data class's names and timing (protocols/attestation.md).
 */
import type { DataClass } from '../../wire/envelope.ts'

export const ATTESTATION_CLASS = 'attestation' satisfies DataClass
export const ATTESTATION_SCHEMA_ID = 'fedmesh.attestation/1'
export const ATTESTATION_CONTENT_TYPE = 'application/x-protobuf'
/** Exchanges recorded within this long are attested in one pass. */
export const ATTESTATION_DEBOUNCE_MS = 200
/** A node reviews its participants' claims this often even without new exchanges (trust tiers also change with time). */
export const ATTESTATION_REVIEW_MS = 60 * 60_000
/** Attestations signed and published in one pass; the rest wait for the next (a pass never blocks the node for long). */
export const ATTESTATIONS_PER_PASS_MAX = 1000
