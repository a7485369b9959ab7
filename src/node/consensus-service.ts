/**
 * Consensus on the network: events, votes and equivocation evidence travel as
 * signed envelopes on the `vote` topic; each arriving item is one pure step
 * of the consensus state machine (src/core/consensus/machine.ts). The step's
 * records are persisted before anything it produced is gossiped on.
 *
 * The step runs inside gossip validation, synchronously, so the verdict can
 * reflect it (a forged vote is a REJECT, costing the relay score) and two
 * messages can never step from the same base state.
 */
import { z } from 'zod'
import { InputError } from '../core/errors.ts'
import { applyEvidence, applyVote, closeSlot, learnEvent, type ConsensusState, type StepResult } from '../core/consensus/machine.ts'
import { signVote, voteFromJson, voteToJson } from '../core/consensus/vote.ts'
import { evidenceFromJson, evidenceToJson, type EquivocationEvidenceJson } from '../core/consensus/evidence.ts'
import { eventHash, parseEvent } from '../core/consensus/event.ts'
import { ConsensusStore } from '../store/consensus.ts'
import { PayloadSchemaError, PayloadVerdictError } from './envelope-gossip.ts'
import { configPolicy } from './consensus-operations.ts'
import type { FedmeshNode } from './node.ts'

export const VOTE_CLASS = 'vote'
export const CONSENSUS_SCHEMA_ID = 'fedmesh.consensus/1'
export const CONSENSUS_CONTENT_TYPE = 'application/json'
/** An event, a vote or two votes of evidence: far below this. */
export const CONSENSUS_PAYLOAD_BYTES_MAX = 64 * 1024

const payloadSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('event'), event: z.unknown() }),
  z.strictObject({ kind: z.literal('vote'), vote: z.unknown() }),
  z.strictObject({ kind: z.literal('evidence'), evidence: z.unknown() })
])
type ConsensusPayload = z.output<typeof payloadSchema>

/** No federation membership in this node's store yet (no genesis): consensus cannot run. */
export class ConsensusNotReadyError extends InputError {
  static override readonly code = 'ConsensusNotReadyError'
  override readonly name = 'ConsensusNotReadyError'
}

/**
 * Gossip verdicts for the state machine's errors: provably bad input is
 * REJECTed; what an honest node may send (a slot we have no room for, a voter
 * we exclude for low trust) is IGNOREd.
 */
const MACHINE_VERDICTS: Record<string, { action: 'reject' | 'ignore', reason: string }> = {
  MalformedVoteError: { action: 'reject', reason: 'malformed_vote' },
  InvalidEventError: { action: 'reject', reason: 'invalid_event' },
  InvalidEvidenceError: { action: 'reject', reason: 'invalid_evidence' },
  VoteWrongFederationError: { action: 'reject', reason: 'wrong_federation' },
  VoteFromNonMemberError: { action: 'reject', reason: 'non_member_voter' },
  VoteSignatureError: { action: 'reject', reason: 'bad_vote_signature' },
  VoterExcludedError: { action: 'ignore', reason: 'voter_excluded' },
  SlotsFullError: { action: 'ignore', reason: 'slots_full' }
}

/** The slot was completed already: no more votes or events for it. */
export class SlotCompletedError extends InputError {
  static override readonly code = 'SlotCompletedError'
  override readonly name = 'SlotCompletedError'
}

/** How often pending slots are checked against their deadline. */
export const SLOT_DEADLINE_CHECK_MS_MAX = 10_000

/** The slot a payload concerns, when it is well formed enough to say. */
function slotOf (payload: ConsensusPayload): string | undefined {
  const value = payload.kind === 'event' ? payload.event : payload.kind === 'vote' ? payload.vote : payload.evidence
  const slot = (value as { slot?: unknown } | null)?.slot
  return typeof slot === 'string' ? slot : undefined
}

/** One node's consensus participation. */
export class ConsensusService {
  private readonly node: FedmeshNode
  private readonly consensusStore: ConsensusStore
  private state: ConsensusState | undefined
  /** persistence is serialised so records land in the order their steps ran */
  private writes: Promise<void> = Promise.resolve()
  private deadlineTimer: NodeJS.Timeout | undefined

  constructor (node: FedmeshNode) {
    this.node = node
    this.consensusStore = new ConsensusStore(node.store)
  }

  /** Restores the state from the store and joins the vote topic. */
  async start (): Promise<void> {
    await this.reload()
    const node = this.node
    node.registerEnvelopeClass({
      dataClass: VOTE_CLASS,
      decodePayload: async (payload) => await this.stepFromPayload(payload),
      deliver: async (result: StepResult) => { await this.commit(result) }
    })
    const timeoutMs = node.config.consensus.slot_timeout_seconds * 1000
    this.deadlineTimer = setInterval(() => { void this.closeExpiredSlots() }, Math.min(timeoutMs / 4, SLOT_DEADLINE_CHECK_MS_MAX))
    this.deadlineTimer.unref()
  }

  stop (): void {
    if (this.deadlineTimer !== undefined) clearInterval(this.deadlineTimer)
    this.deadlineTimer = undefined
  }

  /** Fails every slot pending longer than `consensus.slot_timeout_seconds`; tie-breaking resolves it. */
  async closeExpiredSlots (): Promise<void> {
    const state = this.state
    if (state === undefined) return
    const now = this.node.now()
    const deadline = now - this.node.config.consensus.slot_timeout_seconds * 1000
    for (const slot of [...state.slots.values()]) {
      if (slot.status !== 'pending' || slot.opened_at > deadline) continue
      const result = closeSlot(this.state!, slot.slot, { now })
      this.state = result.state
      await this.commit(result)
    }
  }

