/**
 * The audit service (see index.ts). Gossiped items are checked when they
 * arrive (origin, signatures: cheap checks first, ML-DSA last); the witness
 * decision on a checkpoint runs afterwards as its own step, one at a time,
 * because it may wait for the origin's consistency proof and must not hold
 * up the envelope channel's commits of the class meanwhile. A cosignature
 * goes straight to the checkpoint's origin on /fedmesh/audit-cosign/1.0.0
 * (one bounded attempt), never by gossip: only the origin keeps it.
 */
import { peerIdFromString } from '@libp2p/peer-id'
import { PayloadRefusedError } from '../../core/errors.ts'
import {
  signCheckpoint, signCosignature, verifySignedCheckpoint, type Cosignature, type SignedCheckpoint
} from '../../core/audit/checkpoint.ts'
import { verifySplitViewEvidence, type SplitViewEvidence } from '../../core/audit/split-view.ts'
import { checkCosignatureDelivery, type CosignatureDeliveryFields } from '../../core/audit/cosign.ts'
import { CosignatureRefusedError } from '../../core/audit/errors.ts'
import { equalBytes } from '../../core/audit/hash.ts'
import { checkpointCadence, checkpointSpacingMs, isUpkeep, type CheckpointCadence } from '../../core/audit/cadence.ts'
import { WITNESS_DRAW_BYTES, witnessCheckpoint, witnessesThis, witnessProbability, type WitnessDecision } from '../../core/audit/witness.ts'
import type { HybridPublicKey } from '../../core/signature.ts'
import type { AuditRecord } from '../../core/audit/record.ts'
import type { ValidatedEnvelope, Persist } from '../envelopes/index.ts'
import {
  AUDIT_CHECKPOINT_CLASS, AUDIT_CONTENT_TYPE, AUDIT_COSIGN_PROTOCOL, AUDIT_PROTOCOL, AUDIT_SCHEMA_ID, CADENCE_SCAN_PAGE, CONSISTENCY_REQUEST_MS_MAX, COSIGN_INBOUND_STREAMS_MAX,
  CHECKPOINT_SPACING_MS_PER_MEMBER, COSIGNATURE_SKEW_MS_MAX, OWN_CHECKPOINTS_COSIGNABLE_MAX, QUIET_CHECKPOINT_INTERVALS_DEFAULT, WITNESSES_PER_CHECKPOINT_DEFAULT
} from './constants.ts'
import { consistencyHandler, INBOUND_STREAMS_MAX, requestConsistency } from './consistency-stream.ts'
import { cosignHandler, sendCosignature } from './cosign-stream.ts'
import { dialableWithoutLookup } from '../../net/dialable.ts'
import { cosignatureCounters, type CosignatureStats } from './metrics.ts'
import { decodeAuditPayload, encodeAuditPayload, type AuditPayload } from './payload.ts'
import type { Audit, AuditComponents, AuditInit } from './index.ts'

/** One of the node's own recent checkpoints and the witnesses whose cosignature on it is kept. */
interface OwnCheckpoint { checkpoint: SignedCheckpoint, witnesses: Map<string, Cosignature> }

/** The origin line of a node's checkpoints: `fedmesh/<federation_id>/<peerId>`. */
export function checkpointOrigin (federationId: string, nodeId: string): string {
  return `fedmesh/${federationId}/${nodeId}`
}

export class AuditService implements Audit {
  private readonly components: AuditComponents
  private readonly init: AuditInit
  private readonly origin: string
  private readonly originPrefix: string
  private timer: NodeJS.Timeout | undefined
  /** witness steps, one after another */
  private steps: Promise<unknown> = Promise.resolve()
  private running = false
  /** aborts a consistency request under way when the service stops */
  private shutdown = new AbortController()
  /** the newest own checkpoints (≤ OWN_CHECKPOINTS_COSIGNABLE_MAX) by size: what a delivered cosignature must sign */
  private readonly own = new Map<number, OwnCheckpoint>()
  /** cosignature deliveries under way (to origins), awaited by settled() */
  private readonly deliveries = new Set<Promise<void>>()
  private readonly counters: ReturnType<typeof cosignatureCounters>
  /** the newest checkpoint this run signed, and when (the timer's cadence starts from it) */
  private lastOwn: { size: number, atMs: number } | undefined
  /** every entry in [lastOwn.size, scannedTo) is upkeep (the timer reads each entry once) */
  private scannedTo = 0
  /** what the timer decided, by decision */
  private readonly cadence: Record<CheckpointCadence, number> = { due: 0, empty: 0, unchanged: 0, spaced: 0, quiet: 0 }
  /** when this run began (the first periodic checkpoint is spaced from it) */
  private startedAtMs: number

