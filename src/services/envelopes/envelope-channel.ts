/**
 * The envelope channel (see index.ts): the inbound path of every signed
 * envelope — pipeline (size → decode → schema → duplicate → hops → skew →
 * federation → membership, all in memory; then the origin's log for a
 * sequenced envelope; then signatures), the class's payload decoder, then
 * its commit, serialised per data class — and the outbound seal/publish.
 */
import type { PeerId } from '@libp2p/interface'
import { InputError, PayloadRefusedError, VerdictError, verdictOf } from '../../core/errors.ts'
import { DataClassNotAllowedError } from '../../core/policy/data-policy.ts'
import type { GossipVerdict } from '../../net/gossip.ts'
import { gossipTopic } from '../../net/gossip.ts'
import { SeenEnvelopes } from '../../store/seen-envelopes.ts'
import type { BatchOperation } from '../../store/store.ts'
import { decodeEnvelope, signEnvelope, type DataClass, type DecodedEnvelope } from '../../wire/envelope.ts'
import type { AuditRecord } from '../../core/audit/record.ts'
import { boundaryBatchRecords, boundaryRecord } from '../audit/records.ts'
import type { LogCheck, LogLink } from '../../core/sync/log-book.ts'
import { EquivocationError, type OriginLogs } from './origin-logs.ts'
import type { HeldOwnEnvelope } from '../../store/sync-logs.ts'
import { CLOCK_SKEW_MS_MAX } from '../../wire/limits.ts'
import { ReplayCache, peekEnvelopeSource, precheckEnvelope, rememberEnvelope, validateDecodedEnvelope, DuplicateEnvelopeError, type PipelineContext, type ValidatedEnvelope } from '../../wire/pipeline.ts'
import type { Random } from '../../runtime/random.ts'
import { AUDIT_STAGE_RECORDS_MAX } from '../../store/audit-log.ts'
import { ENVELOPE_ID_BYTES, HELD_DRAIN_BATCH, LAST_ACCEPTED_CLASSES, OWN_HELD_MAX, OWN_HOLD_WAIT_MS } from './constants.ts'
import type { AfterCommit, EnvelopeChannel, EnvelopeChannelComponents, EnvelopeChannelInit, EnvelopeClass } from './index.ts'

/** The store refused a commit: the message stays unacknowledged (IGNORE) so a later copy can still be accepted. */
export class PersistFailedError extends VerdictError {
  static override readonly code = 'PersistFailedError'
  override readonly name = 'PersistFailedError'
  readonly action = 'ignore'
  override readonly code = 'persist_failed'
}

/** Too many own envelopes are held waiting for the own logs to settle: this one is refused (the caller knows), never dropped. */
export class OwnEnvelopesHeldFullError extends InputError {
  static override readonly code = 'OwnEnvelopesHeldFullError'
  override readonly name = 'OwnEnvelopesHeldFullError'
}

/** The data class has no registered handler on this node. */
export class UnregisteredDataClassError extends VerdictError {
  static override readonly code = 'UnregisteredDataClassError'
  override readonly name = 'UnregisteredDataClassError'
  readonly action = 'ignore'
  override readonly code = 'unregistered_class'
}

/** The verdict on an envelope whose source is not a member (NonMemberSourceError's action and code). */
const NON_MEMBER_VERDICT = { action: 'reject', code: 'non_member' } as const

/** A sequenced envelope's wire bytes and link, stored in its origin's log with the commit. */
interface LoggedEntry {
  bytes: Uint8Array
  link: LogLink
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
  /** provisional own envelopes (sealed while the own logs were unsettled) and what publish holds of each */
  private readonly provisional = new WeakMap<Uint8Array, HeldOwnEnvelope>()
  /** a provisional envelope's place in the held queue once published: resolves to its recipients once sent */
  private readonly queuedOf = new WeakMap<Uint8Array, Promise<number>>()
  private readonly heldWaiters = new Map<number, (recipients: number) => void>()
  private nextHeld = 0
  private draining: Promise<void> = Promise.resolve()
  /** classes whose group write failed: their in-memory state may be ahead of the store until a restart */
  private readonly stoppedClasses = new Set<DataClass>()
  /** when the latest envelope of a LAST_ACCEPTED_CLASSES class was accepted, by `class|source` (sources are members: bounded) */
  private readonly latest = new Map<string, { dataClass: string, source: string, atMs: number }>()

