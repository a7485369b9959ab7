/**
 * The handshake service (see index.ts). A negotiation runs on one stream:
 * the initiator dials, both sides step their pure session until it agrees or
 * fails. A termination notice is one frame on a stream of its own; a
 * heartbeat is one frame on a stream of its own that the peer answers with
 * its heartbeat (heartbeats.ts). The relation table is in memory (a restart
 * handshakes again on the next connection); every transition is audited
 * before listeners (the bilateral service) hear of it.
 */
import { createHash } from 'node:crypto'
import { peerIdFromString } from '@libp2p/peer-id'
import type { IncomingStreamData, PeerId, Stream } from '@libp2p/interface'
import {
  activate, agreedPolicy, allowReestablishment, beginHandshake, BILATERAL_MESSAGE_BYTES_MAX, HANDSHAKE_NONCE_BYTES, HANDSHAKE_PROTOCOL_ID,
  HANDSHAKE_VERSION, HandshakeError, handshakeFailed, heartbeatHeard, HEARTBEAT_INTERVAL_MS_DEFAULT, HEARTBEATS_MISSED_MAX, newRelation,
  NotAMemberError, RelationTerminatedError, sessionDone, sortedClasses, startInitiator, startResponder, stepSession, terminate,
  TERMINATION_NOTICE_MS_DEFAULT, tickRelation, UnexpectedHandshakeMessageError,
  type HandshakeMessage, type HandshakeSession, type LocalHandshake, type Relation, type RelationStep, type SessionContext, type SessionStep
} from '../../core/handshake/index.ts'
import type { AuditRecord } from '../../core/audit/record.ts'
import { canonicalJson } from '../../core/consensus/canonical.ts'
import { decodeHandshakeMessage, encodeHandshakeMessage } from '../../wire/handshake.ts'
import { HANDSHAKE_TIMEOUT_MS_MAX, INBOUND_STREAMS_MAX, NOTICE_TIMEOUT_MS_MAX, OUTBOUND_STREAMS_MAX, TICK_MS_MAX } from './constants.ts'
import { UnknownRelationError } from './errors.ts'
import { RAW_FRAME } from '../../net/request-stream.ts'
import { handshakeFrames, HeartbeatBook, sendHeartbeat, type Frames } from './heartbeats.ts'
import type { Handshake, HandshakeComponents, HandshakeInit, RelationListener, RelationView } from './index.ts'

export class HandshakeService implements Handshake {
  private readonly table = new Map<string, Relation>()
  /** negotiations this node opened, by peer: a second `establish` joins the first */
  private readonly inflight = new Map<string, Promise<Relation>>()
  private readonly listeners = new Set<RelationListener>()
  private readonly heartbeats = new HeartbeatBook()
  private readonly reestablishTriedMs = new Map<string, number>()
  /** connected members with a lower PeerId and no relation at the last tick (this node opens at the next one); only connected peers */
  private readonly unopened = new Set<string>()
  /** with `openAfterMs`: when each connected member with no relation was first seen connected (this node's clock); only connected peers */
  private readonly connectedSinceMs = new Map<string, number>()
  private timer: NodeJS.Timeout | undefined
  private running = false
  private shutdown = new AbortController()
  private readonly heartbeatIntervalMs: number
  private readonly missedMax: number

  constructor (private readonly components: HandshakeComponents, private readonly init: HandshakeInit) {
    this.heartbeatIntervalMs = init.heartbeatIntervalMs ?? HEARTBEAT_INTERVAL_MS_DEFAULT
    this.missedMax = init.heartbeatsMissedMax ?? HEARTBEATS_MISSED_MAX
  }

  async start (): Promise<void> {
    this.shutdown = new AbortController()
    await this.components.host.handle(HANDSHAKE_PROTOCOL_ID, this.onStream, { maxInboundStreams: INBOUND_STREAMS_MAX, maxOutboundStreams: OUTBOUND_STREAMS_MAX })
    this.components.host.addEventListener('peer:connect', this.onPeerConnect)
    this.running = true
    for (const peer of this.components.host.getPeers()) this.maybeOpen(peer.toString(), false)
    this.armTimer()
  }

