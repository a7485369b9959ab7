/**
 * Chain settlement operator actions: propose a chain `match` found, list and
 * show chains, and a hosted participant's consent, refusal, delivery and
 * confirmation — each signed with the participant's own key, which the node
 * keeps for the participants it hosts. Listing reads the store when the node
 * is not running; everything else needs the running node (it sends).
 */
import { z } from 'zod'
import { InputError } from '../core/errors.ts'
import { CHAIN_LENGTH_MAX, CONSENT_WINDOW_MS_MAX, CONSENT_WINDOW_MS_MIN, EXECUTION_DELAY_MS_MAX, EXECUTION_WINDOW_MS_MAX } from '../core/chain/constants.ts'
import { CONFIRMATION_KIND, CONSENT_KIND, DELIVERY_KIND, REFUSAL_KIND } from '../core/chain/participant-statements.ts'
import { CHAIN_PHASES, type ChainRecord } from '../core/chain/state.ts'
import { parseParticipantKey } from '../core/identity/participant-keys.ts'
import { formatParticipantId, parseParticipantId, PARTICIPANT_ID_SCHEME } from '../core/identity/participant-id.ts'
import { signStatement, type ClaimValue } from '../core/identity/statement.ts'
import { participantSignerFromSeeds } from '../crypto/participant-keys.ts'
import { ChainRepository } from '../store/chains.ts'
import type { HybridSigner } from '../core/signature.ts'
import { ParticipantRepository } from '../store/participants.ts'
import { parseArguments as parseArgs } from './arguments.ts'
import { chainView, type ChainView } from './chain-views.ts'
import { localNodeId, match } from './matching.ts'
import { rankChains } from '../core/matching/weighting.ts'
import { REPUTATION_NEUTRAL_PERMILLE } from '../core/reputation/reputation.ts'
import { SOLVER_TIME_LIMIT_MS_MAX } from '../solver/index.ts'
import { requireServices, type Operation, type OperationComponents } from './operation.ts'

/** No chain with that id (or id prefix) on this node. */
export class ChainNotFoundError extends InputError {
  static override readonly code = 'ChainNotFoundError'
  override readonly name = 'ChainNotFoundError'
}

/** The participant is bound to no step of the chain. */
export class ParticipantNotInChainError extends InputError {
  static override readonly code = 'ParticipantNotInChainError'
  override readonly name = 'ParticipantNotInChainError'
}

/** The node keeps no key for this participant (added before participants had keys): it cannot sign for it. */
export class ParticipantKeyNotHeldError extends InputError {
  static override readonly code = 'ParticipantKeyNotHeldError'
  override readonly name = 'ParticipantKeyNotHeldError'
}

/** `match` found no chain with a participant of this node (a node proposes only for its own participants). */
export class NoChainToProposeError extends InputError {
  static override readonly code = 'NoChainToProposeError'
  override readonly name = 'NoChainToProposeError'
}

/** Shortest chain id prefix accepted for a chain id (the CLI shows 12 characters). */
export const CHAIN_ID_PREFIX_LENGTH_MIN = 8

/** A participant id from a handle (this node) or a full id. */
export function participantIdOf (components: OperationComponents, participant: string): string {
  return participant.startsWith(PARTICIPANT_ID_SCHEME)
    ? formatParticipantId(parseParticipantId(participant))
    : formatParticipantId({ handle: participant, node: localNodeId(components.config) })
}

async function allRecords (components: OperationComponents): Promise<ChainRecord[]> {
  const running = components.services?.chains
  return running === undefined ? await new ChainRepository(components.store).records() : running.records()
}

/** The one chain whose id starts with `id` (≥ 8 characters), from the running node or the store. */
export async function findRecord (components: OperationComponents, id: string): Promise<ChainRecord> {
  const text = id.toLowerCase()
  if (text.length < CHAIN_ID_PREFIX_LENGTH_MIN) throw new ChainNotFoundError(`a chain id has at least ${CHAIN_ID_PREFIX_LENGTH_MIN} characters`)
  const found = (await allRecords(components)).filter((r) => r.id.startsWith(text))
  if (found.length !== 1) throw new ChainNotFoundError(found.length === 0 ? `no chain ${id} on this node` : `${id} names ${found.length} chains: give more of the id`)
  return found[0]!
}

function siteOf (components: OperationComponents): (node: string) => string | undefined {
  return (node) => (node === components.config.site_id ? node : undefined)
}