  constructor (components: EnvelopeChannelComponents, init: EnvelopeChannelInit) {
    this.components = components
    this.federationId = init.federationId
    this.seen = new SeenEnvelopes(components.store, CLOCK_SKEW_MS_MAX)
  }

  async start (): Promise<void> {
    await this.seen.load(this.replay, this.components.clock.now())
    const logs = this.components.logs
    if (logs === undefined) return
    await logs.start()
    const held = await logs.repository.heldCount()
    this.nextHeld = held.next
    logs.ownHeld = held.count
    if (held.count > 0) {
      logs.ownHeldSinceMs = (await logs.repository.allHeld(1))[0]?.held.heldAtMs
      this.components.logger.info({ held: held.count }, 'own envelopes held from before the restart: sent once the own logs are settled')
    }
    logs.onSettled(() => { void this.drainHeld() })
    // held before a crash that came after the own logs were settled (or settled by entries stored since)
    if (held.count > 0 && logs.ownLogsSettled()) void this.drainHeld()
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
    // a withheld class is never sealed for gossip, so it never enters this node's origin log (which sync serves)
    if (this.components.policy?.mayGossip(dataClass) === false) {
      void this.auditOutbound(dataClass, payload, { verdict: 'rejected', reason: DataClassNotAllowedError.code })
      throw new DataClassNotAllowedError(`${dataClass} may not enter gossip: a data policy withholds it from some member`)
    }
    const random = this.classes.get(dataClass)?.random ?? this.components.random.fork(`envelope-id/${dataClass}`)
    const logs = this.components.logs
    const id = random.bytes(ENVELOPE_ID_BYTES)
    const timestampMs = this.components.clock.now()
    if (logs !== undefined && !logs.ownLogsSettled()) {
      // own logs unsettled (no own log entry stored, no member asked yet): a provisional envelope, seq 0, that never
      // leaves the node; publish holds its content and sends it sealed again, sequenced, with the same id
      logs.unsequencedSealed++
      const provisional = this.sign({ id, timestampMs, dataClass, schemaId, contentType, payload })
      this.provisional.set(provisional, { dataClass, schemaId, payload: Buffer.from(payload).toString('base64'), ...(contentType === undefined ? {} : { contentType }), id: Buffer.from(id).toString('hex'), heldAtMs: timestampMs })
      return provisional
    }
    const bytes = this.sign({ id, timestampMs, dataClass, schemaId, contentType, payload, ...(logs === undefined ? {} : logs.nextOwn(dataClass)) })
    logs?.recordOwn(decodeEnvelope(bytes), bytes, async (operations) => { await this.components.store.batch(operations) })
    return bytes
  }

  private sign (fields: { id: Uint8Array, timestampMs: number, dataClass: DataClass, schemaId: string, contentType: string | undefined, payload: Uint8Array, originSeq?: number, prevHash?: Uint8Array }): Uint8Array {
    const { contentType, ...rest } = fields
    return signEnvelope({
      ...rest,
      source: this.components.nodeId,
      destination: gossipTopic(this.federationId, fields.dataClass),
      federationId: this.federationId,
      ...(contentType === undefined ? {} : { contentType })
    }, this.components.signer)
  }

