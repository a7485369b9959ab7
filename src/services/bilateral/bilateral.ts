/**
 * The bilateral service (see index.ts). Send: resolve the peer through the
 * membership, check the class against the policies in force (a refusal is
 * audited and nothing is written or queued), seal the envelope as the next
 * entry of this node's log to the peer (origin seq, prev hash) and persist
 * it, then flush if the relation carries it now. A flush (on send, on each
 * (re)activation of the relation, periodically) opens
 * `/fedmesh/bilateral-sync/1.0.0`, asks the peer's frontier of the log (never
 * one remembered), checks the policy again for each entry above it and sends
 * them in bounded batches; the peer's answer acknowledges by frontier, and
 * acknowledged entries are pruned beyond a retention kept for a peer that
 * comes back empty. Receive (both protocols): size → decode/schema →
 * duplicate (the sender's log, the durable id set, the replay cache) → skew →
 * membership → signature → addressee → policy, then the inbox entry, the log
 * position and the audit record in one batch before the answer.
 */
import { peerIdFromString } from '@libp2p/peer-id'
import { RAW_FRAME } from '../../net/request-stream.ts'
import type { IncomingStreamData, Stream } from '@libp2p/interface'
import { Counter } from 'prom-client'
import { pbStream } from 'it-protobuf-stream'
import { fromString, toString } from 'uint8arrays'
import { VerdictError, verdictOf } from '../../core/errors.ts'
import type { DataClass } from '../../core/data-class.ts'
import { newRelation, relationAccepts, relationCarries, relationQueues } from '../../core/handshake/index.ts'
import { DataClassNotAllowedError } from '../../core/policy/data-policy.ts'
import { InboundLog, planBatch, prunable } from '../../core/bilateral/log.ts'
import type { LogLink } from '../../core/sync/log-book.ts'
import { decodeEnvelope, envelopeBodyHash, signEnvelope, type DecodedEnvelope } from '../../wire/envelope.ts'
import { DuplicateEnvelopeError, rememberEnvelope, ReplayCache, validateDecodedEnvelope } from '../../wire/pipeline.ts'
import { ENVELOPE_ID_BYTES, PREV_HASH_BYTES } from '../../wire/limits.ts'
import {
  BILATERAL_BATCH_BYTES_MAX, BILATERAL_BATCH_ENTRIES_MAX, BILATERAL_FRAME_BYTES_MAX, BILATERAL_HELD_LISTED_MAX, BILATERAL_PROTOCOL_ID, BILATERAL_SCHEMA_ID,
  BILATERAL_SYNC_FRAME_BYTES_MAX, BILATERAL_SYNC_PROTOCOL_ID, decodeBilateralBatch, decodeBilateralFrontier, encodeBilateralAck, encodeBilateralBatch,
  encodeBilateralFrontier, type BilateralBatchFrame, type BilateralEntryResultFrame, type BilateralFrontierFrame
} from '../../wire/bilateral.ts'
import { boundaryRecord } from '../audit/records.ts'
import { outboundKey, type OutboundBilateral, type ReceivedBilateral } from '../../store/bilateral-queue.ts'
import {
  DELIVERY_TIMEOUT_MS_MAX, FLUSH_BATCHES_MAX, INBOUND_STREAMS_MAX, INBOX_READ_MAX, OUTBOUND_STREAMS_MAX, QUEUE_ENTRIES_PER_PEER_MAX,
  RESYNC_INTERVAL_MS_DEFAULT, RETAINED_ACKED_PER_PEER_DEFAULT
} from './constants.ts'
import {
  BilateralClassNotAllowedError, BilateralLogConflictError, BilateralMessageTooLargeError, BilateralQueueFullError, MisaddressedBilateralError,
  NotBilateralClassError, RelationNotActiveError, UnknownBilateralPeerError
} from './errors.ts'
import type { Bilateral, BilateralComponents, BilateralInit, BilateralPeerStatus, BilateralSendInput, BilateralSendResult } from './index.ts'

const hex = (bytes: Uint8Array): string => toString(bytes, 'base16')

/** What the receive path made of one envelope. */
interface Judgement {
  outcome: 'accepted' | 'duplicate' | 'refused'
  error: string
  seq: number
}

/** What a log entry is sealed from. */
interface SealInput {
  id: string
  dataClass: DataClass
  schemaId: string
  payload: Uint8Array
  queuedAtMs: number
}

/** One round of a flush on an open stream: a batch out, the frontier back. */
type Exchange = (batch: BilateralBatchFrame) => Promise<BilateralFrontierFrame>

