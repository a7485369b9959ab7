/**
 * Matching operator actions, as operations (run on the store directly, or
 * through the running node's API): add, list and remove the node's
 * participants, and clear the chains available now from them plus the
 * summaries received from other nodes.
 *
 * The node part of participant ids is the node's site id (core/identity).
 */
import { performance } from 'node:perf_hooks'
import { z } from 'zod'
import type { Config } from '../config/schema.ts'
import { formatParticipantId, parseParticipantId, PARTICIPANT_ID_SCHEME } from '../core/identity/participant-id.ts'
import { validateParticipant, type Participant } from '../core/matching/participant.ts'
import { validateSummary } from '../core/matching/summary.ts'
import { buildInstance, type InstanceNodeInput, type MatchingInstance } from '../core/matching/instance.ts'
import { clearForMatch, SOLVER_TIME_LIMIT_MS_MAX } from '../solver/index.ts'
import { enumerateChains } from '../core/matching/enumeration.ts'
import { matchReport, type ClearingProvenance, type MatchReport, type ReportedChain } from '../core/matching/report.ts'
import { explainChain } from '../core/matching/chain.ts'
import { CHAIN_LENGTH_DEFAULT, CHAINS_ENUMERATED_MAX } from '../core/matching/limits.ts'
import { ParticipantRepository, type ParticipantRecord } from '../store/participants.ts'
import { formatParticipantKey, parseParticipantKey } from '../core/identity/participant-keys.ts'
import { publicKeyToClaims } from '../core/chain/node-statement.ts'
import { generateParticipantSeeds, participantSignerFromSeeds } from '../crypto/participant-keys.ts'
import { SummaryRepository } from '../store/matching-summaries.ts'
import { loadTaxonomy } from '../store/matching-taxonomy.ts'
import { AttestationRepository } from '../store/attestations.ts'
import { ConsensusStore } from '../store/consensus.ts'
import { clearPreferringServed, localParticipantWeight, remoteNodeWeight, type HeldAttestation } from '../core/matching/weighting.ts'
import type { Clearing } from '../core/matching/clearing.ts'
import { reputationScores } from './attestations.ts'
import { parseArguments as parseArgs } from './arguments.ts'
import type { Operation, OperationComponents } from './operation.ts'

/** The node part participant ids are formed with: this node's site id. */
export function localNodeId (config: Config): string {
  return config.site_id
}

const addArgs = z.strictObject({
  handle: z.string(),
  offers: z.array(z.string()).min(1, 'at least one offer'),
  needs: z.array(z.string()).min(1, 'at least one need'),
  weight: z.number().int().optional(),
  /** the participant's own key text to import (`fedmesh-participant-key:1:…`); absent → a fresh one */
  key: z.string().optional()
})

/** `participant.add`: validates against the taxonomy and stores `sep://<handle>@<node>` with its own key (fresh or imported; the node keeps the secret). */
export const participantAdd: Operation<z.input<typeof addArgs>, ParticipantRecord> = {
  name: 'participant.add',
  async run (context, args) {
    const { handle, offers, needs, weight, key } = parseArgs(addArgs, args, 'participant.add')
    const taxonomy = await loadTaxonomy(context.dataDir)
    const id = formatParticipantId({ handle, node: localNodeId(context.config) })
    const participant = validateParticipant({ id, offers, needs, ...(weight === undefined ? {} : { weight }) }, taxonomy)
    const seeds = key === undefined ? generateParticipantSeeds() : parseParticipantKey(key)
    const publicKey = publicKeyToClaims(participantSignerFromSeeds(seeds).publicKey)
    const added = await new ParticipantRepository(context.store).add(participant, context.clock.now(), {
      publicKey: { ed25519: publicKey.ed25519, mldsa: publicKey.mldsa, mldsa_level: publicKey.mldsa_level },
      secret: formatParticipantKey(seeds)
    })
    context.services?.summaries.changed() // a running node tells the federation the new counts
    return added
  }
}

