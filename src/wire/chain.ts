/**
 * protobuf ↔ core for /fedmesh/chain/1.0.0 and the attestation data class
 * (schemas in protocols/chain.proto). Only shape and size are checked here;
 * every rule (limits, signatures) is the core's, on the decoded value. Signed
 * bytes are recomputed from fields, never taken from these encodings.
 */
import { fromString, toString } from 'uint8arrays'
import type { ClaimValue, SignedStatement } from '../core/identity/statement.ts'
import type { HybridSignature } from '../core/signature.ts'
import { canonicalJson } from '../core/consensus/canonical.ts'
import type { SignedAttestation } from '../core/attestation/attestation.ts'
import type { TrustTier } from '../core/attestation/claims.ts'
import * as wire from '../../protocols/chain.ts'
import { CHAIN_LENGTH_MAX } from '../core/chain/constants.ts'
import { MalformedChainMessageError } from '../core/chain/errors.ts'
import { NODE_STATEMENT_KINDS, type NodeStatementKind, type SignedNodeStatement } from '../core/chain/node-statement.ts'
import type { ChainContent } from '../core/chain/proposal.ts'
import type { ChainMessage } from '../core/chain/state.ts'

/** One encoded chain message: a validation binding CHAIN_LENGTH_MAX participants with ML-DSA-87 keys is ~45 KiB. */
export const CHAIN_MESSAGE_BYTES_MAX = 128 * 1024
/** Claims JSON of one statement. */
export const CLAIMS_JSON_LENGTH_MAX = 64 * 1024
/** One encoded attestation with its signatures. */
export const ATTESTATION_MESSAGE_BYTES_MAX = 8 * 1024

function malformed (what: string, cause?: unknown): never {
  throw new MalformedChainMessageError(`malformed chain message: ${what}`, cause === undefined ? undefined : { cause })
}

/** The field readers every statement-carrying codec needs (chain, dispute), each failing with its codec's own error. */
export interface FieldReaders {
  int: (value: bigint | number, what: string) => number
  signatureIn: (s: { ed25519: Uint8Array, mldsa: Uint8Array } | undefined) => HybridSignature
  claimsIn: (json: string) => { [key: string]: ClaimValue }
}

export function fieldReaders (malformed: (what: string, cause?: unknown) => never, claimsLengthMax: number): FieldReaders {
  return {
    int: (value, what) => {
      const n = Number(value)
      if (!Number.isSafeInteger(n)) malformed(`${what} is out of range`)
      return n
    },
    signatureIn: (s) => {
      if (s === undefined) malformed('missing signature')
      return { ed25519: s.ed25519, mldsa: s.mldsa }
    },
    claimsIn: (json) => {
      if (json.length > claimsLengthMax) malformed(`claims over ${claimsLengthMax} characters`)
      let value: unknown
      try {
        value = JSON.parse(json)
      } catch (err) {
        malformed('claims are not JSON', err)
      }
      if (value === null || typeof value !== 'object' || Array.isArray(value)) malformed('claims must be a JSON object')
      return value as { [key: string]: ClaimValue }
    }
  }
}

const { int, signatureIn, claimsIn } = fieldReaders(malformed, CLAIMS_JSON_LENGTH_MAX)

function hex (bytes: Uint8Array, what: string): string {
  if (bytes.length !== 32) malformed(`${what} must be 32 bytes`)
  return toString(bytes, 'base16')
}

function statementOut (s: SignedStatement): wire.ParticipantStatement {
  return { kind: s.statement.kind, participant: s.statement.participant, issuedAtMs: BigInt(s.statement.issuedAtMs), claimsJson: canonicalJson(s.statement.claims), signature: s.signature }
}

function statementIn (s: wire.ParticipantStatement | undefined): SignedStatement {
  if (s === undefined) malformed('missing statement')
  return { statement: { kind: s.kind, participant: s.participant, issuedAtMs: int(s.issuedAtMs, 'issued_at_ms'), claims: claimsIn(s.claimsJson) }, signature: signatureIn(s.signature) }
}

