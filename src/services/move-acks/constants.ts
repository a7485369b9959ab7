/**
 * The `move_ack` data class's names and limits (protocols/move-ack.md).
 */
import type { DataClass } from '../../wire/envelope.ts'

export const MOVE_ACK_CLASS = 'move_ack' satisfies DataClass
export const MOVE_ACK_SCHEMA_ID = 'fedmesh.move-ack/1'
export const MOVE_ACK_CONTENT_TYPE = 'application/json'
/** A payload: the ack JSON (< 1 KB) and an ML-DSA-87 hybrid signature in base64 (~6.2 KB). */
export const MOVE_ACK_PAYLOAD_BYTES_MAX = 12 * 1024
/** Acks stored (every member's ack of every move still in its grace); beyond it new ones are ignored. */
export const MOVE_ACKS_STORED_MAX = 20_000
/** Lookups that find no redirect for a move before the member acks it as failed. */
export const MOVE_ACK_ATTEMPTS_MAX = 20
/** Moves resolved per tick (each may cost DHT lookups). */
export const MOVE_ACKS_PER_TICK_MAX = 16
/** Moves waiting to be resolved and acknowledged; beyond it a notice is stored but not followed (each costs DHT lookups). */
export const MOVE_ACK_TODOS_MAX = 1024