  async stop (): Promise<void> {
    this.running = false
    this.shutdown.abort()
    if (this.timer !== undefined) clearTimeout(this.timer)
    this.timer = undefined
    this.components.host.removeEventListener('peer:connect', this.onPeerConnect)
    await this.components.host.unhandle(HANDSHAKE_PROTOCOL_ID)
    await Promise.allSettled([...this.inflight.values()])
  }

  relations (): RelationView[] {
    return [...this.table.values()].sort((a, b) => a.peer.localeCompare(b.peer)).map((r) => this.view(r))
  }

  relation (peer: string): Relation | undefined {
    return this.table.get(peer)
  }

  subscribe (listener: RelationListener): () => void {
    this.listeners.add(listener)
    return () => { this.listeners.delete(listener) }
  }

  async establish (peer: string): Promise<Relation> {
    const running = this.inflight.get(peer)
    if (running !== undefined) return await running
    const run = this.initiate(peer).finally(() => { this.inflight.delete(peer) })
    this.inflight.set(peer, run)
    return await run
  }

  async terminate (peer: string, init: { forced: boolean, noticeMs?: number, reason: string }): Promise<Relation> {
    const relation = this.table.get(peer)
    if (relation === undefined) throw new UnknownRelationError(`no relation with ${peer}`)
    const noticeMs = init.noticeMs ?? TERMINATION_NOTICE_MS_DEFAULT
    await this.change(terminate(relation, { forced: init.forced, noticeMs, reason: init.reason, nowMs: this.components.clock.now() }))
    try {
      await this.notify(peer, { kind: 'terminate', forced: init.forced, noticeMs, reason: init.reason })
    } catch (err) {
      this.components.logger.debug({ err, peer }, 'termination notice not delivered')
    }
    if (init.forced) await this.components.host.hangUp(peerIdFromString(peer)).catch(() => {})
    return this.table.get(peer)!
  }

  allow (peer: string): Relation {
    const relation = this.table.get(peer)
    if (relation === undefined) throw new UnknownRelationError(`no relation with ${peer}`)
    const next = allowReestablishment(relation)
    this.table.set(peer, next)
    return next
  }

  async tick (): Promise<void> {
    const now = this.components.clock.now()
    const connected = new Set(this.components.host.getPeers().map((p) => p.toString()))
    for (const peer of this.unopened) if (!connected.has(peer) || this.table.has(peer)) this.unopened.delete(peer)
    for (const peer of this.connectedSinceMs.keys()) if (!connected.has(peer) || this.table.has(peer)) this.connectedSinceMs.delete(peer)
    // a member connected before this service started, or before the membership named it, or one the lower PeerId did not open: no relation yet
    for (const peer of connected) if (!this.table.has(peer)) this.maybeOpen(peer, true)
    for (const relation of [...this.table.values()]) {
      const ticked = tickRelation(relation, now, this.missedMax)
      // a relation just suspended gets its first re-establishment attempt one interval later (or when the peer shows life)
      if (ticked.transitions.some((t) => t.to === 'suspended')) this.reestablishTriedMs.set(relation.peer, now)
      await this.change(ticked)
      const current = this.table.get(relation.peer)!
      const interval = current.agreed?.heartbeatIntervalMs ?? this.heartbeatIntervalMs
      // heartbeats ride an open connection only: dialling a peer to heartbeat it would hold a connection open per relation
      // against the connection limits; a peer that stays disconnected is suspended after K intervals, re-established on reconnection.
      // An answer to the peer's heartbeat within the interval was this node's heartbeat (when the peer reads answers): no stream
      if ((current.state === 'active' || current.state === 'terminating') && connected.has(current.peer) && this.heartbeats.due(current.peer, now, interval)) {
        // not awaited: the stream waits for the peer's answer
        this.heartbeat(current.peer, this.heartbeats.next(current.peer, now, true)).catch((err) => { this.components.logger.debug({ err, peer: current.peer }, 'heartbeat not delivered') })
      }
      // a suspended peer that is connected again gets a new handshake, at most once per interval
      if (current.state === 'suspended' && connected.has(current.peer) && now - (this.reestablishTriedMs.get(current.peer) ?? -Infinity) >= interval) {
        this.reestablishTriedMs.set(current.peer, now)
        this.establish(current.peer).catch((err) => { this.components.logger.debug({ err, peer: current.peer }, 're-establishment failed') })
      }
    }
  }

