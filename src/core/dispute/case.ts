/**
 * The case an arbitration panel receives: every signed message of the chain
 * (proposal, validations, consents, commits, deliveries, confirmations) and
 * of the dispute. A panelist holds no record of the chain (it is uninvolved),
 * so it rebuilds one from the case alone and replays the dispute on it: every
 * signature is checked with keys from the membership (nodes) or from the home
 * nodes' signed validations (participants), and the panel is drawn again from
 * the certificate hash. Pure.
 */
import { verifyNodeStatement } from '../chain/node-statement.ts'
import type { HybridPublicKey, SignatureVerifier } from '../signature.ts'
import { drawArbitrators } from '../chain/arbitration.ts'
import { verifyCertificate } from '../chain/certificate.ts'
import { applyNodeDisputeStatement, applyPartyStatement, openDispute, DISPUTE_OPEN_KIND, type Dispute } from '../chain/dispute.ts'
import { NoArbitratorsError, UnknownNodeError } from '../chain/errors.ts'
import { CONFIRMATION_KIND, DELIVERY_KIND, CONSENT_KIND, confirmationClaims, stepClaims, verifyParticipantStatement } from '../chain/participant-statements.ts'
import { chainId, involvedNodes, validateChainContent, verifyProposal } from '../chain/proposal.ts'
import { parseValidation } from '../chain/settlement.ts'
import type { ChainMessage, ChainRecord } from '../chain/state.ts'
import { InvalidCaseError } from './errors.ts'

export type DisputeEntry = Dispute['messages'][number]

/** What a panelist receives: the chain's signed messages and the dispute's, in order. */
export interface DisputeCase {
  chain: ChainMessage[]
  dispute: DisputeEntry[]
}

/** What rebuilding a case reads: member keys, the member list (the draw) and signatures. */
export interface CaseContext {
  verifier: SignatureVerifier
  nodeKey: (node: string) => HybridPublicKey | undefined
  members: readonly string[]
}

/** The case of `dispute` from the chain record a home node holds. */
export function caseOf (record: ChainRecord, dispute: Dispute): DisputeCase {
  const chain: ChainMessage[] = [{ kind: 'proposal', proposal: record.proposal }]
  for (const node of record.involved) {
    const v = record.validations[node]
    if (v !== undefined) chain.push({ kind: 'validation', validation: v })
  }
  record.consents.forEach((c, index) => { if (c !== null) chain.push({ kind: 'consent', chain: record.id, index, statement: c }) })
  for (const node of record.involved) {
    const c = record.commits[node]
    if (c !== undefined) chain.push({ kind: 'commit', commit: c })
  }
  for (const list of [record.deliveries, record.confirmations]) for (const s of list) if (s !== null) chain.push({ kind: 'statement', statement: s })
  return { chain, dispute: [...dispute.messages] }
}

/**
 * The chain record a case proves: one signed proposal, an accepting signed
 * validation from every involved node (the participants' keys), the full
 * commit certificate, and consents, deliveries and confirmations each signed
 * by the bound participant. Throws InvalidCaseError, or the chain error of
 * the first check that fails (ProposalSignatureError, NodeSignatureError,
 * InvalidCertificateError, ForgedConsentError, ForgedStatementError, …).
 */
