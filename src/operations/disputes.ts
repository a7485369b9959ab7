/**
 * Disputes about one edge of a committed chain, on this node
 * (core/chain/dispute.ts): a hosted participant of the edge opens one,
 * either party hosted here resolves or escalates it, anyone shows it with the
 * arbitration draw (recomputable from the commit certificate hash alone:
 * core/chain/arbitration.ts), and `export` gives the evidence bundle of the
 * chain and the dispute for courts. Disputes are kept on the node where they
 * were opened; sending dispute messages to the other home node and the panel
 * is not implemented yet (docs/matching.md, "Disputes").
 */
import { z } from 'zod'
import { InputError } from '../core/errors.ts'
import { drawScore, drawArbitrators } from '../core/chain/arbitration.ts'
import { certificateHash } from '../core/chain/certificate.ts'
import { ARBITRATION_PANEL_SIZE, DISPUTE_TEXT_LENGTH_MAX } from '../core/chain/constants.ts'
import { applyPartyStatement, DISPUTE_ESCALATE_KIND, DISPUTE_OPEN_KIND, DISPUTE_RESOLVE_KIND, openDispute, type Dispute, type DisputeContext } from '../core/chain/dispute.ts'
import { DisputeStateError, NoArbitratorsError } from '../core/chain/errors.ts'
import { evidenceBundle, type EvidenceBundle } from '../core/chain/evidence.ts'
import { certificateOf, type ChainRecord } from '../core/chain/state.ts'
import { signStatement } from '../core/identity/statement.ts'
import { ConsensusStore } from '../store/consensus.ts'
import { DisputeRepository } from '../store/disputes.ts'
import { parseArguments as parseArgs } from './arguments.ts'
import { findRecord, hostedParticipantSigner, participantIdOf, CHAIN_ID_PREFIX_LENGTH_MIN } from './chains.ts'
import type { Operation, OperationComponents } from './operation.ts'

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
  recommendations: string[]
  panel: string[] | null
  ruling: Dispute['ruling']
  draw: ArbitrationDraw
}

async function disputeContext (context: OperationComponents): Promise<DisputeContext & { sites: Map<string, string | null> }> {
  const membership = await new ConsensusStore(context.store).membership()
  const members = [...(membership?.members.values() ?? [])]
  const keys = new Map(members.map((m) => [m.node_id, m.public_key]))
  return {
    nowMs: context.clock.now(),
    verifier: context.verifier,
    nodeKey: (node) => keys.get(node),
    members: members.map((m) => m.node_id),
    sites: new Map(members.map((m) => [m.node_id, m.site_id ?? null]))
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
    ruling: dispute.ruling,
    draw: drawOf(record, ctx.members, ctx.sites)
  }
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
    const ctx = await disputeContext(context)
    const dispute = openDispute(record, signed, ctx)
    const repository = new DisputeRepository(context.store)
    await context.store.exclusive(`dispute:${dispute.id}`, async () => {
      if (await repository.get(dispute.id) === undefined) await repository.put(dispute)
    })
    return view((await repository.get(dispute.id))!, record, ctx)
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
    for (const dispute of await new DisputeRepository(context.store).list()) out.push(view(dispute, await findRecord(context, dispute.chain), ctx))
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
    return view(dispute, await findRecord(context, dispute.chain), await disputeContext(context))
  }
}

const partyArgs = z.strictObject({ dispute_id: z.string().min(1), participant: z.string().min(1), text: z.string().max(DISPUTE_TEXT_LENGTH_MAX).optional() })

function partyOperation (name: string, kind: string): Operation<z.input<typeof partyArgs>, DisputeView> {
  return {
    name,
    async run (context, args) {
      const options = parseArgs(partyArgs, args, name)
      const found = await findDispute(context, options.dispute_id)
      const record = await findRecord(context, found.chain)
      const participant = participantIdOf(context, options.participant)
      const signer = await hostedParticipantSigner(context, participant)
      const signed = signStatement({ kind, participant, issuedAtMs: context.clock.now(), claims: { dispute: found.id, ...(options.text === undefined ? {} : { text: options.text }) } }, signer)
      const ctx = await disputeContext(context)
      const repository = new DisputeRepository(context.store)
      const next = await context.store.exclusive(`dispute:${found.id}`, async () => {
        const current = (await repository.get(found.id))!
        const after = applyPartyStatement(current, record, signed, ctx)
        if (after !== current) await repository.put(after)
        return after
      })
      return view(next, record, ctx)
    }
  }
}

/** `dispute.resolve`: a party marks the dispute resolved. */
export const disputeResolve = partyOperation('dispute.resolve', DISPUTE_RESOLVE_KIND)
/** `dispute.escalate`: a party moves it to mediation, then (both recommendations in or the window passed) to arbitration. */
export const disputeEscalate = partyOperation('dispute.escalate', DISPUTE_ESCALATE_KIND)

/** `dispute.export`: the evidence bundle (every signed message of the chain and the dispute, with keys) and the draw. */
export const disputeExport: Operation<z.input<typeof idArgs>, EvidenceBundle & { certificate_hash: string, draw: ArbitrationDraw }> = {
  name: 'dispute.export',
  async run (context, args) {
    const { dispute_id: id } = parseArgs(idArgs, args, 'dispute.export')
    const dispute = await findDispute(context, id)
    const record = await findRecord(context, dispute.chain)
    const ctx = await disputeContext(context)
    const draw = drawOf(record, ctx.members, ctx.sites)
    return { ...evidenceBundle(record, ctx.nodeKey, dispute), certificate_hash: draw.certificate_hash, draw }
  }
}

export const disputeOperations: ReadonlyArray<Operation<never, unknown>> = [disputeOpen, disputeList, disputeShow, disputeResolve, disputeEscalate, disputeExport]