  /** What this node brings to a handshake with `peer`: the bilateral classes its config allows with the peer's site. */
  private local (peer: string): LocalHandshake {
    const nodeRecord = this.components.nodeRecord()
    if (nodeRecord === undefined) throw new Error('the node record is not signed yet: start the node-records service first')
    const allowed = sortedClasses(this.components.policies.bilateralAllowed(this.components.members.siteOf(peer)))
    return {
      node: this.components.nodeId,
      nodeRecord,
      capabilities: {
        versions: [HANDSHAKE_VERSION],
        offered: allowed,
        wanted: allowed,
        qos: { heartbeatIntervalMs: this.heartbeatIntervalMs, messageBytesMax: this.init.messageBytesMax ?? BILATERAL_MESSAGE_BYTES_MAX }
      },
      required: sortedClasses(this.init.requiredClasses ?? [])
    }
  }

  private context (peer: string): SessionContext {
    const { components } = this
    return { local: this.local(peer), signer: components.signer, verifier: components.verifier, memberKey: components.members.key, verifyNodeRecord: components.verifyNodeRecord }
  }

  private async initiate (peer: string): Promise<Relation> {
    await this.change(beginHandshake(this.table.get(peer) ?? newRelation(peer)))
    const context = this.context(peer)
    const signal = AbortSignal.any([this.shutdown.signal, AbortSignal.timeout(HANDSHAKE_TIMEOUT_MS_MAX)])
    let stream: Stream
    try {
      stream = await this.components.host.dialProtocol(peerIdFromString(peer), HANDSHAKE_PROTOCOL_ID, { signal })
    } catch (err) {
      this.components.logger.debug({ err, peer }, 'handshake dial failed')
      await this.change(handshakeFailed(this.table.get(peer)!, 'unreachable'))
      return this.table.get(peer)!
    }
    try {
      const frames = handshakeFrames(stream)
      const session = await this.converse(frames, startInitiator({ peer, nonce: this.components.random.bytes(HANDSHAKE_NONCE_BYTES), local: context.local }), context, signal)
      await stream.close({ signal }).catch(() => {})
      return await this.finish(session)
    } catch (err) {
      stream.abort(err as Error)
      this.components.logger.debug({ err, peer }, 'handshake stream failed')
      await this.change(handshakeFailed(this.table.get(peer)!, 'stream_failed'))
      return this.table.get(peer)!
    }
  }

  /** Writes a step's messages, reads the peer's next one, steps again, until the session ends. */
  private async converse (frames: Frames, first: SessionStep, context: SessionContext, signal: AbortSignal): Promise<HandshakeSession> {
    let { session, outbound } = first
    for (;;) {
      for (const message of outbound) await frames.write(encodeHandshakeMessage(message), RAW_FRAME, { signal })
      if (sessionDone(session)) return session
      const bytes = await frames.read(RAW_FRAME, { signal })
      let message: HandshakeMessage
      try {
        message = decodeHandshakeMessage(bytes)
      } catch (err) {
        if (!(err instanceof HandshakeError)) throw err
        session = { ...session, phase: 'failed', failure: err }
        outbound = [{ kind: 'refuse', code: err.code, reason: err.message.slice(0, 256) }]
        continue
      }
      ({ session, outbound } = stepSession(session, message, context))
    }
  }