function nodeStatementOut (s: SignedNodeStatement): wire.NodeStatement {
  const { statement } = s
  return { kind: statement.kind, node: statement.node, subject: fromString(statement.subject, 'base16'), issuedAtMs: BigInt(statement.issuedAtMs), claimsJson: canonicalJson(statement.claims), signature: s.signature }
}

function nodeStatementIn (s: wire.NodeStatement): SignedNodeStatement {
  if (!(NODE_STATEMENT_KINDS as readonly string[]).includes(s.kind)) malformed(`unknown node statement kind ${JSON.stringify(s.kind.slice(0, 64))}`)
  return {
    statement: { kind: s.kind as NodeStatementKind, node: s.node, subject: hex(s.subject, 'subject'), issuedAtMs: int(s.issuedAtMs, 'issued_at_ms'), claims: claimsIn(s.claimsJson) },
    signature: signatureIn(s.signature)
  }
}

function contentOut (c: ChainContent): wire.ChainContent {
  return {
    version: c.version,
    federationId: c.federation_id,
    proposer: c.proposer,
    proposedAtMs: BigInt(c.proposed_at_ms),
    steps: c.steps.map((s) => ({ node: s.node, site: s.site, need: s.need, offer: s.offer, ...(s.participant === undefined ? {} : { participant: s.participant }) })),
    edges: c.edges.map((e) => ({ provider: e.provider, recipient: e.recipient, category: e.category, scorePermille: e.score_permille })),
    timeline: { consentDeadlineMs: BigInt(c.timeline.consent_deadline_ms), executionStartMs: BigInt(c.timeline.execution_start_ms), executionEndMs: BigInt(c.timeline.execution_end_ms) }
  }
}

function contentIn (c: wire.ChainContent | undefined): ChainContent {
  if (c === undefined || c.timeline === undefined) malformed('missing content or timeline')
  return {
    version: c.version,
    federation_id: c.federationId,
    proposer: c.proposer,
    proposed_at_ms: int(c.proposedAtMs, 'proposed_at_ms'),
    steps: c.steps.map((s) => ({ node: s.node, site: s.site, need: s.need, offer: s.offer, ...(s.participant === undefined ? {} : { participant: s.participant }) })),
    edges: c.edges.map((e) => ({ provider: e.provider, recipient: e.recipient, category: e.category, score_permille: e.scorePermille })),
    timeline: { consent_deadline_ms: int(c.timeline.consentDeadlineMs, 'consent_deadline_ms'), execution_start_ms: int(c.timeline.executionStartMs, 'execution_start_ms'), execution_end_ms: int(c.timeline.executionEndMs, 'execution_end_ms') }
  }
}

/** The wire bytes of a chain message. */
export function encodeChainMessage (message: ChainMessage): Uint8Array {
  switch (message.kind) {
    case 'proposal': return wire.ChainMessage.encode({ proposal: { content: contentOut(message.proposal.content), signature: message.proposal.signature } })
    case 'validation': return wire.ChainMessage.encode({ validation: nodeStatementOut(message.validation) })
    case 'abort': return wire.ChainMessage.encode({ abort: nodeStatementOut(message.abort) })
    case 'consent': return wire.ChainMessage.encode({ consent: { chainId: fromString(message.chain, 'base16'), index: message.index, statement: statementOut(message.statement) } })
    case 'statement': return wire.ChainMessage.encode({ statement: statementOut(message.statement) })
    case 'commit': return wire.ChainMessage.encode({ commit: { chainId: fromString(message.commit.chain, 'base16'), node: message.commit.node, signature: message.commit.signature } })
  }
}