export class BilateralService implements Bilateral {
  private readonly replay = new ReplayCache()
  private readonly rejectedCounts = new Map<string, number>()
  private readonly rejectedCounter: Counter<'code'> | undefined
  /** work on one log (a peer's outbound, or a sender's inbound) runs one at a time */
  private readonly tails = new Map<string, Promise<unknown>>()
  /** each sender's log to this node, loaded from the store on first use */
  private readonly inbound = new Map<string, InboundLog>()
  /** each peer's frontier of this node's log, as heard in this run (status only: a flush always asks again) */
  private readonly peerFrontiers = new Map<string, number>()
  private unsubscribe: (() => void) | undefined
  private timer: ReturnType<typeof setTimeout> | undefined
  private shutdown = new AbortController()
  private readonly batchEntriesMax: number
  private readonly retainedAckedMax: number

  constructor (private readonly components: BilateralComponents, private readonly init: BilateralInit) {
    this.rejectedCounter = components.registry === undefined
      ? undefined
      : new Counter({ name: 'fedmesh_bilateral_rejected_total', help: 'Bilateral messages refused on receipt, by code', labelNames: ['code'], registers: [components.registry] })
    this.batchEntriesMax = Math.max(1, Math.min(init.batchEntriesMax ?? BILATERAL_BATCH_ENTRIES_MAX, BILATERAL_BATCH_ENTRIES_MAX))
    this.retainedAckedMax = Math.max(1, init.retainedAckedMax ?? RETAINED_ACKED_PER_PEER_DEFAULT)
  }

  async start (): Promise<void> {
    this.shutdown = new AbortController()
    this.inbound.clear()
    this.peerFrontiers.clear()
    await this.migrateQueue()
    const limits = { maxInboundStreams: INBOUND_STREAMS_MAX, maxOutboundStreams: OUTBOUND_STREAMS_MAX }
    await this.components.host.handle(BILATERAL_PROTOCOL_ID, this.onStream, limits)
    await this.components.host.handle(BILATERAL_SYNC_PROTOCOL_ID, this.onSyncStream, limits)
    // a relation that becomes active (first time or re-established) exchanges frontiers and gets what it lacks
    this.unsubscribe = this.components.relations.subscribe((relation) => {
      if (relation.state === 'active') this.flush(relation.peer).catch((err) => { this.components.logger.warn({ err, peer: relation.peer }, 'bilateral flush failed') })
    })
    this.armTimer()
  }

  async stop (): Promise<void> {
    this.shutdown.abort()
    this.unsubscribe?.()
    if (this.timer !== undefined) clearTimeout(this.timer)
    this.timer = undefined
    await this.components.host.unhandle(BILATERAL_PROTOCOL_ID)
    await this.components.host.unhandle(BILATERAL_SYNC_PROTOCOL_ID)
    await Promise.allSettled([...this.tails.values()])
  }

  private armTimer (): void {
    const period = this.init.resyncIntervalMs ?? RESYNC_INTERVAL_MS_DEFAULT
    if (period <= 0 || this.shutdown.signal.aborted) return
    this.timer = setTimeout(() => {
      this.timer = undefined
      this.resync().catch((err) => { this.components.logger.warn({ err }, 'bilateral resync failed') }).finally(() => { this.armTimer() })
    }, period)
    this.timer.unref()
  }

  rejected (): Record<string, number> {
    return Object.fromEntries(this.rejectedCounts)
  }

  async queued (): Promise<Record<string, number>> {
    const out: Record<string, number> = {}
    for (const entry of await this.components.repository.outbound()) if (entry.state === 'pending') out[entry.to] = (out[entry.to] ?? 0) + 1
    return out
  }

  async inbox (init: { sinceMs?: number, limit?: number } = {}): Promise<ReceivedBilateral[]> {
    return await this.components.repository.inboxEntries({ ...init, limit: Math.min(init.limit ?? INBOX_READ_MAX, INBOX_READ_MAX) })
  }

  async logs (): Promise<BilateralPeerStatus[]> {
    const { repository, members } = this.components
    const peers = new Map<string, BilateralPeerStatus>()
    const of = (peer: string): BilateralPeerStatus => {
      let status = peers.get(peer)
      if (status === undefined) {
        status = { peer, site: members.siteOf(peer) ?? null, out: null, in: null }
        peers.set(peer, status)
      }
      return status
    }
    for (const entry of await repository.outbound()) {
      const status = of(entry.to)
      status.out ??= { head: 0, peer_frontier: this.peerFrontiers.get(entry.to) ?? null, queued: 0, withdrawn: 0, low: entry.seq, retained: 0 }
      status.out.retained++
      if (entry.state === 'pending') status.out.queued++
      if (entry.state === 'withdrawn') status.out.withdrawn++
    }
    for (const status of peers.values()) {
      if (status.out !== null) status.out.head = (await repository.head(status.peer))?.seq ?? 0
    }
    for (const record of await repository.inboundLogs()) {
      const log = this.inbound.get(record.from)?.state() ?? record
      of(record.from).in = { frontier: log.frontier, held: log.held.length, lost: log.lost }
    }
    return [...peers.values()].sort((a, b) => (a.peer < b.peer ? -1 : a.peer > b.peer ? 1 : 0))
  }

