/**
 * The envelope channel (see index.ts): the inbound path of every signed
 * envelope — pipeline (size → decode → schema → duplicate → hops → skew →
 * federation → membership → signatures), the class's payload decoder, then
 * its commit, serialised per data class — and the outbound seal/publish.
 */
import type { PeerId } from '@libp2p/interface'
import { VerdictError, verdictOf } from '../../core/errors.ts'
import type { GossipVerdict } from '../../net/gossip.ts'
import { gossipTopic } from '../../net/gossip.ts'
import { SeenEnvelopes } from '../../store/seen-envelopes.ts'
import type { BatchOperation } from '../../store/store.ts'
import { decodeEnvelope, signEnvelope, type DataClass } from '../../wire/envelope.ts'
import { CLOCK_SKEW_MS_MAX } from '../../wire/limits.ts'
import { ReplayCache, rememberEnvelope, validateDecodedEnvelope, DuplicateEnvelopeError, type PipelineContext, type ValidatedEnvelope } from '../../wire/pipeline.ts'
import type { Random } from '../../runtime/random.ts'
import { ENVELOPE_ID_BYTES } from './constants.ts'
import type { AfterCommit, EnvelopeChannel, EnvelopeChannelComponents, EnvelopeChannelInit, EnvelopeClass } from './index.ts'

/** The store refused a commit: the message stays unacknowledged (IGNORE) so a later copy can still be accepted. */
export class PersistFailedError extends VerdictError {
  static override readonly code = 'PersistFailedError'
  override readonly name = 'PersistFailedError'
  readonly action = 'ignore'
  override readonly code = 'persist_failed'
}

/** The data class has no registered handler on this node. */
export class UnregisteredDataClassError extends VerdictError {
  static override readonly code = 'UnregisteredDataClassError'
  override readonly name = 'UnregisteredDataClassError'
  readonly action = 'ignore'
  override readonly code = 'unregistered_class'
}

interface Registered {
  envelopeClass: EnvelopeClass<unknown>
  /** commits of this class, one after another: a step never starts from a state another step is replacing */
  commits: Promise<unknown>
  random: Random
}

export class EnvelopeChannelService implements EnvelopeChannel {
  private readonly components: EnvelopeChannelComponents
  private readonly federationId: string
  private readonly replay = new ReplayCache()
  private readonly seen: SeenEnvelopes
  private readonly classes = new Map<DataClass, Registered>()
  /** ids whose commit is under way: a second copy arriving meanwhile is a duplicate */
  private readonly committing = new Set<string>()

  constructor (components: EnvelopeChannelComponents, init: EnvelopeChannelInit) {
    this.components = components
    this.federationId = init.federationId
    this.seen = new SeenEnvelopes(components.store, CLOCK_SKEW_MS_MAX)
  }

  async start (): Promise<void> {
    await this.seen.load(this.replay, this.components.clock.now())
  }

  register<T> (envelopeClass: EnvelopeClass<T>): string {
    this.classes.set(envelopeClass.dataClass, {
      envelopeClass: envelopeClass as EnvelopeClass<unknown>,
      commits: Promise.resolve(),
      random: this.components.random.fork(`envelope-id/${envelopeClass.dataClass}`)
    })
    return this.components.gossip.register({
      dataClass: envelopeClass.dataClass,
      validate: async (data, from) => await this.receive(envelopeClass.dataClass, data, from),
      deliver: async (after) => { await after?.() }
    })
  }

  seal (dataClass: DataClass, schemaId: string, payload: Uint8Array, contentType?: string): Uint8Array {
    const random = this.classes.get(dataClass)?.random ?? this.components.random.fork(`envelope-id/${dataClass}`)
    return signEnvelope({
      id: random.bytes(ENVELOPE_ID_BYTES),
      timestampMs: this.components.clock.now(),
      source: this.components.nodeId,
      destination: gossipTopic(this.federationId, dataClass),
      federationId: this.federationId,
      dataClass,
      schemaId,
      ...(contentType === undefined ? {} : { contentType }),
      payload
    }, this.components.signer)
  }

  async publish (dataClass: DataClass, bytes: Uint8Array): Promise<number> {
    return await this.components.gossip.publish(dataClass, bytes)
  }

  topics (): string[] {
    return this.components.gossip.topics()
  }

  async receive (dataClass: DataClass, bytes: Uint8Array, from?: PeerId): Promise<GossipVerdict<AfterCommit | undefined>> {
    try {
      const registered = this.classes.get(dataClass)
      if (registered === undefined) throw new UnregisteredDataClassError(`no handler for data class ${dataClass}`)
      const envelope = this.validate(dataClass, bytes)
      const value = registered.envelopeClass.decodePayload(envelope.payload, envelope)
      const after = await this.commit(registered, value, envelope, from)
      return { action: 'accept', value: after }
    } catch (err) {
      if (!(err instanceof VerdictError)) this.components.logger.warn({ err, dataClass }, 'handling an envelope failed; ignoring it')
      const verdict = verdictOf(err)
      return { action: verdict.action, code: verdict.code }
    }
  }

  /**
   * The wire pipeline. The source's key comes from the membership only: a
   * non-member is REJECTed `non_member` at once, with no lookup anywhere.
   */
  private validate (dataClass: DataClass, bytes: Uint8Array): ValidatedEnvelope {
    return validateDecodedEnvelope(decodeEnvelope(bytes), this.pipelineContext(dataClass))
  }

  private pipelineContext (dataClass: DataClass): PipelineContext {
    return {
      federationId: this.federationId,
      now: this.components.clock.now,
      replay: this.replay,
      verifier: this.components.verifier,
      memberKey: this.components.members.key,
      expectedDataClass: dataClass
    }
  }

  /** Runs the class's commit after the previous one of its class; the seen-id joins the commit's batch. */
  private async commit (registered: Registered, value: unknown, envelope: ValidatedEnvelope, from: PeerId | undefined): Promise<AfterCommit | undefined> {
    if (this.committing.has(envelope.idHex)) throw new DuplicateEnvelopeError(`envelope ${envelope.idHex} is being committed already`)
    this.committing.add(envelope.idHex)
    const run = registered.commits.then(async () => {
      if (this.replay.has(envelope.idHex)) throw new DuplicateEnvelopeError(`envelope ${envelope.idHex} was seen before`)
      let persisted = false
      const persist = async (writes: BatchOperation[]): Promise<void> => {
        try {
          await this.components.store.batch([...writes, this.seen.operation(envelope.idHex, envelope.timestampMs)])
        } catch (err) {
          throw new PersistFailedError(`persisting envelope ${envelope.idHex} failed: ${(err as Error).message}`, { cause: err })
        }
        persisted = true
      }
      const after = await registered.envelopeClass.commit(value, envelope, persist, from)
      if (!persisted) await persist([])
      rememberEnvelope({ replay: this.replay, now: this.components.clock.now }, envelope)
      return after
    })
    registered.commits = run.catch(() => {})
    try {
      return await run
    } finally {
      this.committing.delete(envelope.idHex)
    }
  }
}
