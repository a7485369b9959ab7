/**
 * Participant identities: `sep://handle@node-id`. The handle names the
 * participant on its home node; the node id is that node's PeerId. A
 * participant who migrates gets a new id (same handle or not) under the new
 * node, and a signed redirect links the two.
 */
import { InputError } from '../errors.ts'

export const PARTICIPANT_ID_SCHEME = 'sep://'
/** Handles are short names people type. */
export const HANDLE_LENGTH_MAX = 32
/** A PeerId in base58btc (an Ed25519 PeerId is 52 characters). */
export const NODE_ID_LENGTH_MIN = 40
export const NODE_ID_LENGTH_MAX = 100
export const PARTICIPANT_ID_LENGTH_MAX = PARTICIPANT_ID_SCHEME.length + HANDLE_LENGTH_MAX + 1 + NODE_ID_LENGTH_MAX

/** Lowercase letters and digits, optionally joined by single `.`, `_` or `-`. */
const HANDLE_PATTERN = /^[a-z0-9]+(?:[._-][a-z0-9]+)*$/
/** base58btc alphabet (no 0, O, I, l). */
const NODE_ID_PATTERN = /^[1-9A-HJ-NP-Za-km-z]+$/

/** Base class: a string that is not a valid participant id. */
export class ParticipantIdError extends InputError {
  static override readonly code: string = 'ParticipantIdError'
  override readonly name: string = 'ParticipantIdError'
}

export class ParticipantIdTooLongError extends ParticipantIdError {
  static override readonly code = 'ParticipantIdTooLongError'
  override readonly name = 'ParticipantIdTooLongError'
}

export class ParticipantIdSchemeError extends ParticipantIdError {
  static override readonly code = 'ParticipantIdSchemeError'
  override readonly name = 'ParticipantIdSchemeError'
}

export class InvalidHandleError extends ParticipantIdError {
  static override readonly code = 'InvalidHandleError'
  override readonly name = 'InvalidHandleError'
}

export class InvalidNodeIdError extends ParticipantIdError {
  static override readonly code = 'InvalidNodeIdError'
  override readonly name = 'InvalidNodeIdError'
}

/** A participant id, parsed. */
export interface ParticipantId {
  handle: string
  nodeId: string
}

/** Throws InvalidHandleError unless `handle` follows the handle grammar. */
export function checkHandle (handle: string): void {
  if (handle.length === 0) throw new InvalidHandleError('a participant handle must not be empty')
  if (handle.length > HANDLE_LENGTH_MAX) throw new InvalidHandleError(`a participant handle is at most ${HANDLE_LENGTH_MAX} characters, got ${handle.length}`)
  if (!HANDLE_PATTERN.test(handle)) {
    throw new InvalidHandleError(`handle "${handle}" must be lowercase letters and digits, optionally joined by single ".", "_" or "-" (e.g. "ada", "ada.l")`)
  }
}

/** Throws InvalidNodeIdError unless `nodeId` looks like a base58 PeerId. */
export function checkNodeId (nodeId: string): void {
  if (nodeId.length < NODE_ID_LENGTH_MIN || nodeId.length > NODE_ID_LENGTH_MAX) {
    throw new InvalidNodeIdError(`a node id is a PeerId of ${NODE_ID_LENGTH_MIN}..${NODE_ID_LENGTH_MAX} characters, got ${nodeId.length}`)
  }
  if (!NODE_ID_PATTERN.test(nodeId)) throw new InvalidNodeIdError(`node id "${nodeId}" is not base58 (a PeerId such as 12D3KooW…)`)
}

/** Parses `sep://handle@node-id`; throws a ParticipantIdError subclass saying what is wrong. */
export function parseParticipantId (text: string): ParticipantId {
  if (text.length > PARTICIPANT_ID_LENGTH_MAX) throw new ParticipantIdTooLongError(`a participant id is at most ${PARTICIPANT_ID_LENGTH_MAX} characters, got ${text.length}`)
  if (!text.startsWith(PARTICIPANT_ID_SCHEME)) throw new ParticipantIdSchemeError(`participant id "${text}" must start with ${PARTICIPANT_ID_SCHEME} (sep://handle@node-id)`)
  const rest = text.slice(PARTICIPANT_ID_SCHEME.length)
  const at = rest.indexOf('@')
  if (at < 0) throw new InvalidNodeIdError(`participant id "${text}" has no "@node-id" (sep://handle@node-id)`)
  const handle = rest.slice(0, at)
  const nodeId = rest.slice(at + 1)
  checkHandle(handle)
  checkNodeId(nodeId)
  return { handle, nodeId }
}

/** Formats a participant id as `sep://handle@node-id`, checking both parts. */
export function formatParticipantId (id: ParticipantId): string {
  checkHandle(id.handle)
  checkNodeId(id.nodeId)
  return `${PARTICIPANT_ID_SCHEME}${id.handle}@${id.nodeId}`
}