  /** A session ended: activate the relation with the agreed policy, or record the failure. */
  private async finish (session: HandshakeSession): Promise<Relation> {
    const { peer } = session
    const relation = this.table.get(peer) ?? newRelation(peer)
    if (session.phase === 'agreed' && session.agreed !== undefined) {
      const agreed = agreedPolicy(session.role, session.agreed)
      const site = this.components.members.siteOf(peer)
      if (site !== undefined) this.components.policies.agreeBilateral(site, agreed.sends)
      this.heartbeats.forget(peer)
      const policyHash = createHash('sha256').update(canonicalJson({ peer, ...agreed })).digest('hex')
      const policyRecord: AuditRecord = {
        kind: 'policy', timestamp_ms: this.components.clock.now(), peer, change: 'bilateral_policy_agreed', policy_hash: policyHash,
        attributes: { sends: agreed.sends.join(',') || '-', receives: agreed.receives.join(',') || '-', heartbeat_interval_ms: agreed.heartbeatIntervalMs, role: session.role }
      }
      await this.change(activate(relation, agreed, this.components.clock.now()), [policyRecord], true)
    } else {
      const code = session.failure?.code ?? 'failed'
      this.components.logger.info({ peer, code, err: session.failure?.message }, 'handshake failed')
      await this.change(handshakeFailed(relation, code), [{ kind: 'handshake', timestamp_ms: this.components.clock.now(), peer, from_state: relation.state, to_state: 'failed', reason: `${session.role}:${code}` }])
    }
    return this.table.get(peer)!
  }

  /** Takes a relation step: the table, then the audit log (transitions and `extra`), then the listeners. */
  private async change (step: RelationStep, extra: AuditRecord[] = [], notify = false): Promise<void> {
    const { relation, transitions } = step
    this.table.set(relation.peer, relation)
    const now = this.components.clock.now()
    // a failure record in `extra` already says what the transition would
    const records: AuditRecord[] = [
      ...(extra.some((r) => r.kind === 'handshake') ? [] : transitions.map((t): AuditRecord => ({ kind: 'handshake', timestamp_ms: now, peer: t.peer, from_state: t.from, to_state: t.to, ...(t.reason === undefined ? {} : { reason: t.reason }) }))),
      ...extra
    ]
    if (records.length > 0 && this.components.audit !== undefined) {
      try {
        await this.components.audit.submit(records)
      } catch (err) {
        this.components.logger.warn({ err, peer: relation.peer }, 'handshake transition not audited')
      }
    }
    if (transitions.length === 0 && !notify) return
    for (const listener of this.listeners) {
      try {
        listener(relation, transitions)
      } catch (err) {
        this.components.logger.warn({ err }, 'relation listener failed')
      }
    }
  }

  /**
   * A heartbeat on a stream of its own over an open connection to `peer` (with none, nothing is sent, nothing
   * dialled), and the peer's answer on it: heard like a heartbeat the peer opened. No answer, or not a heartbeat,
   * is no fault of the relation (the heartbeat was delivered): the peer is heard when it sends its own.
   */
  private async heartbeat (peer: string, message: HandshakeMessage): Promise<void> {
    const connection = this.components.host.getConnections(peerIdFromString(peer)).find((c) => c.status === 'open')
    if (connection === undefined) return
    const signal = AbortSignal.any([this.shutdown.signal, AbortSignal.timeout(NOTICE_TIMEOUT_MS_MAX)])
    const answer = await sendHeartbeat(await connection.newStream(HANDSHAKE_PROTOCOL_ID, { signal }), message, signal)
    this.heartbeats.heard(peer, answer)
    if (answer.answered) {
      await this.heard(peer)
    } else {
      this.components.logger.debug({ err: answer.err, peer, why: answer.why }, 'heartbeat not answered')
    }
  }

  /**
   * Answers a heartbeat from `peer` on its stream with this node's own, while the relation is one this node
   * heartbeats (active, terminating). For a peer that reads answers it is this node's heartbeat of the interval
   * (the timer opens no stream); an older peer has closed the stream, so the write may go nowhere or fail.
   */
  private async answerHeartbeat (frames: Frames, peer: string, signal: AbortSignal): Promise<void> {
    const state = this.table.get(peer)?.state
    if (state !== 'active' && state !== 'terminating') return
    const answer = this.heartbeats.next(peer, this.components.clock.now(), this.heartbeats.answers(peer))
    try {
      await frames.write(encodeHandshakeMessage(answer), RAW_FRAME, { signal })
    } catch (err) {
      this.components.logger.debug({ err, peer }, 'heartbeat answer not written')
    }
  }

