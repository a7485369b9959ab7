/**
 * Disputes about one edge of a committed chain, in three layers:
 * direct (either party marks it resolved, or escalates), mediation (both home
 * nodes record a recommendation; a party accepts or escalates), arbitration (a
 * panel drawn from uninvolved members; a majority ruling binds and replaces
 * the edge's satisfaction in the parties' histories). Pure: each function
 * returns a new dispute; a repeated message returns the same one.
 */
import { createHash } from 'node:crypto'
import type { HybridPublicKey, SignatureVerifier } from '../signature.ts'
import { statementBytes, type SignedStatement } from '../identity/statement.ts'
import { drawArbitrators } from './arbitration.ts'
import { bytesEqual } from './bytes.ts'
import { DISPUTE_ID_DOMAIN, DISPUTE_MESSAGES_MAX, DISPUTE_TEXT_LENGTH_MAX, MEDIATION_WINDOW_MS, SATISFACTION_PERMILLE_MAX } from './constants.ts'
import { DisputeStateError, InvalidClaimsError, NotADisputePartyError, UnknownNodeError } from './errors.ts'
import { verifyNodeStatement, type SignedNodeStatement } from './node-statement.ts'
import { verifyParticipantStatement } from './participant-statements.ts'
import { certificateOf, type ChainRecord } from './state.ts'

export const DISPUTE_OPEN_KIND = 'dispute.open'
export const DISPUTE_RESOLVE_KIND = 'dispute.resolve'
export const DISPUTE_ESCALATE_KIND = 'dispute.escalate'

export type DisputeLayer = 'direct' | 'mediation' | 'arbitration'
/** A binding ruling: who was right, and the satisfaction the edge counts with from now on. */
export interface Ruling { outcome: 'provider' | 'recipient', satisfaction_permille: number }

export interface Dispute {
  id: string
  chain: string
  edge: number
  layer: DisputeLayer
  status: 'open' | 'resolved' | 'decided'
  provider: { participant: string, node: string, key: HybridPublicKey }
  recipient: { participant: string, node: string, key: HybridPublicKey }
  opened_at_ms: number
  /** every signed message of the dispute, in order: the evidence */
  messages: ReadonlyArray<{ by: 'participant', signed: SignedStatement } | { by: 'node', signed: SignedNodeStatement }>
  recommendations: Readonly<Record<string, SignedNodeStatement>>
  panel: readonly string[] | null
  rulings: Readonly<Record<string, SignedNodeStatement>>
  ruling: Ruling | null
}

/** What dispute steps read: time, signatures, member keys and the member list (for the draw). */
export interface DisputeContext {
  nowMs: number
  verifier: SignatureVerifier
  nodeKey: (node: string) => HybridPublicKey | undefined
  members: readonly string[]
}

function text (claims: Record<string, unknown>, kind: string): void {
  const value = claims['text']
  if (value !== undefined && (typeof value !== 'string' || value.length > DISPUTE_TEXT_LENGTH_MAX)) throw new InvalidClaimsError(`${kind}: text is at most ${DISPUTE_TEXT_LENGTH_MAX} characters`)
}

/** The id of the dispute a signed dispute.open opens: SHA-256(domain ‖ its statement bytes), hex. */
export function disputeIdOf (open: SignedStatement): string {
  return createHash('sha256').update(DISPUTE_ID_DOMAIN).update(statementBytes(open.statement)).digest('hex')
}

/** A participant of the edge opens a dispute; the chain must be committed (its certificate known). */
export function openDispute (record: ChainRecord, signed: SignedStatement, ctx: DisputeContext): Dispute {
  const { statement } = signed
  if (statement.kind !== DISPUTE_OPEN_KIND) throw new InvalidClaimsError(`a dispute opens with ${DISPUTE_OPEN_KIND}, got ${statement.kind}`)
  const claims = statement.claims as Record<string, unknown>
  const edge = claims['edge']
  if (claims['chain'] !== record.id || typeof edge !== 'number' || record.proposal.content.edges[edge] === undefined) throw new InvalidClaimsError(`${DISPUTE_OPEN_KIND} must name chain ${record.id} and one of its edges`)
  text(claims, DISPUTE_OPEN_KIND)
  if (certificateOf(record) === null) throw new DisputeStateError(`chain ${record.id} is not committed: there is nothing to dispute`)
  const e = record.proposal.content.edges[edge]!
  const side = (index: number): Dispute['provider'] => ({ participant: record.bindings[index]!.participant, node: record.proposal.content.steps[index]!.node, key: record.bindings[index]!.publicKey })
  const provider = side(e.provider)
  const recipient = side(e.recipient)
  const party = [provider, recipient].find((p) => p.participant === statement.participant)
  if (party === undefined) throw new NotADisputePartyError(`${statement.participant} is neither provider nor recipient of edge ${edge}`)
  verifyParticipantStatement(signed, party.participant, party.key, ctx.verifier)
  const id = disputeIdOf(signed)
  return {
    id, chain: record.id, edge, layer: 'direct', status: 'open', provider, recipient, opened_at_ms: ctx.nowMs,
    messages: [{ by: 'participant', signed }], recommendations: {}, panel: null, rulings: {}, ruling: null
  }
}

function seen (dispute: Dispute, signature: { ed25519: Uint8Array }): boolean {
  return dispute.messages.some((m) => bytesEqual(m.signed.signature.ed25519, signature.ed25519))
}