  /**
   * Holds a provisional own envelope (sealed while the own logs were unsettled): persisted in the queue, sent
   * sequenced once the own logs settle. Waits for that up to OWN_HOLD_WAIT_MS and resolves to the peers it went to;
   * 0 when it is still held then (it stays queued, across restarts too, and goes out once a member settles the own
   * logs: `fedmesh sync status` shows it). Refuses (OwnEnvelopesHeldFullError) beyond OWN_HELD_MAX: never dropped.
   */
  private async hold (bytes: Uint8Array, held: HeldOwnEnvelope): Promise<number> {
    const logs = this.components.logs as OriginLogs
    let queued = this.queuedOf.get(bytes)
    if (queued === undefined) {
      if (logs.ownHeld >= OWN_HELD_MAX) {
        throw new OwnEnvelopesHeldFullError(`${logs.ownHeld} own envelopes are held already, waiting for a member to settle this node's own logs (fedmesh sync status); not accepting more`)
      }
      const number = this.nextHeld++
      logs.ownHeld++
      logs.ownHeldSinceMs ??= held.heldAtMs
      queued = (async () => {
        const sent = new Promise<number>((resolve) => { this.heldWaiters.set(number, resolve) })
        try {
          await logs.repository.putHeld(number, held)
        } catch (err) {
          logs.ownHeld--
          this.heldWaiters.delete(number)
          throw err
        }
        this.components.logger.info({ dataClass: held.dataClass, id: held.id, held: logs.ownHeld }, 'own logs unsettled: own envelope held until a member settles them')
        void this.drainHeld()
        return await sent
      })()
      // awaited below; if publish already returned (held), a late failure must not go unhandled
      queued.catch(() => {})
      this.queuedOf.set(bytes, queued)
    }
    let timer: NodeJS.Timeout | undefined
    const waited = new Promise<number>((resolve) => { timer = setTimeout(() => { resolve(0) }, OWN_HOLD_WAIT_MS) })
    try {
      return await Promise.race([queued, waited])
    } finally {
      clearTimeout(timer)
    }
  }

  /**
   * Once the own logs are settled: every held own envelope, oldest first, sealed again with the next seq (same id,
   * content; the time of sealing), its log entry stored in the batch that releases it from the queue, then gossiped
   * (and served by sync from the log like any own entry). One drain at a time.
   */
  private async drainHeld (): Promise<void> {
    const logs = this.components.logs
    if (logs === undefined) return
    this.draining = this.draining.then(async () => {
      if (!logs.ownLogsSettled()) return
      for (;;) {
        const batch = await logs.repository.allHeld(HELD_DRAIN_BATCH)
        if (batch.length === 0) break
        for (const { number, held } of batch) {
          const dataClass = held.dataClass as DataClass
          const bytes = this.sign({
            id: Buffer.from(held.id, 'hex'), timestampMs: this.components.clock.now(), dataClass, schemaId: held.schemaId, contentType: held.contentType,
            payload: Buffer.from(held.payload, 'base64'), ...logs.nextOwn(dataClass)
          })
          logs.recordOwn(decodeEnvelope(bytes), bytes, async (operations) => { await this.components.store.batch([...operations, logs.repository.releaseHeldOperation(number)]) })
          await logs.flushed(bytes)
          logs.ownHeld = Math.max(0, logs.ownHeld - 1)
          if (logs.ownHeld === 0) logs.ownHeldSinceMs = undefined
          let recipients = 0
          try {
            recipients = await this.publishSealed(dataClass, bytes)
          } catch (err) {
            // in the log already: sync serves it to every member that misses it
            this.components.logger.debug({ err, dataClass }, 'gossiping a formerly held own envelope failed; sync delivers it')
          }
          this.heldWaiters.get(number)?.(recipients)
          this.heldWaiters.delete(number)
        }
      }
      this.components.logger.info('held own envelopes sent, sequenced')
    }).catch((err: unknown) => {
      this.components.logger.error({ err }, 'sending held own envelopes failed; they stay held and are retried when the next one is published or at the next start')
    })
    await this.draining
  }

