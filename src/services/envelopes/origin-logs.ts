/**
 * The envelope channel's per-origin logs (protocols/envelope.md "Per-origin
 * logs"): the sequence numbers and hash links of what this node seals, the
 * logs of what it accepts, equivocation detection, and retention. The pure
 * bookkeeping is src/core/sync/; this adds the store and the own counter.
 *
 * Own envelopes: `seal` takes the next seq synchronously and starts the
 * write of the entry; `publish` waits for that write, so an envelope never
 * leaves the node before its seq is durable and a restart with the store
 * can never reuse a seq (self-equivocation), like the persisted vote record.
 */
import { VerdictError } from '../../core/errors.ts'
import { LogBook, type LogCheck, type LogLimits, type LogLink, type LogPosition, type OriginLog, type SeqRange } from '../../core/sync/log-book.ts'
import type { Logger } from '../../runtime/log.ts'
import type { HybridPublicKey, SignatureVerifier } from '../../core/signature.ts'
import type { BatchOperation } from '../../store/store.ts'
import { type SyncLogRepository } from '../../store/sync-logs.ts'
import { decodeEnvelope, envelopeBodyHash, ENVELOPE_SIGNING_DOMAIN, type DataClass, type DecodedEnvelope } from '../../wire/envelope.ts'
import { SignedEnvelope } from '../../../protocols/envelope.ts'
import { PRUNE_BATCH_ENTRIES } from './constants.ts'

export type { LogPosition, SeqRange }

/** Two different envelopes signed by one origin for one (data class, seq), or a link contradicting a neighbour. */
export class EquivocationError extends VerdictError {
  static override readonly code = 'EquivocationError'
  override readonly name = 'EquivocationError'
  readonly action = 'reject'
  override readonly code = 'equivocation'
}

/** Equivocation evidence seen: the origin signed both. */
export interface EquivocationRecord {
  dataClass: string
  origin: string
  seq: number
}

/** What the logs need. */
export interface OriginLogsInit {
  repository: SyncLogRepository
  limits: (dataClass: string) => LogLimits
  logger: Logger
  nodeId: string
  /**
   * true on a federated node: after a start without any own log entry in the store, own envelopes are held (the
   * channel's publish queues them, persisted) until sync settles the own logs from a member's frontiers (settleOwn);
   * then they go out sequenced. false (default): own logs are settled at once.
   */
  recoverOwn?: boolean
  /** this node's hybrid key (checks own entries taken back from a member) */
  ownKey?: HybridPublicKey
}

const toHex = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex')

/** The link of a decoded sequenced envelope. */
export function linkOf (decoded: DecodedEnvelope): LogLink {
  let link = links.get(decoded)
  if (link === undefined) {
    link = { hash: toHex(envelopeBodyHash(decoded)), prev: toHex(decoded.envelope.prevHash) }
    links.set(decoded, link)
  }
  return link
}

/** Links computed, by decoded envelope (sync's link check and the channel's log check hash a fetched body once). */
const links = new WeakMap<DecodedEnvelope, LogLink>()

/** The logs of one node. */
export class OriginLogs {
  readonly book: LogBook
  readonly repository: SyncLogRepository
  private readonly logger: Logger
  private readonly nodeId: string
  /** own envelopes whose entry is being written, by their bytes */
  private readonly pending = new WeakMap<Uint8Array, Promise<void>>()
  /** prunes and meta writes of one log, one after another */
  private upkeep: Promise<void> = Promise.resolve()
  /** equivocation evidence seen since start, newest last (bounded) */
  readonly equivocations: EquivocationRecord[] = []
  equivocationCount = 0
  private readonly recoverOwn: boolean
  private readonly ownKey: HybridPublicKey | undefined
  private ownSettled = true
  /** provisional own envelopes sealed while the own logs were unsettled, since start (published ones are held, never sent as such) */
  unsequencedSealed = 0
  /** own envelopes held now (persisted), waiting for the own logs to settle; kept by the envelope channel */
  ownHeld = 0
  /** when the oldest held own envelope was held (clock ms), if any */
  ownHeldSinceMs: number | undefined
  private readonly settleListeners: Array<() => void> = []
  /** arrivals classified `conflict`, by log position, until the channel reports them verified (bounded) */
  private readonly conflicts = new Map<string, DecodedEnvelope>()
  private readonly evidenceListeners: Array<(first: Uint8Array, second: Uint8Array) => void> = []

  constructor (init: OriginLogsInit) {
    this.repository = init.repository
    this.book = new LogBook(init.limits)
    this.logger = init.logger
    this.nodeId = init.nodeId
    this.recoverOwn = init.recoverOwn ?? false
    this.ownKey = init.ownKey
  }