const proposeArgs = z.strictObject({
  /** which chain of the `match` report (1-based); default the first with a participant of this node */
  chain: z.number().int().min(1).optional(),
  cap: z.number().int().nullable().default(6),
  /** the chains come from the exact/certified clearing (HiGHS in a worker, within the time limit; the heuristic's answer when it already meets the bound or the solver fails) */
  exact: z.boolean().default(true),
  time_limit_ms: z.number().int().min(1).max(SOLVER_TIME_LIMIT_MS_MAX).optional(),
  consent_minutes: z.number().int().min(CONSENT_WINDOW_MS_MIN / 60_000).max(CONSENT_WINDOW_MS_MAX / 60_000).optional(),
  execution_delay_minutes: z.number().int().min(0).max(EXECUTION_DELAY_MS_MAX / 60_000).optional(),
  execution_days: z.number().min(1 / 1440).max(EXECUTION_WINDOW_MS_MAX / 86_400_000).optional()
})

/** `chain.propose`: runs `match` and proposes one of its chains to every home node. */
export const chainPropose: Operation<z.input<typeof proposeArgs>, ChainView> = {
  name: 'chain.propose',
  async run (context, args) {
    const options = parseArgs(proposeArgs, args, 'chain.propose')
    const { chains } = requireServices(context, 'chain.propose')
    if (chains === undefined) throw new NoChainToProposeError('this node runs no chain service')
    const report = await match.run(context, { cap: options.cap, exact: options.exact, ...(options.time_limit_ms === undefined ? {} : { time_limit_ms: options.time_limit_ms }) })
    const site = localNodeId(context.config)
    const candidates = report.chains.map((chain, i) => ({ chain, i })).filter(({ chain }) => chain.steps.some((s) => s.node === site && s.participant !== undefined))
    // by default the best-attested chain (core/matching/weighting.ts: mean step weight), ties in clearing order
    const { participants: pw, nodes: nw } = report.weighting
    const ranked = rankChains(candidates.map(({ chain }) => chain), (step) => (step.participant !== undefined ? pw[step.participant] : nw[step.node]) ?? REPUTATION_NEUTRAL_PERMILLE)
    const picked = options.chain === undefined ? candidates[ranked[0] ?? -1] : candidates.find(({ i }) => i === options.chain! - 1)
    if (picked === undefined) throw new NoChainToProposeError(options.chain === undefined ? 'match found no chain with a participant of this node' : `chain ${options.chain} of the match report has no participant of this node (or does not exist)`)
    if (picked.chain.steps.length > CHAIN_LENGTH_MAX) throw new NoChainToProposeError(`chain ${picked.i + 1} is longer than ${CHAIN_LENGTH_MAX} steps`)
    const record = await chains.propose({
      steps: picked.chain.steps,
      ...(options.consent_minutes === undefined ? {} : { consentWindowMs: options.consent_minutes * 60_000 }),
      ...(options.execution_delay_minutes === undefined ? {} : { executionDelayMs: options.execution_delay_minutes * 60_000 }),
      ...(options.execution_days === undefined ? {} : { executionWindowMs: Math.round(options.execution_days * 86_400_000) })
    })
    return chainView(record, siteOf(context))
  }
}

const listArgs = z.strictObject({ state: z.enum(CHAIN_PHASES).optional() })

/** `chains.list`: this node's chains (newest first), optionally in one state. */
export const chainsList: Operation<z.input<typeof listArgs>, { chains: ChainView[] }> = {
  name: 'chains.list',
  async run (context, args) {
    const { state } = parseArgs(listArgs, args, 'chains.list')
    const records = (await allRecords(context)).filter((r) => state === undefined || r.phase === state)
    records.sort((a, b) => b.proposal.content.proposed_at_ms - a.proposal.content.proposed_at_ms || (a.id < b.id ? -1 : 1))
    return { chains: records.map((r) => chainView(r, siteOf(context))) }
  }
}

const showArgs = z.strictObject({ chain_id: z.string().min(1) })

/** `chain.show`: one chain in detail (an id prefix of ≥ 8 characters will do). */
export const chainShow: Operation<z.input<typeof showArgs>, ChainView & { pending_messages?: Record<string, number> }> = {
  name: 'chain.show',
  async run (context, args) {
    const { chain_id: id } = parseArgs(showArgs, args, 'chain.show')
    return chainView(await findRecord(context, id), siteOf(context))
  }
}

