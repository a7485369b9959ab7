/**
 * The consensus service (see index.ts). Steps run one after another (local
 * proposals and votes, gossiped items, deadlines), each against the state the
 * previous one left: compute, persist, then take the new state — a failed
 * write leaves the old state in memory.
 */
import { z } from 'zod'
import { decodeJsonPayload } from '../../wire/json-payload.ts'
import { InputError, PayloadRefusedError, VerdictError } from '../../core/errors.ts'
import { applyEvidence, applyVote, closeSlot, learnEvent, receiveVote, type ConsensusState, type StepResult } from '../../core/consensus/machine.ts'
import { pendingSlots, type PendingSlot } from '../../core/consensus/pending.ts'
import { VOTING_POLICY_DEFAULT, autoVoteRule, type AutoVoteRule } from '../../core/consensus/voting-policy.ts'
import type { ValidatedEnvelope } from '../../wire/pipeline.ts'
import { autoVoteDecision } from './voting-policy.ts'
import { signVote, voteFromJson, voteToJson, type Vote } from '../../core/consensus/vote.ts'
import { evidenceFromJson, evidenceToJson, type EquivocationEvidenceJson } from '../../core/consensus/evidence.ts'
import { eventHash, parseEvent, type ConsensusEvent } from '../../core/consensus/event.ts'
import type { BatchOperation } from '../../store/store.ts'
import type { AuditRecord } from '../../core/audit/record.ts'
import { consensusAuditRecords } from '../audit/records.ts'
import type { SlotState } from '../../core/consensus/slot.ts'
import { CONSENSUS_CONTENT_TYPE, CONSENSUS_PAYLOAD_BYTES_MAX, CONSENSUS_SCHEMA_ID, SLOT_DEADLINE_CHECK_MS_MAX, VOTE_CLASS } from './constants.ts'
import type { Consensus, ConsensusComponents, ConsensusInit } from './index.ts'

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

/** The slot was completed already: no more votes or events for it. */
export class SlotCompletedError extends InputError {
  static override readonly code = 'SlotCompletedError'
  override readonly name = 'SlotCompletedError'
}

/**
 * This node already signed a vote in this slot (for another hash, or by
 * proposing there): a second signature would be equivocation. Checked
 * against the persisted slashing-protection record, so it holds across restarts.
 */
export class AlreadyVotedError extends InputError {
  static override readonly code = 'AlreadyVotedError'
  override readonly name = 'AlreadyVotedError'
}

/** No event with this hash is known in the slot: the node does not sign a vote for something it has not seen. */
export class UnknownEventError extends InputError {
  static override readonly code = 'UnknownEventError'
  override readonly name = 'UnknownEventError'
}

/** A gossiped event whose envelope was not signed by its proposer: the proposer's signature is what vouches for it. */
export class EventNotFromProposerError extends VerdictError {
  static override readonly code = 'EventNotFromProposerError'
  override readonly name = 'EventNotFromProposerError'
  readonly action = 'reject'
  override readonly code = 'event_not_from_proposer'
}

/** The slot a payload concerns, when it is well formed enough to say. */
function slotOf (payload: ConsensusPayload): string | undefined {
  const value = payload.kind === 'event' ? payload.event : payload.kind === 'vote' ? payload.vote : payload.evidence
  const slot = (value as { slot?: unknown } | null)?.slot
  return typeof slot === 'string' ? slot : undefined
}

/** Decodes a consensus payload from the wire; PayloadSchemaError when it is not one. */
function decodeConsensusPayload (bytes: Uint8Array): ConsensusPayload {
  return decodeJsonPayload(bytes, { schema: payloadSchema, bytesMax: CONSENSUS_PAYLOAD_BYTES_MAX, what: 'consensus' })
}

/** One node's consensus participation. */
export class ConsensusService implements Consensus {
  private readonly components: ConsensusComponents
  private readonly init: ConsensusInit
  private state: ConsensusState | undefined
  /** steps run one at a time, in arrival order */
  private steps: Promise<unknown> = Promise.resolve()
  private deadlineTimer: NodeJS.Timeout | undefined

  constructor (components: ConsensusComponents, init: ConsensusInit) {
    this.components = components
    this.init = init
  }