  async send (input: BilateralSendInput): Promise<BilateralSendResult> {
    const { components } = this
    const peer = this.peerOf(input.to)
    const site = components.members.siteOf(peer)
    if (!components.policies.bilateralClasses().includes(input.dataClass)) {
      throw new NotBilateralClassError(`${input.dataClass} does not travel on the bilateral stream (bilateral here: ${components.policies.bilateralClasses().join(', ')})`)
    }
    const now = components.clock.now()
    const id = toString(components.random.bytes(ENVELOPE_ID_BYTES), 'base16')
    const relation = components.relations.relation(peer) ?? newRelation(peer)
    try {
      // the send path's check: the policy in force (the config's, or what the handshake agreed with this site)
      components.policies.checkDelivery(site, input.dataClass)
      if (relation.state === 'terminated') throw new RelationNotActiveError(`the relation with ${site ?? peer} was terminated: nothing goes to it`)
      if (!relationQueues(relation) && !relationCarries(relation, input.dataClass)) throw new DataClassNotAllowedError(`${input.dataClass} is not in the policy agreed with ${site ?? peer}`)
      if ((await this.pendingCount(peer)) >= QUEUE_ENTRIES_PER_PEER_MAX) throw new BilateralQueueFullError(`${QUEUE_ENTRIES_PER_PEER_MAX} messages already wait for ${site ?? peer}`)
    } catch (err) {
      await components.audit.submit([boundaryRecord({ nowMs: now, direction: 'out', dataClass: input.dataClass, peer, verdict: 'rejected', reason: (err as Error).name, messageId: id, bytes: input.payload.length })])
      throw err
    }
    // sealed and persisted before anything is sent: a crash after this delivers it later, never loses it
    const key = await this.serial(`out/${peer}`, async () => await this.append(peer, {
      id, dataClass: input.dataClass, schemaId: input.schemaId ?? BILATERAL_SCHEMA_ID, payload: input.payload, queuedAtMs: now
    }))
    if (relationCarries(relation, input.dataClass)) await this.flush(peer)
    const entry = (await components.repository.outbound(peer)).find((e) => e.key === key)
    if (entry?.state === 'withdrawn') throw new DataClassNotAllowedError(`${site ?? peer} refused ${input.dataClass}${entry.reason === undefined ? '' : ` (${entry.reason})`}`)
    // pruned (acknowledged long ago by a concurrent flush) or acknowledged: delivered
    const delivered = entry === undefined || entry.state === 'acked'
    return { status: delivered ? 'delivered' : 'queued', message_id: id, peer, site: site ?? null, data_class: input.dataClass }
  }

  private async pendingCount (peer: string): Promise<number> {
    return (await this.components.repository.outbound(peer)).filter((e) => e.state === 'pending').length
  }

  /** Seals the next entry of the log to `peer` and persists it with the new head (one batch). Returns its key. */
  private async append (peer: string, message: SealInput): Promise<string> {
    const { repository } = this.components
    const head = await repository.head(peer) ?? { to: peer, seq: 0, hash: '' }
    const entry = this.seal(peer, head, message)
    await repository.batch([repository.outboundPut(entry), repository.headPut({ to: peer, seq: entry.seq, hash: entry.hash })])
    return entry.key
  }

  /** The entry after `head` (its hash '' when unknown: the link is then all zeros, which a receiver without it does not check). */
  private seal (peer: string, head: { seq: number, hash: string }, message: SealInput): OutboundBilateral {
    const { components } = this
    const seq = head.seq + 1
    const prev = seq >= 2 && head.hash === '' ? '00'.repeat(PREV_HASH_BYTES) : head.hash
    const bytes = signEnvelope({
      id: fromString(message.id, 'base16'),
      timestampMs: components.clock.now(),
      source: components.nodeId,
      destination: peer,
      federationId: this.init.federationId,
      dataClass: message.dataClass,
      schemaId: message.schemaId,
      payload: message.payload,
      originSeq: seq,
      ...(seq >= 2 ? { prevHash: fromString(prev, 'base16') } : {})
    }, components.signer)
    const hash = hex(envelopeBodyHash(decodeEnvelope(bytes)))
    const entry: OutboundBilateral = {
      key: outboundKey(peer, seq), to: peer, seq, id: message.id, hash, prev, data_class: message.dataClass,
      envelope: toString(bytes, 'base64pad'), bytes: bytes.length, queued_at_ms: message.queuedAtMs, state: 'pending'
    }
    return entry
  }

