/**
 * Participant identities: `sep://handle@node`. The handle names the
 * participant on its home node; the node part is that node's **site id** as
 * registered in the federation's membership (readable: `sep://alice@uk_north`;
 * a PeerId is accepted too). The id is a location: the stable identity is
 * the participant's key (participant-keys.ts), and a participant who moves
 * gets a new id under the new node, linked by a signed redirect.
 *
 * The one parser of participant ids: matching, the store and the CLI use it.
 */
import { InputError } from '../errors.ts'

export const PARTICIPANT_ID_SCHEME = 'sep://'

/** Handles are short names people type. */
export const HANDLE_LENGTH_MAX = 64
/** A node part: a site id (the config's slug limit is 64) or a PeerId (≤ 100). */
export const NODE_ID_LENGTH_MAX = 128
export const PARTICIPANT_ID_LENGTH_MAX = PARTICIPANT_ID_SCHEME.length + HANDLE_LENGTH_MAX + 1 + NODE_ID_LENGTH_MAX

/** Lowercase letters and digits, optionally joined by single `.`, `_` or `-`. */
export const HANDLE_PATTERN = /^[a-z0-9]+(?:[._-][a-z0-9]+)*$/
/** A site id (a slug) or a base58 PeerId: letters and digits joined by single `.`, `_` or `-`. */
export const NODE_ID_PATTERN = /^[A-Za-z0-9]+(?:[._-][A-Za-z0-9]+)*$/

/** Base class: a string that is not a valid participant id. */
export class InvalidParticipantIdError extends InputError {
  static override readonly code: string = 'InvalidParticipantIdError'
  override readonly name: string = 'InvalidParticipantIdError'
}

export class ParticipantIdTooLongError extends InvalidParticipantIdError {
  static override readonly code = 'ParticipantIdTooLongError'
  override readonly name = 'ParticipantIdTooLongError'
}

export class ParticipantIdSchemeError extends InvalidParticipantIdError {
  static override readonly code = 'ParticipantIdSchemeError'
  override readonly name = 'ParticipantIdSchemeError'
}

export class InvalidHandleError extends InvalidParticipantIdError {
  static override readonly code = 'InvalidHandleError'
  override readonly name = 'InvalidHandleError'
}

export class InvalidNodeIdError extends InvalidParticipantIdError {
  static override readonly code = 'InvalidNodeIdError'
  override readonly name = 'InvalidNodeIdError'
}

/** The two parts of a participant id. */
export interface ParticipantAddress {
  handle: string
  /** the home node's site id */
  node: string
}

/** Echoed input is cut to this many characters in error messages. */
const ECHO_CHARS_MAX = 80
const echo = (text: string): string => (text.length > ECHO_CHARS_MAX ? `${text.slice(0, ECHO_CHARS_MAX)}…` : text)

/** Checks a handle; returns it, or throws InvalidHandleError naming the problem. */
export function validateHandle (handle: string): string {
  if (handle.length === 0 || handle.length > HANDLE_LENGTH_MAX || !HANDLE_PATTERN.test(handle)) {
    throw new InvalidHandleError(`handle "${echo(handle)}" must be 1-${HANDLE_LENGTH_MAX} lowercase letters and digits joined by single ".", "_" or "-" (e.g. "ada", "ada.l")`)
  }
  return handle
}

/** Checks a node part (a site id or PeerId); returns it, or throws InvalidNodeIdError. */
export function validateNodeId (node: string): string {
  if (node.length === 0 || node.length > NODE_ID_LENGTH_MAX || !NODE_ID_PATTERN.test(node)) {
    throw new InvalidNodeIdError(`node id "${echo(node)}" must be 1-${NODE_ID_LENGTH_MAX} letters and digits joined by single ".", "_" or "-" (a site id such as "uk_north")`)
  }
  return node
}

/** Parses `sep://handle@node`; throws an InvalidParticipantIdError subclass saying what is wrong. */
export function parseParticipantId (text: string): ParticipantAddress {
  if (text.length > PARTICIPANT_ID_LENGTH_MAX) throw new ParticipantIdTooLongError(`a participant id is at most ${PARTICIPANT_ID_LENGTH_MAX} characters, got ${text.length}`)
  if (!text.startsWith(PARTICIPANT_ID_SCHEME)) throw new ParticipantIdSchemeError(`participant id "${echo(text)}" must start with ${PARTICIPANT_ID_SCHEME} (sep://handle@node)`)
  const rest = text.slice(PARTICIPANT_ID_SCHEME.length)
  const at = rest.indexOf('@')
  if (at < 0 || rest.indexOf('@', at + 1) >= 0) throw new InvalidParticipantIdError(`participant id "${echo(text)}" must be ${PARTICIPANT_ID_SCHEME}<handle>@<node>`)
  return { handle: validateHandle(rest.slice(0, at)), node: validateNodeId(rest.slice(at + 1)) }
}

/** Formats `sep://handle@node`, checking both parts. */
export function formatParticipantId (address: ParticipantAddress): string {
  return `${PARTICIPANT_ID_SCHEME}${validateHandle(address.handle)}@${validateNodeId(address.node)}`
}

/** The short form used in explanations: `alice@A`. */
export function shortParticipantId (id: string): string {
  return id.startsWith(PARTICIPANT_ID_SCHEME) ? id.slice(PARTICIPANT_ID_SCHEME.length) : id
}
