/**
 * The bilateral service (see index.ts). Send: resolve the peer through the
 * membership, check the class against the policies in force (a refusal is
 * audited and nothing is written or queued), persist the message in the
 * peer's queue, then deliver it if the relation carries it now. Delivery seals
 * a fresh envelope addressed to the peer (the queued id, a fresh timestamp)
 * and removes the entry in the batch of its audit record once the peer
 * acknowledged. Receive: size → decode/schema → duplicate → skew →
 * membership → signature → addressee → policy, then the inbox entry and its
 * audit record in one batch before the acknowledgement.
 */
import { peerIdFromString } from '@libp2p/peer-id'
import type { IncomingStreamData, Stream } from '@libp2p/interface'
import { Counter } from 'prom-client'
import { pbStream } from 'it-protobuf-stream'
import { fromString, toString } from 'uint8arrays'
import { VerdictError, verdictOf } from '../../core/errors.ts'
import type { DataClass } from '../../core/data-class.ts'
import { newRelation, relationAccepts, relationCarries, relationQueues } from '../../core/handshake/index.ts'
import { DataClassNotAllowedError } from '../../core/policy/data-policy.ts'
import { decodeEnvelope, signEnvelope } from '../../wire/envelope.ts'
import { DuplicateEnvelopeError, rememberEnvelope, ReplayCache, validateDecodedEnvelope } from '../../wire/pipeline.ts'
import { ENVELOPE_ID_BYTES } from '../../wire/limits.ts'
import {
  BILATERAL_FRAME_BYTES_MAX, BILATERAL_PROTOCOL_ID, BILATERAL_SCHEMA_ID, decodeBilateralAck, encodeBilateralAck, type BilateralOutcome
} from '../../wire/bilateral.ts'
import { boundaryRecord } from '../audit/records.ts'
import { queueKey, type QueuedBilateral, type ReceivedBilateral } from '../../store/bilateral-queue.ts'
import { DELIVERY_TIMEOUT_MS_MAX, INBOUND_STREAMS_MAX, INBOX_READ_MAX, OUTBOUND_STREAMS_MAX, QUEUE_ENTRIES_PER_PEER_MAX } from './constants.ts'
import {
  BilateralClassNotAllowedError, BilateralMessageTooLargeError, BilateralQueueFullError, MisaddressedBilateralError, NotBilateralClassError,
  RelationNotActiveError, UnknownBilateralPeerError
} from './errors.ts'
import type { Bilateral, BilateralComponents, BilateralInit, BilateralSendInput, BilateralSendResult } from './index.ts'

const RAW = { encode: (bytes: Uint8Array) => bytes, decode: (data: { subarray: () => Uint8Array }) => data.subarray() }

type DeliveryOutcome = 'delivered' | 'rejected' | 'dropped' | 'kept'

export class BilateralService implements Bilateral {
  private readonly replay = new ReplayCache()
  private readonly rejectedCounts = new Map<string, number>()
  private readonly rejectedCounter: Counter<'code'> | undefined
  /** deliveries to one peer run one at a time, in queue order */
  private readonly tails = new Map<string, Promise<unknown>>()
  private unsubscribe: (() => void) | undefined
  private shutdown = new AbortController()

  constructor (private readonly components: BilateralComponents, private readonly init: BilateralInit) {
    this.rejectedCounter = components.registry === undefined
      ? undefined
      : new Counter({ name: 'fedmesh_bilateral_rejected_total', help: 'Bilateral messages refused on receipt, by code', labelNames: ['code'], registers: [components.registry] })
  }

  async start (): Promise<void> {
    this.shutdown = new AbortController()
    await this.components.host.handle(BILATERAL_PROTOCOL_ID, this.onStream, { maxInboundStreams: INBOUND_STREAMS_MAX, maxOutboundStreams: OUTBOUND_STREAMS_MAX })
    // a relation that becomes active (first time or re-established) gets its queue
    this.unsubscribe = this.components.relations.subscribe((relation) => {
      if (relation.state === 'active') this.flush(relation.peer).catch((err) => { this.components.logger.warn({ err, peer: relation.peer }, 'bilateral queue flush failed') })
    })
  }