  async publish (dataClass: DataClass, bytes: Uint8Array): Promise<number> {
    if (this.components.policy?.mayGossip(dataClass) === false) {
      // checked on the send path itself: nothing of a withheld class reaches gossip
      const err = new DataClassNotAllowedError(`${dataClass} may not enter gossip: a data policy withholds it from some member`)
      await this.auditOutbound(dataClass, bytes, { verdict: 'rejected', reason: err.name })
      throw err
    }
    const held = this.provisional.get(bytes)
    if (held !== undefined) return await this.hold(bytes, held)
    return await this.publishSealed(dataClass, bytes)
  }

  private async publishSealed (dataClass: DataClass, bytes: Uint8Array): Promise<number> {
    // an own envelope leaves only once its log entry is durable (no seq is ever reused after a restart)
    await this.components.logs?.flushed(bytes)
    if (this.components.audit === undefined) return await this.components.gossip.publish(dataClass, bytes)
    let recipients: number
    try {
      recipients = await this.components.gossip.publish(dataClass, bytes)
    } catch (err) {
      await this.auditOutbound(dataClass, bytes, { verdict: 'rejected', reason: (err as Error).name ?? 'Error' })
      throw err
    }
    await this.auditOutbound(dataClass, bytes, { verdict: 'accepted', recipients })
    return recipients
  }

  topics (): string[] {
    return this.components.gossip.topics()
  }

  dataClasses (): DataClass[] {
    return [...this.classes.keys()]
  }

  lastAccepted (): Array<{ dataClass: string, source: string, atMs: number }> {
    return [...this.latest.values()]
  }

  async receive (dataClass: DataClass, bytes: Uint8Array, from?: PeerId): Promise<GossipVerdict<AfterCommit | undefined>> {
    const admitted = await this.admit(dataClass, bytes, from)
    if (admitted.verdict !== undefined) return admitted.verdict
    const { registered, value, envelope, logged, decoded } = admitted
    try {
      const after = await this.commit(registered, value, envelope, from, logged, bytes.byteLength)
      return { action: 'accept', value: after }
    } catch (err) {
      return await this.refused(dataClass, bytes, decoded, from, err)
    }
  }

  /**
   * The inbound path for a fetched batch of one class (sync): every envelope through the same pipeline as
   * `receive`; for a class that commits in groups (EnvelopeClass.groupCommit) the accepted ones are committed
   * in ONE store batch with ONE audit append (a boundary record per envelope, as ever), then acknowledged;
   * other classes commit one by one as with `receive`. Verdicts in the order given.
   */
  async receiveBatch (dataClass: DataClass, items: Uint8Array[], from?: PeerId, decoded?: ReadonlyArray<DecodedEnvelope | undefined>): Promise<Array<GossipVerdict<AfterCommit | undefined>>> {
    const registered = this.classes.get(dataClass)
    if (registered?.envelopeClass.groupCommit !== true) return await Promise.all(items.map(async (bytes) => await this.receive(dataClass, bytes, from)))
    const admitted = await Promise.all(items.map(async (bytes, i) => await this.admit(dataClass, bytes, from, decoded?.[i])))
    const verdicts: Array<GossipVerdict<AfterCommit | undefined> | undefined> = admitted.map((a) => a.verdict)
    const candidates = admitted.flatMap((a, i) => a.verdict === undefined ? [{ ...a, index: i, bytes: items[i] }] : [])
    const outcomes = await this.commitGroup(registered, candidates.map((c) => ({ value: c.value, envelope: c.envelope, logged: c.logged, size: c.bytes.byteLength })), from)
    for (const [k, candidate] of candidates.entries()) {
      const outcome = outcomes[k]
      verdicts[candidate.index] = 'error' in outcome ? await this.refused(dataClass, candidate.bytes, candidate.decoded, from, outcome.error) : { action: 'accept', value: outcome.after }
    }
    return verdicts as Array<GossipVerdict<AfterCommit | undefined>>
  }