  /** A termination notice: one frame on a stream of its own (dialling the peer if needed: the operator asked for it). */
  private async notify (peer: string, message: HandshakeMessage): Promise<void> {
    const signal = AbortSignal.any([this.shutdown.signal, AbortSignal.timeout(NOTICE_TIMEOUT_MS_MAX)])
    const stream = await this.components.host.dialProtocol(peerIdFromString(peer), HANDSHAKE_PROTOCOL_ID, { signal })
    try {
      await handshakeFrames(stream).write(encodeHandshakeMessage(message), RAW_FRAME, { signal })
      await stream.close({ signal })
    } catch (err) {
      stream.abort(err as Error)
      throw err
    }
  }

  /** Inbound handler: never throws (errors are logged and abort the stream). */
  private readonly onStream = ({ stream, connection }: IncomingStreamData): void => {
    const peer = connection.remotePeer.toString()
    this.answer(stream, peer).catch((err) => {
      this.components.logger.debug({ err, peer }, 'handshake stream failed')
      stream.abort(err as Error)
    })
  }

  private async answer (stream: Stream, peer: string): Promise<void> {
    const signal = AbortSignal.any([this.shutdown.signal, AbortSignal.timeout(HANDSHAKE_TIMEOUT_MS_MAX)])
    const frames = handshakeFrames(stream)
    const refuse = async (err: HandshakeError): Promise<void> => {
      await frames.write(encodeHandshakeMessage({ kind: 'refuse', code: err.code, reason: err.message.slice(0, 256) }), RAW_FRAME, { signal })
      await stream.close({ signal })
    }
    let message: HandshakeMessage
    try {
      message = decodeHandshakeMessage(await frames.read(RAW_FRAME, { signal }))
      if (this.components.members.key(peer) === undefined) throw new NotAMemberError(`${peer} is not a member of the federation`)
    } catch (err) {
      if (!(err instanceof HandshakeError)) throw err
      await this.audit({ kind: 'handshake', timestamp_ms: this.components.clock.now(), peer, from_state: this.table.get(peer)?.state ?? 'new', to_state: this.table.get(peer)?.state ?? 'new', reason: `refused:${err.code}` })
      await refuse(err)
      return
    }
    if (message.kind === 'heartbeat') {
      await this.heard(peer)
      await this.answerHeartbeat(frames, peer, signal)
      await stream.close({ signal })
      return
    }
    if (message.kind === 'terminate') {
      const relation = this.table.get(peer)
      if (relation !== undefined) await this.change(terminate(relation, { forced: message.forced, noticeMs: message.noticeMs, reason: message.forced ? 'forced_by_peer' : 'terminated_by_peer', nowMs: this.components.clock.now() }))
      await stream.close({ signal })
      return
    }
    if (message.kind !== 'hello') {
      await refuse(new UnexpectedHandshakeMessageError(`a handshake stream opens with hello, heartbeat or terminate, not ${message.kind}`))
      return
    }
    let begun: RelationStep
    try {
      begun = beginHandshake(this.table.get(peer) ?? newRelation(peer))
    } catch (err) {
      if (!(err instanceof RelationTerminatedError)) throw err
      await this.audit({ kind: 'handshake', timestamp_ms: this.components.clock.now(), peer, from_state: 'terminated', to_state: 'terminated', reason: `refused:${err.code}` })
      await refuse(err)
      return
    }
    await this.change(begun)
    const context = this.context(peer)
    const session = startResponder({ peer, nonce: this.components.random.bytes(HANDSHAKE_NONCE_BYTES), local: context.local })
    try {
      const ended = await this.converse(frames, stepSession(session, message, context), context, signal)
      await stream.close({ signal }).catch(() => {})
      await this.finish(ended)
    } catch (err) {
      await this.change(handshakeFailed(this.table.get(peer)!, 'stream_failed'))
      throw err
    }
  }

  /** A heartbeat from `peer`; one from a suspended peer (or one this node has no relation with) starts a re-establishment. */
  private async heard (peer: string): Promise<void> {
    const relation = this.table.get(peer) ?? newRelation(peer)
    this.table.set(peer, heartbeatHeard(relation, this.components.clock.now()))
    // suspended here, or a relation this node lost (a restart) that the peer still keeps: handshake again
    const lost = relation.state === 'new' || relation.state === 'failed'
    if ((relation.state === 'suspended' || lost) && relation.forced !== true && !this.inflight.has(peer)) {
      this.establish(peer).catch((err) => { this.components.logger.debug({ err, peer }, 're-establishment failed') })
    }
  }