  /** Messages queued by an earlier version (unsequenced) become entries of the log, in queue order (each sealed and dequeued in one batch). */
  private async migrateQueue (): Promise<void> {
    const { repository } = this.components
    for (const old of await repository.queued()) {
      const head = await repository.head(old.to) ?? { to: old.to, seq: 0, hash: '' }
      const entry = this.seal(old.to, head, { id: old.id, dataClass: old.data_class as DataClass, schemaId: old.schema_id, payload: fromString(old.payload, 'base64pad'), queuedAtMs: old.queued_at_ms })
      await repository.batch([repository.outboundPut(entry), repository.headPut({ to: old.to, seq: entry.seq, hash: entry.hash }), repository.queueDelete(old.key)])
    }
  }

  async flush (peer: string): Promise<void> {
    await this.serial(`out/${peer}`, async () => { await this.flushLog(peer) })
  }

  async resync (): Promise<void> {
    const peers = new Set((await this.components.repository.outbound()).map((e) => e.to))
    for (const peer of peers) {
      if (this.shutdown.signal.aborted) return
      const relation = this.components.relations.relation(peer)
      if (relation?.state !== 'active' && relation?.state !== 'terminating') continue
      await this.flush(peer).catch((err) => { this.components.logger.debug({ err, peer }, 'bilateral resync of a peer failed') })
    }
  }

  /** One flush session: frontier, then batches of what the peer lacks, until it has everything it may have. */
  private async flushLog (peer: string): Promise<void> {
    const { components } = this
    const relation = components.relations.relation(peer) ?? newRelation(peer)
    if (relation.state !== 'active' && relation.state !== 'terminating') return
    if ((await components.repository.outbound(peer)).length === 0) return
    let stream: Stream
    try {
      stream = await components.host.dialProtocol(peerIdFromString(peer), BILATERAL_SYNC_PROTOCOL_ID, { signal: this.signal() })
    } catch (err) {
      components.logger.debug({ err, peer }, 'bilateral flush: no stream; the log stays queued')
      return
    }
    const frames = pbStream(stream, { maxDataLength: BILATERAL_SYNC_FRAME_BYTES_MAX })
    const exchange: Exchange = async (batch) => {
      const signal = this.signal()
      await frames.write(encodeBilateralBatch(batch), RAW_FRAME, { signal })
      return decodeBilateralFrontier(await frames.read(RAW_FRAME, { signal }))
    }
    try {
      await this.session(peer, exchange)
      await stream.close({ signal: this.signal() })
    } catch (err) {
      components.logger.debug({ err, peer }, 'bilateral flush interrupted; it resumes from the peer\'s frontier next time')
      stream.abort(err as Error)
    }
  }