  /** Restores the state from the store and joins the vote topic. */
  async start (): Promise<void> {
    await this.reload()
    this.components.envelopes.register({
      dataClass: VOTE_CLASS,
      decodePayload: (bytes) => {
        const payload = decodeConsensusPayload(bytes)
        if (this.state === undefined) throw new PayloadRefusedError('ignore', 'no_membership', 'this node has no federation membership yet')
        return payload
      },
      commit: async (payload, envelope, persist) => {
        const result = await this.serial(async () => await this.stepAndCommit(payload, envelope, persist))
        return async () => {
          await this.publishEvidence(result)
          await this.autoVote(result)
        }
      }
    })
    const timeoutMs = this.init.slotTimeoutMs
    this.deadlineTimer = setInterval(() => { void this.closeExpiredSlots() }, Math.min(timeoutMs / 4, SLOT_DEADLINE_CHECK_MS_MAX))
    this.deadlineTimer.unref()
  }

  stop (): void {
    if (this.deadlineTimer !== undefined) clearInterval(this.deadlineTimer)
    this.deadlineTimer = undefined
  }

  /** True once a membership is known. */
  get ready (): boolean {
    return this.state !== undefined
  }

  /** The in-memory state of a slot (a read model: status pages and tests). */
  slot (slot: string): SlotState | undefined {
    return this.state?.slots.get(slot)
  }

  /** Every slot held in memory (a read model: the metrics). */
  slots (): SlotState[] {
    return [...(this.state?.slots.values() ?? [])]
  }

  /** Fails every slot pending longer than the slot timeout; tie-breaking resolves it. */
  async closeExpiredSlots (): Promise<void> {
    const now = this.components.clock.now()
    const deadline = now - this.init.slotTimeoutMs
    for (const slot of [...(this.state?.slots.values() ?? [])]) {
      if (slot.status !== 'pending' || slot.opened_at > deadline) continue
      try {
        const result = await this.serial(async () => await this.commitResult(closeSlot(this.state!, slot.slot, { now })))
        await this.publishEvidence(result)
      } catch (err) {
        this.components.logger.error({ err, slot: slot.slot }, 'closing an expired slot failed')
      }
    }
  }

  async reload (): Promise<void> {
    await this.serial(async () => {
      this.take(await this.components.consensusStore.restoreState({ fallbackPolicy: this.init.fallbackPolicy, now: this.components.clock.now(), verifier: this.components.verifier }))
    })
  }

  /** Proposes an event and votes for it: refused before anything is signed when this node signed in the slot or it completed. */
  async propose (input: { type: string, slot: string, body: unknown }): Promise<{ event_hash: string, slot: string }> {
    const state = this.requireState()
    const event = parseEvent({ ...input, federation_id: state.federation_id, initiated_at: this.components.clock.now(), proposer: this.components.nodeId })
    const hash = eventHash(event)
    const { result, vote } = await this.serial(async () => {
      await this.refuseSecondSignature(event.slot, null)
      const context = this.context()
      const learned = learnEvent(this.requireState(), event, context)
      return await this.signAndCommit(learned, event.slot, hash)
    })
    await this.publishEvidence(result)
    await this.publish({ kind: 'event', event })
    await this.publish({ kind: 'vote', vote: voteToJson(vote) })
    return { event_hash: hash, slot: event.slot }
  }

  /**
   * Signs this node's vote for `eventHash` in `slot`, unless it signed in the slot before: the same
   * hash again re-gossips the stored vote (nothing new is signed), another hash is AlreadyVotedError.
   */
  async vote (slot: string, eventHash: string): Promise<{ slot: string, event_hash: string, status: string }> {
    const state = this.requireState()
    const outcome = await this.serial(async () => {
      const signed = await this.components.consensusStore.signedVote(state.federation_id, slot)
      if (signed !== undefined && signed.event_hash === eventHash) return { result: undefined, vote: voteFromJson(signed.vote) }
      await this.refuseSecondSignature(slot, eventHash)
      if (this.requireState().slots.get(slot)?.events.has(eventHash) !== true) {
        throw new UnknownEventError(`no event with hash ${eventHash} is known in slot ${slot}: this node signs only what it has seen ("fedmesh consensus pending" lists the open slots and their events)`)
      }
      const base: StepResult = { state: this.requireState(), records: [], evidence: [] }
      return await this.signAndCommit(base, slot, eventHash)
    })
    if (outcome.result !== undefined) await this.publishEvidence(outcome.result)
    await this.publish({ kind: 'vote', vote: voteToJson(outcome.vote) })
    return { slot, event_hash: eventHash, status: this.state?.slots.get(slot)?.status ?? 'pending' }
  }

