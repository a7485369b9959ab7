/**
 * Signed participant statements: a participant's own word, signed with the
 * participant's key (not the node's), e.g. "I consent to this chain" or "I
 * moved to node B". The signed bytes are canonical — a domain prefix, then
 * RFC 8785 canonical JSON of the statement — so any node recomputes them
 * exactly from the statement's fields, whatever encoding carried them.
 */
import { InputError } from '../errors.ts'
import type { HybridPublicKey, HybridSignature, HybridSigner, SignatureVerifier } from '../signature.ts'
import { canonicalJson } from '../consensus/canonical.ts'
import { parseParticipantId } from './participant-id.ts'

/** Prefixed to the canonical JSON, so a statement signature can never pass for an envelope's or a vote's. */
export const STATEMENT_SIGNING_DOMAIN = 'fedmesh/participant-statement/1\n'
/** Canonical bytes of one statement. */
export const STATEMENT_BYTES_MAX = 16 * 1024
/** Nesting depth of claims (objects and arrays). */
export const STATEMENT_DEPTH_MAX = 8
export const STATEMENT_KIND_LENGTH_MAX = 64

/** Lowercase words joined by `.`, `_` or `-`, e.g. `consent`, `migration.redirect`. */
const KIND_PATTERN = /^[a-z0-9]+(?:[._-][a-z0-9]+)*$/

/** Values a claim may hold: JSON without floats, so every implementation prints them identically. */
export type ClaimValue = string | number | boolean | null | ClaimValue[] | { [key: string]: ClaimValue }

/** What a participant states. */
export interface ParticipantStatement {
  /** what kind of statement, e.g. `consent` */
  kind: string
  /** the stating participant, `sep://handle@node-id` */
  participant: string
  /** when it was made, ms (given by the caller: core has no clock) */
  issuedAtMs: number
  claims: { [key: string]: ClaimValue }
}

/** A statement with its participant's hybrid signature over `statementBytes(statement)`. */
export interface SignedStatement {
  statement: ParticipantStatement
  signature: HybridSignature
}

export class InvalidStatementError extends InputError {
  static override readonly code = 'InvalidStatementError'
  override readonly name = 'InvalidStatementError'
}

export class StatementTooLargeError extends InputError {
  static override readonly code = 'StatementTooLargeError'
  override readonly name = 'StatementTooLargeError'
}

export class BadStatementSignatureError extends InputError {
  static override readonly code = 'BadStatementSignatureError'
  override readonly name = 'BadStatementSignatureError'
}

function checkClaim (value: unknown, path: string, depth: number): void {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new InvalidStatementError(`claim ${path} must be a safe integer (no fractions: they print differently across implementations)`)
    return
  }
  if (depth >= STATEMENT_DEPTH_MAX) throw new InvalidStatementError(`claim ${path} nests deeper than ${STATEMENT_DEPTH_MAX}`)
  if (Array.isArray(value)) {
    value.forEach((item, index) => checkClaim(item, `${path}[${index}]`, depth + 1))
    return
  }
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    for (const [key, item] of Object.entries(value)) checkClaim(item, `${path}.${key}`, depth + 1)
    return
  }
  throw new InvalidStatementError(`claim ${path} is a ${typeof value}; claims hold strings, integers, booleans, null, arrays and objects`)
}

/** Checks a statement's fields; throws InvalidStatementError (or a ParticipantIdError for the participant). */
export function checkStatement (statement: ParticipantStatement): void {
  if (typeof statement.kind !== 'string' || typeof statement.participant !== 'string') throw new InvalidStatementError('statement kind and participant must be strings')
  if (statement.kind.length > STATEMENT_KIND_LENGTH_MAX || !KIND_PATTERN.test(statement.kind)) {
    throw new InvalidStatementError(`statement kind "${statement.kind.slice(0, 80)}" must be a slug of at most ${STATEMENT_KIND_LENGTH_MAX} characters`)
  }
  parseParticipantId(statement.participant)
  if (!Number.isSafeInteger(statement.issuedAtMs) || statement.issuedAtMs <= 0) throw new InvalidStatementError('statement issuedAtMs must be a positive millisecond time')
  if (Array.isArray(statement.claims) || statement.claims === null || typeof statement.claims !== 'object') throw new InvalidStatementError('statement claims must be an object')
  checkClaim(statement.claims, 'claims', 0)
}

/** The exact bytes a participant signs: domain prefix ‖ canonical JSON. Throws for invalid or oversized statements. */
export function statementBytes (statement: ParticipantStatement): Uint8Array {
  checkStatement(statement)
  const { kind, participant, issuedAtMs, claims } = statement
  const bytes = new TextEncoder().encode(STATEMENT_SIGNING_DOMAIN + canonicalJson({ kind, participant, issuedAtMs, claims }))
  if (bytes.length > STATEMENT_BYTES_MAX) throw new StatementTooLargeError(`statement is ${bytes.length} bytes, more than ${STATEMENT_BYTES_MAX}`)
  return bytes
}

/** Signs a statement with the participant's signer. */
export function signStatement (statement: ParticipantStatement, signer: HybridSigner): SignedStatement {
  return { statement, signature: signer.sign(statementBytes(statement)) }
}

/** Verifies a signed statement against the participant's public key; returns the statement or throws. */
export function verifyStatement (signed: SignedStatement, publicKey: HybridPublicKey, verifier: SignatureVerifier): ParticipantStatement {
  const bytes = statementBytes(signed.statement)
  if (!verifier.verify(publicKey, bytes, signed.signature)) {
    throw new BadStatementSignatureError(`the ${signed.statement.kind} statement of ${signed.statement.participant} does not verify with the given key`)
  }
  return signed.statement
}
