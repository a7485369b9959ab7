/**
 * Disputes about one edge of a committed chain (core/chain/dispute.ts),
 * carried between nodes by the disputes service (/fedmesh/dispute/1.0.0,
 * protocols/dispute.md): a hosted participant of the edge opens one, either
 * party resolves or escalates it (seen by both home nodes), each home node
 * records its recommendation (mediation), each drawn panelist its ruling
 * (arbitration; a majority binds, on both home nodes). Anyone shows a dispute
 * with the arbitration draw (recomputable from the commit certificate hash
 * alone: core/chain/arbitration.ts), and `export` gives the evidence bundle of
 * the chain and every signed message of the dispute, from whichever node sent
 * it, for courts.
 */
import { z } from 'zod'
import { InputError } from '../core/errors.ts'
import { drawScore, drawArbitrators } from '../core/chain/arbitration.ts'
import { certificateHash } from '../core/chain/certificate.ts'
import { ARBITRATION_PANEL_SIZE, DISPUTE_TEXT_LENGTH_MAX } from '../core/chain/constants.ts'
import { DISPUTE_ESCALATE_KIND, DISPUTE_OPEN_KIND, DISPUTE_RESOLVE_KIND, type Dispute, type DisputeContext } from '../core/chain/dispute.ts'
import { DisputeStateError, NoArbitratorsError } from '../core/chain/errors.ts'
import { evidenceBundle, type EvidenceBundle } from '../core/chain/evidence.ts'
import { certificateOf, type ChainRecord } from '../core/chain/state.ts'
import { signStatement } from '../core/identity/statement.ts'
import { ConsensusStore } from '../store/consensus.ts'
import { DisputeRepository } from '../store/disputes.ts'
import { parseArguments as parseArgs } from './arguments.ts'
import { findRecord, hostedParticipantSigner, participantIdOf, CHAIN_ID_PREFIX_LENGTH_MIN } from './chains.ts'
import { requireServices, type Operation, type OperationComponents } from './operation.ts'
import type { Disputes } from '../services/disputes/index.ts'

/** No dispute with that id (or prefix) on this node. */
export class DisputeNotFoundError extends InputError {
  static override readonly code = 'DisputeNotFoundError'
  override readonly name = 'DisputeNotFoundError'
}

/** The arbitration draw of a chain: every uninvolved member ranked by its score under the certificate hash. */
export interface ArbitrationDraw {
  certificate_hash: string
  /** uninvolved members, lowest score first: the first ARBITRATION_PANEL_SIZE sit */
  ranked: Array<{ node_id: string, site_id: string | null, score: string }>
  /** the panel, or null when fewer than ARBITRATION_PANEL_SIZE members are uninvolved */
  panel: string[] | null
  note?: string
}

export interface DisputeView {
  dispute_id: string
  chain_id: string
  edge: number
  layer: Dispute['layer']
  status: Dispute['status']
  provider: { participant: string, node_id: string }
  recipient: { participant: string, node_id: string }
  opened_at_ms: number
  messages: Array<{ kind: string, signer: string }>
  /** home nodes that recorded a recommendation */
  recommendations: string[]
  panel: string[] | null
  /** panelists that signed a ruling, with it */
  rulings: Array<{ node_id: string, outcome: string, satisfaction_permille: number }>
  ruling: Dispute['ruling']
  /** this node's part: a home node of the edge, a drawn panelist, or neither */
  role: 'home' | 'panelist' | 'observer'
  draw: ArbitrationDraw
}

async function disputeContext (context: OperationComponents): Promise<DisputeContext & { sites: Map<string, string | null>, self: string }> {
  const membership = await new ConsensusStore(context.store).membership()
  const members = [...(membership?.members.values() ?? [])]
  const keys = new Map(members.map((m) => [m.node_id, m.public_key]))
  return {
    nowMs: context.clock.now(),
    verifier: context.verifier,
    nodeKey: (node) => keys.get(node),
    members: members.map((m) => m.node_id),
    sites: new Map(members.map((m) => [m.node_id, m.site_id ?? null])),
    self: members.find((m) => m.site_id === context.config.site_id)?.node_id ?? ''
  }
}

/** The draw for a committed chain; anyone with the certificate hash and the member list recomputes it. */
function drawOf (record: ChainRecord, members: readonly string[], sites: Map<string, string | null>): ArbitrationDraw {
  const certificate = certificateOf(record)
  if (certificate === null) throw new DisputeStateError(`chain ${record.id} is not committed`)
  const hash = certificateHash(certificate)
  const involved = new Set(certificate.commits.map((c) => c.node))
  const ranked = members.filter((m) => !involved.has(m)).map((m) => ({ node_id: m, site_id: sites.get(m) ?? null, score: drawScore(hash, m) }))
    .sort((a, b) => (a.score < b.score ? -1 : a.score > b.score ? 1 : a.node_id < b.node_id ? -1 : 1))
  try {
    return { certificate_hash: hash, ranked, panel: drawArbitrators(certificate, members) }
  } catch (err) {
    if (!(err instanceof NoArbitratorsError)) throw err
    return { certificate_hash: hash, ranked, panel: null, note: `an arbitration panel needs ${ARBITRATION_PANEL_SIZE} uninvolved members; this federation has ${ranked.length}` }
  }
}