  /** The open slots with their events and votes so far (consensus.pending). */
  pending (): PendingSlot[] {
    return pendingSlots(this.requireState(), { nodeId: this.components.nodeId, slotTimeoutMs: this.init.slotTimeoutMs })
  }

  /**
   * After an event from the network was committed: when the voting policy
   * says `auto` for its type and the type's rule passes, this node votes for
   * it — through the same never-sign-twice check and batch as a manual vote,
   * logged, with an operator record in the audit log naming the rule.
   */
  private async autoVote (result: StepResult): Promise<void> {
    for (const record of result.records) {
      if (record.kind !== 'event') continue
      const event = record.event
      const policy = this.init.votingPolicy ?? VOTING_POLICY_DEFAULT
      const rule = autoVoteRule(event.type)
      if (policy[event.type] !== 'auto' || rule === undefined) continue
      try {
        await this.autoVoteFor(event, record.event_hash, rule)
      } catch (err) {
        // already voted, slot completed: nothing to sign; the operator can still see the event in `consensus pending`
        this.components.logger.warn({ err, slot: event.slot, event_hash: record.event_hash, rule }, 'auto vote not cast')
      }
    }
  }

  private async autoVoteFor (event: ConsensusEvent, hash: string, rule: AutoVoteRule): Promise<void> {
    const { logger, clock } = this.components
    const outcome = await this.serial(async () => {
      const state = this.requireState()
      const slot = state.slots.get(event.slot)
      if (slot === undefined || slot.status !== 'pending' || !slot.events.has(hash)) return undefined
      const decision = autoVoteDecision(event, rule, slot.membership, this.components.verifier)
      if (!decision.approve) {
        logger.info({ slot: event.slot, event_hash: hash, rule, reason: decision.reason }, 'auto vote: rule not met, left for the operator')
        return undefined
      }
      const signed = await this.components.consensusStore.signedVote(state.federation_id, event.slot)
      if (signed !== undefined) {
        // this node signed in the slot already (the same or another hash): never a second signature
        logger.info({ slot: event.slot, event_hash: hash, rule, voted: signed.event_hash }, 'auto vote: this node already voted in the slot')
        return undefined
      }
      await this.refuseSecondSignature(event.slot, hash)
      const audit: AuditRecord = {
        kind: 'operator',
        timestamp_ms: clock.now(),
        action: 'consensus.vote',
        actor: 'voting-policy',
        detail: 'ok',
        attributes: { outcome: 'ok', mode: 'auto', rule, slot: event.slot, event_hash: hash, event_type: event.type }
      }
      return await this.signAndCommit({ state, records: [], evidence: [] }, event.slot, hash, [audit])
    })
    if (outcome === undefined) return
    logger.info({ slot: event.slot, event_hash: hash, event_type: event.type, rule }, 'auto vote cast by the voting policy')
    await this.publishEvidence(outcome.result)
    await this.publish({ kind: 'vote', vote: voteToJson(outcome.vote) })
  }

  /** Refuses to sign in a slot this node signed in already (persisted record, or a vote in memory from before it) or that completed. */
  private async refuseSecondSignature (slot: string, eventHash: string | null): Promise<void> {
    const state = this.requireState()
    const signed = await this.components.consensusStore.signedVote(state.federation_id, slot)
    const earlier = signed?.event_hash ?? state.slots.get(slot)?.first_votes.get(this.components.nodeId)?.event_hash
    if (earlier !== undefined && earlier !== eventHash) {
      throw new AlreadyVotedError(`this node already voted for ${earlier} in slot ${slot}; signing ${eventHash ?? 'a new proposal'} there would be equivocation`)
    }
    const inMemory = state.slots.get(slot)
    if ((inMemory !== undefined && inMemory.status !== 'pending') || (inMemory === undefined && await this.components.consensusStore.isCompleted(slot))) {
      throw new SlotCompletedError(`slot ${slot} is ${inMemory?.status ?? 'completed'}: no more proposals or votes`)
    }
  }

  /** Signs the vote and persists it, the step's records and the slashing-protection record in ONE batch, then takes the state. */
  private async signAndCommit (before: StepResult, slot: string, hash: string, extraAudit: AuditRecord[] = []): Promise<{ result: StepResult, vote: Vote }> {
    const { consensusStore, signer, nodeId, audit } = this.components
    const vote = signVote(signer, { federation_id: before.state.federation_id, slot, event_hash: hash, voter: nodeId })
    const voted = applyVote(before.state, vote, this.context())
    const result: StepResult = { state: voted.state, records: [...before.records, ...voted.records], evidence: [...before.evidence, ...voted.evidence] }
    // the signed-vote record, the step's records and what it decided for the audit log: one batch
    if (audit === undefined) await consensusStore.persistSigned(result.records, vote)
    else await audit.submit([...extraAudit, ...this.auditRecords(result)], [...consensusStore.recordOperations(result.records), consensusStore.signedVoteOperation(vote)])
    this.take(result.state)
    return { result, vote }
  }

