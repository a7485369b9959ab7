/**
 * The audit service (see index.ts). Gossiped items are checked when they
 * arrive (origin, signatures: cheap checks first, ML-DSA last); the witness
 * decision on a checkpoint runs afterwards as its own step, one at a time,
 * because it may wait for the origin's consistency proof and must not hold
 * up the envelope channel's commits of the class meanwhile.
 */
import { PayloadRefusedError } from '../../core/errors.ts'
import {
  signCheckpoint, signCosignature, verifyCosignature, verifySignedCheckpoint, type SignedCheckpoint
} from '../../core/audit/checkpoint.ts'
import { verifySplitViewEvidence, type SplitViewEvidence } from '../../core/audit/split-view.ts'
import { WITNESS_DRAW_BYTES, witnessCheckpoint, witnessesThis, witnessProbability, type WitnessDecision } from '../../core/audit/witness.ts'
import type { HybridPublicKey } from '../../core/signature.ts'
import type { AuditRecord } from '../../core/audit/record.ts'
import type { ValidatedEnvelope, Persist } from '../envelopes/index.ts'
import { AUDIT_CHECKPOINT_CLASS, AUDIT_CONTENT_TYPE, AUDIT_PROTOCOL, AUDIT_SCHEMA_ID, CONSISTENCY_REQUEST_MS_MAX, WITNESSES_PER_CHECKPOINT_DEFAULT } from './constants.ts'
import { consistencyHandler, INBOUND_STREAMS_MAX, requestConsistency } from './consistency-stream.ts'
import { decodeAuditPayload, encodeAuditPayload, type AuditPayload } from './payload.ts'
import type { Audit, AuditComponents, AuditInit } from './index.ts'

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

  constructor (components: AuditComponents, init: AuditInit) {
    this.components = components
    this.init = init
    this.origin = checkpointOrigin(init.federationId, components.nodeId)
    this.originPrefix = checkpointOrigin(init.federationId, '')
  }

  async start (): Promise<void> {
    this.running = true
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
    await this.settled()
  }

  async checkpoint (): Promise<SignedCheckpoint | undefined> {
    const { log, signer } = this.components
    const head = log.head()
    if (head.size === 0) return undefined
    const checkpoint = signCheckpoint(signer, { origin: this.origin, size: head.size, root: head.root })
    await log.saveCheckpoint(checkpoint)
    await this.publish({ kind: 'checkpoint', checkpoint })
    return checkpoint
  }

  async evidence (): Promise<SplitViewEvidence[]> {
    return await this.components.witnesses.evidence()
  }

  async settled (): Promise<void> {
    await this.steps
  }

  private async checkpointQuietly (): Promise<void> {
    try {
      await this.checkpoint()
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
        if (payload.cosignature.witness !== envelope.source) throw new PayloadRefusedError('reject', 'witness_mismatch', `cosignature by ${payload.cosignature.witness} sent by ${envelope.source}`)
        // only the origin keeps cosignatures on its checkpoints: others forward without the ML-DSA work
        if (payload.checkpoint.origin === this.origin) {
          verifySignedCheckpoint(payload.checkpoint, this.components.signer.publicKey, verifier)
          verifyCosignature(payload.checkpoint, payload.cosignature, this.keyOf(envelope.source, 'the witness'), verifier)
        }
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
    if (payload.kind === 'cosignature') {
      await persist(payload.checkpoint.origin === this.origin ? witnesses.cosignatureOperations(payload.checkpoint.size, payload.cosignature) : [])
      return undefined
    }
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
    // decisions against a member's standing are audited; routine cosigning is not (the cosignature itself is gossiped and kept)
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
        await this.publish({ kind: 'cosignature', checkpoint: incoming, cosignature })
        return
      }
      case 'split-view':
        logger.error({ origin: incoming.origin, kind: decision.evidence.kind }, 'split view: a member signed two histories of its audit log')
        await audit.submit([record('split_view_detected')], witnesses.evidenceOperations(decision.evidence))
        await this.publish({ kind: 'evidence', evidence: decision.evidence })
    }
  }

  private async publish (payload: AuditPayload): Promise<void> {
    if (this.init.publish === false) return
    const { envelopes } = this.components
    await envelopes.publish(AUDIT_CHECKPOINT_CLASS, envelopes.seal(AUDIT_CHECKPOINT_CLASS, AUDIT_SCHEMA_ID, encodeAuditPayload(payload), AUDIT_CONTENT_TYPE))
  }
}
