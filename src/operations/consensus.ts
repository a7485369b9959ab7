/**
 * Consensus operator actions, as operations (run on the store directly, or
 * through the running node's API): load the genesis, list members, trust and
 * history, check an event hash (re-verifying its QC); and, on a running node,
 * propose an event or vote (sent to the federation by gossip).
 */
import { z } from 'zod'
import { InputError } from '../core/errors.ts'
import { EVENT_TYPES, eventHashSchema, slotIdSchema } from '../core/consensus/event.ts'
import { historyStatistics, type HistoryRecord, type HistoryStatistics } from '../core/consensus/history.ts'
import { verifyQC } from '../core/consensus/quorum-certificate.ts'
import { quorumSize, quorumWarnings, type ConsensusPolicy } from '../core/consensus/threshold.ts'
import { applyTrustRule, initialTrust, trustBand, trustReport, trustStatus, type TrustBand, type TrustEntry, type TrustStatus } from '../core/consensus/trust.ts'
import { nodeIdSchema } from '../core/consensus/member.ts'
import { pendingSlots, type PendingEvent, type PendingSlot } from '../core/consensus/pending.ts'
import { ConsensusStore, HISTORY_QUERY_LIMIT_MAX } from '../store/consensus.ts'
import { loadGenesisFile } from '../store/consensus-genesis.ts'
import { configPolicy } from '../config/policy.ts'
import { parseArguments as parseArgs } from './arguments.ts'
import { requireServices, type Operation, type OperationComponents } from './operation.ts'
import { reputationScores } from './attestations.ts'
import { SummaryRepository } from '../store/matching-summaries.ts'
import { REPUTATION_SCORE_INITIAL } from '../core/reputation/reputation.ts'

export const HISTORY_LIMIT_DEFAULT = 20

export class NoGenesisError extends InputError {
  static override readonly code = 'NoGenesisError'
  override readonly name = 'NoGenesisError'
}

export class GenesisFederationMismatchError extends InputError {
  static override readonly code = 'GenesisFederationMismatchError'
  override readonly name = 'GenesisFederationMismatchError'
}

export class UnknownEventHashError extends InputError {
  static override readonly code = 'UnknownEventHashError'
  override readonly name = 'UnknownEventHashError'
}

/** The warnings a node prints at start for its policy and membership size (quorum intersection, impossible quorums). */
export function consensusWarnings (policy: ConsensusPolicy, membershipSize: number): string[] {
  return quorumWarnings(policy, membershipSize).map((w) => w.message)
}

export interface GenesisResult {
  file: string
  federation_id: string
  members: number
  result: 'created' | 'unchanged'
  warnings: string[]
}

/** `consensus genesis [file]`: verifies the genesis file and stores the founding membership. */
export const consensusGenesis: Operation<{ file?: string }, GenesisResult> = {
  name: 'consensus.genesis',
  async run (context, args) {
    const { file } = parseArgs(z.strictObject({ file: z.string().min(1).optional() }), args, 'consensus.genesis')
    const path = file ?? context.config.consensus.genesis
    if (path === undefined) throw new NoGenesisError('no genesis file given and consensus.genesis is not set in config.yaml')
    // a relative path resolves from the data dir (the CLI sends absolute paths)
    const genesis = await loadGenesisFile(path, context.verifier, context.dataDir ?? '/')
    if (genesis.membership.federation_id !== context.config.federation.federation_id) {
      throw new GenesisFederationMismatchError(`genesis is for federation "${genesis.membership.federation_id}", config.yaml says federation_id "${context.config.federation.federation_id}"`)
    }
    const now = context.clock.now()
    const trust = [...genesis.membership.members.keys()].map((id) => initialTrust(id, now))
    const result = await new ConsensusStore(context.store).initGenesis(genesis.membership, genesis.policy, trust)
    // a running node picks the membership up at once
    await context.services?.consensus.reload()
    return {
      file: genesis.file,
      federation_id: genesis.membership.federation_id,
      members: genesis.membership.members.size,
      result,
      warnings: consensusWarnings(genesis.policy, genesis.membership.members.size)
    }
  }
}