  private context (): { now: number, verifier: ConsensusComponents['verifier'] } {
    return { now: this.components.clock.now(), verifier: this.components.verifier }
  }

  /** Runs `work` after every step before it: steps never interleave. */
  private async serial<R> (work: () => Promise<R>): Promise<R> {
    const run = this.steps.then(work)
    this.steps = run.catch(() => {})
    return await run
  }

  /** A slot no longer in memory that the store says completed must not reopen (after a restart or eviction). */
  private async refuseCompletedSlot (slot: string | undefined): Promise<void> {
    if (slot === undefined || this.state?.slots.get(slot) !== undefined) return
    if (await this.components.consensusStore.isCompleted(slot)) {
      throw new PayloadRefusedError('ignore', 'slot_completed', `slot ${slot} was completed and is no longer open`)
    }
  }

  /** One step from the current state; the state is replaced only after `persist` succeeded. */
  private async stepAndCommit (payload: ConsensusPayload, envelope: ValidatedEnvelope, persist: (writes: BatchOperation[], auditRecords?: AuditRecord[]) => Promise<void>): Promise<StepResult> {
    await this.refuseCompletedSlot(slotOf(payload))
    const proposer = payload.kind === 'event' ? (payload.event as { proposer?: unknown } | null)?.proposer : undefined
    if (payload.kind === 'event' && proposer !== envelope.source) {
      // the envelope's signature (its source's key, from the membership) is the proposer's signature over the event
      throw new EventNotFromProposerError(`event naming proposer ${String(proposer)} arrived in an envelope signed by ${envelope.source}`)
    }
    const result = this.step(payload)
    await persist(this.components.consensusStore.recordOperations(result.records), this.auditRecords(result))
    this.take(result.state)
    return result
  }

  /** Persists a step made here (no envelope to remember) and takes its state. */
  private async commitResult (result: StepResult): Promise<StepResult> {
    const { audit, consensusStore } = this.components
    if (audit === undefined) await consensusStore.persist(result.records)
    else await audit.submit(this.auditRecords(result), consensusStore.recordOperations(result.records))
    this.take(result.state)
    return result
  }

  /** Takes a new state (after its records are persisted); a changed membership is announced. */
  private take (state: ConsensusState | undefined): void {
    const before = this.state?.membership
    this.state = state
    if (state !== undefined && state.membership !== before) this.components.membershipChanged?.(state.membership)
  }

  /** The membership and policy changes a step decided, for the audit log (in the step's own batch). */
  private auditRecords (result: StepResult): AuditRecord[] {
    if (this.components.audit === undefined) return []
    return consensusAuditRecords({ nowMs: this.components.clock.now(), before: this.state?.membership, records: result.records })
  }

  private requireState (): ConsensusState {
    if (this.state === undefined) throw new ConsensusNotReadyError('no federation membership in this node\'s store: load a genesis file first ("fedmesh consensus genesis <file>")')
    return this.state
  }

  /** One pure step from the current state; nothing changes until the caller takes `result.state`. */
  private step (payload: ConsensusPayload): StepResult {
    const state = this.requireState()
    const context = { now: this.components.clock.now(), verifier: this.components.verifier }
    switch (payload.kind) {
      case 'event': return learnEvent(state, payload.event, context)
      case 'vote': return receiveVote(state, voteFromJson(payload.vote), context)
      case 'evidence': return applyEvidence(state, evidenceFromJson(payload.evidence as EquivocationEvidenceJson), context)
    }
  }

  /** Gossips the equivocation evidence a committed step found. */
  private async publishEvidence (result: StepResult): Promise<void> {
    for (const evidence of result.evidence) await this.publish({ kind: 'evidence', evidence: evidenceToJson(evidence) })
  }

  private async publish (payload: ConsensusPayload): Promise<void> {
    const { envelopes } = this.components
    const bytes = new TextEncoder().encode(JSON.stringify(payload))
    await envelopes.publish(VOTE_CLASS, envelopes.seal(VOTE_CLASS, CONSENSUS_SCHEMA_ID, bytes, CONSENSUS_CONTENT_TYPE))
  }
}