  async stop (): Promise<void> {
    this.shutdown.abort()
    this.unsubscribe?.()
    await this.components.host.unhandle(BILATERAL_PROTOCOL_ID)
    await Promise.allSettled([...this.tails.values()])
  }

  rejected (): Record<string, number> {
    return Object.fromEntries(this.rejectedCounts)
  }

  async queued (): Promise<Record<string, number>> {
    const out: Record<string, number> = {}
    for (const entry of await this.components.repository.queued()) out[entry.to] = (out[entry.to] ?? 0) + 1
    return out
  }

  async inbox (init: { sinceMs?: number, limit?: number } = {}): Promise<ReceivedBilateral[]> {
    return await this.components.repository.inboxEntries({ ...init, limit: Math.min(init.limit ?? INBOX_READ_MAX, INBOX_READ_MAX) })
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
      if ((await components.repository.queued(peer)).length >= QUEUE_ENTRIES_PER_PEER_MAX) throw new BilateralQueueFullError(`${QUEUE_ENTRIES_PER_PEER_MAX} messages already wait for ${site ?? peer}`)
    } catch (err) {
      await components.audit.submit([boundaryRecord({ nowMs: now, direction: 'out', dataClass: input.dataClass, peer, verdict: 'rejected', reason: (err as Error).name, messageId: id, bytes: input.payload.length })])
      throw err
    }
    const entry: QueuedBilateral = {
      key: queueKey(peer, now, id), to: peer, id, data_class: input.dataClass, schema_id: input.schemaId ?? BILATERAL_SCHEMA_ID,
      payload: toString(input.payload, 'base64pad'), queued_at_ms: now, attempts: 0
    }
    // persisted before anything is sent: a crash after this delivers it later, never loses it
    await components.repository.batch([components.repository.queuePut(entry)])
    let outcome: DeliveryOutcome = 'kept'
    if (relationCarries(relation, input.dataClass)) {
      outcome = await this.serial(peer, async () => {
        // an earlier message still queued goes first (per-peer order)
        const first = (await components.repository.queued(peer))[0]
        if (first !== undefined && first.key !== entry.key) {
          await this.flushQueue(peer)
          return (await components.repository.queued(peer)).some((e) => e.key === entry.key) ? 'kept' : 'delivered'
        }
        return await this.deliver(entry)
      })
    }
    if (outcome === 'rejected' || outcome === 'dropped') throw new DataClassNotAllowedError(`${site ?? peer} refused ${input.dataClass}`)
    return { status: outcome === 'delivered' ? 'delivered' : 'queued', message_id: id, peer, site: site ?? null, data_class: input.dataClass }
  }

  async flush (peer: string): Promise<void> {
    await this.serial(peer, async () => { await this.flushQueue(peer) })
  }

  /** Delivers `peer`'s queue in order until one message has to stay. */
  private async flushQueue (peer: string): Promise<void> {
    for (const entry of await this.components.repository.queued(peer)) {
      if (this.shutdown.signal.aborted) return
      if (await this.deliver(entry) === 'kept') return
    }
  }

  private async serial<T> (peer: string, work: () => Promise<T>): Promise<T> {
    const run = (this.tails.get(peer) ?? Promise.resolve()).then(work, work)
    const tail = run.catch(() => undefined)
    this.tails.set(peer, tail)
    try {
      return await run
    } finally {
      if (this.tails.get(peer) === tail) this.tails.delete(peer)
    }
  }

  /** One delivery attempt of a queued message. */
  private async deliver (entry: QueuedBilateral): Promise<DeliveryOutcome> {
    const { components } = this
    const dataClass = entry.data_class as DataClass
    const relation = components.relations.relation(entry.to) ?? newRelation(entry.to)
    const payload = fromString(entry.payload, 'base64pad')
    const audit = (verdict: 'accepted' | 'rejected', reason: string, bytes: number): ReturnType<typeof boundaryRecord> =>
      boundaryRecord({ nowMs: components.clock.now(), direction: 'out', dataClass, peer: entry.to, verdict, reason, messageId: entry.id, bytes })
    if (!relationCarries(relation, dataClass)) {
      if (relationQueues(relation)) return 'kept'
      // active without this class in its agreed policy, or terminated: the message never leaves
      const reason = relation.state === 'terminated' ? 'RelationNotActiveError' : 'DataClassNotAllowedError'
      await components.audit.submit([audit('rejected', reason, payload.length)], [components.repository.queueDelete(entry.key)])
      return 'dropped'
    }
    try {
      components.policies.checkDelivery(components.members.siteOf(entry.to), dataClass)
    } catch (err) {
      await components.audit.submit([audit('rejected', (err as Error).name, payload.length)], [components.repository.queueDelete(entry.key)])
      return 'dropped'
    }
    const bytes = signEnvelope({
      id: fromString(entry.id, 'base16'),
      timestampMs: components.clock.now(),
      source: components.nodeId,
      destination: entry.to,
      federationId: this.init.federationId,
      dataClass,
      schemaId: entry.schema_id,
      payload
    }, components.signer)
    let ack: { outcome: BilateralOutcome | 'unknown', error: string }
    try {
      ack = await this.transmit(entry.to, bytes)
    } catch (err) {
      components.logger.debug({ err, peer: entry.to }, 'bilateral delivery failed; the message stays queued')
      await components.repository.batch([components.repository.queuePut({ ...entry, attempts: entry.attempts + 1 })])
      return 'kept'
    }
    if (ack.outcome === 'delivered' || ack.outcome === 'duplicate') {
      await components.audit.submit([audit('accepted', ack.outcome, bytes.length)], [components.repository.queueDelete(entry.key)])
      return 'delivered'
    }
    if (ack.outcome === 'rejected') {
      await components.audit.submit([audit('rejected', `peer:${ack.error || 'unknown'}`, bytes.length)], [components.repository.queueDelete(entry.key)])
      return 'rejected'
    }
    return 'kept'
  }

  /** Writes one envelope and reads the acknowledgement. */
  private async transmit (to: string, bytes: Uint8Array): Promise<ReturnType<typeof decodeBilateralAck>> {
    const signal = AbortSignal.any([this.shutdown.signal, AbortSignal.timeout(DELIVERY_TIMEOUT_MS_MAX)])
    const stream = await this.components.host.dialProtocol(peerIdFromString(to), BILATERAL_PROTOCOL_ID, { signal })
    try {
      const frames = pbStream(stream, { maxDataLength: BILATERAL_FRAME_BYTES_MAX })
      await frames.write(bytes, RAW, { signal })
      const ack = decodeBilateralAck(await frames.read(RAW, { signal }))
      await stream.close({ signal })
      return ack
    } catch (err) {
      stream.abort(err as Error)
      throw err
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

  /** Inbound handler: never throws (errors are logged and abort the stream). */
  private readonly onStream = ({ stream, connection }: IncomingStreamData): void => {
    const from = connection.remotePeer.toString()
    this.answer(stream, from).catch((err) => {
      this.components.logger.debug({ err, from }, 'bilateral stream failed')
      stream.abort(err as Error)
    })
  }

  private async answer (stream: Stream, from: string): Promise<void> {
    const signal = AbortSignal.any([this.shutdown.signal, AbortSignal.timeout(DELIVERY_TIMEOUT_MS_MAX)])
    const frames = pbStream(stream, { maxDataLength: BILATERAL_FRAME_BYTES_MAX })
    let bytes: Uint8Array
    try {
      bytes = await frames.read(RAW, { signal })
    } catch (err) {
      // the size limit is the first check: an oversized frame is refused before it is read
      if ((err as Error).name === 'InvalidDataLengthError' || (err as Error).name === 'InvalidDataLengthLengthError') {
        await this.refused(from, 'unknown', undefined, 0, { action: 'reject', code: 'too_large' })
      }
      throw err
    }
    const ack = await this.receive(from, bytes)
    await frames.write(ack, RAW, { signal })
    await stream.close({ signal })
  }

  /** A peer's envelope → the acknowledgement; a refused one is counted and audited. */
  private async receive (from: string, bytes: Uint8Array): Promise<Uint8Array> {
    const { components } = this
    let dataClass = 'unknown'
    let messageId: string | undefined
    try {
      const decoded = decodeEnvelope(bytes)
      dataClass = decoded.envelope.dataClass
      messageId = decoded.idHex
      if (await components.repository.received(decoded.idHex)) return encodeBilateralAck('duplicate')
      const envelope = validateDecodedEnvelope(decoded, {
        federationId: this.init.federationId, now: () => components.clock.now(), replay: this.replay, verifier: components.verifier, memberKey: components.members.key
      })
      if (envelope.source !== from || envelope.destination !== components.nodeId) {
        throw new MisaddressedBilateralError(`envelope from ${envelope.source.slice(0, 100)} to ${envelope.destination.slice(0, 100)} arrived from ${from} at ${components.nodeId}`)
      }
      const relation = components.relations.relation(from) ?? newRelation(from)
      if (!components.policies.bilateralClasses().includes(envelope.dataClass) || !relationAccepts(relation, envelope.dataClass)) {
        throw new BilateralClassNotAllowedError(`${from} may not send ${envelope.dataClass} to this node (relation ${relation.state}; agreed: ${relation.agreed?.receives.join(', ') ?? 'none'})`)
      }
      if (envelope.payload.length > relation.agreed!.messageBytesMax) {
        throw new BilateralMessageTooLargeError(`payload of ${envelope.payload.length} bytes, the agreed limit is ${relation.agreed!.messageBytesMax}`)
      }
      const now = components.clock.now()
      const entry: ReceivedBilateral = {
        key: components.repository.inboxKey(now, envelope.idHex), id: envelope.idHex, from, site: components.members.siteOf(from) ?? null,
        data_class: envelope.dataClass, schema_id: envelope.schemaId, payload: toString(envelope.payload, 'base64pad'), sent_at_ms: envelope.timestampMs, received_at_ms: now
      }
      await components.audit.submit([boundaryRecord({ nowMs: now, direction: 'in', dataClass: envelope.dataClass, peer: from, verdict: 'accepted', messageId: envelope.idHex, bytes: bytes.length })], components.repository.inboxPut(entry))
      rememberEnvelope({ replay: this.replay, now: () => now }, envelope)
      return encodeBilateralAck('delivered')
    } catch (err) {
      if (err instanceof DuplicateEnvelopeError) return encodeBilateralAck('duplicate')
      if (!(err instanceof VerdictError)) throw err
      await this.refused(from, dataClass, messageId, bytes.length, verdictOf(err))
      return encodeBilateralAck('rejected', err.name)
    }
  }

  /** Counts (by code) and audits an inbound refusal. */
  private async refused (from: string, dataClass: string, messageId: string | undefined, bytes: number, verdict: { action: string, code: string }): Promise<void> {
    this.rejectedCounts.set(verdict.code, (this.rejectedCounts.get(verdict.code) ?? 0) + 1)
    this.rejectedCounter?.inc({ code: verdict.code })
    const record = boundaryRecord({
      nowMs: this.components.clock.now(), direction: 'in', dataClass, peer: from, verdict: 'rejected', reason: `${verdict.action}:${verdict.code}`,
      ...(messageId === undefined ? {} : { messageId }), bytes
    })
    await this.components.audit.submit([record]).catch((err) => { this.components.logger.warn({ err }, 'bilateral refusal not audited') })
  }
}