function withMessage (dispute: Dispute, message: Dispute['messages'][number]): Dispute {
  if (dispute.messages.length >= DISPUTE_MESSAGES_MAX) throw new DisputeStateError(`a dispute holds at most ${DISPUTE_MESSAGES_MAX} messages`)
  return { ...dispute, messages: [...dispute.messages, message] }
}

/** A party resolves (either side, any layer before a ruling) or escalates (direct → mediation → arbitration). */
export function applyPartyStatement (dispute: Dispute, record: ChainRecord, signed: SignedStatement, ctx: DisputeContext): Dispute {
  if (seen(dispute, signed.signature)) return dispute
  const { statement } = signed
  const claims = statement.claims as Record<string, unknown>
  if (claims['dispute'] !== dispute.id) throw new InvalidClaimsError(`${statement.kind} must name dispute ${dispute.id}`)
  text(claims, statement.kind)
  const party = [dispute.provider, dispute.recipient].find((p) => p.participant === statement.participant)
  if (party === undefined) throw new NotADisputePartyError(`${statement.participant} is not a party of dispute ${dispute.id}`)
  verifyParticipantStatement(signed, party.participant, party.key, ctx.verifier)
  if (dispute.status !== 'open') throw new DisputeStateError(`dispute ${dispute.id} is ${dispute.status}`)
  const next = withMessage(dispute, { by: 'participant', signed })
  if (statement.kind === DISPUTE_RESOLVE_KIND) return { ...next, status: 'resolved' }
  if (statement.kind !== DISPUTE_ESCALATE_KIND) throw new InvalidClaimsError(`a party's dispute statement is ${DISPUTE_RESOLVE_KIND} or ${DISPUTE_ESCALATE_KIND}, got ${statement.kind}`)
  if (dispute.layer === 'direct') return { ...next, layer: 'mediation' }
  if (dispute.layer === 'mediation') {
    const both = dispute.recommendations[dispute.provider.node] !== undefined && dispute.recommendations[dispute.recipient.node] !== undefined
    if (!both && ctx.nowMs < dispute.opened_at_ms + MEDIATION_WINDOW_MS) throw new DisputeStateError('escalating to arbitration needs both home nodes\' recommendations or the mediation window to have passed')
    return { ...next, layer: 'arbitration', panel: drawArbitrators(certificateOf(record)!, ctx.members) }
  }
  throw new DisputeStateError('arbitration is the last layer')
}

function rulingOf (claims: Record<string, unknown>): Ruling {
  const outcome = claims['outcome']
  const s = claims['satisfaction_permille']
  if ((outcome !== 'provider' && outcome !== 'recipient') || typeof s !== 'number' || !Number.isInteger(s) || s < 0 || s > SATISFACTION_PERMILLE_MAX) {
    throw new InvalidClaimsError(`a ruling is { outcome: provider | recipient, satisfaction_permille 0..${SATISFACTION_PERMILLE_MAX} }`)
  }
  return { outcome, satisfaction_permille: s }
}

/** A home node's recommendation (mediation) or an arbitrator's ruling (arbitration; a majority binds). */
export function applyNodeDisputeStatement (dispute: Dispute, signed: SignedNodeStatement, ctx: DisputeContext): Dispute {
  if (seen(dispute, signed.signature)) return dispute
  const { statement } = signed
  if (statement.subject !== dispute.id) throw new InvalidClaimsError(`${statement.kind} must name dispute ${dispute.id}`)
  text(statement.claims, statement.kind)
  const key = ctx.nodeKey(statement.node)
  if (key === undefined) throw new UnknownNodeError(`${statement.node} is not a member`)
  verifyNodeStatement(signed, key, ctx.verifier)
  if (dispute.status !== 'open') throw new DisputeStateError(`dispute ${dispute.id} is ${dispute.status}`)
  if (statement.kind === 'dispute.recommendation') {
    if (dispute.layer !== 'mediation') throw new DisputeStateError(`recommendations belong to mediation; dispute ${dispute.id} is in ${dispute.layer}`)
    if (statement.node !== dispute.provider.node && statement.node !== dispute.recipient.node) throw new NotADisputePartyError(`${statement.node} is not a home node of the dispute`)
    if (dispute.recommendations[statement.node] !== undefined) throw new DisputeStateError(`${statement.node} has recommended already`)
    return { ...withMessage(dispute, { by: 'node', signed }), recommendations: { ...dispute.recommendations, [statement.node]: signed } }
  }
  if (statement.kind !== 'dispute.ruling') throw new InvalidClaimsError(`a node's dispute statement is a recommendation or a ruling, got ${statement.kind}`)
  if (dispute.layer !== 'arbitration' || dispute.panel === null || !dispute.panel.includes(statement.node)) throw new NotADisputePartyError(`${statement.node} does not sit on the panel of dispute ${dispute.id}`)
  if (dispute.rulings[statement.node] !== undefined) throw new DisputeStateError(`${statement.node} has ruled already`)
  const ruling = rulingOf(statement.claims)
  const rulings = { ...dispute.rulings, [statement.node]: signed }
  const next = { ...withMessage(dispute, { by: 'node', signed }), rulings }
  const agreeing = Object.values(rulings).map((r) => rulingOf(r.statement.claims)).filter((r) => r.outcome === ruling.outcome)
  if (2 * agreeing.length <= dispute.panel.length) return next
  // the majority's outcome binds, with the median of its satisfactions (lower median on ties)
  const values = agreeing.map((r) => r.satisfaction_permille).sort((a, b) => a - b)
  return { ...next, status: 'decided', ruling: { outcome: ruling.outcome, satisfaction_permille: values[Math.floor((values.length - 1) / 2)]! } }
}
