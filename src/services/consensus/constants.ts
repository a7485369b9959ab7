/**
 * Consensus on the wire: names and limits (protocols/vote.md).
 */
import type { DataClass } from '../../wire/envelope.ts'

export const VOTE_CLASS = 'vote' satisfies DataClass
export const CONSENSUS_SCHEMA_ID = 'fedmesh.consensus/1'
export const CONSENSUS_CONTENT_TYPE = 'application/json'
/** An event, a vote or two votes of evidence: far below this. */
export const CONSENSUS_PAYLOAD_BYTES_MAX = 64 * 1024
/** How often pending slots are checked against their deadline. */
export const SLOT_DEADLINE_CHECK_MS_MAX = 10_000