export interface MemberEntry {
  node_id: string
  site_id: string | null
  jurisdiction: string | null
  joined_at: number
  score: number
  band: TrustBand
  status: TrustStatus
  /** node reputation here, 0…100 (attestation accuracy and protocol adherence: docs/reputation.md) */
  reputation: number
  /** when this node received the member's latest summary (ms since the epoch), null if none */
  summary_received_at: number | null
}

export interface MembersResult {
  federation_id: string
  epoch: number
  policy: ConsensusPolicy
  quorum: number
  warnings: string[]
  members: MemberEntry[]
}

async function requireMembership (context: OperationComponents) {
  const store = new ConsensusStore(context.store)
  const membership = await store.membership()
  if (membership === undefined) throw new NoGenesisError('no federation membership in this store yet: run "fedmesh consensus genesis <file>" first')
  return { store, membership }
}

/** `members`: the current membership with each member's trust. */
export const consensusMembers: Operation<unknown, MembersResult> = {
  name: 'consensus.members',
  async run (context, args) {
    parseArgs(z.strictObject({}), args, 'consensus.members')
    const { store, membership } = await requireMembership(context)
    const policy = (await store.policy()) ?? configPolicy(context.config)
    const trust = new Map(trustReport(await store.trust(), context.clock.now()).nodes.map((n) => [n.node_id, n]))
    const reputation = await reputationScores(context.store)
    const summaries = new SummaryRepository(context.store)
    const sorted = [...membership.members.values()].sort((a, b) => (a.node_id < b.node_id ? -1 : 1))
    const members = await Promise.all(sorted.map(async (m) => {
      const score = trust.get(m.node_id)?.score ?? 50
      return {
        node_id: m.node_id, site_id: m.site_id ?? null, jurisdiction: m.jurisdiction ?? null, joined_at: m.joined_at,
        score, band: trustBand(score), status: trustStatus(trustBand(score)), reputation: reputation.get(m.node_id) ?? REPUTATION_SCORE_INITIAL,
        summary_received_at: (await summaries.get(m.node_id))?.received_at ?? null
      }
    }))
    const n = membership.members.size
    return { federation_id: membership.federation_id, epoch: membership.epoch, policy, quorum: quorumSize(policy, n), warnings: consensusWarnings(policy, n), members }
  }
}

/** `trust`: score, band and status per node, and the average. */
export const consensusTrust: Operation<unknown, { nodes: TrustEntry[], average: number | null }> = {
  name: 'consensus.trust',
  async run (context, args) {
    parseArgs(z.strictObject({}), args, 'consensus.trust')
    return trustReport(await new ConsensusStore(context.store).trust(), context.clock.now())
  }
}

/** `consensus history`: the newest decisions and statistics over all of them. */
export const consensusHistory: Operation<{ limit?: number }, { records: HistoryRecord[], statistics: HistoryStatistics }> = {
  name: 'consensus.history',
  async run (context, args) {
    const { limit } = parseArgs(z.strictObject({ limit: z.number().int().min(1).max(HISTORY_QUERY_LIMIT_MAX).default(HISTORY_LIMIT_DEFAULT) }), args, 'consensus.history')
    const store = new ConsensusStore(context.store)
    return { records: await store.history(limit), statistics: historyStatistics(await store.allHistory()) }
  }
}

export interface CheckEntry {
  record: HistoryRecord
  /** null when the slot has no QC (no quorum); otherwise whether it verifies again now */
  qc: { votes: number, verified: boolean, error: string | null } | null
}

/** A slot still pending that holds the event. */
export interface CheckPendingEntry {
  slot: string
  /** counted votes for the hash so far */
  votes: number
  quorum: number | null
}

/** What `consensus check` says about a hash this node knows. */
export type CheckState = 'pending' | 'decided' | 'failed'

export interface CheckResult {
  event_hash: string
  /** decided: a slot reached a quorum on it; pending: it is in a slot still open; failed: its slots completed without deciding it */
  state: CheckState
  consensus_achieved: boolean
  slots: CheckEntry[]
  pending: CheckPendingEntry[]
}