/** The signer of a participant this node hosts (it keeps the participant's key). */
export async function hostedParticipantSigner (context: OperationComponents, participant: string): Promise<HybridSigner> {
  const secret = await new ParticipantRepository(context.store).secretKey(participant)
  if (secret === undefined) throw new ParticipantKeyNotHeldError(`this node keeps no key for ${participant}`)
  return participantSignerFromSeeds(parseParticipantKey(secret))
}

/** Signs `kind` for a hosted participant and steps it on the running node. */
async function participantSays (context: OperationComponents, operation: string, input: { chainId: string, participant: string }, kind: string, claimsFor: (record: ChainRecord, step: number) => Record<string, ClaimValue>): Promise<ChainView> {
  const { chains } = requireServices(context, operation)
  if (chains === undefined) throw new ChainNotFoundError('this node runs no chain service')
  const record = await findRecord(context, input.chainId)
  const participant = participantIdOf(context, input.participant)
  const step = record.bindings.findIndex((b) => b?.participant === participant)
  if (step < 0) throw new ParticipantNotInChainError(`${participant} is bound to no step of chain ${record.id}`)
  const signer = await hostedParticipantSigner(context, participant)
  const signed = signStatement({ kind, participant, issuedAtMs: context.clock.now(), claims: claimsFor(record, step) }, signer)
  return chainView(await chains.participantStatement(signed), siteOf(context))
}

const stepArgs = z.strictObject({ chain_id: z.string().min(1), participant: z.string().min(1), note: z.string().max(256).optional() })

/** `chain.consent`: the participant consents to its step. */
export const chainConsent: Operation<z.input<typeof stepArgs>, ChainView> = {
  name: 'chain.consent',
  async run (context, args) {
    const { chain_id: chainId, participant } = parseArgs(stepArgs, args, 'chain.consent')
    return await participantSays(context, 'chain.consent', { chainId, participant }, CONSENT_KIND, (record, step) => ({ chain: record.id, index: step }))
  }
}

/** `chain.refuse`: the participant refuses (the chain is cancelled everywhere, reservations released). */
export const chainRefuse: Operation<z.input<typeof stepArgs>, ChainView> = {
  name: 'chain.refuse',
  async run (context, args) {
    const { chain_id: chainId, participant, note } = parseArgs(stepArgs, args, 'chain.refuse')
    return await participantSays(context, 'chain.refuse', { chainId, participant }, REFUSAL_KIND, (record, step) => ({ chain: record.id, index: step, ...(note === undefined ? {} : { note }) }))
  }
}

const deliverArgs = z.strictObject({ chain_id: z.string().min(1), participant: z.string().min(1) })

/** `chain.deliver`: the participant, as provider of its edge, marks it delivered. */
export const chainDeliver: Operation<z.input<typeof deliverArgs>, ChainView> = {
  name: 'chain.deliver',
  async run (context, args) {
    const { chain_id: chainId, participant } = parseArgs(deliverArgs, args, 'chain.deliver')
    return await participantSays(context, 'chain.deliver', { chainId, participant }, DELIVERY_KIND, (record, step) => ({ chain: record.id, index: step }))
  }
}

const confirmArgs = z.strictObject({
  chain_id: z.string().min(1),
  participant: z.string().min(1),
  /** 0…1 */
  satisfaction: z.number().min(0).max(1),
  comment: z.string().max(1024).optional()
})

/** `chain.confirm`: the participant, as recipient of the edge into its step, confirms it with a satisfaction 0…1. */
export const chainConfirm: Operation<z.input<typeof confirmArgs>, ChainView> = {
  name: 'chain.confirm',
  async run (context, args) {
    const { chain_id: chainId, participant, satisfaction, comment } = parseArgs(confirmArgs, args, 'chain.confirm')
    return await participantSays(context, 'chain.confirm', { chainId, participant }, CONFIRMATION_KIND, (record, step) => {
      const n = record.proposal.content.steps.length
      return { chain: record.id, index: (step - 1 + n) % n, satisfaction_permille: Math.round(satisfaction * 1000), ...(comment === undefined ? {} : { comment }) }
    })
  }
}

/** The chain operations. */
export const chainOperations: ReadonlyArray<Operation<never, unknown>> = [chainPropose, chainsList, chainShow, chainConsent, chainRefuse, chainDeliver, chainConfirm]
