/**
 * Execution and completion: each edge delivered by its provider and
 * confirmed by its recipient (satisfaction 0–1000 permille, optional
 * comment). All edges confirmed → complete; the execution deadline passing
 * first → incomplete, naming the unconfirmed edges.
 */
import type { SignedStatement } from '../identity/statement.ts'
import { bytesEqual } from './bytes.ts'
import { InvalidClaimsError } from './errors.ts'
import { CONFIRMATION_KIND, DELIVERY_KIND, confirmationClaims, stepClaims, verifyParticipantStatement } from './participant-statements.ts'
import { FINISHED_PHASES, type ChainRecord, type StepOutcome } from './state.ts'
import type { Step } from './step.ts'

/** The edge index and whose statement it must be, for a delivery or confirmation. */
function edgeOf (signed: SignedStatement): { chain: string, index: number, role: 'provider' | 'recipient' } {
  if (signed.statement.kind === DELIVERY_KIND) {
    const c = stepClaims(signed.statement, DELIVERY_KIND)
    return { chain: c.chain, index: c.index, role: 'provider' }
  }
  const c = confirmationClaims(signed.statement)
  return { chain: c.chain, index: c.index, role: 'recipient' }
}

/** A delivery (by the edge's provider) or confirmation (by its recipient); deferred until the chain is committed here. */
export function applyExecution (step: Step, signed: SignedStatement): StepOutcome {
  if (signed.statement.kind !== DELIVERY_KIND && signed.statement.kind !== CONFIRMATION_KIND) throw new InvalidClaimsError(`not an execution statement: ${signed.statement.kind}`)
  const { chain, index, role } = edgeOf(signed)
  const record = step.get(chain)
  if (record === undefined) return 'deferred'
  const edge = record.proposal.content.edges[index]
  if (edge === undefined) throw new InvalidClaimsError(`chain ${chain} has no edge ${index}`)
  const list = role === 'provider' ? record.deliveries : record.confirmations
  const known = list[index]
  if (known !== null && known !== undefined && bytesEqual(known.signature.ed25519, signed.signature.ed25519) && bytesEqual(known.signature.mldsa, signed.signature.mldsa)) return 'duplicate'
  const binding = record.bindings[role === 'provider' ? edge.provider : edge.recipient]
  if (binding === null || binding === undefined) return 'deferred'
  verifyParticipantStatement(signed, binding.participant, binding.publicKey, step.ctx.verifier)
  if (FINISHED_PHASES.has(record.phase) || known !== null) return 'ignored'
  // the last commit signature may still be on its way to us: the sender retries
  if (record.phase !== 'committed' && record.phase !== 'executing') return 'deferred'
  const updated = [...list]
  updated[index] = signed
  const next = step.put({ ...record, phase: 'executing', ...(role === 'provider' ? { deliveries: updated } : { confirmations: updated }) })
  completeIfConfirmed(step, next)
  return 'applied'
}

function satisfactionOf (record: ChainRecord, edge: number): number {
  return confirmationClaims(record.confirmations[edge]!.statement).satisfaction_permille
}

/** Completes a chain when every edge is confirmed: releases, records exchanges, observations and adherence. */
export function completeIfConfirmed (step: Step, record: ChainRecord): ChainRecord {
  if (!record.confirmations.every((c) => c !== null)) return record
  const content = record.proposal.content
  const now = step.ctx.nowMs
  content.edges.forEach((edge, i) => {
    const provider = record.bindings[edge.provider]!
    const recipient = record.bindings[edge.recipient]!
    const satisfaction = satisfactionOf(record, i)
    const providerLocal = content.steps[edge.provider]!.node === step.self
    const recipientLocal = content.steps[edge.recipient]!.node === step.self
    const base = { chain: record.id, edge: i, satisfaction_permille: satisfaction, completed_at_ms: now }
    if (providerLocal) step.write({ kind: 'exchange', exchange: { ...base, participant: provider.participant, role: 'provider', counterpart: recipient.participant } })
    if (recipientLocal) step.write({ kind: 'exchange', exchange: { ...base, participant: recipient.participant, role: 'recipient', counterpart: provider.participant } })
    if (recipientLocal && !providerLocal) {
      step.write({ kind: 'observation', observation: { node: content.steps[edge.provider]!.node, participant: provider.participant, chain: record.id, observed_permille: satisfaction } })
    }
  })
  for (const node of record.involved) step.fact(node, record.id, 'honoured')
  return step.finish(record, 'complete', {})
}

/** The execution deadline passed: incomplete, with the unconfirmed edges named and their responsible nodes marked. */
export function markIncomplete (step: Step, record: ChainRecord): ChainRecord {
  const content = record.proposal.content
  const unconfirmed = record.confirmations.map((c, i) => (c === null ? i : -1)).filter((i) => i >= 0)
  const broken = new Set<string>()
  for (const i of unconfirmed) {
    const edge = content.edges[i]!
    // no delivery: the provider's side did not deliver; delivered but unconfirmed: the recipient's side did not answer
    broken.add(content.steps[record.deliveries[i] === null ? edge.provider : edge.recipient]!.node)
  }
  for (const node of record.involved) step.fact(node, record.id, broken.has(node) ? 'broken' : 'honoured')
  return step.finish(record, 'incomplete', { unconfirmed })
}