/** `participant.list`: every participant of this node, by id. */
export const participantList: Operation<Record<string, never>, ParticipantRecord[]> = {
  name: 'participant.list',
  async run (context, args) {
    parseArgs(z.strictObject({}), args, 'participant.list')
    return await new ParticipantRepository(context.store).list()
  }
}

const removeArgs = z.strictObject({ participant: z.string().min(1) })

/** `participant.remove`: by full id or by handle on this node. */
export const participantRemove: Operation<z.input<typeof removeArgs>, ParticipantRecord> = {
  name: 'participant.remove',
  async run (context, args) {
    const { participant } = parseArgs(removeArgs, args, 'participant.remove')
    const id = participant.startsWith(PARTICIPANT_ID_SCHEME)
      ? formatParticipantId(parseParticipantId(participant))
      : formatParticipantId({ handle: participant, node: localNodeId(context.config) })
    const removed = await new ParticipantRepository(context.store).remove(id)
    context.services?.summaries.changed()
    return removed
  }
}

const matchArgs = z.strictObject({
  cap: z.number().int().nullable().default(CHAIN_LENGTH_DEFAULT),
  candidates: z.boolean().default(false),
  limit: z.number().int().min(1).max(CHAINS_ENUMERATED_MAX).optional(),
  /** the exact/certified mode (src/solver/: HiGHS in a worker) instead of the heuristic */
  exact: z.boolean().default(false),
  time_limit_ms: z.number().int().min(1).max(SOLVER_TIME_LIMIT_MS_MAX).optional()
})

/** A match on the node's store: the clearing report, plus which summaries were used or skipped. */
export interface NodeMatchReport extends MatchReport {
  node: string
  nodes: string[]
  skipped_summaries: Array<{ node: string, reason: string }>
  /** this node's participants whose categories are not in the current taxonomy */
  skipped_participants: Array<{ participant: string, reason: string }>
  /** every candidate chain up to the cap (with `candidates: true`) */
  candidates?: { chains: ReportedChain[], truncated: boolean }
  /** the weights the clearing's second objective used (core/matching/weighting.ts): per remote site, and per local participant */
  weighting: MatchWeighting
}

/** Attestation and reputation weights of one match (docs/matching.md, "Weighting"). */
export interface MatchWeighting {
  /** remote site → the weight of its units */
  nodes: Record<string, number>
  /** local participant id → its weight */
  participants: Record<string, number>
  /** true when the weighted clearing served fewer and the unweighted one was used */
  fallback: boolean
}

/** The weights of this node's participants and of every remote site, from the attestations and reputations in the store. */
export async function matchWeights (context: Pick<OperationComponents, 'store'>, self: string, local: ReadonlyArray<{ id: string, weight?: number }>, remoteSites: readonly string[]): Promise<{ participants: Map<string, number>, nodes: Map<string, number> }> {
  const held = await new AttestationRepository(context.store).list()
  const latest = new Map(held.map((r) => [r.attestation.participant, r.attestation]))
  const participants = new Map(local.map((p) => [p.id, localParticipantWeight(p.weight, latest.get(p.id)?.claims.satisfaction_rate_permille)]))
  const membership = await new ConsensusStore(context.store).membership()
  const nodeOfSite = new Map<string, string>()
  for (const m of membership?.members.values() ?? []) if (m.site_id !== undefined) nodeOfSite.set(m.site_id, m.node_id)
  const issuedBy = new Map<string, HeldAttestation[]>()
  for (const { attestation } of held) {
    const list = issuedBy.get(attestation.issuing_node) ?? []
    list.push({ satisfaction_rate_permille: attestation.claims.satisfaction_rate_permille })
    issuedBy.set(attestation.issuing_node, list)
  }
  const scores = await reputationScores(context.store)
  const nodes = new Map<string, number>()
  for (const site of remoteSites) {
    if (site === self) continue
    const node = nodeOfSite.get(site)
    nodes.set(site, node === undefined ? remoteNodeWeight([]) : remoteNodeWeight(issuedBy.get(node) ?? [], scores.get(node)))
  }
  return { participants, nodes }
}