  constructor (components: AuditComponents, init: AuditInit) {
    this.components = components
    this.init = init
    this.origin = checkpointOrigin(init.federationId, components.nodeId)
    this.originPrefix = checkpointOrigin(init.federationId, '')
    this.counters = cosignatureCounters(components.registry)
    this.startedAtMs = components.clock.now()
  }

  async start (): Promise<void> {
    this.running = true
    this.startedAtMs = this.components.clock.now()
    this.shutdown = new AbortController()
    this.components.envelopes.register<AuditPayload>({
      dataClass: AUDIT_CHECKPOINT_CLASS,
      decodePayload: (bytes, envelope) => this.check(decodeAuditPayload(bytes), envelope),
      commit: async (payload, envelope, persist) => await this.commit(payload, envelope, persist)
    })
    await this.components.streams.handle(AUDIT_PROTOCOL, consistencyHandler({
      log: this.components.log,
      isMember: (peer) => this.components.members.key(peer) !== undefined,
      logger: this.components.logger
    }), { maxInboundStreams: INBOUND_STREAMS_MAX })
    await this.loadOwnCheckpoints()
    await this.components.streams.handle(AUDIT_COSIGN_PROTOCOL, cosignHandler({
      accept: async (witness, delivery) => { await this.receiveCosignature(witness, delivery) },
      logger: this.components.logger
    }), { maxInboundStreams: COSIGN_INBOUND_STREAMS_MAX })
    if (this.init.checkpointIntervalMs > 0 && this.init.publish !== false) {
      this.timer = setInterval(() => { void this.checkpointQuietly() }, this.init.checkpointIntervalMs)
      this.timer.unref()
    }
  }

  async stop (): Promise<void> {
    this.running = false
    this.shutdown.abort()
    if (this.timer !== undefined) clearInterval(this.timer)
    this.timer = undefined
    await this.components.streams.unhandle(AUDIT_PROTOCOL)
    await this.components.streams.unhandle(AUDIT_COSIGN_PROTOCOL)
    await this.settled()
  }

  async checkpoint (): Promise<SignedCheckpoint | undefined> {
    const { log, signer } = this.components
    const head = log.head()
    if (head.size === 0) return undefined
    const checkpoint = signCheckpoint(signer, { origin: this.origin, size: head.size, root: head.root })
    await log.saveCheckpoint(checkpoint)
    this.remember({ checkpoint, witnesses: new Map() })
    this.lastOwn = { size: checkpoint.size, atMs: this.components.clock.now() }
    this.scannedTo = checkpoint.size
    await this.publish({ kind: 'checkpoint', checkpoint })
    return checkpoint
  }

  async evidence (): Promise<SplitViewEvidence[]> {
    return await this.components.witnesses.evidence()
  }

  async settled (): Promise<void> {
    await this.steps
    await Promise.all([...this.deliveries])
  }

  cosignatureStats (): CosignatureStats {
    return this.counters.stats()
  }