  private async session (peer: string, exchange: Exchange): Promise<void> {
    const { components } = this
    const { repository } = components
    let entries = await repository.outbound(peer)
    const low = (): number => entries[0]?.seq ?? 0
    // the first frame asks the peer's frontier: nothing remembered is trusted
    let answer = await exchange({ low: low(), envelopes: [], withdrawn: [] })
    if (await this.diverged(peer, entries, answer)) entries = await this.rebase(peer, entries, answer)
    for (let round = 0; round < FLUSH_BATCHES_MAX && !this.shutdown.signal.aborted; round++) {
      entries = (await this.acknowledge(peer, entries, answer, [])).entries
      const held = new Set(answer.held)
      // the policy again, at delivery, for every entry about to go
      const relation = components.relations.relation(peer) ?? newRelation(peer)
      if (relationQueues(relation)) break
      const withdraw: OutboundBilateral[] = []
      for (const entry of entries) {
        if (entry.seq <= answer.frontier || held.has(entry.seq) || entry.state === 'withdrawn') continue
        const dataClass = entry.data_class as DataClass
        let reason: string | undefined
        if (!relationCarries(relation, dataClass)) reason = relation.state === 'terminated' ? 'RelationNotActiveError' : 'DataClassNotAllowedError'
        try {
          components.policies.checkDelivery(components.members.siteOf(peer), dataClass)
        } catch (err) {
          reason ??= (err as Error).name
        }
        if (reason !== undefined) withdraw.push({ ...entry, state: 'withdrawn', reason })
      }
      if (withdraw.length > 0) {
        // it never leaves: recorded, and sent as a link only so the peer's frontier can pass it
        await components.audit.submit(withdraw.map((e) => this.outRecord(e, 'rejected', e.reason!, 0)), withdraw.map((e) => repository.outboundPut(e)))
        entries = await repository.outbound(peer)
      }
      const plan = planBatch(entries, { frontier: answer.frontier, held }, { entriesMax: this.batchEntriesMax, bytesMax: BILATERAL_BATCH_BYTES_MAX })
      if (plan.envelopes.length === 0 && plan.withdrawn.length === 0) break
      const frontierBefore = answer.frontier
      answer = await exchange({
        low: low(),
        envelopes: plan.envelopes.map((e) => fromString(e.envelope, 'base64pad')),
        withdrawn: plan.withdrawn.map((e) => ({ seq: e.seq, hash: e.hash, prev: e.prev }))
      })
      const acknowledged = await this.acknowledge(peer, entries, answer, plan.envelopes)
      entries = acknowledged.entries
      // a peer that moves nothing (no frontier, no entry settled) ends the round: the next one retries
      if (answer.frontier <= frontierBefore && acknowledged.changed === 0) break
    }
    // acknowledged entries beyond the retention go
    const prune = new Set(prunable(entries, this.peerFrontiers.get(peer) ?? 0, this.retainedAckedMax))
    if (prune.size > 0) await repository.batch(entries.filter((e) => prune.has(e.seq)).map((e) => repository.outboundDelete(e.key)))
  }

  /**
   * Whether the peer holds a log from this node that this node's store does not continue: a frontier above this
   * node's head, or a different entry at the frontier. That is a sender whose store was lost or replaced: its new
   * entries would sit at seqs the peer settled long ago and be taken for duplicates.
   */
  private async diverged (peer: string, entries: OutboundBilateral[], answer: BilateralFrontierFrame): Promise<boolean> {
    if (answer.frontier === 0) return false
    const head = (await this.components.repository.head(peer))?.seq ?? 0
    if (head < answer.frontier) return true
    const atFrontier = entries.find((e) => e.seq === answer.frontier)
    return atFrontier !== undefined && answer.frontierHash !== '' && atFrontier.hash !== answer.frontierHash
  }

  /**
   * Re-seals this node's undelivered entries for `peer` after the peer's frontier (same ids, so one the peer did
   * take is still a duplicate by id there), linked to the peer's frontier hash; the rest of the diverged log goes.
   */
  private async rebase (peer: string, entries: OutboundBilateral[], answer: BilateralFrontierFrame): Promise<OutboundBilateral[]> {
    const { components } = this
    const { repository } = components
    components.logger.warn({ peer, frontier: answer.frontier }, 'bilateral: the peer holds a log from this node that the store does not continue (store lost?): re-sealing after its frontier')
    let head = { seq: answer.frontier, hash: answer.frontierHash }
    const operations = entries.map((e) => repository.outboundDelete(e.key))
    const rebased: OutboundBilateral[] = []
    for (const old of entries.filter((e) => e.state === 'pending')) {
      const { envelope } = decodeEnvelope(fromString(old.envelope, 'base64pad'))
      const entry = this.seal(peer, head, { id: old.id, dataClass: envelope.dataClass, schemaId: envelope.schemaId, payload: envelope.payload, queuedAtMs: old.queued_at_ms })
      rebased.push(entry)
      head = { seq: entry.seq, hash: entry.hash }
    }
    await repository.batch([...operations, ...rebased.map((e) => repository.outboundPut(e)), repository.headPut({ to: peer, ...head })])
    return rebased
  }