function view (dispute: Dispute, record: ChainRecord, ctx: Awaited<ReturnType<typeof disputeContext>>): DisputeView {
  return {
    dispute_id: dispute.id,
    chain_id: dispute.chain,
    edge: dispute.edge,
    layer: dispute.layer,
    status: dispute.status,
    provider: { participant: dispute.provider.participant, node_id: dispute.provider.node },
    recipient: { participant: dispute.recipient.participant, node_id: dispute.recipient.node },
    opened_at_ms: dispute.opened_at_ms,
    messages: dispute.messages.map((m) => ({ kind: m.signed.statement.kind, signer: m.by === 'participant' ? m.signed.statement.participant : m.signed.statement.node })),
    recommendations: Object.keys(dispute.recommendations).sort(),
    panel: dispute.panel === null ? null : [...dispute.panel],
    rulings: Object.entries(dispute.rulings).sort(([a], [b]) => (a < b ? -1 : 1)).map(([node, r]) => ({ node_id: node, outcome: String(r.statement.claims['outcome']), satisfaction_permille: Number(r.statement.claims['satisfaction_permille']) })),
    ruling: dispute.ruling,
    role: [dispute.provider.node, dispute.recipient.node].includes(ctx.self) ? 'home' : dispute.panel?.includes(ctx.self) === true ? 'panelist' : 'observer',
    draw: drawOf(record, ctx.members, ctx.sites)
  }
}

/** The chain a dispute is about: this node's record, or (a panelist) the one its case proved. */
async function recordOf (context: OperationComponents, chain: string): Promise<ChainRecord> {
  const running = await context.services?.disputes?.chainRecord(chain)
  if (running !== undefined) return running
  const stored = await new DisputeRepository(context.store).caseRecord(chain)
  return stored ?? await findRecord(context, chain)
}

function disputesService (context: OperationComponents, operation: string): Disputes {
  const { disputes } = requireServices(context, operation)
  if (disputes === undefined) throw new DisputeNotFoundError('this node runs no disputes service')
  return disputes
}

async function findDispute (context: OperationComponents, id: string): Promise<Dispute> {
  const text = id.toLowerCase()
  if (text.length < CHAIN_ID_PREFIX_LENGTH_MIN) throw new DisputeNotFoundError(`a dispute id has at least ${CHAIN_ID_PREFIX_LENGTH_MIN} characters`)
  const found = (await new DisputeRepository(context.store).list()).filter((d) => d.id.startsWith(text))
  if (found.length !== 1) throw new DisputeNotFoundError(found.length === 0 ? `no dispute ${id} on this node` : `${id} names ${found.length} disputes: give more of the id`)
  return found[0]!
}

const openArgs = z.strictObject({
  chain_id: z.string().min(1),
  edge: z.number().int().min(0),
  participant: z.string().min(1),
  text: z.string().max(DISPUTE_TEXT_LENGTH_MAX).optional()
})

/** `dispute.open`: a hosted participant, provider or recipient of the edge, opens a dispute (layer 1, direct). */
export const disputeOpen: Operation<z.input<typeof openArgs>, DisputeView> = {
  name: 'dispute.open',
  async run (context, args) {
    const options = parseArgs(openArgs, args, 'dispute.open')
    const record = await findRecord(context, options.chain_id)
    const participant = participantIdOf(context, options.participant)
    const signer = await hostedParticipantSigner(context, participant)
    const signed = signStatement({ kind: DISPUTE_OPEN_KIND, participant, issuedAtMs: context.clock.now(), claims: { chain: record.id, edge: options.edge, ...(options.text === undefined ? {} : { text: options.text }) } }, signer)
    const dispute = await disputesService(context, 'dispute.open').open(record, signed)
    return view(dispute, record, await disputeContext(context))
  }
}

/** `dispute.list`: every dispute on this node. */
export const disputeList: Operation<unknown, { disputes: DisputeView[] }> = {
  name: 'dispute.list',
  audited: false,
  async run (context, args) {
    parseArgs(z.strictObject({}), args, 'dispute.list')
    const ctx = await disputeContext(context)
    const out: DisputeView[] = []
    for (const dispute of await new DisputeRepository(context.store).list()) out.push(view(dispute, await recordOf(context, dispute.chain), ctx))
    return { disputes: out.sort((a, b) => b.opened_at_ms - a.opened_at_ms || (a.dispute_id < b.dispute_id ? -1 : 1)) }
  }
}

