/**
 * Validation at a home node: bind a real, active, unreserved local
 * participant to each step the node hosts, or name why not from a fixed set.
 * The directory is a read-only view the node passes in (core reads no store).
 */
import type { SignedStatement } from '../identity/statement.ts'
import type { HybridPublicKey } from '../signature.ts'
import { compareText } from '../matching/taxonomy.ts'
import { CHAINS_OPEN_MAX, CHAIN_LENGTH_MAX } from './constants.ts'
import { ruleCovers } from './participant-statements.ts'
import type { ChainContent } from './proposal.ts'

/** Why a home node rejects a chain: the fixed set of protocols/chain.md. */
export const REJECT_REASONS = ['stale_summary', 'no_participant_free', 'participant_paused', 'policy', 'participant_moved'] as const
export type RejectReason = typeof REJECT_REASONS[number]

/** A participant as its home node knows it. */
export interface LocalParticipant {
  id: string
  /** the participant's own key: its consents must verify with it */
  publicKey: HybridPublicKey
  /** a paused participant is never bound */
  status: 'active' | 'paused'
  offers: readonly string[]
  needs: readonly string[]
  /** preference among candidates (matching's weight), higher first */
  weight?: number
  /** the participant-signed standing auto-consent rule, when it has one */
  autoConsent?: SignedStatement
}

/** The node's participants, read-only. */
export interface ParticipantDirectory {
  get: (id: string) => LocalParticipant | undefined
  /** every participant (any status) with need `need` and offer `offer` */
  candidates: (need: string, offer: string) => readonly LocalParticipant[]
  /** the participant moved (or is moving) away from this node (issue 14): a step naming it is rejected `participant_moved` */
  moved?: (id: string) => boolean
}

/** A home node's policy for chains proposed to it. */
export interface ChainPolicy {
  /** longest chain this node settles (≤ CHAIN_LENGTH_MAX) */
  chainLengthMax: number
  /** proposers whose chains this node refuses */
  blockedProposers: readonly string[]
  /** chains open at once before new ones are refused */
  chainsOpenMax: number
}

export const CHAIN_POLICY_DEFAULT: ChainPolicy = { chainLengthMax: CHAIN_LENGTH_MAX, blockedProposers: [], chainsOpenMax: CHAINS_OPEN_MAX }

/** A step bound to a participant. */
export interface Binding {
  index: number
  participant: string
  publicKey: HybridPublicKey
}

export type BindResult = { ok: true, bindings: Binding[] } | { ok: false, reason: RejectReason }

/** A directory over an in-memory list (tests, small nodes); the store implements the same interface over its index. */
export function directoryOf (participants: readonly LocalParticipant[]): ParticipantDirectory {
  const byId = new Map(participants.map((p) => [p.id, p]))
  return {
    get: (id) => byId.get(id),
    candidates: (need, offer) => participants.filter((p) => p.needs.includes(need) && p.offers.includes(offer))
  }
}

function hasEntry (p: LocalParticipant, need: string, offer: string): boolean {
  return p.needs.includes(need) && p.offers.includes(offer)
}

/**
 * Binds every step of `node` in `content`, or returns the first reason it
 * cannot: policy, then named steps (the proposer's own), then the others.
 * Among free candidates it prefers one whose standing rule consents, then the
 * heaviest, then the smallest id — the same answer on every replay.
 */
export function bindSteps (input: {
  content: ChainContent
  node: string
  directory: ParticipantDirectory
  isReserved: (participant: string) => boolean
  policy: ChainPolicy
  chainsOpen: number
}): BindResult {
  const { content, node, directory, isReserved, policy } = input
  if (content.steps.length > policy.chainLengthMax || policy.blockedProposers.includes(content.proposer) || input.chainsOpen >= policy.chainsOpenMax) {
    return { ok: false, reason: 'policy' }
  }
  const mine = content.steps.map((step, index) => ({ step, index })).filter(({ step }) => step.node === node)
  const used = new Set<string>()
  const bindings: Binding[] = []
  const named = mine.filter(({ step }) => step.participant !== undefined)
  for (const { step, index } of named) {
    const p = directory.get(step.participant!)
    if (directory.moved?.(step.participant!) === true) return { ok: false, reason: 'participant_moved' }
    if (p === undefined || !hasEntry(p, step.need, step.offer)) return { ok: false, reason: 'stale_summary' }
    if (p.status !== 'active') return { ok: false, reason: 'participant_paused' }
    if (isReserved(p.id) || used.has(p.id)) return { ok: false, reason: 'no_participant_free' }
    used.add(p.id)
    bindings.push({ index, participant: p.id, publicKey: p.publicKey })
  }
  for (const { step, index } of mine.filter(({ step }) => step.participant === undefined)) {
    const all = directory.candidates(step.need, step.offer)
    if (all.length === 0) return { ok: false, reason: 'stale_summary' }
    const active = all.filter((p) => p.status === 'active')
    if (active.length === 0) return { ok: false, reason: 'participant_paused' }
    const free = active.filter((p) => !isReserved(p.id) && !used.has(p.id))
    if (free.length === 0) return { ok: false, reason: 'no_participant_free' }
    const covers = (p: LocalParticipant): number => (p.autoConsent !== undefined && ruleCovers(p.autoConsent, content, index) ? 1 : 0)
    const chosen = [...free].sort((a, b) => covers(b) - covers(a) || (b.weight ?? 0) - (a.weight ?? 0) || compareText(a.id, b.id))[0]!
    used.add(chosen.id)
    bindings.push({ index, participant: chosen.id, publicKey: chosen.publicKey })
  }
  return { ok: true, bindings: bindings.sort((a, b) => a.index - b.index) }
}