  /**
   * The origin's side of /fedmesh/audit-cosign/1.0.0: checks a cosignature `witness` (the stream's remote
   * peer) hands over (core/audit/cosign.ts: schema, duplicate, skew, membership, our checkpoint, signature)
   * and keeps it. Throws CosignatureRefusedError with the reason the ack carries.
   */
  async receiveCosignature (witness: string, delivery: CosignatureDeliveryFields): Promise<void> {
    try {
      const { size, cosignature } = checkCosignatureDelivery(delivery, {
        witness,
        witnessKey: witness === this.components.nodeId ? undefined : this.components.members.key(witness),
        ownCheckpoint: (size) => this.own.get(size)?.checkpoint,
        held: (size, who) => this.own.get(size)?.witnesses.get(who),
        nowMs: this.components.clock.now(),
        skewMsMax: COSIGNATURE_SKEW_MS_MAX,
        verifier: this.components.verifier
      })
      // the check ran synchronously on this map: the checkpoint is there and holds no cosignature of the witness
      const own = this.own.get(size)!
      own.witnesses.set(witness, cosignature) // before the write: a replay arriving during it is a duplicate
      try {
        await this.components.witnesses.write(this.components.witnesses.cosignatureOperations(size, cosignature))
      } catch (err) {
        own.witnesses.delete(witness)
        throw err
      }
      this.counters.count('received', 'kept')
    } catch (err) {
      this.counters.count('received', err instanceof CosignatureRefusedError ? err.reason : 'error')
      throw err
    }
  }

  /** The newest own checkpoints and the cosignatures kept on them, so a restarted origin still takes late ones. */
  private async loadOwnCheckpoints (): Promise<void> {
    const { log, witnesses } = this.components
    for (const checkpoint of (await log.checkpoints({ limit: OWN_CHECKPOINTS_COSIGNABLE_MAX, reverse: true })).reverse()) {
      this.remember({ checkpoint, witnesses: new Map((await witnesses.cosignatures(checkpoint.size)).map((c) => [c.witness, c])) })
    }
  }

  private remember (own: OwnCheckpoint): void {
    // the same size signed again (a log that did not grow): the cosignatures kept on it still count
    const before = this.own.get(own.checkpoint.size)
    if (before !== undefined && equalBytes(before.checkpoint.root, own.checkpoint.root)) {
      for (const [witness, cosignature] of before.witnesses) if (!own.witnesses.has(witness)) own.witnesses.set(witness, cosignature)
    }
    this.own.delete(own.checkpoint.size)
    this.own.set(own.checkpoint.size, own)
    // insertion order is checkpoint order: the oldest go first
    for (const size of this.own.keys()) {
      if (this.own.size <= OWN_CHECKPOINTS_COSIGNABLE_MAX) break
      this.own.delete(size)
    }
  }

  /**
   * The timer's step: a checkpoint when one is due (core/audit/cadence.ts): the log grew by more than
   * checkpoint traffic since the last one, or the last one is `quietIntervalsMax` intervals old.
   */
  async checkpointIfDue (): Promise<SignedCheckpoint | undefined> {
    const head = this.components.log.head()
    const last = this.lastOwn
    const grewOtherwise = last !== undefined && head.size > last.size && await this.grewOtherwise(last.size, head.size)
    const decision = checkpointCadence({
      headSize: head.size,
      last,
      grewOtherwise,
      nowMs: this.components.clock.now(),
      quietMsMax: (this.init.quietIntervalsMax ?? QUIET_CHECKPOINT_INTERVALS_DEFAULT) * this.init.checkpointIntervalMs,
      spacingMs: checkpointSpacingMs(this.components.members.members().length, this.init.spacingMsPerMember ?? CHECKPOINT_SPACING_MS_PER_MEMBER),
      startedAtMs: this.startedAtMs
    })
    this.cadence[decision]++
    return decision === 'due' ? await this.checkpoint() : undefined
  }

  /** The timer's decisions so far, by decision. */
  cadenceStats (): Record<CheckpointCadence, number> {
    return { ...this.cadence }
  }

  /** Whether the log holds an entry in [from, to) that is not upkeep (isUpkeep); entries read once each. */
  private async grewOtherwise (from: number, to: number): Promise<boolean> {
    for (let at = Math.max(from, this.scannedTo); at < to;) {
      let page
      try {
        page = await this.components.log.entries({ since: at, limit: Math.min(CADENCE_SCAN_PAGE, to - at) })
      } catch {
        return true // an entry that does not decode is not known to be upkeep
      }
      if (page.length === 0) return false
      for (const entry of page) if (!isUpkeep(entry.record, AUDIT_CHECKPOINT_CLASS)) return true
      at = page[page.length - 1].index + 1
      this.scannedTo = at
    }
    return false
  }