  /** Everything before the commit: pipeline, log check, payload decode. A refusal is audited and returned as `verdict`. */
  private async admit (dataClass: DataClass, bytes: Uint8Array, from: PeerId | undefined, predecoded?: DecodedEnvelope): Promise<
    { verdict: GossipVerdict<AfterCommit | undefined> } |
    { verdict?: undefined, registered: Registered, value: unknown, envelope: ValidatedEnvelope, logged: LoggedEntry | undefined, decoded: DecodedEnvelope }
  > {
    let decoded: DecodedEnvelope | undefined
    try {
      const registered = this.classes.get(dataClass)
      if (registered === undefined) throw new UnregisteredDataClassError(`no handler for data class ${dataClass}`)
      if (this.components.policy?.mayGossip(dataClass) === false) throw new PayloadRefusedError('reject', 'class_not_allowed', `${dataClass} is outside this node's gossip policy`)
      // a source no membership holds, read without decoding: refused for the price of a lookup
      // (junk from made-up senders is the cheapest flood there is); no Error is built for it either
      const peeked = peekEnvelopeSource(bytes)
      if (peeked !== undefined && this.components.members.key(peeked) === undefined) {
        const verdict = NON_MEMBER_VERDICT
        await this.auditRefused(dataClass, bytes, undefined, from, verdict)
        return { verdict }
      }
      decoded = predecoded ?? decodeEnvelope(bytes)
      // every in-memory check up to the membership first (size and schema were decodeEnvelope's): a made-up
      // source is REJECTed here, before its origin's log is looked at (the log book keeps state per origin,
      // which a stranger must never create) and before any signature work. A sequenced envelope's age checks
      // wait for its log (its log, not the skew window, is its replay guard).
      precheckEnvelope(decoded, this.pipelineContext(dataClass), decoded.envelope.originSeq === 0 || this.components.logs === undefined)
      const logged = await this.checkLog(decoded)
      const envelope = this.validate(dataClass, decoded, logged !== undefined)
      if (logged?.check === 'conflict') {
        // both envelopes carry the origin's verified signature: evidence, not a forwarding accident
        this.components.logs?.equivocation({ dataClass, origin: envelope.source, seq: envelope.originSeq })
        throw new EquivocationError(`${envelope.source} signed two different ${dataClass} envelopes at seq ${envelope.originSeq}`)
      }
      const value = registered.envelopeClass.decodePayload(envelope.payload, envelope)
      return { registered, value, envelope, logged: logged === undefined ? undefined : { bytes, link: logged.link }, decoded }
    } catch (err) {
      return { verdict: await this.refused(dataClass, bytes, decoded, from, err) }
    }
  }

  /** The verdict an error earns, audited. */
  private async refused (dataClass: DataClass, bytes: Uint8Array, decoded: DecodedEnvelope | undefined, from: PeerId | undefined, err: unknown): Promise<{ action: 'reject' | 'ignore', code: string }> {
    if (!(err instanceof VerdictError)) this.components.logger.warn({ err, dataClass }, 'handling an envelope failed; ignoring it')
    const verdict = verdictOf(err)
    await this.auditRefused(dataClass, bytes, decoded, from, verdict)
    return verdict
  }

  /** A sequenced envelope checked against its origin's log (a known one is a duplicate); undefined when not sequenced. */
  private async checkLog (decoded: DecodedEnvelope): Promise<{ check: LogCheck, link: LogLink } | undefined> {
    const logs = this.components.logs
    if (logs === undefined || decoded.envelope.originSeq === 0) return undefined
    const result = await logs.check(decoded)
    if (result.check === 'duplicate') throw new DuplicateEnvelopeError(`envelope ${decoded.idHex} is in its origin's log already`)
    return result
  }