  /** Loads every log from the store; own logs are settled when the store holds any of them (or recovery is off). */
  async start (): Promise<void> {
    await this.repository.load(this.book, { repair: true })
    const own = this.book.positions().filter((p) => p.origin === this.nodeId && p.high > 0)
    this.ownSettled = !this.recoverOwn || own.length > 0
    if (!this.ownSettled) this.logger.info('no own log entry in the store: own envelopes are held (queued in the store) until a member tells where this node\'s logs stand')
  }

  /** Whether own envelopes are sequenced (see nextOwn). */
  ownLogsSettled (): boolean {
    return this.ownSettled
  }

  /**
   * Takes the newest entry of an own log from a member (a class no service registered, so no channel commit): checked
   * to be ours, at `seq`, and signed with our key; stored and logged. Resolves to whether it was taken.
   */
  async adoptOwn (bytes: Uint8Array, dataClass: DataClass, seq: number, verifier: SignatureVerifier): Promise<boolean> {
    let decoded: DecodedEnvelope
    try {
      decoded = decodeEnvelope(bytes)
    } catch {
      return false
    }
    const { envelope } = decoded
    if (envelope.source !== this.nodeId || envelope.dataClass !== dataClass || envelope.originSeq !== seq || this.has(dataClass, this.nodeId, seq)) return false
    if (this.ownKey === undefined || !verifier.verify(this.ownKey, decoded.signedBytes, decoded.signature)) return false
    const link = linkOf(decoded)
    await this.repository.appendEntry(dataClass, this.nodeId, seq, bytes, link)
    this.accepted(dataClass, this.nodeId, seq, link)
    return true
  }

  /** Sync learned from a member where our own logs stand (and fetched their newest entries): sequence from here on. */
  settleOwn (): void {
    if (this.ownSettled) return
    this.logger.info({ heads: this.book.positions().filter((p) => p.origin === this.nodeId).map((p) => ({ dataClass: p.dataClass, high: p.high })), held: this.ownHeld }, 'own logs settled from a member\'s frontiers')
    this.ownSettled = true
    for (const listener of this.settleListeners) listener()
  }

  /** Calls `listener` once the own logs become settled (the channel then seals and sends what it held). */
  onSettled (listener: () => void): void {
    this.settleListeners.push(listener)
  }

  /**
   * The (seq, prev hash) the next own envelope of `dataClass` carries; reserves the seq. Nothing (the envelope goes
   * out unsequenced, seq 0) while this node's own logs are unsettled: after a start with no own log entry in the
   * store, until sync learned from a member where our logs stand (`settleOwn`), so an origin restarted with an empty
   * store never reuses a seq it signed before (protocols/sync.md "An origin restarted with an empty store").
   */
  nextOwn (dataClass: DataClass): { originSeq: number, prevHash: Uint8Array } | Record<string, never> {
    if (!this.ownSettled) {
      this.unsequencedSealed++
      return {}
    }
    const head = this.book.log(dataClass, this.nodeId).head()
    return { originSeq: head.seq + 1, prevHash: head.hash === undefined ? new Uint8Array(0) : Buffer.from(head.hash, 'hex') }
  }

  /** Records an own sealed envelope: in memory now, in the store before `flushed(bytes)` resolves. */
  recordOwn (decoded: DecodedEnvelope, bytes: Uint8Array, persist: (operations: BatchOperation[]) => Promise<void>): void {
    const { dataClass, originSeq } = decoded.envelope
    if (originSeq === 0) return // sealed unsequenced (own logs unsettled): no log entry
    const link = linkOf(decoded)
    const log = this.book.log(dataClass, this.nodeId)
    const result = log.append(originSeq, link, this.book.limits(dataClass))
    const write = persist(this.repository.appendOperations(dataClass, this.nodeId, originSeq, bytes, link))
    write.catch((err: unknown) => { this.logger.error({ err, dataClass, originSeq }, 'writing an own log entry failed; that envelope is not published') })
    this.pending.set(bytes, write)
    this.afterAppend(log, result.prune, result.lost)
  }

  /** Resolves once an own envelope's entry is durable (at once for anything else); rejects if the write failed. */
  async flushed (bytes: Uint8Array): Promise<void> {
    await this.pending.get(bytes)
  }

  /** Classifies an arriving sequenced envelope before its signature is checked ('stored' resolved against the store). */
  async check (decoded: DecodedEnvelope): Promise<{ check: LogCheck, link: LogLink }> {
    const { dataClass, source, originSeq } = decoded.envelope
    const link = linkOf(decoded)
    let check = this.book.log(dataClass, source).check(originSeq, link)
    if (check === 'stored') {
      const stored = await this.repository.link(dataClass, source, originSeq)
      // pruned (or settled by a lost range): a seq at or below the frontier is never accepted twice
      check = stored === undefined ? 'duplicate' : stored.hash === link.hash ? 'duplicate' : 'conflict'
    }
    if (check === 'conflict') {
      // kept until the channel has verified its signature and reports the equivocation (then it becomes evidence)
      this.conflicts.set(`${dataClass}/${source}/${originSeq}`, decoded)
      if (this.conflicts.size > CONFLICTS_KEPT_MAX) this.conflicts.delete(this.conflicts.keys().next().value as string)
    }
    return { check, link }
  }