  private async checkpointQuietly (): Promise<void> {
    try {
      await this.checkpointIfDue()
    } catch (err) {
      this.components.logger.warn({ err }, 'signing or gossiping an audit checkpoint failed')
    }
  }

  /** The node id an origin line names, when it is one of this federation's. */
  private nodeOf (origin: string): string | undefined {
    return origin.startsWith(this.originPrefix) ? origin.slice(this.originPrefix.length) : undefined
  }

  private keyOf (nodeId: string | undefined, what: string): HybridPublicKey {
    const key = nodeId === undefined ? undefined : this.components.members.key(nodeId)
    if (key === undefined) throw new PayloadRefusedError('ignore', 'unknown_origin', `${what} is not a known member of this federation`)
    return key
  }

  /** Checks a payload before it is committed: who may send it, then its signatures (last: ML-DSA is the costly check). */
  private check (payload: AuditPayload, envelope: ValidatedEnvelope): AuditPayload {
    const { verifier } = this.components
    try {
      if (payload.kind === 'checkpoint') {
        // an origin gossips its own checkpoints; anyone else's copy is not its word
        if (payload.checkpoint.origin !== checkpointOrigin(this.init.federationId, envelope.source)) {
          throw new PayloadRefusedError('reject', 'origin_mismatch', `checkpoint of ${payload.checkpoint.origin} sent by ${envelope.source}`)
        }
        verifySignedCheckpoint(payload.checkpoint, this.keyOf(envelope.source, 'the checkpoint origin'), verifier)
      } else if (payload.kind === 'cosignature') {
        // cosignatures go straight to their origin (/fedmesh/audit-cosign/1.0.0); a gossiped one (an older node) is neither kept nor forwarded
        throw new PayloadRefusedError('ignore', 'cosignature_by_gossip', `cosignature by ${payload.cosignature.witness} came by gossip; it belongs on ${AUDIT_COSIGN_PROTOCOL}`)
      } else {
        verifySplitViewEvidence(payload.evidence, this.keyOf(this.nodeOf(payload.evidence.origin), 'the evidence origin'), verifier)
      }
    } catch (err) {
      if (err instanceof PayloadRefusedError) throw err
      throw new PayloadRefusedError('reject', 'bad_audit_signature', (err as Error).message, { cause: err })
    }
    return payload
  }

  /** Persists what a checked payload changes with the envelope's seen-id; a checkpoint's witness step runs after. */
  private async commit (payload: AuditPayload, envelope: ValidatedEnvelope, persist: Persist): Promise<(() => void) | undefined> {
    const { witnesses } = this.components
    if (payload.kind === 'cosignature') throw new PayloadRefusedError('ignore', 'cosignature_by_gossip', 'cosignatures are not gossiped') // check() refused it already
    if (payload.kind === 'evidence') {
      await persist(witnesses.evidenceOperations(payload.evidence))
      return undefined
    }
    await persist([])
    const checkpoint = payload.checkpoint
    if (!this.drawnAsWitness()) return undefined
    return () => { this.enqueueWitness(checkpoint, envelope.source) }
  }

  /**
   * Whether this member witnesses the checkpoint at hand: every one while the
   * membership is small, else a private draw (docs/audit.md, "Witness
   * sampling"). One draw per checkpoint received.
   */
  private drawnAsWitness (): boolean {
    const probability = witnessProbability(this.components.members.members().length, this.init.witnessesPerCheckpoint ?? WITNESSES_PER_CHECKPOINT_DEFAULT)
    return witnessesThis(probability, this.components.random.bytes(WITNESS_DRAW_BYTES))
  }

  private enqueueWitness (checkpoint: SignedCheckpoint, origin: string): void {
    const run = this.steps.then(async () => {
      if (!this.running) return
      await this.witness(checkpoint, origin)
    })
    this.steps = run.catch((err) => { this.components.logger.warn({ err, origin }, 'witnessing an audit checkpoint failed') })
  }

