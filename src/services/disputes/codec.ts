/**
 * protobuf ↔ core for /fedmesh/dispute/1.0.0 (protocols/dispute.proto). Shape
 * and size only: the rules (limits, parties, signatures) are the core's, on
 * the decoded value. A case's chain messages are encoded ChainMessages
 * (src/wire/chain.ts), each decoded with that protocol's own limits.
 */
import { fromString, toString } from 'uint8arrays'
import { canonicalJson } from '../../core/consensus/canonical.ts'
import { NODE_STATEMENT_KINDS, type NodeStatementKind, type SignedNodeStatement } from '../../core/chain/node-statement.ts'
import type { DisputeCase, DisputeEntry } from '../../core/dispute/case.ts'
import { MalformedDisputeMessageError } from '../../core/dispute/errors.ts'
import type { SignedStatement } from '../../core/identity/statement.ts'
import { decodeChainMessage, encodeChainMessage, fieldReaders } from '../../wire/chain.ts'
import * as wire from '../../../protocols/dispute.ts'
import { CASE_CHAIN_MESSAGES_MAX, CASE_DISPUTE_MESSAGES_MAX, DISPUTE_CLAIMS_JSON_LENGTH_MAX, DISPUTE_MESSAGE_BYTES_MAX } from './constants.ts'

/** A decoded request. */
export type DisputeMessage =
  | { kind: 'party', signed: SignedStatement }
  | { kind: 'node', signed: SignedNodeStatement }
  | { kind: 'case', case: DisputeCase }

function malformed (what: string, cause?: unknown): never {
  throw new MalformedDisputeMessageError(`malformed dispute message: ${what}`, cause === undefined ? undefined : { cause })
}

const { int, signatureIn, claimsIn } = fieldReaders(malformed, DISPUTE_CLAIMS_JSON_LENGTH_MAX)

function partyOut (s: SignedStatement): wire.ParticipantStatement {
  return { kind: s.statement.kind, participant: s.statement.participant, issuedAtMs: BigInt(s.statement.issuedAtMs), claimsJson: canonicalJson(s.statement.claims), signature: s.signature }
}

function partyIn (s: wire.ParticipantStatement): SignedStatement {
  return { statement: { kind: s.kind, participant: s.participant, issuedAtMs: int(s.issuedAtMs, 'issued_at_ms'), claims: claimsIn(s.claimsJson) }, signature: signatureIn(s.signature) }
}

function nodeOut (s: SignedNodeStatement): wire.NodeStatement {
  const { statement } = s
  return { kind: statement.kind, node: statement.node, subject: fromString(statement.subject, 'base16'), issuedAtMs: BigInt(statement.issuedAtMs), claimsJson: canonicalJson(statement.claims), signature: s.signature }
}

function nodeIn (s: wire.NodeStatement): SignedNodeStatement {
  if (!(NODE_STATEMENT_KINDS as readonly string[]).includes(s.kind)) malformed(`unknown node statement kind ${JSON.stringify(s.kind.slice(0, 64))}`)
  if (s.subject.length !== 32) malformed('subject must be 32 bytes')
  return {
    statement: { kind: s.kind as NodeStatementKind, node: s.node, subject: toString(s.subject, 'base16'), issuedAtMs: int(s.issuedAtMs, 'issued_at_ms'), claims: claimsIn(s.claimsJson) },
    signature: signatureIn(s.signature)
  }
}

function entryOut (entry: DisputeEntry): wire.DisputeEntry {
  return entry.by === 'participant' ? { party: partyOut(entry.signed) } : { node: nodeOut(entry.signed) }
}

function entryIn (entry: wire.DisputeEntry): DisputeEntry {
  if ((entry.party === undefined) === (entry.node === undefined)) malformed('a dispute entry sets exactly one of party, node')
  return entry.party !== undefined ? { by: 'participant', signed: partyIn(entry.party) } : { by: 'node', signed: nodeIn(entry.node!) }
}

/** The wire bytes of a request. */
export function encodeDisputeMessage (message: DisputeMessage): Uint8Array {
  switch (message.kind) {
    case 'party': return wire.DisputeMessage.encode({ party: partyOut(message.signed) })
    case 'node': return wire.DisputeMessage.encode({ node: nodeOut(message.signed) })
    case 'case': return wire.DisputeMessage.encode({ case: { chain: message.case.chain.map(encodeChainMessage), dispute: message.case.dispute.map(entryOut) } })
  }
}

/** A request from wire bytes: size, then decode with repeated-field limits, exactly one body. Throws MalformedDisputeMessageError. */
export function decodeDisputeMessage (bytes: Uint8Array): DisputeMessage {
  if (bytes.length > DISPUTE_MESSAGE_BYTES_MAX) malformed(`${bytes.length} bytes, more than ${DISPUTE_MESSAGE_BYTES_MAX}`)
  let m: wire.DisputeMessage
  try {
    m = wire.DisputeMessage.decode(bytes, { limits: { case: { chain: CASE_CHAIN_MESSAGES_MAX, dispute: CASE_DISPUTE_MESSAGES_MAX } } })
  } catch (err) {
    malformed('not a DisputeMessage', err)
  }
  const set = [m.party, m.node, m.case].filter((f) => f !== undefined).length
  if (set !== 1) malformed(`exactly one body must be set, got ${set}`)
  if (m.party !== undefined) return { kind: 'party', signed: partyIn(m.party) }
  if (m.node !== undefined) return { kind: 'node', signed: nodeIn(m.node) }
  const c = m.case!
  const chain = c.chain.map((bytes, i) => {
    try {
      return decodeChainMessage(bytes)
    } catch (err) {
      return malformed(`chain message ${i} of the case`, err)
    }
  })
  return { kind: 'case', case: { chain, dispute: c.dispute.map(entryIn) } }
}
