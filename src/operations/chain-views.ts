/**
 * What `fedmesh chains` / `chain show` and the console print about a chain:
 * a plain-JSON view of a ChainRecord, steps labelled by site id (the
 * console's shape, docs/console.md), consents and execution per step and edge.
 */
import { certificateHash } from '../core/chain/certificate.ts'
import { certificateOf, type ChainPhase, type ChainRecord } from '../core/chain/state.ts'
import { confirmationClaims } from '../core/chain/participant-statements.ts'
import { explainChain } from '../core/matching/chain.ts'
import { SATISFACTION_PERMILLE_MAX } from '../core/chain/constants.ts'

export interface ChainStepView {
  index: number
  /** the home node's site id */
  node: string
  node_id: string
  /** the bound participant (or the one the proposer named); absent until its home node binds one */
  participant?: string
  need: string
  offer: string
  consent: 'pending' | 'consented' | 'refused'
}

export interface ChainEdgeView {
  index: number
  provider: number
  recipient: number
  category: string
  delivered: boolean
  confirmed: boolean
  /** 0…1, the recipient's satisfaction */
  satisfaction?: number
  comment?: string
}

export interface ChainView {
  chain_id: string
  state: ChainPhase
  explanation: string
  proposer: string
  proposed_at_ms: number
  timeline: { consent_deadline_ms: number, execution_start_ms: number, execution_end_ms: number }
  steps: ChainStepView[]
  edges: ChainEdgeView[]
  /** every involved node signed: the certificate's hash */
  certificate_hash?: string
  cancel?: ChainRecord['cancel']
  unconfirmed?: number[]
  finished_at_ms?: number
}

/** The view of a record; `siteOf` labels node ids the content does not label (the proposer). */
export function chainView (record: ChainRecord, siteOf: (nodeId: string) => string | undefined): ChainView {
  const content = record.proposal.content
  const steps: ChainStepView[] = content.steps.map((step, index) => {
    const participant = record.bindings[index]?.participant ?? step.participant
    const consent = record.refusals[index] !== null ? 'refused' : record.consents[index] !== null ? 'consented' : 'pending'
    return { index, node: step.site, node_id: step.node, ...(participant === undefined ? {} : { participant }), need: step.need, offer: step.offer, consent }
  })
  const edges: ChainEdgeView[] = content.edges.map((edge, index) => {
    const confirmation = record.confirmations[index]
    const claims = confirmation === null || confirmation === undefined ? undefined : confirmationClaims(confirmation.statement)
    return {
      index,
      provider: edge.provider,
      recipient: edge.recipient,
      category: edge.category,
      delivered: record.deliveries[index] !== null,
      confirmed: claims !== undefined,
      ...(claims === undefined ? {} : { satisfaction: claims.satisfaction_permille / SATISFACTION_PERMILLE_MAX }),
      ...(claims?.comment === undefined ? {} : { comment: claims.comment })
    }
  })
  const certificate = certificateOf(record)
  const proposerSite = content.steps.find((s) => s.node === content.proposer)?.site ?? siteOf(content.proposer) ?? content.proposer
  return {
    chain_id: record.id,
    state: record.phase,
    explanation: explainChain({ steps: steps.map((s) => ({ node: s.node, need: s.need, offer: s.offer, ...(s.participant === undefined ? {} : { participant: s.participant }) })) }),
    proposer: proposerSite,
    proposed_at_ms: content.proposed_at_ms,
    timeline: { ...content.timeline },
    steps,
    edges,
    ...(certificate === null ? {} : { certificate_hash: certificateHash(certificate) }),
    ...(record.cancel === null ? {} : { cancel: record.cancel }),
    ...(record.unconfirmed.length === 0 ? {} : { unconfirmed: [...record.unconfirmed] }),
    ...(record.finished_at_ms === null ? {} : { finished_at_ms: record.finished_at_ms })
  }
}

/** One line per chain, for people. */
export function formatChainLine (view: ChainView): string {
  const consents = view.steps.filter((s) => s.consent === 'consented').length
  return `${view.chain_id.slice(0, 12)}  ${view.state.padEnd(10)}  ${consents}/${view.steps.length} consents  ${view.explanation}`
}

/** A chain in detail, for people. */
export function formatChainView (view: ChainView): string {
  const lines = [
    `chain ${view.chain_id}`,
    `state ${view.state}${view.cancel === undefined ? '' : ` (${JSON.stringify(view.cancel)})`}; proposed by ${view.proposer} at ${new Date(view.proposed_at_ms).toISOString()}`,
    `consent by ${new Date(view.timeline.consent_deadline_ms).toISOString()}; execution ${new Date(view.timeline.execution_start_ms).toISOString()} → ${new Date(view.timeline.execution_end_ms).toISOString()}`,
    ...view.steps.map((s) => `  step ${s.index}: ${s.participant ?? `a participant of ${s.node}`} gets ${s.need}, gives ${s.offer} — ${s.consent}`),
    ...view.edges.map((e) => `  edge ${e.index}: step ${e.provider} → step ${e.recipient} ${e.category}: ${e.confirmed ? `confirmed, satisfaction ${e.satisfaction}` : e.delivered ? 'delivered' : 'open'}${e.comment === undefined ? '' : ` (“${e.comment}”)`}`)
  ]
  if (view.certificate_hash !== undefined) lines.push(`commit certificate ${view.certificate_hash}`)
  if (view.unconfirmed !== undefined) lines.push(`unconfirmed edges: ${view.unconfirmed.join(', ')}`)
  return lines.join('\n')
}