  /** One witness step: decide, ask the origin for a proof when needed, then cosign, ignore, or keep and gossip evidence. */
  private async witness (incoming: SignedCheckpoint, originNode: string): Promise<void> {
    const { witnesses, streams } = this.components
    const latest = await witnesses.latest(incoming.origin)
    let decision: WitnessDecision = witnessCheckpoint({ latest, incoming })
    if (decision.verdict === 'needs-proof') {
      const signal = AbortSignal.any([this.shutdown.signal, AbortSignal.timeout(CONSISTENCY_REQUEST_MS_MAX)])
      try {
        const answer = await requestConsistency(streams, { origin: originNode, oldSize: decision.old_size, newSize: decision.new_size, signal })
        decision = witnessCheckpoint({ latest, incoming, answer })
      } catch (err) {
        if (this.shutdown.signal.aborted) return
        // an origin that cannot or will not prove its log grew is not cosigned
        decision = { verdict: 'unproven', reason: (err as Error).message }
      }
    }
    await this.act(decision, incoming, originNode)
  }

  private async act (decision: WitnessDecision, incoming: SignedCheckpoint, originNode: string): Promise<void> {
    const { witnesses, audit, clock, signer, nodeId, logger } = this.components
    // decisions against a member's standing are audited; routine cosigning is not (the origin keeps the cosignature)
    const record = (change: string): AuditRecord => ({ kind: 'membership', timestamp_ms: clock.now(), change, node: originNode })
    switch (decision.verdict) {
      case 'known':
        return
      case 'needs-proof':
      case 'unproven':
        logger.warn({ origin: incoming.origin, size: incoming.size, decision }, 'an audit checkpoint could not be proven consistent; not cosigned')
        await audit.submit([record('checkpoint_unproven')])
        return
      case 'cosign': {
        const cosignature = signCosignature(signer, { checkpoint: incoming, witness: nodeId, timestampMs: clock.now() })
        await witnesses.write(witnesses.acceptOperations(decision.latest))
        this.deliver(originNode, incoming, cosignature)
        return
      }
      case 'split-view':
        logger.error({ origin: incoming.origin, kind: decision.evidence.kind }, 'split view: a member signed two histories of its audit log')
        await audit.submit([record('split_view_detected')], witnesses.evidenceOperations(decision.evidence))
        await this.publish({ kind: 'evidence', evidence: decision.evidence })
    }
  }

  /**
   * Hands a cosignature to the checkpoint's origin, beside the witness steps (an unreachable origin must
   * not hold up the next step): one bounded attempt, then dropped and counted, never retried. An origin
   * this node is not connected to and has no address for is not looked up in the DHT (a walk dialling ~10
   * members for one best-effort attestation): counted `unreachable`.
   */
  private deliver (originNode: string, checkpoint: SignedCheckpoint, cosignature: Cosignature): void {
    if (this.init.publish === false) return
    const { streams, logger } = this.components
    const send = async (): Promise<string> => {
      if (!await dialableWithoutLookup(streams, peerIdFromString(originNode))) return 'unreachable'
      try {
        await sendCosignature(streams, { origin: originNode, size: checkpoint.size, root: checkpoint.root, cosignature, signal: this.shutdown.signal })
        return 'kept'
      } catch (err) {
        // a refusal as duplicate means the origin holds it already
        const result = err instanceof CosignatureRefusedError ? err.reason : 'dropped'
        if (result !== 'duplicate') logger.debug({ err, origin: originNode, size: checkpoint.size }, 'a cosignature did not reach its origin; dropped')
        return result
      }
    }
    const delivery = send()
      .then((result) => { this.counters.count('sent', result) })
      .finally(() => { this.deliveries.delete(delivery) })
    this.deliveries.add(delivery)
  }

  private async publish (payload: AuditPayload): Promise<void> {
    if (this.init.publish === false) return
    const { envelopes } = this.components
    await envelopes.publish(AUDIT_CHECKPOINT_CLASS, envelopes.seal(AUDIT_CHECKPOINT_CLASS, AUDIT_SCHEMA_ID, encodeAuditPayload(payload), AUDIT_CONTENT_TYPE))
  }
}