  /** Calls `listener` with the two envelopes (wire bytes) of every equivocation the channel reports verified. */
  onEvidence (listener: (first: Uint8Array, second: Uint8Array) => void): void {
    this.evidenceListeners.push(listener)
  }

  /** Whether (dataClass, origin, seq) is accepted already (re-checked inside the serialised commit). */
  has (dataClass: string, origin: string, seq: number): boolean {
    return this.book.find(dataClass, origin)?.has(seq) === true
  }

  /** The store operations of an accepted entry (joined to its commit's batch). */
  operations (dataClass: string, origin: string, seq: number, bytes: Uint8Array, link: LogLink): BatchOperation[] {
    return this.repository.appendOperations(dataClass, origin, seq, bytes, link)
  }

  /** Takes a persisted entry into the in-memory log. */
  accepted (dataClass: string, origin: string, seq: number, link: LogLink): void {
    const log = this.book.log(dataClass, origin)
    if (log.has(seq)) return
    const result = log.append(seq, link, this.book.limits(dataClass))
    this.afterAppend(log, result.prune, result.lost)
  }

  /** Counts verified equivocation evidence. */
  equivocation (record: EquivocationRecord): void {
    this.equivocationCount++
    this.equivocations.push(record)
    if (this.equivocations.length > EQUIVOCATIONS_KEPT_MAX) this.equivocations.shift()
    this.logger.warn(record, 'equivocation: an origin signed two different envelopes for one log position')
    const incoming = this.conflicts.get(`${record.dataClass}/${record.origin}/${record.seq}`)
    this.conflicts.delete(`${record.dataClass}/${record.origin}/${record.seq}`)
    if (incoming === undefined || this.evidenceListeners.length === 0) return
    void this.counterpart(incoming).then((pair) => {
      if (pair !== undefined) for (const listener of this.evidenceListeners) listener(pair[0], pair[1])
    }).catch((err: unknown) => { this.logger.warn({ err }, 'building equivocation evidence failed') })
  }

  /** The stored envelope `incoming` contradicts (same seq, or the neighbour whose link fails), as an ordered pair. */
  private async counterpart (incoming: DecodedEnvelope): Promise<[Uint8Array, Uint8Array] | undefined> {
    const { dataClass, source, originSeq } = incoming.envelope
    const bytes = SignedEnvelope.encode({
      body: incoming.signedBytes.subarray(ENVELOPE_SIGNING_DOMAIN.length), ed25519Signature: incoming.signature.ed25519, mldsaSignature: incoming.signature.mldsa, hops: incoming.envelope.hops
    })
    const link = linkOf(incoming)
    const stored = async (seq: number): Promise<{ bytes: Uint8Array, link: LogLink } | undefined> => {
      if (seq < 1) return undefined
      const found = await this.repository.get(dataClass, source, seq)
      return found === undefined ? undefined : { bytes: found, link: linkOf(decodeEnvelope(found)) }
    }
    const same = await stored(originSeq)
    if (same !== undefined && same.link.hash !== link.hash) return [same.bytes, bytes]
    const before = await stored(originSeq - 1)
    if (before !== undefined && before.link.hash !== link.prev) return [before.bytes, bytes]
    const after = await stored(originSeq + 1)
    if (after !== undefined && after.link.prev !== link.hash) return [bytes, after.bytes]
    return undefined
  }

  /** Every log's position. */
  positions (): LogPosition[] {
    return this.book.positions()
  }

  /** Waits for pending prunes (tests, stop). */
  async settled (): Promise<void> {
    await this.upkeep
  }

  private afterAppend (log: OriginLog, prune: number, lost: SeqRange | undefined): void {
    const retention = this.book.limits(log.dataClass).retentionEntries
    const due = prune >= Math.min(PRUNE_BATCH_ENTRIES, retention)
    if (!due && lost === undefined) return
    if (lost !== undefined) this.logger.warn({ dataClass: log.dataClass, origin: log.origin, lost }, 'a log gap stayed open too long; given up')
    this.upkeep = this.upkeep.then(async () => {
      if (lost !== undefined) await this.repository.saveLost(log)
      const excess = log.position().count - retention
      if (excess > 0) {
        const left = await this.repository.prune(log, excess)
        log.pruned(left.count, left.low)
      }
    }).catch((err: unknown) => { this.logger.warn({ err }, 'pruning an origin log failed; retried after the next entry') })
  }
}

/** Evidence records kept for status (the count goes on). */
const EQUIVOCATIONS_KEPT_MAX = 100
/** Conflicting arrivals kept until their verdict (a flood of unverifiable ones only pushes out older ones). */
const CONFLICTS_KEPT_MAX = 64