  /**
   * The wire pipeline. The source's key comes from the membership only: a
   * non-member is REJECTed `non_member` at once, with no lookup anywhere.
   */
  private validate (dataClass: DataClass, decoded: DecodedEnvelope, guardedByLog: boolean): ValidatedEnvelope {
    const context = this.pipelineContext(dataClass)
    return validateDecodedEnvelope(decoded, guardedByLog ? { ...context, guardedByLog: () => true } : context)
  }

  private pipelineContext (dataClass: DataClass): PipelineContext {
    return {
      federationId: this.federationId,
      now: this.components.clock.now,
      replay: this.replay,
      verifier: this.components.verifier,
      memberKey: this.components.members.key,
      expectedDataClass: dataClass,
      expectedDestination: gossipTopic(this.federationId, dataClass)
    }
  }

  /** Runs the class's commit after the previous one of its class; the seen-id joins the commit's batch. */
  private async commit (registered: Registered, value: unknown, envelope: ValidatedEnvelope, from: PeerId | undefined, logged: LoggedEntry | undefined, size: number): Promise<AfterCommit | undefined> {
    if (this.committing.has(envelope.idHex)) throw new DuplicateEnvelopeError(`envelope ${envelope.idHex} is being committed already`)
    this.committing.add(envelope.idHex)
    const run = registered.commits.then(async () => {
      if (this.replay.has(envelope.idHex)) throw new DuplicateEnvelopeError(`envelope ${envelope.idHex} was seen before`)
      const logs = this.components.logs
      if (logged !== undefined && logs?.has(envelope.dataClass, envelope.source, envelope.originSeq) === true) {
        throw new DuplicateEnvelopeError(`envelope ${envelope.idHex} is in its origin's log already`)
      }
      // a sequenced envelope's replay guard is its log entry (same batch); the seen-id is for unsequenced ones
      const guard = logged === undefined || logs === undefined
        ? [this.seen.operation(envelope.idHex, envelope.timestampMs)]
        : logs.operations(envelope.dataClass, envelope.source, envelope.originSeq, logged.bytes, logged.link)
      let persisted = false
      const persist = async (writes: BatchOperation[], auditRecords: AuditRecord[] = []): Promise<void> => {
        const operations = [...writes, ...guard]
        const { audit } = this.components
        try {
          if (audit === undefined) {
            await this.components.store.batch(operations)
          } else {
            // the crossing's record (and the step's own events) join the batch of the data they describe
            const crossing = boundaryRecord({
              nowMs: this.components.clock.now(), direction: 'in', dataClass: envelope.dataClass, peer: from?.toString() ?? envelope.source,
              verdict: 'accepted', messageId: envelope.idHex, bytes: size, attributes: { source: envelope.source }
            })
            await audit.submit([crossing, ...auditRecords], operations)
          }
        } catch (err) {
          throw new PersistFailedError(`persisting envelope ${envelope.idHex} failed: ${(err as Error).message}`, { cause: err })
        }
        persisted = true
      }
      const after = await registered.envelopeClass.commit(value, envelope, persist, from)
      if (!persisted) await persist([])
      if (logged !== undefined && logs !== undefined) logs.accepted(envelope.dataClass, envelope.source, envelope.originSeq, logged.link)
      else rememberEnvelope({ replay: this.replay, now: this.components.clock.now }, envelope)
      if (LAST_ACCEPTED_CLASSES.includes(envelope.dataClass)) {
        this.latest.set(`${envelope.dataClass}|${envelope.source}`, { dataClass: envelope.dataClass, source: envelope.source, atMs: this.components.clock.now() })
      }
      return after
    })
    registered.commits = run.catch(() => {})
    try {
      return await run
    } finally {
      this.committing.delete(envelope.idHex)
    }
  }