  /**
   * Applies a frontier answer: the results of the envelopes sent (one each, in order), and every entry at or under the
   * frontier (or held above it) is acknowledged.
   */
  private async acknowledge (peer: string, entries: OutboundBilateral[], answer: BilateralFrontierFrame, sent: OutboundBilateral[]): Promise<{ entries: OutboundBilateral[], changed: number }> {
    const { repository } = this.components
    this.peerFrontiers.set(peer, answer.frontier)
    const results = new Map<number, BilateralEntryResultFrame>(sent.flatMap((e, i) => answer.results[i] === undefined ? [] : [[e.seq, answer.results[i]]]))
    const held = new Set(answer.held)
    const changed: OutboundBilateral[] = []
    const records: Array<ReturnType<typeof boundaryRecord>> = []
    for (const entry of entries) {
      const result = results.get(entry.seq)
      if (result?.outcome === 'refused') {
        // the peer will never take it (do not resend): withdrawn, so the peer's frontier can pass it
        if (entry.state !== 'withdrawn') changed.push({ ...entry, state: 'withdrawn', reason: `peer:${result.error || 'unknown'}` })
        records.push(this.outRecord(entry, 'rejected', `peer:${result.error || 'unknown'}`, entry.bytes))
        continue
      }
      if (result?.outcome === 'accepted') records.push(this.outRecord(entry, 'accepted', entry.state === 'pending' ? 'delivered' : 'resent', entry.bytes))
      const settled = result?.outcome === 'accepted' || result?.outcome === 'duplicate' || entry.seq <= answer.frontier || held.has(entry.seq)
      if (settled && entry.state === 'pending') {
        changed.push({ ...entry, state: 'acked' })
        if (result?.outcome !== 'accepted') records.push(this.outRecord(entry, 'accepted', result?.outcome ?? 'frontier', entry.bytes))
      }
    }
    if (changed.length === 0 && records.length === 0) return { entries, changed: 0 }
    await this.components.audit.submit(records, changed.map((e) => repository.outboundPut(e)))
    const byKey = new Map(changed.map((e) => [e.key, e]))
    return { entries: entries.map((e) => byKey.get(e.key) ?? e), changed: changed.length }
  }

  private outRecord (entry: OutboundBilateral, verdict: 'accepted' | 'rejected', reason: string, bytes: number): ReturnType<typeof boundaryRecord> {
    return boundaryRecord({ nowMs: this.components.clock.now(), direction: 'out', dataClass: entry.data_class, peer: entry.to, verdict, reason, messageId: entry.id, bytes })
  }

  private signal (): AbortSignal {
    return AbortSignal.any([this.shutdown.signal, AbortSignal.timeout(DELIVERY_TIMEOUT_MS_MAX)])
  }

  private async serial<T> (key: string, work: () => Promise<T>): Promise<T> {
    const run = (this.tails.get(key) ?? Promise.resolve()).then(work, work)
    const tail = run.catch(() => undefined)
    this.tails.set(key, tail)
    try {
      return await run
    } finally {
      if (this.tails.get(key) === tail) this.tails.delete(key)
    }
  }

  /** A site id or a member's PeerId → the member's PeerId. */
  private peerOf (to: string): string {
    const { members } = this.components
    const bySite = members.nodeOfSite(to)
    if (bySite !== undefined) return bySite
    if (members.key(to) !== undefined) return to
    throw new UnknownBilateralPeerError(`no member has site id or PeerId ${to.slice(0, 100)}`)
  }

  /** The log `sender` addresses to this node, as persisted (an empty store: from nothing). */
  private async inboundLog (sender: string): Promise<InboundLog> {
    let log = this.inbound.get(sender)
    if (log === undefined) {
      const record = await this.components.repository.inboundLog(sender)
      log = new InboundLog(sender, record)
      this.inbound.set(sender, log)
    }
    return log
  }

  private logRecord (log: InboundLog): ReturnType<BilateralComponents['repository']['inboundLogPut']> {
    return this.components.repository.inboundLogPut({ from: log.sender, ...log.state() })
  }

  /** Inbound handler of /fedmesh/bilateral/1.0.0 (one envelope): never throws (errors are logged and abort the stream). */
  private readonly onStream = ({ stream, connection }: IncomingStreamData): void => {
    const from = connection.remotePeer.toString()
    this.answer(stream, from).catch((err) => {
      this.components.logger.debug({ err, from }, 'bilateral stream failed')
      stream.abort(err as Error)
    })
  }

  private async answer (stream: Stream, from: string): Promise<void> {
    const signal = this.signal()
    const frames = pbStream(stream, { maxDataLength: BILATERAL_FRAME_BYTES_MAX })
    let bytes: Uint8Array
    try {
      bytes = await frames.read(RAW_FRAME, { signal })
    } catch (err) {
      // the size limit is the first check: an oversized frame is refused before it is read
      if (isTooLong(err)) await this.refused(from, 'unknown', undefined, 0, { action: 'reject', code: 'too_large' })
      throw err
    }
    const judged = await this.serial(`in/${from}`, async () => await this.receive(from, bytes))
    const ack = judged.outcome === 'accepted' ? encodeBilateralAck('delivered') : judged.outcome === 'duplicate' ? encodeBilateralAck('duplicate') : encodeBilateralAck('rejected', judged.error)
    await frames.write(ack, RAW_FRAME, { signal })
    await stream.close({ signal })
  }