export function recordFromCase (messages: readonly ChainMessage[], ctx: CaseContext): ChainRecord {
  const proposals = messages.filter((m) => m.kind === 'proposal')
  if (proposals.length !== 1) throw new InvalidCaseError(`a case holds exactly one proposal, got ${proposals.length}`)
  const proposal = proposals[0]!.proposal
  const content = proposal.content
  validateChainContent(content)
  const id = chainId(content)
  const proposerKey = ctx.nodeKey(content.proposer)
  if (proposerKey === undefined) throw new UnknownNodeError(`the proposer ${content.proposer} is not a member`)
  verifyProposal(proposal, proposerKey, ctx.verifier)
  const n = content.steps.length
  const none = <T>(): Array<T | null> => new Array<T | null>(n).fill(null)
  let record: ChainRecord = {
    id, proposal, involved: involvedNodes(content), phase: 'committed', validations: {}, bindings: none(), consents: none(), refusals: none(),
    commits: {}, aborts: {}, decision: 'commit', deliveries: none(), confirmations: none(), cancel: null, unconfirmed: [], finished_at_ms: null
  }
  for (const m of messages) {
    if (m.kind !== 'validation') continue
    const { statement } = m.validation
    if (statement.kind !== 'chain.validation' || statement.subject !== id || !record.involved.includes(statement.node)) throw new InvalidCaseError(`a validation in the case is not one of chain ${id}'s nodes`)
    if (record.validations[statement.node] !== undefined) throw new InvalidCaseError(`two validations of ${statement.node}`)
    const key = ctx.nodeKey(statement.node)
    if (key === undefined) throw new UnknownNodeError(`${statement.node} is not a member`)
    verifyNodeStatement(m.validation, key, ctx.verifier)
    const parsed = parseValidation(record, statement.node, statement.claims)
    if (!parsed.accepted) throw new InvalidCaseError(`${statement.node} rejected chain ${id}: it was never committed`)
    const bindings = [...record.bindings]
    for (const b of parsed.bindings) bindings[b.index] = b
    record = { ...record, validations: { ...record.validations, [statement.node]: m.validation }, bindings }
  }
  const missing = record.involved.filter((node) => record.validations[node] === undefined)
  if (missing.length > 0) throw new InvalidCaseError(`the case lacks the validations of ${missing.join(', ')}`)
  const commits = { ...record.commits }
  for (const m of messages) {
    if (m.kind !== 'commit') continue
    if (commits[m.commit.node] !== undefined) throw new InvalidCaseError(`two commits of ${m.commit.node}`)
    commits[m.commit.node] = m.commit
  }
  verifyCertificate({ chain: id, commits: record.involved.map((node) => commits[node]).filter((c) => c !== undefined) }, content, ctx.nodeKey, ctx.verifier)
  record = { ...record, commits }
  const consents = [...record.consents]
  const deliveries = [...record.deliveries]
  const confirmations = [...record.confirmations]
  for (const m of messages) {
    if (m.kind === 'consent') {
      const binding = record.bindings[m.index]
      if (m.chain !== id || binding === undefined || binding === null || m.statement.statement.kind !== CONSENT_KIND) throw new InvalidCaseError(`a consent in the case is not for a step of chain ${id}`)
      const claims = stepClaims(m.statement.statement, CONSENT_KIND)
      if (claims.chain !== id || claims.index !== m.index) throw new InvalidCaseError(`a consent in the case names another chain or step`)
      verifyParticipantStatement(m.statement, binding.participant, binding.publicKey, ctx.verifier)
      consents[m.index] = m.statement
    } else if (m.kind === 'statement') {
      const { statement } = m.statement
      const delivery = statement.kind === DELIVERY_KIND
      if (!delivery && statement.kind !== CONFIRMATION_KIND) throw new InvalidCaseError(`a case carries no ${statement.kind}`)
      const claims = delivery ? stepClaims(statement, DELIVERY_KIND) : confirmationClaims(statement)
      const edge = content.edges[claims.index]
      if (claims.chain !== id || edge === undefined) throw new InvalidCaseError(`a ${statement.kind} in the case is not for an edge of chain ${id}`)
      const binding = record.bindings[delivery ? edge.provider : edge.recipient]!
      verifyParticipantStatement(m.statement, binding.participant, binding.publicKey, ctx.verifier)
      ;(delivery ? deliveries : confirmations)[claims.index] = m.statement
    } else if (m.kind !== 'proposal' && m.kind !== 'validation' && m.kind !== 'commit') {
      throw new InvalidCaseError(`a case of a committed chain carries no ${m.kind}`)
    }
  }
  const complete = confirmations.every((c) => c !== null)
  return { ...record, consents, deliveries, confirmations, phase: complete ? 'complete' : 'executing' }
}

/**
 * The dispute its signed messages make, replayed in order on `record`: each
 * step runs at its statement's own signed time (a panelist judges the
 * mediation window by the parties' signed times, not by when the case
 * arrived), so every holder of the case computes the same dispute and panel.
 */
export function replayDispute (record: ChainRecord, entries: readonly DisputeEntry[], ctx: CaseContext): Dispute {
  const first = entries[0]
  if (first === undefined || first.by !== 'participant' || first.signed.statement.kind !== DISPUTE_OPEN_KIND) throw new InvalidCaseError(`a dispute's first message is its ${DISPUTE_OPEN_KIND}`)
  let dispute = openDispute(record, first.signed, { ...ctx, nowMs: first.signed.statement.issuedAtMs })
  for (const entry of entries.slice(1)) {
    const at = { ...ctx, nowMs: entry.signed.statement.issuedAtMs }
    const next = entry.by === 'participant' ? applyPartyStatement(dispute, record, entry.signed, at) : applyNodeDisputeStatement(dispute, entry.signed, at)
    if (next === dispute) throw new InvalidCaseError('a case repeats a message')
    dispute = next
  }
  return dispute
}

/**
 * Who a case says the dispute is between, and the panel its commits draw,
 * read before any signature is checked (the membership step of inbound
 * checks: is the sender a home node, is this node drawn?). recordFromCase
 * and replayDispute verify it all afterwards.
 */
export function caseParties (c: DisputeCase, members: readonly string[]): { chain: string, home: string[], panel: string[] } {
  const proposal = c.chain.find((m) => m.kind === 'proposal')
  const open = c.dispute[0]
  if (proposal?.kind !== 'proposal' || open === undefined || open.by !== 'participant' || open.signed.statement.kind !== DISPUTE_OPEN_KIND) {
    throw new InvalidCaseError(`a case holds the chain's proposal and starts with the ${DISPUTE_OPEN_KIND}`)
  }
  const content = proposal.proposal.content
  const edge = content.edges[Number(open.signed.statement.claims['edge'])]
  if (edge === undefined) throw new InvalidCaseError('the dispute names no edge of the chain')
  const home = [content.steps[edge.provider]?.node, content.steps[edge.recipient]?.node].filter((n): n is string => n !== undefined)
  const id = chainId(content)
  const commits = c.chain.flatMap((m) => (m.kind === 'commit' && m.commit.chain === id ? [m.commit] : [])).sort((a, b) => (a.node < b.node ? -1 : a.node > b.node ? 1 : 0))
  const involved = new Set(involvedNodes(content))
  let panel: string[] = []
  try {
    if (commits.length === involved.size && commits.every((x) => involved.has(x.node))) panel = drawArbitrators({ chain: id, commits }, members)
  } catch (err) {
    if (!(err instanceof NoArbitratorsError)) throw err
  }
  return { chain: id, home, panel }
}