  /**
   * Group commit (a class with EnvelopeClass.groupCommit): the class's commits run one after another as ever,
   * each `persist` collecting its writes, its guard (log entry or seen-id) and its audit records (the envelope's
   * boundary record and the step's own) instead of writing them; then ONE store batch holds them all with ONE
   * audit append (each envelope keeps its own leaf; the Merkle tree and its consistency proofs are unchanged).
   * Only after that batch is durable are the log entries taken, the ids remembered and the results returned:
   * persisted before acknowledged. A failed group write leaves the class's in-memory state ahead of the store,
   * so the class is stopped (every later envelope of it IGNOREd `persist_failed`) until a restart reloads it.
   */
  private async commitGroup (registered: Registered, items: Array<{ value: unknown, envelope: ValidatedEnvelope, logged: LoggedEntry | undefined, size: number }>, from: PeerId | undefined): Promise<Array<{ after: AfterCommit | undefined } | { error: unknown }>> {
    type Outcome = { after: AfterCommit | undefined } | { error: unknown }
    // undefined: not decided yet
    const outcomes: Array<Outcome | undefined> = items.map(() => undefined)
    const held = new Set<string>()
    for (const [i, { envelope }] of items.entries()) {
      if (this.committing.has(envelope.idHex)) outcomes[i] = { error: new DuplicateEnvelopeError(`envelope ${envelope.idHex} is being committed already`) }
      else {
        this.committing.add(envelope.idHex)
        held.add(envelope.idHex)
      }
    }
    const run = registered.commits.then(async () => {
      const dataClass = registered.envelopeClass.dataClass
      if (this.stoppedClasses.has(dataClass)) throw new PersistFailedError(`an earlier group write of ${dataClass} failed: restart the node to reload its state`)
      const logs = this.components.logs
      const { audit } = this.components
      let operations: BatchOperation[] = []
      let records: AuditRecord[] = []
      /** the accepted envelopes of the group, named by its boundary_batch records */
      let crossings: Array<{ messageId: string, source: string, bytes: number }> = []
      let members: number[] = []
      const inGroup = new Set<string>()
      const write = async (): Promise<void> => {
        if (members.length === 0) return
        try {
          if (audit === undefined) await this.components.store.batch(operations)
          else {
            // the crossings' records first (one per origin and AUDIT_BATCH_IDS_MAX envelopes), then the steps' own
            const crossingRecords = boundaryBatchRecords({ nowMs: this.components.clock.now(), dataClass, peer: from?.toString(), accepted: crossings })
            await audit.submit([...crossingRecords, ...records], operations)
          }
        } catch (err) {
          this.stoppedClasses.add(dataClass)
          this.components.logger.error({ err, dataClass, envelopes: members.length }, 'a group commit failed: this class is stopped until a restart reloads its state from the store')
          for (const i of members) outcomes[i] = { error: new PersistFailedError(`persisting a group of ${members.length} envelopes failed: ${(err as Error).message}`, { cause: err }) }
          throw err
        }
        for (const i of members) {
          const { envelope, logged } = items[i]
          if (logged !== undefined && logs !== undefined) logs.accepted(envelope.dataClass, envelope.source, envelope.originSeq, logged.link)
          else rememberEnvelope({ replay: this.replay, now: this.components.clock.now }, envelope)
          if (LAST_ACCEPTED_CLASSES.includes(envelope.dataClass)) {
            this.latest.set(`${envelope.dataClass}|${envelope.source}`, { dataClass: envelope.dataClass, source: envelope.source, atMs: this.components.clock.now() })
          }
        }
        operations = []
        records = []
        crossings = []
        members = []
      }
      for (const [i, { value, envelope, logged, size }] of items.entries()) {
        if (outcomes[i] !== undefined) continue
        const position = `${envelope.source}/${envelope.originSeq}`
        if (this.replay.has(envelope.idHex) || inGroup.has(envelope.idHex) || (logged !== undefined && (logs?.has(envelope.dataClass, envelope.source, envelope.originSeq) === true || inGroup.has(position)))) {
          outcomes[i] = { error: new DuplicateEnvelopeError(`envelope ${envelope.idHex} was seen before`) }
          continue
        }
        const guard = logged === undefined || logs === undefined
          ? [this.seen.operation(envelope.idHex, envelope.timestampMs)]
          : logs.operations(envelope.dataClass, envelope.source, envelope.originSeq, logged.bytes, logged.link)
        const mine: { operations: BatchOperation[], records: AuditRecord[] } = { operations: [], records: [] }
        let persisted = false
        const persist = async (writes: BatchOperation[], auditRecords: AuditRecord[] = []): Promise<void> => {
          mine.operations.push(...writes, ...guard)
          // the crossing itself is named by the group's boundary_batch record (write); the step's own records as given
          if (audit !== undefined) mine.records.push(...auditRecords)
          persisted = true
        }
        try {
          const after = await registered.envelopeClass.commit(value, envelope, persist, from)
          if (!persisted) await persist([])
          // at most one crossing record per envelope: a bound on the group's records that never undercounts
          if (records.length + crossings.length + mine.records.length + 1 > AUDIT_STAGE_RECORDS_MAX) await write()
          operations.push(...mine.operations)
          records.push(...mine.records)
          crossings.push({ messageId: envelope.idHex, source: envelope.source, bytes: size })
          members.push(i)
          inGroup.add(envelope.idHex)
          inGroup.add(position)
          outcomes[i] = { after }
        } catch (err) {
          outcomes[i] = { error: err }
        }
      }
      await write()
    })
    registered.commits = run.catch(() => {})
    try {
      await run
    } catch (err) {
      // a failed write set its envelopes' outcomes; whatever is undecided (a stopped class) is refused the same way
      for (const [i, outcome] of outcomes.entries()) if (outcome === undefined) outcomes[i] = { error: err instanceof PersistFailedError ? err : new PersistFailedError(String(err), { cause: err }) }
    } finally {
      for (const id of held) this.committing.delete(id)
    }
    return outcomes.map((outcome) => outcome ?? { error: new PersistFailedError('not committed') })
  }