/** `match`: clears this node's participants with the stored summaries of other nodes. */
export const match: Operation<z.input<typeof matchArgs>, NodeMatchReport> = {
  name: 'match',
  async run (context, args) {
    const { cap, candidates, limit, exact, time_limit_ms: timeLimitMs } = parseArgs(matchArgs, args, 'match')
    const taxonomy = await loadTaxonomy(context.dataDir)
    const self = localNodeId(context.config)
    const participants: Participant[] = []
    const skippedParticipants: NodeMatchReport['skipped_participants'] = []
    // a paused participant, or one reserved by an open chain, is not offered again
    const reserved = context.services?.chains?.reserved() ?? new Set<string>()
    for (const { id, offers, needs, weight, status } of await new ParticipantRepository(context.store).list()) {
      if (status === 'paused' || reserved.has(id)) continue
      try {
        participants.push(validateParticipant({ id, offers, needs, ...(weight === undefined ? {} : { weight }) }, taxonomy))
      } catch (err) {
        // added under an earlier taxonomy.yaml: report it rather than refuse to match everyone else
        skippedParticipants.push({ participant: id, reason: (err as Error).message })
      }
    }
    const remote: InstanceNodeInput[] = []
    const skipped: NodeMatchReport['skipped_summaries'] = []
    for (const record of await new SummaryRepository(context.store).list()) {
      if (record.node === self) continue
      try {
        remote.push({ id: record.node, summary: validateSummary({ node: record.node, entries: record.entries }, taxonomy).entries })
      } catch (err) {
        // a summary made under another taxonomy must not stop this node matching with the rest
        skipped.push({ node: record.node, reason: (err as Error).message })
      }
    }
    // attestations and reputation weigh the second objective; the unweighted clearing is the guard that it never costs a participant served
    const weights = await matchWeights(context, self, participants, remote.map((n) => n.id))
    const weighted: InstanceNodeInput[] = [
      { id: self, participants: participants.map((p) => ({ ...p, weight: weights.participants.get(p.id)! })) },
      ...remote.map((n) => ({ ...n, weight: weights.nodes.get(n.id)! }))
    ]
    const started = performance.now()
    const solve = async (input: InstanceNodeInput[]): Promise<{ instance: MatchingInstance, clearing: Clearing & ClearingProvenance, participantsServed: number, optimal: boolean }> => {
      const instance = buildInstance(taxonomy, input)
      const clearing = await clearForMatch(instance, { cap, exact, ...(timeLimitMs === undefined ? {} : { timeLimitMs }) })
      return { instance, clearing, participantsServed: clearing.participantsServed, optimal: clearing.optimal }
    }
    const chosen = await clearPreferringServed(async () => await solve(weighted), async () => await solve([{ id: self, participants }, ...remote]))
    const { instance, clearing } = chosen.clearing
    const report: NodeMatchReport = {
      ...matchReport(clearing, performance.now() - started),
      node: self,
      nodes: instance.nodes.map((n) => n.id),
      skipped_summaries: skipped,
      skipped_participants: skippedParticipants,
      weighting: { nodes: Object.fromEntries(weights.nodes), participants: Object.fromEntries(weights.participants), fallback: chosen.fallback }
    }
    if (candidates) {
      const found = enumerateChains(instance, { cap: cap ?? CHAIN_LENGTH_DEFAULT, ...(limit === undefined ? {} : { limit }) })
      report.candidates = {
        chains: found.chains.map((chain) => ({ length: chain.steps.length, steps: chain.steps, explanation: explainChain(chain) })),
        truncated: found.truncated
      }
    }
    return report
  }
}

/** The matching operations. */
export const matchingOperations: ReadonlyArray<Operation<never, unknown>> = [participantAdd, participantList, participantRemove, match]