  /** Inbound handler of /fedmesh/bilateral-sync/1.0.0: batches from one member, each answered with the frontier. */
  private readonly onSyncStream = ({ stream, connection }: IncomingStreamData): void => {
    const from = connection.remotePeer.toString()
    this.answerBatches(stream, from).catch((err) => {
      this.components.logger.debug({ err, from }, 'bilateral sync stream failed')
      stream.abort(err as Error)
    })
  }

  private async answerBatches (stream: Stream, from: string): Promise<void> {
    if (this.components.members.key(from) === undefined) throw new UnknownBilateralPeerError(`${from} is not a member`)
    const frames = pbStream(stream, { maxDataLength: BILATERAL_SYNC_FRAME_BYTES_MAX })
    for (let round = 0; round <= FLUSH_BATCHES_MAX; round++) {
      let bytes: Uint8Array
      try {
        bytes = await frames.read(RAW_FRAME, { signal: this.signal() })
      } catch (err) {
        if (isTooLong(err)) await this.refused(from, 'unknown', undefined, 0, { action: 'reject', code: 'too_large' })
        if ((err as Error).name === 'UnexpectedEOFError') return
        throw err
      }
      const batch = decodeBilateralBatch(bytes)
      const answer = await this.serial(`in/${from}`, async () => await this.takeBatch(from, batch))
      await frames.write(encodeBilateralFrontier(answer), RAW_FRAME, { signal: this.signal() })
    }
    await stream.close({ signal: this.signal() })
  }

  /** One batch from `from`: what its sender no longer holds, its withdrawn entries, then each envelope as on first delivery. */
  private async takeBatch (from: string, batch: BilateralBatchFrame): Promise<BilateralFrontierFrame> {
    const log = await this.inboundLog(from)
    const lost = batch.low > 0 ? log.settleBelow(batch.low) : undefined
    let settled = false
    for (const w of batch.withdrawn) {
      // the sender's word on its own log (the stream is authenticated as it): the entry will never come
      if (!log.has(w.seq)) {
        log.settle(w.seq, { hash: w.hash, prev: w.prev })
        settled = true
      }
    }
    if (lost !== undefined || settled) {
      if (lost !== undefined) this.components.logger.warn({ from, lost }, 'bilateral entries the sender pruned before this node had them: recorded as lost')
      await this.persistLog(log, [])
    }
    const results: BilateralEntryResultFrame[] = []
    for (const bytes of batch.envelopes) {
      const judged = await this.receive(from, bytes)
      results.push({ seq: judged.seq, outcome: judged.outcome, error: judged.error })
    }
    const { seq, hash } = log.frontier()
    return { frontier: seq, frontierHash: hash, held: log.heldSeqs(BILATERAL_HELD_LISTED_MAX), results }
  }

  /** Persists a log position (dropping the in-memory copy if the write fails, so it is reloaded as stored). */
  private async persistLog (log: InboundLog, operations: Parameters<BilateralComponents['repository']['batch']>[0], records: Array<ReturnType<typeof boundaryRecord>> = []): Promise<void> {
    try {
      await this.components.audit.submit(records, [...operations, this.logRecord(log)])
    } catch (err) {
      this.inbound.delete(log.sender)
      throw err
    }
  }