/** The pending slots holding `eventHash`: from the running node, or rebuilt from the store. */
async function pendingWith (context: OperationComponents, store: ConsensusStore, eventHash: string): Promise<CheckPendingEntry[]> {
  const consensus = context.services?.consensus
  if (consensus !== undefined) {
    return consensus.pending()
      .filter((slot) => slot.events.some((e) => e.event_hash === eventHash))
      .map((slot) => ({ slot: slot.slot, votes: slot.votes[eventHash] ?? 0, quorum: slot.quorum }))
  }
  const out: CheckPendingEntry[] = []
  for (const slot of await store.slotsOfEvent(eventHash)) {
    if (await store.isCompleted(slot)) continue
    const votes = (await store.votes(slot)).filter((v) => v.event_hash === eventHash).length
    out.push({ slot, votes, quorum: null })
  }
  return out
}

/**
 * `consensus check <event_hash>`: pending, decided or failed for a hash whose
 * event this node knows, with each completed slot's QC re-verified;
 * UnknownEventHashError (CLI exit 3) for any other hash — votes for a hash
 * whose event never arrived do not make it known.
 */
export const consensusCheck: Operation<{ event_hash: string }, CheckResult> = {
  name: 'consensus.check',
  async run (context, args) {
    const { event_hash: eventHash } = parseArgs(z.strictObject({ event_hash: eventHashSchema }), args, 'consensus.check')
    const store = new ConsensusStore(context.store)
    const records = await store.historyForHash(eventHash)
    const pending = await pendingWith(context, store, eventHash)
    if (records.length === 0 && pending.length === 0) throw new UnknownEventHashError(`this node knows no event with hash ${eventHash} (neither pending nor completed)`)
    const verifier = context.verifier
    const slots: CheckEntry[] = []
    for (const record of records) {
      const qc = await store.qc(record.slot)
      if (qc === undefined) { slots.push({ record, qc: null }); continue }
      const membership = await store.membershipAt(record.membership_epoch)
      let error: string | null = null
      try {
        if (membership === undefined) throw new NoGenesisError(`membership of epoch ${record.membership_epoch} is not in the store`)
        // the record's quorum is what the decision needed (the policy may have changed since)
        verifyQC(qc, { membership, policy: configPolicy(context.config), quorum: record.quorum, verifier, eventHash: qc.event_hash, slot: record.slot })
      } catch (err) {
        error = `${(err as Error).name}: ${(err as Error).message}`
      }
      slots.push({ record, qc: { votes: qc.votes.length, verified: error === null, error } })
    }
    const achieved = records.some((r) => r.consensus_achieved && r.consensus_hash === eventHash)
    const state: CheckState = achieved ? 'decided' : pending.length > 0 ? 'pending' : 'failed'
    return { event_hash: eventHash, state, consensus_achieved: achieved, slots, pending }
  }
}

/** The pending slots, as `consensus pending` lists them. */
export interface PendingResult {
  slots: PendingSlot[]
}

/**
 * `consensus pending`: the open slots with their events (type, title, body,
 * proposer by site and PeerId), deadline and votes so far per hash. From the
 * running node, or rebuilt from the store when it is not running.
 */
export const consensusPending: Operation<unknown, PendingResult> = {
  name: 'consensus.pending',
  audited: false,
  async run (context, args) {
    parseArgs(z.strictObject({}), args, 'consensus.pending')
    const running = context.services?.consensus
    if (running !== undefined) return { slots: running.pending() }
    const { store, membership } = await requireMembership(context)
    const now = context.clock.now()
    const state = await store.restoreState({ fallbackPolicy: configPolicy(context.config), now, verifier: context.verifier })
    if (state === undefined) throw new NoGenesisError(`no membership for "${membership.federation_id}"`)
    const slots = pendingSlots(state, { nodeId: '', slotTimeoutMs: context.config.consensus.slot_timeout_seconds * 1000 })
    for (const slot of slots) slot.voted = (await store.signedVote(state.federation_id, slot.slot))?.event_hash ?? null
    return { slots }
  }
}

/** `consensus vote --slot S` without a hash: the slot has no event this node knows. */
export class NoPendingEventError extends InputError {
  static override readonly code = 'NoPendingEventError'
  override readonly name = 'NoPendingEventError'
}