/** A chain message from wire bytes: size first, then decode with repeated-field limits, exactly one body. Throws MalformedChainMessageError. */
export function decodeChainMessage (bytes: Uint8Array): ChainMessage {
  if (bytes.length > CHAIN_MESSAGE_BYTES_MAX) malformed(`${bytes.length} bytes, more than ${CHAIN_MESSAGE_BYTES_MAX}`)
  let m: wire.ChainMessage
  try {
    m = wire.ChainMessage.decode(bytes, { limits: { proposal: { content: { steps: CHAIN_LENGTH_MAX, edges: CHAIN_LENGTH_MAX } } } })
  } catch (err) {
    malformed('not a ChainMessage', err)
  }
  const set = [m.proposal, m.validation, m.consent, m.statement, m.commit, m.abort].filter((f) => f !== undefined).length
  if (set !== 1) malformed(`exactly one body must be set, got ${set}`)
  if (m.proposal !== undefined) return { kind: 'proposal', proposal: { content: contentIn(m.proposal.content), signature: signatureIn(m.proposal.signature) } }
  if (m.validation !== undefined) return { kind: 'validation', validation: nodeStatementIn(m.validation) }
  if (m.abort !== undefined) return { kind: 'abort', abort: nodeStatementIn(m.abort) }
  if (m.consent !== undefined) return { kind: 'consent', chain: hex(m.consent.chainId, 'chain_id'), index: m.consent.index, statement: statementIn(m.consent.statement) }
  if (m.statement !== undefined) return { kind: 'statement', statement: statementIn(m.statement) }
  const commit = m.commit!
  return { kind: 'commit', commit: { chain: hex(commit.chainId, 'chain_id'), node: commit.node, signature: signatureIn(commit.signature) } }
}

/** The payload bytes of an attestation (data class `attestation`). */
export function encodeAttestation (signed: SignedAttestation): Uint8Array {
  const a = signed.attestation
  const c = a.claims
  return wire.Attestation.encode({
    version: a.version,
    federationId: a.federation_id,
    issuingNode: a.issuing_node,
    participant: a.participant,
    participantKey: fromString(a.participant_key, 'base16'),
    issuedAtMs: BigInt(a.issued_at_ms),
    claims: {
      exchangesCompleted: BigInt(c.exchanges_completed),
      ...(c.satisfaction_rate_permille === null ? {} : { satisfactionRatePermille: c.satisfaction_rate_permille }),
      partnerCount: BigInt(c.partner_count),
      memberSinceMs: BigInt(c.member_since_ms),
      vouchesReceived: BigInt(c.vouches_received),
      trustTier: c.trust_tier
    },
    signature: signed.signature
  })
}

/** An attestation from payload bytes; shape only (`validateAttestation` checks the rest). Throws MalformedChainMessageError. */
export function decodeAttestation (bytes: Uint8Array): SignedAttestation {
  if (bytes.length > ATTESTATION_MESSAGE_BYTES_MAX) malformed(`attestation of ${bytes.length} bytes, more than ${ATTESTATION_MESSAGE_BYTES_MAX}`)
  let a: wire.Attestation
  try {
    a = wire.Attestation.decode(bytes)
  } catch (err) {
    malformed('not an Attestation', err)
  }
  const c = a.claims
  if (c === undefined) malformed('attestation without claims')
  return {
    attestation: {
      version: a.version,
      federation_id: a.federationId,
      issuing_node: a.issuingNode,
      participant: a.participant,
      participant_key: hex(a.participantKey, 'participant_key'),
      issued_at_ms: int(a.issuedAtMs, 'issued_at_ms'),
      claims: {
        exchanges_completed: int(c.exchangesCompleted, 'exchanges_completed'),
        satisfaction_rate_permille: c.satisfactionRatePermille ?? null,
        partner_count: int(c.partnerCount, 'partner_count'),
        member_since_ms: int(c.memberSinceMs, 'member_since_ms'),
        vouches_received: int(c.vouchesReceived, 'vouches_received'),
        trust_tier: c.trustTier as TrustTier
      }
    },
    signature: signatureIn(a.signature)
  }
}