  /**
   * A peer's envelope → what became of it; a refused one is counted and audited. Sequenced envelopes (a log entry)
   * are guarded by the sender's log: one it settled before is a duplicate, and the age checks give way to it (a
   * re-sent entry is as old as its first send); unsequenced ones (an earlier version's) are checked as before.
   */
  private async receive (from: string, bytes: Uint8Array): Promise<Judgement> {
    const { components } = this
    let dataClass = 'unknown'
    let messageId: string | undefined
    let seq = 0
    let log: InboundLog | undefined
    let link: LogLink | undefined
    try {
      const decoded = decodeEnvelope(bytes)
      dataClass = decoded.envelope.dataClass
      messageId = decoded.idHex
      seq = decoded.envelope.originSeq
      let check: ReturnType<InboundLog['check']> | undefined
      if (seq >= 1 && decoded.envelope.source === from && decoded.envelope.destination === components.nodeId) {
        log = await this.inboundLog(from)
        link = linkOf(decoded)
        check = log.check(seq, link)
        if (check === 'duplicate') return { outcome: 'duplicate', error: '', seq }
        // settled before (accepted, refused, withdrawn or lost): never taken twice
        if (check === 'stored') return { outcome: 'duplicate', error: (await components.repository.received(decoded.idHex)) ? '' : 'settled', seq }
      } else if (await components.repository.received(decoded.idHex)) {
        return { outcome: 'duplicate', error: '', seq }
      }
      const envelope = validateDecodedEnvelope(decoded, {
        federationId: this.init.federationId, now: () => components.clock.now(), replay: this.replay, verifier: components.verifier, memberKey: components.members.key,
        guardedByLog: () => check === 'new'
      })
      if (envelope.source !== from || envelope.destination !== components.nodeId) {
        throw new MisaddressedBilateralError(`envelope from ${envelope.source.slice(0, 100)} to ${envelope.destination.slice(0, 100)} arrived from ${from} at ${components.nodeId}`)
      }
      if (check === 'conflict') throw new BilateralLogConflictError(`${from} sent a second, different entry ${seq} of its log to this node (or one that does not link)`)
      try {
        const relation = components.relations.relation(from) ?? newRelation(from)
        if (!components.policies.bilateralClasses().includes(envelope.dataClass) || !relationAccepts(relation, envelope.dataClass)) {
          throw new BilateralClassNotAllowedError(`${from} may not send ${envelope.dataClass} to this node (relation ${relation.state}; agreed: ${relation.agreed?.receives.join(', ') ?? 'none'})`)
        }
        if (envelope.payload.length > relation.agreed!.messageBytesMax) {
          throw new BilateralMessageTooLargeError(`payload of ${envelope.payload.length} bytes, the agreed limit is ${relation.agreed!.messageBytesMax}`)
        }
      } catch (err) {
        // authenticated, in its place in the log, refused: settled, so the log moves past it
        if (log !== undefined && link !== undefined && err instanceof VerdictError) {
          log.settle(seq, link)
          await this.persistLog(log, [], [this.inRecord(from, dataClass, messageId, bytes.length, verdictOf(err))])
          this.count(verdictOf(err).code)
          return { outcome: 'refused', error: err.name, seq }
        }
        throw err
      }
      const now = components.clock.now()
      const entry: ReceivedBilateral = {
        key: components.repository.inboxKey(now, envelope.idHex), id: envelope.idHex, from, site: components.members.siteOf(from) ?? null,
        data_class: envelope.dataClass, schema_id: envelope.schemaId, payload: toString(envelope.payload, 'base64pad'), sent_at_ms: envelope.timestampMs, received_at_ms: now,
        ...(seq >= 1 ? { seq } : {})
      }
      const record = boundaryRecord({ nowMs: now, direction: 'in', dataClass: envelope.dataClass, peer: from, verdict: 'accepted', messageId: envelope.idHex, bytes: bytes.length })
      if (log !== undefined && link !== undefined) {
        log.settle(seq, link)
        await this.persistLog(log, components.repository.inboxPut(entry), [record])
      } else {
        await components.audit.submit([record], components.repository.inboxPut(entry))
        rememberEnvelope({ replay: this.replay, now: () => now }, envelope)
      }
      return { outcome: 'accepted', error: '', seq }
    } catch (err) {
      if (err instanceof DuplicateEnvelopeError) return { outcome: 'duplicate', error: '', seq }
      if (!(err instanceof VerdictError)) throw err
      await this.refused(from, dataClass, messageId, bytes.length, verdictOf(err))
      return { outcome: 'refused', error: err.name, seq }
    }
  }

  private inRecord (from: string, dataClass: string, messageId: string | undefined, bytes: number, verdict: { action: string, code: string }): ReturnType<typeof boundaryRecord> {
    return boundaryRecord({
      nowMs: this.components.clock.now(), direction: 'in', dataClass, peer: from, verdict: 'rejected', reason: `${verdict.action}:${verdict.code}`,
      ...(messageId === undefined ? {} : { messageId }), bytes
    })
  }

  private count (code: string): void {
    this.rejectedCounts.set(code, (this.rejectedCounts.get(code) ?? 0) + 1)
    this.rejectedCounter?.inc({ code })
  }

  /** Counts (by code) and audits an inbound refusal. */
  private async refused (from: string, dataClass: string, messageId: string | undefined, bytes: number, verdict: { action: string, code: string }): Promise<void> {
    this.count(verdict.code)
    await this.components.audit.submit([this.inRecord(from, dataClass, messageId, bytes, verdict)]).catch((err) => { this.components.logger.warn({ err }, 'bilateral refusal not audited') })
  }
}

/** An entry's links: its body hash and the hash it links back to. */
function linkOf (decoded: DecodedEnvelope): LogLink {
  return { hash: hex(envelopeBodyHash(decoded)), prev: hex(decoded.envelope.prevHash) }
}

function isTooLong (err: unknown): boolean {
  return (err as Error).name === 'InvalidDataLengthError' || (err as Error).name === 'InvalidDataLengthLengthError'
}
