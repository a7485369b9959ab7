/**
 * Participant ids: `sep://<handle>@<node-id>`.
 *
 * Minimal on purpose: the identity module (src/core/identity/) may later own
 * richer rules (migration, redirects); this one only fixes the syntax so the
 * matching core, the store and the CLI agree on it.
 */
import { InvalidParticipantIdError } from './errors.ts'
import { HANDLE_LENGTH_MAX, NODE_ID_LENGTH_MAX } from './limits.ts'

export const PARTICIPANT_ID_SCHEME = 'sep://'

/** A handle: lowercase letters and digits, joined by `.`, `_` or `-`. */
export const HANDLE_PATTERN = /^[a-z0-9]+(?:[._-][a-z0-9]+)*$/
/** A node id: a site slug (today's `site_id`) or a base58 libp2p peer id. */
export const NODE_ID_PATTERN = /^[A-Za-z0-9]+(?:[._-][A-Za-z0-9]+)*$/

/** The two parts of a participant id. */
export interface ParticipantAddress {
  handle: string
  node: string
}

/** Checks a handle; throws InvalidParticipantIdError naming the problem. */
export function validateHandle (handle: string): string {
  if (handle.length === 0 || handle.length > HANDLE_LENGTH_MAX || !HANDLE_PATTERN.test(handle)) {
    throw new InvalidParticipantIdError(`handle "${handle}" must be 1-${HANDLE_LENGTH_MAX} lowercase letters and digits joined by ".", "_" or "-"`)
  }
  return handle
}

/** Checks a node id; throws InvalidParticipantIdError naming the problem. */
export function validateNodeId (node: string): string {
  if (node.length === 0 || node.length > NODE_ID_LENGTH_MAX || !NODE_ID_PATTERN.test(node)) {
    throw new InvalidParticipantIdError(`node id "${node}" must be 1-${NODE_ID_LENGTH_MAX} letters and digits joined by ".", "_" or "-"`)
  }
  return node
}

/** Formats `sep://handle@node`, validating both parts. */
export function formatParticipantId (address: ParticipantAddress): string {
  return `${PARTICIPANT_ID_SCHEME}${validateHandle(address.handle)}@${validateNodeId(address.node)}`
}

/** Parses `sep://handle@node`; throws InvalidParticipantIdError on anything else. */
export function parseParticipantId (id: string): ParticipantAddress {
  if (!id.startsWith(PARTICIPANT_ID_SCHEME)) {
    throw new InvalidParticipantIdError(`participant id "${id}" must start with ${PARTICIPANT_ID_SCHEME}`)
  }
  const rest = id.slice(PARTICIPANT_ID_SCHEME.length)
  const at = rest.indexOf('@')
  if (at < 0 || rest.indexOf('@', at + 1) >= 0) {
    throw new InvalidParticipantIdError(`participant id "${id}" must be ${PARTICIPANT_ID_SCHEME}<handle>@<node-id>`)
  }
  return { handle: validateHandle(rest.slice(0, at)), node: validateNodeId(rest.slice(at + 1)) }
}

/** The short form used in explanations: `alice@A`. */
export function shortParticipantId (id: string): string {
  return id.startsWith(PARTICIPANT_ID_SCHEME) ? id.slice(PARTICIPANT_ID_SCHEME.length) : id
}