/** `consensus vote --slot S` without a hash: the slot holds several events; name the one with its hash. */
export class AmbiguousVoteError extends InputError {
  static override readonly code = 'AmbiguousVoteError'
  override readonly name = 'AmbiguousVoteError'
}

/** The node is not a member (operators adjust members' trust only). */
export class NotAMemberError extends InputError {
  static override readonly code = 'NotAMemberError'
  override readonly name = 'NotAMemberError'
}

/** `trust --boost NODE` / `--penalize NODE`: the operator's admin rules (+10 / −20); returns the new entry. */
export const consensusTrustAdjust: Operation<{ node_id: string, rule: 'admin_boost' | 'admin_penalty' }, TrustEntry> = {
  name: 'consensus.trust-adjust',
  async run (context, args) {
    const { node_id: nodeId, rule } = parseArgs(z.strictObject({ node_id: nodeIdSchema, rule: z.enum(['admin_boost', 'admin_penalty']) }), args, 'consensus.trust-adjust')
    const { store, membership } = await requireMembership(context)
    if (!membership.members.has(nodeId)) throw new NotAMemberError(`${nodeId} is not a member of "${membership.federation_id}"`)
    const now = context.clock.now()
    const current = (await store.trust()).find((r) => r.node_id === nodeId) ?? initialTrust(nodeId, now)
    const record = applyTrustRule(current, rule, now)
    await store.persist([{ kind: 'trust', record }])
    await context.services?.consensus.reload()
    const band = trustBand(record.score)
    return { node_id: nodeId, score: record.score, band, status: trustStatus(band), last_active_at: record.last_active_at }
  }
}

/** `consensus propose`: a new event in a slot, proposed and voted for by this node, gossiped to the federation. */
export const consensusPropose: Operation<{ type: string, slot: string, body: unknown }, { event_hash: string, slot: string }> = {
  name: 'consensus.propose',
  async run (context, args) {
    const parsed = parseArgs(z.strictObject({ type: z.enum(EVENT_TYPES), slot: slotIdSchema, body: z.unknown() }), args, 'consensus.propose')
    return await requireServices(context, 'consensus propose').consensus.propose(parsed)
  }
}

export interface VoteResult {
  slot: string
  event_hash: string
  status: string
  /** the event voted for, when the vote named no hash (it is printed before the vote is reported) */
  event?: PendingEvent
}

/**
 * `consensus vote`: this node's signed vote for an event in a slot, gossiped
 * to the federation. Without `event_hash` it votes for the slot's one pending
 * event (NoPendingEventError when there is none, AmbiguousVoteError when
 * there are several) and returns that event.
 */
export const consensusVote: Operation<{ slot: string, event_hash?: string }, VoteResult> = {
  name: 'consensus.vote',
  async run (context, args) {
    const parsed = parseArgs(z.strictObject({ slot: slotIdSchema, event_hash: eventHashSchema.optional() }), args, 'consensus.vote')
    const { consensus } = requireServices(context, 'consensus vote')
    if (parsed.event_hash !== undefined) return await consensus.vote(parsed.slot, parsed.event_hash)
    const slot = consensus.pending().find((s) => s.slot === parsed.slot)
    if (slot === undefined || slot.events.length === 0) {
      throw new NoPendingEventError(`slot ${parsed.slot} has no pending event known to this node ("fedmesh consensus pending" lists the open slots)`)
    }
    if (slot.events.length > 1) {
      throw new AmbiguousVoteError(`slot ${parsed.slot} holds ${slot.events.length} events (${slot.events.map((e) => e.event_hash).join(', ')}): name one with its hash`)
    }
    const event = slot.events[0]!
    return { ...await consensus.vote(parsed.slot, event.event_hash), event }
  }
}

/** The consensus operations. */
export const consensusOperations: ReadonlyArray<Operation<never, unknown>> = [
  consensusGenesis, consensusMembers, consensusTrust, consensusTrustAdjust, consensusHistory, consensusCheck, consensusPending, consensusPropose, consensusVote
]