  /** Appends the record of a refused inbound envelope (group-committed); a failed append is logged, never turned into a verdict. */
  private async auditRefused (dataClass: DataClass, bytes: Uint8Array, decoded: DecodedEnvelope | undefined, from: PeerId | undefined, verdict: { action: string, code: string }): Promise<void> {
    const { audit } = this.components
    if (audit === undefined) return
    const source = decoded?.envelope.source
    await this.appendAudit(boundaryRecord({
      nowMs: this.components.clock.now(),
      direction: 'in',
      dataClass,
      peer: from?.toString() ?? source,
      verdict: 'rejected',
      reason: `${verdict.action}:${verdict.code}`,
      ...(decoded === undefined ? {} : { messageId: decoded.idHex }),
      bytes: bytes.byteLength,
      ...(source === undefined ? {} : { attributes: { source } })
    }))
  }

  /** Appends the record of an outbound publish: the topic is the peer (gossip has no single recipient). */
  private async auditOutbound (dataClass: DataClass, bytes: Uint8Array, outcome: { verdict: 'accepted', recipients: number } | { verdict: 'rejected', reason: string }): Promise<void> {
    let messageId: string | undefined
    try { messageId = decodeEnvelope(bytes).idHex } catch { /* a caller's malformed bytes are still recorded, without an id */ }
    await this.appendAudit(boundaryRecord({
      nowMs: this.components.clock.now(),
      direction: 'out',
      dataClass,
      peer: gossipTopic(this.federationId, dataClass),
      verdict: outcome.verdict,
      ...(outcome.verdict === 'rejected' ? { reason: outcome.reason } : { attributes: { recipients: outcome.recipients } }),
      ...(messageId === undefined ? {} : { messageId }),
      bytes: bytes.byteLength
    }))
  }

  private async appendAudit (record: AuditRecord): Promise<void> {
    try {
      await this.components.audit?.submit([record])
    } catch (err) {
      this.components.logger.error({ err }, 'appending to the audit log failed')
    }
  }
}
