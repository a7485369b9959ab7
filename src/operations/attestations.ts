/**
 * Attestations and node reputation, as the operator sees them: the latest
 * attestation per participant this node holds (its own and other members'),
 * each weighted by its issuer's reputation here, and the reputation this
 * node keeps of every member (core/reputation, docs/reputation.md).
 * Reads only: they run on the store whether or not the node is running.
 */
import { z } from 'zod'
import { attestationWeightPermille, reputationOf, accuracyPermille, adherencePermille, reputationScore, type NodeReputation, type AccuracyInput } from '../core/reputation/reputation.ts'
import type { AdherenceKind } from '../core/chain/state.ts'
import type { AttestationClaims } from '../core/attestation/claims.ts'
import { weightedSatisfactionPermille, REPUTATION_SCORE_INITIAL } from '../core/reputation/reputation.ts'
import { AttestationRepository } from '../store/attestations.ts'
import { ChainRepository } from '../store/chains.ts'
import { ConsensusStore } from '../store/consensus.ts'
import type { Store } from '../store/store.ts'
import { parseArguments as parseArgs } from './arguments.ts'
import type { Operation } from './operation.ts'

export interface ReputationEntry {
  node_id: string
  site_id: string | null
  /** 0…100; 50 for a member nothing is known about */
  score: number
  accuracy_permille: number
  adherence_permille: number
  observations: number
  on_time: number
  late: number
  honoured: number
  broken: number
}

/** Every member's reputation here, from this node's accuracy observations and adherence facts (this node itself is listed too, from what others' words say of nothing: 50). */
export async function nodeReputations (store: Store): Promise<Map<string, NodeReputation>> {
  const observations = new Map<string, AccuracyInput[]>()
  for (const o of await new AttestationRepository(store).accuracyObservations()) {
    const list = observations.get(o.node) ?? []
    list.push(o)
    observations.set(o.node, list)
  }
  const facts = new Map<string, AdherenceKind[]>()
  for (const f of await new ChainRepository(store).adherence()) {
    const list = facts.get(f.node) ?? []
    list.push(f.kind)
    facts.set(f.node, list)
  }
  const nodes = new Set([...observations.keys(), ...facts.keys()])
  const out = new Map<string, NodeReputation>()
  for (const node of nodes) out.set(node, reputationOf(node, observations.get(node) ?? [], facts.get(node) ?? []))
  return out
}

function entryOf (r: NodeReputation, siteId: string | null): ReputationEntry {
  return {
    node_id: r.node,
    site_id: siteId,
    score: reputationScore(r),
    accuracy_permille: accuracyPermille(r),
    adherence_permille: adherencePermille(r),
    observations: r.accuracy_count,
    on_time: r.on_time,
    late: r.late,
    honoured: r.honoured,
    broken: r.broken
  }
}

/** The reputation score (0…100) of each member by PeerId: what `fedmesh members` shows next to consensus trust. */
export async function reputationScores (store: Store): Promise<Map<string, number>> {
  const reputations = await nodeReputations(store)
  return new Map([...reputations].map(([node, r]) => [node, reputationScore(r)]))
}

/** `reputation.list`: the reputation this node keeps of every member (and of nodes it saw in chains). */
export const reputationList: Operation<unknown, { members: ReputationEntry[] }> = {
  name: 'reputation.list',
  audited: false,
  async run (context, args) {
    parseArgs(z.strictObject({}), args, 'reputation.list')
    const reputations = await nodeReputations(context.store)
    const membership = await new ConsensusStore(context.store).membership()
    const sites = new Map<string, string | null>()
    for (const m of membership?.members.values() ?? []) sites.set(m.node_id, m.site_id ?? null)
    const nodes = [...new Set([...sites.keys(), ...reputations.keys()])].sort()
    return { members: nodes.map((node) => entryOf(reputations.get(node) ?? reputationOf(node, [], []), sites.get(node) ?? null)) }
  }
}

export interface AttestationView {
  participant: string
  issuing_node: string
  issuer_site: string | null
  issued_at_ms: number
  participant_key: string
  claims: AttestationClaims
  /** the issuer's reputation score here (0…100) */
  issuer_reputation: number
  /** how much the claims count here, permille (score × 10; 0 below 25) */
  weight_permille: number
  /** the claimed satisfaction shrunk towards 500 by the missing weight (what matching uses) */
  weighted_satisfaction_permille: number
}

const listArgs = z.strictObject({ participant: z.string().min(1).optional() })

/** `attestations.list`: the latest attestation per participant this node holds (for a moved participant id: every home's, by its key). */
export const attestationsList: Operation<z.input<typeof listArgs>, { attestations: AttestationView[], resolved?: { id: string, home: string, key: string } }> = {
  name: 'attestations.list',
  audited: false,
  async run (context, args) {
    const { participant } = parseArgs(listArgs, args, 'attestations.list')
    const scores = await reputationScores(context.store)
    const membership = await new ConsensusStore(context.store).membership()
    // a participant id that moved (issue 14): on a running node, follow its redirects (hop bound, loop
    // detection) and list the attestations of its key, whatever home issued them
    const resolution = participant?.startsWith('sep://') === true ? await context.services?.migration?.resolve(participant) : undefined
    const key = resolution?.key
    const records = (await new AttestationRepository(context.store).list()).filter((r) => participant === undefined || r.attestation.participant === participant ||
      r.attestation.participant.startsWith(`sep://${participant}@`) || (key !== undefined && r.attestation.participant_key === key))
    return {
      ...(resolution === undefined || resolution.hops.length === 0 ? {} : { resolved: { id: resolution.id, home: resolution.home, key: resolution.key! } }),
      attestations: records.map(({ attestation: a }) => {
        const score = scores.get(a.issuing_node) ?? REPUTATION_SCORE_INITIAL
        return {
          participant: a.participant,
          issuing_node: a.issuing_node,
          issuer_site: membership?.members.get(a.issuing_node)?.site_id ?? null,
          issued_at_ms: a.issued_at_ms,
          participant_key: a.participant_key,
          claims: a.claims,
          issuer_reputation: score,
          weight_permille: attestationWeightPermille(score),
          weighted_satisfaction_permille: weightedSatisfactionPermille(a.claims.satisfaction_rate_permille, score)
        }
      })
    }
  }
}

export const attestationOperations: ReadonlyArray<Operation<never, unknown>> = [attestationsList, reputationList]