const idArgs = z.strictObject({ dispute_id: z.string().min(1) })

/** `dispute.show`: one dispute, with the arbitration draw of its chain. */
export const disputeShow: Operation<z.input<typeof idArgs>, DisputeView> = {
  name: 'dispute.show',
  audited: false,
  async run (context, args) {
    const { dispute_id: id } = parseArgs(idArgs, args, 'dispute.show')
    const dispute = await findDispute(context, id)
    return view(dispute, await recordOf(context, dispute.chain), await disputeContext(context))
  }
}

const partyArgs = z.strictObject({ dispute_id: z.string().min(1), participant: z.string().min(1), text: z.string().max(DISPUTE_TEXT_LENGTH_MAX).optional() })

function partyOperation (name: string, kind: string): Operation<z.input<typeof partyArgs>, DisputeView> {
  return {
    name,
    async run (context, args) {
      const options = parseArgs(partyArgs, args, name)
      const service = disputesService(context, name)
      const found = await findDispute(context, options.dispute_id)
      const record = await recordOf(context, found.chain)
      const participant = participantIdOf(context, options.participant)
      const signer = await hostedParticipantSigner(context, participant)
      const signed = signStatement({ kind, participant, issuedAtMs: context.clock.now(), claims: { dispute: found.id, ...(options.text === undefined ? {} : { text: options.text }) } }, signer)
      return view(await service.party(found.id, signed), record, await disputeContext(context))
    }
  }
}

/** `dispute.resolve`: a party marks the dispute resolved. */
export const disputeResolve = partyOperation('dispute.resolve', DISPUTE_RESOLVE_KIND)
/** `dispute.escalate`: a party moves it to mediation, then (both recommendations in or the window passed) to arbitration. */
export const disputeEscalate = partyOperation('dispute.escalate', DISPUTE_ESCALATE_KIND)

const recommendArgs = z.strictObject({ dispute_id: z.string().min(1), text: z.string().min(1).max(DISPUTE_TEXT_LENGTH_MAX) })

/** `dispute.recommend`: this node, a home node of the dispute, records its signed recommendation (mediation); the other home node receives it. */
export const disputeRecommend: Operation<z.input<typeof recommendArgs>, DisputeView> = {
  name: 'dispute.recommend',
  async run (context, args) {
    const options = parseArgs(recommendArgs, args, 'dispute.recommend')
    const service = disputesService(context, 'dispute.recommend')
    const found = await findDispute(context, options.dispute_id)
    const after = await service.recommend(found.id, options.text)
    return view(after, await recordOf(context, after.chain), await disputeContext(context))
  }
}

const ruleArgs = z.strictObject({
  dispute_id: z.string().min(1),
  decision: z.enum(['provider', 'recipient']),
  /** the satisfaction the edge counts with, 0…1 */
  satisfaction: z.number().min(0).max(1),
  text: z.string().max(DISPUTE_TEXT_LENGTH_MAX).optional()
})

/** `dispute.rule`: this node, drawn onto the panel, signs its ruling; both home nodes and the other panelists receive it, and a majority binds. */
export const disputeRule: Operation<z.input<typeof ruleArgs>, DisputeView> = {
  name: 'dispute.rule',
  async run (context, args) {
    const options = parseArgs(ruleArgs, args, 'dispute.rule')
    const service = disputesService(context, 'dispute.rule')
    const found = await findDispute(context, options.dispute_id)
    const after = await service.rule(found.id, { outcome: options.decision, satisfaction_permille: Math.round(options.satisfaction * 1000) }, options.text)
    return view(after, await recordOf(context, after.chain), await disputeContext(context))
  }
}

/** `dispute.export`: the evidence bundle (every signed message of the chain and the dispute, with keys) and the draw. */
export const disputeExport: Operation<z.input<typeof idArgs>, EvidenceBundle & { certificate_hash: string, draw: ArbitrationDraw }> = {
  name: 'dispute.export',
  async run (context, args) {
    const { dispute_id: id } = parseArgs(idArgs, args, 'dispute.export')
    const dispute = await findDispute(context, id)
    const record = await recordOf(context, dispute.chain)
    const ctx = await disputeContext(context)
    const draw = drawOf(record, ctx.members, ctx.sites)
    return { ...evidenceBundle(record, ctx.nodeKey, dispute), certificate_hash: draw.certificate_hash, draw }
  }
}

export const disputeOperations: ReadonlyArray<Operation<never, unknown>> = [disputeOpen, disputeList, disputeShow, disputeResolve, disputeEscalate, disputeRecommend, disputeRule, disputeExport]