  private async audit (record: AuditRecord): Promise<void> {
    try {
      await this.components.audit?.submit([record])
    } catch (err) {
      this.components.logger.warn({ err }, 'handshake event not audited')
    }
  }

  private view (relation: Relation): RelationView {
    return {
      peer: relation.peer,
      site: this.components.members.siteOf(relation.peer) ?? null,
      state: relation.state,
      sends: relation.agreed?.sends ?? [],
      receives: relation.agreed?.receives ?? [],
      heartbeat_interval_ms: relation.agreed?.heartbeatIntervalMs ?? null,
      last_heartbeat_ms: relation.lastHeartbeatMs ?? null,
      established_at_ms: relation.establishedAtMs ?? null,
      establishments: relation.establishments,
      terminates_at_ms: relation.terminatesAtMs ?? null,
      reason: relation.reason ?? null
    }
  }

  private armTimer (): void {
    const period = this.init.tickMs ?? Math.min(TICK_MS_MAX, Math.max(10, Math.floor(this.heartbeatIntervalMs / 2)))
    if (!this.running || period === 0) return
    this.timer = setTimeout(() => {
      this.timer = undefined
      this.tick().catch((err) => { this.components.logger.warn({ err }, 'handshake tick failed') }).finally(() => { this.armTimer() })
    }, period)
    this.timer.unref()
  }

  /** On a new connection with a member: a first handshake is opened by the lower PeerId; a suspended or failed relation by either. */
  private readonly onPeerConnect = (event: CustomEvent<PeerId>): void => {
    this.maybeOpen(event.detail.toString(), false)
  }

  /** Whether this node has anything to agree with `peer`: bilateral classes its policy allows with the peer's site, or classes it requires. */
  private hasTerms (peer: string): boolean {
    return (this.init.requiredClasses?.length ?? 0) > 0 || this.components.policies.bilateralAllowed(this.components.members.siteOf(peer)).length > 0
  }

  /**
   * With `openAfterMs` (default 0: no wait), a first handshake waits until the peer has been connected that long,
   * looked at by the relation timer: a connection that a DHT lookup or a peer exchange opened and the connection
   * trimmer closes within its grace period gets no relation (two hybrid signatures and four verifications, audit
   * records, then heartbeats and a suspension after the peer is gone). The wait counts from the first time this
   * node saw the peer connected with no relation.
   */
  private connectedLongEnough (peer: string, fromTick: boolean): boolean {
    const waitMs = this.init.openAfterMs ?? 0
    if (waitMs <= 0) return true
    const now = this.components.clock.now()
    const since = this.connectedSinceMs.get(peer)
    if (since === undefined) {
      this.connectedSinceMs.set(peer, now)
      return false
    }
    return fromTick && now - since >= waitMs
  }

  /**
   * A first handshake is opened only by a node with something to agree (a relation with no classes either way would
   * cost both ends two hybrid signatures, four verifications and the audit records, then heartbeats, for nothing), and
   * by the lower PeerId; the higher opens at its second timer tick that finds the peer connected with no relation
   * (the lower had nothing to agree, or its handshake never came).
   */
  private maybeOpen (peer: string, fromTick: boolean): void {
    if (this.init.onConnect === false || this.components.members.key(peer) === undefined || this.inflight.has(peer)) return
    const relation = this.table.get(peer) ?? newRelation(peer)
    if (relation.state === 'active' || relation.state === 'terminating' || relation.state === 'terminated' || relation.state === 'handshaking') return
    if (relation.state === 'new') {
      if (!this.hasTerms(peer)) return
      if (!this.connectedLongEnough(peer, fromTick)) return
      if (this.components.nodeId > peer) {
        if (!fromTick) return
        if (!this.unopened.has(peer)) {
          this.unopened.add(peer)
          return
        }
      }
    }
    this.unopened.delete(peer)
    this.establish(peer).catch((err) => { this.components.logger.debug({ err, peer }, 'handshake on connect failed') })
  }
}