  /** Re-reads membership, policy, trust and pending slots (after a genesis is loaded or trust is adjusted). */
  async reload (): Promise<void> {
    await this.writes
    this.state = await this.consensusStore.restoreState({ fallbackPolicy: configPolicy(this.node.config), now: this.node.now(), verifier: this.node.verifier })
  }

  /** True once a membership is known. */
  get ready (): boolean {
    return this.state !== undefined
  }

  /** Proposes an event in a slot: learns it, votes for it, and gossips both. */
  async propose (input: { type: string, slot: string, body: unknown }): Promise<{ event_hash: string, slot: string }> {
    const state = this.requireState()
    const event = parseEvent({ ...input, federation_id: state.federation_id, initiated_at: this.node.now(), proposer: this.node.peerId.toString() })
    const hash = eventHash(event)
    await this.local({ kind: 'event', event })
    await this.vote(event.slot, hash)
    return { event_hash: hash, slot: event.slot }
  }

  /** Signs and casts this node's vote for `eventHash` in `slot`, and gossips it. */
  async vote (slot: string, eventHash: string): Promise<{ slot: string, event_hash: string, status: string }> {
    const state = this.requireState()
    const vote = signVote(this.node.signer, { federation_id: state.federation_id, slot, event_hash: eventHash, voter: this.node.peerId.toString() })
    await this.local({ kind: 'vote', vote: voteToJson(vote) })
    return { slot, event_hash: eventHash, status: this.state?.slots.get(slot)?.status ?? 'pending' }
  }

  /** A slot no longer in memory that the store says completed must not reopen (after a restart or eviction). */
  private async refuseCompletedSlot (slot: string | undefined): Promise<void> {
    if (slot === undefined || this.state?.slots.get(slot) !== undefined) return
    if (await this.consensusStore.isCompleted(slot)) {
      throw new PayloadVerdictError('ignore', 'slot_completed', `slot ${slot} was completed and is no longer open`)
    }
  }

  /** Applies a payload made here exactly as one from the network, persists it, then gossips it. */
  private async local (payload: ConsensusPayload): Promise<void> {
    try {
      await this.refuseCompletedSlot(slotOf(payload))
    } catch (err) {
      if (err instanceof PayloadVerdictError) throw new SlotCompletedError(err.message)
      throw err
    }
    const result = this.step(payload)
    await this.commit(result)
    await this.publish(payload)
  }

  private requireState (): ConsensusState {
    if (this.state === undefined) throw new ConsensusNotReadyError('no federation membership in this node\'s store: load a genesis file first ("fedmesh consensus genesis <file>")')
    return this.state
  }

  /**
   * Gossip validation of a payload: decode, refuse votes for slots the store
   * already completed (evicted from memory, they would otherwise reopen), then
   * one machine step — synchronous from reading the state to replacing it, so
   * steps never interleave.
   */
  private async stepFromPayload (bytes: Uint8Array): Promise<StepResult> {
    if (bytes.byteLength > CONSENSUS_PAYLOAD_BYTES_MAX) throw new PayloadSchemaError(`consensus payload of ${bytes.byteLength} bytes exceeds ${CONSENSUS_PAYLOAD_BYTES_MAX}`)
    let raw: unknown
    try {
      raw = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes))
    } catch {
      throw new PayloadSchemaError('consensus payload is not UTF-8 JSON')
    }
    const parsed = payloadSchema.safeParse(raw)
    if (!parsed.success) throw new PayloadSchemaError(`consensus payload: ${parsed.error.issues[0]?.message ?? 'invalid'}`)
    if (this.state === undefined) throw new PayloadVerdictError('ignore', 'no_membership', 'this node has no federation membership yet')
    await this.refuseCompletedSlot(slotOf(parsed.data))
    try {
      return this.step(parsed.data)
    } catch (err) {
      const verdict = MACHINE_VERDICTS[(err as Error).name]
      if (verdict === undefined) throw err
      throw new PayloadVerdictError(verdict.action, verdict.reason, (err as Error).message, { cause: err })
    }
  }

  /** One pure step; the new state takes effect at once (persistence follows in `commit`). */
  private step (payload: ConsensusPayload): StepResult {
    const state = this.requireState()
    const context = { now: this.node.now(), verifier: this.node.verifier }
    let result: StepResult
    switch (payload.kind) {
      case 'event': result = learnEvent(state, payload.event, context); break
      case 'vote': result = applyVote(state, voteFromJson(payload.vote), context); break
      case 'evidence': result = applyEvidence(state, evidenceFromJson(payload.evidence as EquivocationEvidenceJson), context); break
    }
    this.state = result.state
    return result
  }

  /** Persists a step's records in order, then gossips any equivocation evidence it found. */
  private async commit (result: StepResult): Promise<void> {
    const write = this.writes.then(async () => { await this.consensusStore.persist(result.records) })
    this.writes = write.catch((err: unknown) => { this.node.log.error({ err }, 'persisting consensus records failed') })
    await write
    for (const evidence of result.evidence) await this.publish({ kind: 'evidence', evidence: evidenceToJson(evidence) })
  }

  private async publish (payload: ConsensusPayload): Promise<void> {
    const bytes = new TextEncoder().encode(JSON.stringify(payload))
    await this.node.gossip.publish(VOTE_CLASS, this.node.seal(VOTE_CLASS, CONSENSUS_SCHEMA_ID, bytes, CONSENSUS_CONTENT_TYPE))
  }
}
