/**
 * The sync service (see index.ts). A round with one peer: ask its frontiers,
 * and for every log where it is ahead of us, fetch the gaps above our
 * frontier that it stores, batch by batch, each envelope through the
 * channel's `receive`. A batch's good envelopes are kept whatever else it
 * holds; a peer that served a provably bad one is dropped for the rest of
 * the round. Rounds resume from our log, never from a remembered position.
 */
import type { AbortOptions, IncomingStreamData, PeerId } from '@libp2p/interface'
import { byteStream } from 'it-byte-stream'
import { pbStream } from 'it-protobuf-stream'
import { type FetchRequest, type LogFrontier, LogEvidence as LogEvidenceMessage, SyncRequest, SyncResponse } from '../../../protocols/sync.ts'
import { evidenceKey, verifyLogEvidence, type LogEvidence } from './evidence.ts'
import { firstCountedSeq, logKey, type LogLink } from '../../core/sync/log-book.ts'
import { verdictOf } from '../../core/errors.ts'
import type { GossipVerdict } from '../../net/gossip.ts'
import { PEER_ID_PATTERN } from '../../core/identity/peer-id.ts'
import { DATA_CLASSES, decodeEnvelope, type DataClass, type DecodedEnvelope } from '../../wire/envelope.ts'
import { checkRangeByLinks, type RangeEntry, type RangeProof } from '../../core/sync/range-check.ts'
import type { SeqRange } from '../envelopes/index.ts'
import { linkOf } from '../envelopes/origin-logs.ts'
import { syncMetrics, type SyncMetrics } from './metrics.ts'
import { encodeSyncResponse, framedFetchResponse, lengthPrefixed, readFrame } from './fetch-response.ts'
import type { RangeRead } from '../../store/sync-logs.ts'
import {
  EVIDENCE_GOSSIP_BYTES_MAX, EVIDENCE_GOSSIP_CLASS, EVIDENCE_KEPT_MAX, EVIDENCE_PER_RESPONSE_MAX, FETCH_BYTES_MAX, FETCH_ENVELOPES_MAX, GAP_RANGES_PER_LOG_MAX, LOG_FRONTIERS_MAX, REQUESTS_PER_STREAM_MAX, REMOTE_FRONTIER_PEERS_MAX, SYNC_DIAL_EVERY_ROUNDS, SYNC_INTERVAL_MS_DEFAULT,
  SYNC_MESSAGE_BYTES_MAX, SYNC_PROTOCOL, SYNC_REQUEST_MS_MAX, SYNC_ROUND_MS_MAX, SYNC_ROUNDS_IN_FLIGHT_MAX
} from './constants.ts'
import { logStatus, rememberFrontiers, type SyncStatus, type SyncTimings } from './status.ts'
import type { Sync, SyncComponents, SyncInit } from './index.ts'

type Messages = ReturnType<typeof pbStream>

/** Whether a fetch names a log this node could hold (a data class and a PeerId); anything else is answered empty. */
function servable (fetch: FetchRequest): boolean {
  return (DATA_CLASSES as readonly string[]).includes(fetch.dataClass) && PEER_ID_PATTERN.test(fetch.origin)
}
/** seqs [from, to] of one log, to fetch */
interface FetchRange { dataClass: DataClass, origin: string, from: number, to: number }

export class SyncService implements Sync {
  private readonly components: SyncComponents
  private readonly intervalMs: number
  private readonly onConnect: boolean
  private readonly dialEveryRounds: number
  /** periodic rounds started since the last one that could dial */
  private roundsSinceDial = 0
  private timer: NodeJS.Timeout | undefined
  private readonly shutdown = new AbortController()
  /** peers with a round running */
  private readonly inFlight = new Set<string>()
  /** when a round with each peer last started (chooses the least recently tried member next) */
  private readonly lastAttemptMs = new Map<string, number>()
  /** frontiers each peer advertised in this run (status only; never persisted, never trusted after a restart) */
  private readonly remote = new Map<string, Map<string, LogFrontier>>()
  private readonly fetching = new Map<string, { peer: string, range: SeqRange }>()
  private readonly counters = { envelopes: 0, bytes: 0, rejected: 0, ok: 0, failed: 0 }
  /** where catching up spends its time (ms, from the Clock component) and how entries were authenticated */
  private readonly stats: SyncTimings = { fetch_ms: 0, link_ms: 0, verify_ms: 0, commit_ms: 0, signatures: 0, links: 0, breaks: 0 }
  private readonly metrics: SyncMetrics | undefined
  /** verified equivocation evidence, by evidenceKey, oldest first (loaded from the store, bounded) */
  private readonly evidence = new Map<string, LogEvidence>()
  private readonly federationId: string | undefined

  constructor (components: SyncComponents, init: SyncInit) {
    this.components = components
    this.intervalMs = init.intervalMs ?? SYNC_INTERVAL_MS_DEFAULT
    this.onConnect = init.onConnect ?? true
    this.dialEveryRounds = Math.max(1, init.dialEveryRounds ?? SYNC_DIAL_EVERY_ROUNDS)
    this.federationId = init.federationId
    this.metrics = components.registry === undefined ? undefined : syncMetrics(components.registry, () => this.status())
  }

  async start (): Promise<void> {
    for (const { encoded } of await this.components.logs.repository.allEvidence(EVIDENCE_KEPT_MAX)) {
      try {
        const message = LogEvidenceMessage.decode(encoded)
        const evidence = this.verifyEvidence(message.first, message.second)
        this.evidence.set(evidenceKey(evidence), evidence)
      } catch (err) {
        this.components.logger.warn({ err }, 'stored equivocation evidence no longer verifies (membership changed?); not served')
      }
    }
    this.components.logs.onEvidence((first, second) => { void this.takeEvidence(first, second, 'local') })
    this.components.gossip?.register({
      dataClass: EVIDENCE_GOSSIP_CLASS,
      validate: async (data, from) => this.validateGossipedEvidence(data, from),
      deliver: async (keep) => { await keep?.() }
    })
    await this.components.host.handle(SYNC_PROTOCOL, (data) => { void this.serve(data) })
    if (this.onConnect) this.components.host.addEventListener('peer:connect', this.onPeerConnect)
    this.timer = setInterval(() => { void this.tick() }, this.intervalMs)
  }

  async stop (): Promise<void> {
    clearInterval(this.timer)
    this.components.host.removeEventListener('peer:connect', this.onPeerConnect)
    this.shutdown.abort()
    await this.components.host.unhandle(SYNC_PROTOCOL).catch(() => {})
  }

  status (): SyncStatus {
    const { logs } = this.components
    const rows = logStatus({ positions: logs.positions(), find: (c, o) => logs.book.find(c, o), remote: this.remote, fetching: this.fetching, window: (c) => logs.book.window(c) })
    const gaps = rows.reduce((sum, row) => sum + row.gaps.length, 0)
    return {
      node_running: true,
      own_logs_settled: logs.ownLogsSettled(),
      unsequenced_sealed: logs.unsequencedSealed,
      own_held: logs.ownHeld,
      ...(logs.ownHeldSinceMs === undefined ? {} : { own_held_since_ms: logs.ownHeldSinceMs }),
      logs: rows,
      complete: gaps === 0,
      gaps,
      envelopes_synced: this.counters.envelopes,
      bytes_synced: this.counters.bytes,
      rejected: this.counters.rejected,
      equivocations: this.evidence.size,
      evidence: [...this.evidence.values()].map((e) => ({ origin: e.origin, data_class: e.dataClass, seq: e.seq, kind: e.kind })),
      rounds: { ok: this.counters.ok, failed: this.counters.failed },
      timings: { ...this.stats }
    }
  }

  /** One round with `peer`; resolves to the envelopes accepted. */
  async syncWith (peer: PeerId, options: AbortOptions = {}): Promise<number> {
    const id = peer.toString()
    if (this.inFlight.has(id) || id === this.components.nodeId) return 0
    this.inFlight.add(id)
    this.lastAttemptMs.set(id, this.components.clock.now())
    const signal = AbortSignal.any([this.shutdown.signal, options.signal ?? AbortSignal.timeout(SYNC_ROUND_MS_MAX)])
    try {
      const stream = await this.components.host.dialProtocol(peer, SYNC_PROTOCOL, { signal })
      const messages = pbStream(stream, { maxDataLength: SYNC_MESSAGE_BYTES_MAX })
      try {
        const accepted = await this.round(peer, messages, signal)
        await stream.close({ signal }).catch(() => {})
        this.counters.ok++
        this.metrics?.rounds.inc({ result: 'ok' })
        return accepted
      } catch (err) {
        stream.abort(err as Error)
        throw err
      }
    } catch (err) {
      this.counters.failed++
      this.metrics?.rounds.inc({ result: 'failed' })
      this.components.logger.debug({ err, peer: id }, 'sync round failed')
      return 0
    } finally {
      this.inFlight.delete(id)
      for (const [key, fetch] of this.fetching) if (fetch.peer === id) this.fetching.delete(key)
    }
  }

  private readonly onPeerConnect = (event: CustomEvent<PeerId>): void => {
    if (this.components.members.admits(event.detail.toString())) void this.syncWith(event.detail)
  }

  /**
   * The periodic round: the member tried least recently (never tried first; ties in random order), among the
   * connected members, except once in `dialEveryRounds` rounds (and whenever no member is connected) among every
   * member the peer store holds an address for, dialling it if need be (never a member it would have to look up in
   * the DHT first). Public for tests; the timer calls it.
   */
  async tick (): Promise<void> {
    if (this.inFlight.size >= SYNC_ROUNDS_IN_FLIGHT_MAX) return
    const candidates = new Map<string, PeerId>()
    const add = (peers: PeerId[]): void => {
      for (const peer of peers) {
        const id = peer.toString()
        if (id !== this.components.nodeId && !this.inFlight.has(id) && this.components.members.admits(id)) candidates.set(id, peer)
      }
    }
    add(this.components.host.getPeers())
    this.roundsSinceDial++
    if (this.roundsSinceDial >= this.dialEveryRounds || candidates.size === 0) {
      this.roundsSinceDial = 0
      // only members with an address: dialling one without makes libp2p look it up in the DHT first, a walk that
      // dials ~15 peers (most of them full and refusing) to reach one (docs/sim.md, "Idle at 50–200 nodes")
      add((await this.components.host.peerStore.all().catch(() => [])).filter((p) => p.addresses.length > 0).map((p) => p.id))
    }
    if (candidates.size === 0) return
    const shuffled = [...candidates.values()].map((peer) => ({ peer, order: this.components.random.bytes(4).reduce((a, b) => a * 256 + b, 0) }))
    shuffled.sort((a, b) => (this.lastAttemptMs.get(a.peer.toString()) ?? -Infinity) - (this.lastAttemptMs.get(b.peer.toString()) ?? -Infinity) || a.order - b.order)
    await this.syncWith(shuffled[0].peer)
  }

  /** Frontiers, then every gap the peer can fill, in batches. */
  private async round (peer: PeerId, messages: Messages, signal: AbortSignal): Promise<number> {
    const id = peer.toString()
    const response = await this.request(messages, { frontiers: true }, signal)
    const frontiers = new Map<string, LogFrontier>()
    for (const f of response.frontiers.slice(0, LOG_FRONTIERS_MAX)) frontiers.set(logKey(f.dataClass, f.origin), f)
    rememberFrontiers(this.remote, id, frontiers, REMOTE_FRONTIER_PEERS_MAX)
    for (const item of response.evidence.slice(0, EVIDENCE_PER_RESPONSE_MAX)) await this.takeEvidence(item.first, item.second, 'peer', id)
    const registered = new Set<string>(this.components.envelopes.dataClasses())
    if (!this.components.logs.ownLogsSettled()) await this.settleOwnLogs(peer, messages, frontiers, registered, signal)
    // every range to fetch, known before the first fetch (each log's gaps depend only on that log)
    const ranges: FetchRange[] = []
    for (const f of frontiers.values()) {
      if (!registered.has(f.dataClass) || !(DATA_CLASSES as readonly string[]).includes(f.dataClass)) continue
      const log = this.components.logs.book.find(f.dataClass, f.origin)
      const upTo = Number(f.frontier)
      // a log we do not have yet: from its start, or for a superseding class only its window (older seqs are superseded)
      const gaps = log === undefined ? (upTo > 0 ? [{ from: firstCountedSeq(upTo, this.components.logs.book.window(f.dataClass)), to: upTo }] : []) : log.gaps(upTo, GAP_RANGES_PER_LOG_MAX)
      for (const gap of gaps) {
        const from = Math.max(gap.from, Number(f.low))
        if (Number(f.low) === 0 || from > gap.to) continue
        ranges.push({ dataClass: f.dataClass as DataClass, origin: f.origin, from, to: gap.to })
      }
    }
    let accepted = 0
    let opening: Promise<SyncResponse> | undefined
    for (const [i, range] of ranges.entries()) {
      const following = ranges[i + 1]
      const result = await this.fetchRange(peer, messages, range, signal, opening, following === undefined ? undefined : () => this.ask(peer, messages, following, following.from, signal))
      accepted += result.accepted
      opening = result.prefetched
      // a peer that served a provably bad envelope gets no more requests this round (the good ones are kept)
      if (result.rejected > 0) {
        // a request still in flight is answered before the stream is used again (or closed)
        await opening?.catch(() => {})
        return accepted
      }
    }
    return accepted
  }

  /** Asks for the batch of `range` from `from` (the request goes out now; the response is awaited by the caller). */
  private ask (peer: PeerId, messages: Messages, range: FetchRange, from: number, signal: AbortSignal): Promise<SyncResponse> {
    this.fetching.set(logKey(range.dataClass, range.origin), { peer: peer.toString(), range: { from, to: range.to } })
    const fetch: FetchRequest = { dataClass: range.dataClass, origin: range.origin, fromSeq: BigInt(from), toSeq: BigInt(range.to), countMax: FETCH_ENVELOPES_MAX }
    const response = this.request(messages, { frontiers: false, fetch }, signal)
    response.catch(() => {}) // awaited by the caller; a failure while an earlier batch commits must not go unhandled
    return response
  }

  /**
   * Fetches [from, to] of one log until done, each batch authenticated by its hash links, each envelope through the
   * channel's receive. `opening`: its first batch, already asked for. `prefetch`: asks for the next range's first
   * batch, called once this range's last batch has arrived (while that batch is checked and committed); its response
   * comes back as `prefetched`, to be awaited by the caller whatever happens here.
   */
  private async fetchRange (peer: PeerId, messages: Messages, range: FetchRange, signal: AbortSignal, opening?: Promise<SyncResponse>, prefetch?: () => Promise<SyncResponse>): Promise<{ accepted: number, rejected: number, prefetched?: Promise<SyncResponse> }> {
    const key = logKey(range.dataClass, range.origin)
    const { clock } = this.components
    let accepted = 0
    let rejected = 0
    let prefetched: Promise<SyncResponse> | undefined
    let pending = opening ?? this.ask(peer, messages, range, range.from, signal)
    for (let from = range.from; ;) {
      const asked = clock.now()
      const response = await pending
      const batch = response.envelopes.slice(0, FETCH_ENVELOPES_MAX)
      const next = Number(response.nextSeq)
      // a responder must move forward; one that does not is done for this range
      const more = next > from && batch.length > 0 && next <= range.to
      // the next batch (of this range, or else of the next range) is on its way while this one is checked and committed
      if (more) pending = this.ask(peer, messages, range, next, signal)
      else prefetched = prefetch?.()
      const linked = clock.now()
      this.stats.fetch_ms += linked - asked
      const proven = this.proveByLinks(range, batch)
      this.stats.link_ms += clock.now() - linked - proven.verify_ms
      this.stats.verify_ms += proven.verify_ms
      // two authenticated neighbours that do not link: the origin signed a fork. Evidence; the batch stops before the
      // second, this peer gets no more requests this round (which branch is kept is first come, first kept)
      const fork = this.forkIn(proven.decoded, proven.links, proven.proofs)
      if (fork !== undefined) {
        await this.takeEvidence(batch[fork], batch[fork + 1], 'local', peer.toString())
        batch.splice(fork + 1)
        rejected++
        this.counters.rejected++
        this.metrics?.envelopes.inc({ result: 'rejected' })
      }
      const committing = clock.now()
      // the whole batch enters the channel at once (receiveBatch: one group commit, one store batch and one audit
      // append, for a class that allows it; otherwise the checks overlap the store writes, commits serialised per class)
      const vouched: DecodedEnvelope[] = []
      for (const [i, bytes] of batch.entries()) {
        this.counters.bytes += bytes.length
        this.metrics?.bytes.inc(bytes.length)
        const decoded = proven.decoded[i]
        if (decoded !== undefined && proven.proofs[i] !== 'none') {
          this.components.vouches.vouch(decoded.signedBytes, decoded.signature)
          vouched.push(decoded)
        }
      }
      let verdicts: Awaited<ReturnType<SyncComponents['envelopes']['receive']>>[]
      try {
        const { envelopes } = this.components
        verdicts = envelopes.receiveBatch === undefined
          ? await Promise.all(batch.map(async (bytes) => await envelopes.receive(range.dataClass, bytes, peer)))
          : await envelopes.receiveBatch(range.dataClass, batch, peer, proven.decoded)
      } finally {
        for (const decoded of vouched) this.components.vouches.release(decoded.signature)
      }
      for (const verdict of verdicts) {
        if (verdict.action === 'accept') {
          accepted++
          this.counters.envelopes++
          this.metrics?.envelopes.inc({ result: 'accepted' })
          await verdict.value?.()
        } else if (verdict.action === 'reject') {
          rejected++
          this.counters.rejected++
          this.metrics?.envelopes.inc({ result: 'rejected' })
        } else {
          this.metrics?.envelopes.inc({ result: 'ignored' })
        }
      }
      this.stats.commit_ms += clock.now() - committing
      if (rejected > 0 || !more) {
        // a request still in flight is answered before the stream is used again (or closed)
        if (more) await pending.catch(() => {})
        break
      }
      from = next
    }
    this.fetching.delete(key)
    return prefetched === undefined ? { accepted, rejected } : { accepted, rejected, prefetched }
  }

  /**
   * After a start with no own log entry in the store: a member's frontiers tell where this node's own logs stand.
   * The newest entry of each own log the member holds beyond ours is fetched first (its hash is what the next own
   * envelope links to), then own envelopes are sequenced again, continuing those logs (never reusing a seq the
   * member saw). The rest of the own logs comes back like any other log.
   */
  private async settleOwnLogs (peer: PeerId, messages: Messages, frontiers: Map<string, LogFrontier>, registered: Set<string>, signal: AbortSignal): Promise<void> {
    const { logs, nodeId } = this.components
    for (const f of frontiers.values()) {
      if (f.origin !== nodeId || !(DATA_CLASSES as readonly string[]).includes(f.dataClass)) continue
      const high = Number(f.high)
      if (high <= (logs.book.find(f.dataClass, nodeId)?.position().high ?? 0)) continue
      const response = await this.request(messages, { frontiers: false, fetch: { dataClass: f.dataClass, origin: nodeId, fromSeq: f.high, toSeq: f.high, countMax: 1 } }, signal)
      const bytes = response.envelopes[0]
      if (bytes === undefined) return // the member no longer stores it: ask again next round
      const taken = registered.has(f.dataClass)
        ? (await this.components.envelopes.receive(f.dataClass as DataClass, bytes, peer)).action === 'accept'
        : await logs.adoptOwn(bytes, f.dataClass as DataClass, high, this.components.vouches.base)
      if (!taken && !logs.has(f.dataClass, nodeId, high)) return
    }
    logs.settleOwn()
  }

  /** The first index i where entries i and i+1 are consecutive, both authenticated, and do not link. */
  private forkIn (decoded: Array<DecodedEnvelope | undefined>, links: Array<LogLink | undefined>, proofs: RangeProof[]): number | undefined {
    for (let i = 0; i + 1 < decoded.length; i++) {
      const lower = decoded[i]
      const upper = decoded[i + 1]
      if (lower === undefined || upper === undefined || proofs[i] === 'none' || proofs[i + 1] === 'none') continue
      if (upper.envelope.originSeq !== lower.envelope.originSeq + 1) continue
      if (links[i + 1]?.prev !== links[i]?.hash) return i
    }
    return undefined
  }

  /**
   * Authenticates a fetched batch by its hash links (core/sync/range-check.ts): the newest entry's signature,
   * then `prev_hash` back through the batch; where a link breaks, the entry's own signature. An entry of another
   * log, or one that does not decode, is proved by nothing (the channel's pipeline judges it on its own).
   */
  private proveByLinks (range: { dataClass: DataClass, origin: string }, batch: Uint8Array[]): { decoded: Array<DecodedEnvelope | undefined>, links: Array<LogLink | undefined>, proofs: RangeProof[], verify_ms: number } {
    const { clock, vouches, members } = this.components
    const decoded = batch.map((bytes): DecodedEnvelope | undefined => {
      try {
        const d = decodeEnvelope(bytes)
        return d.envelope.source === range.origin && d.envelope.dataClass === range.dataClass && d.envelope.originSeq > 0 ? d : undefined
      } catch {
        return undefined
      }
    })
    const indices = decoded.flatMap((d, i) => d === undefined ? [] : [i])
    const links = decoded.map((d) => d === undefined ? undefined : linkOf(d))
    const entries: RangeEntry[] = indices.map((i) => ({ seq: (decoded[i] as DecodedEnvelope).envelope.originSeq, ...(links[i] as LogLink) }))
    const key = members.key(range.origin)
    let verifyMs = 0
    const check = checkRangeByLinks(entries, (j) => {
      const d = decoded[indices[j]] as DecodedEnvelope
      if (key === undefined) return false
      const started = clock.now()
      const ok = vouches.base.verify(key, d.signedBytes, d.signature)
      verifyMs += clock.now() - started
      return ok
    })
    const proofs: RangeProof[] = batch.map(() => 'none')
    for (const [j, i] of indices.entries()) proofs[i] = check.proofs[j]
    this.stats.signatures += check.signaturesChecked
    this.stats.links += check.proofs.filter((p) => p === 'link').length
    this.stats.breaks += check.breaks
    this.metrics?.proofs.inc({ proof: 'signature' }, check.signaturesChecked)
    this.metrics?.proofs.inc({ proof: 'link' }, check.proofs.filter((p) => p === 'link').length)
    return { decoded, links, proofs, verify_ms: verifyMs }
  }

  private verifyEvidence (first: Uint8Array, second: Uint8Array): LogEvidence {
    const { members, vouches } = this.components
    return verifyLogEvidence(first, second, { federationId: this.federationId ?? '', memberKey: members.key, verifier: vouches.base, anyFederation: this.federationId === undefined })
  }

  /**
   * Equivocation evidence found here (the channel verified a conflicting envelope) or handed over by a peer:
   * verified on its own, kept once (store and memory), served to every peer that asks our frontiers, and the
   * origin penalised once, like vote equivocation. Evidence that does not verify is dropped (logged).
   */
  private async takeEvidence (first: Uint8Array, second: Uint8Array, source: 'local' | 'peer', from?: string): Promise<void> {
    let evidence: LogEvidence
    try {
      evidence = this.verifyEvidence(first, second)
    } catch (err) {
      this.components.logger.debug({ err, source, from }, 'equivocation evidence refused')
      return
    }
    await this.keepEvidence(evidence, source, from)
  }

  /**
   * Evidence on the gossip topic, checked like any gossip: size → decode → schema → the relaying peer is a member →
   * both signatures prove the fork (verifyLogEvidence: the origin a member, one log, same seq or neighbours). Evidence
   * held already is IGNOREd (not forwarded again); anything unproven is REJECTed. Accepted evidence is kept, penalised
   * and forwarded by gossipsub.
   */
  private validateGossipedEvidence (data: Uint8Array, from: PeerId): GossipVerdict<(() => Promise<void>) | undefined> {
    if (data.byteLength > EVIDENCE_GOSSIP_BYTES_MAX) return { action: 'reject', code: 'too_large' }
    let message: { first: Uint8Array, second: Uint8Array }
    try {
      message = LogEvidenceMessage.decode(data)
    } catch {
      return { action: 'reject', code: 'malformed' }
    }
    if (message.first.byteLength === 0 || message.second.byteLength === 0) return { action: 'reject', code: 'payload_schema' }
    if (!this.components.members.admits(from.toString())) return { action: 'reject', code: 'non_member' }
    let evidence: LogEvidence
    try {
      evidence = this.verifyEvidence(message.first, message.second)
    } catch (err) {
      return verdictOf(err)
    }
    if (this.evidence.has(evidenceKey(evidence))) return { action: 'ignore', code: 'duplicate' }
    return { action: 'accept', value: async () => { await this.keepEvidence(evidence, 'gossip', from.toString()) } }
  }

  /** Keeps verified evidence once (memory and store), penalises its origin once, and gossips it when it was not gossiped to us. */
  private async keepEvidence (evidence: LogEvidence, source: 'local' | 'peer' | 'gossip', from?: string): Promise<void> {
    const key = evidenceKey(evidence)
    if (this.evidence.has(key)) return
    this.evidence.set(key, evidence)
    if (this.evidence.size > EVIDENCE_KEPT_MAX) this.evidence.delete(this.evidence.keys().next().value as string)
    this.metrics?.equivocations.inc({ source })
    this.components.logger.warn({ origin: evidence.origin, dataClass: evidence.dataClass, seq: evidence.seq, kind: evidence.kind, source, from }, 'origin log equivocation evidence: penalising the origin')
    try {
      await this.components.logs.repository.putEvidence(key, LogEvidenceMessage.encode({ first: evidence.first, second: evidence.second }))
      await this.components.penalise?.(evidence.origin)
    } catch (err) {
      this.components.logger.warn({ err, key }, 'keeping equivocation evidence or penalising failed')
    }
    // what gossip brought is forwarded by gossipsub; the canonical pair encodes the same everywhere (one message id)
    if (source !== 'gossip' && this.components.gossip !== undefined) {
      const encoded = LogEvidenceMessage.encode({ first: evidence.first, second: evidence.second })
      if (encoded.byteLength <= EVIDENCE_GOSSIP_BYTES_MAX) {
        await this.components.gossip.publish(EVIDENCE_GOSSIP_CLASS, encoded).catch((err: unknown) => { this.components.logger.debug({ err, key }, 'gossiping equivocation evidence failed; sync rounds carry it') })
      }
    }
  }

  private async request (messages: Messages, request: SyncRequest, signal: AbortSignal): Promise<SyncResponse> {
    const step = AbortSignal.any([signal, AbortSignal.timeout(SYNC_REQUEST_MS_MAX)])
    await messages.write(request, SyncRequest, { signal: step })
    return await messages.read(SyncResponse, { signal: step })
  }

  /**
   * Answers requests on an inbound stream until it ends; never throws. Framed as the requester's pbStream frames
   * (varint length, then the message), but written as whole frames straight to the byte stream: a fetch response is
   * one buffer its envelopes were read into (fetch-response.ts), never copied again on its way to the muxer.
   */
  private async serve ({ stream, connection }: IncomingStreamData): Promise<void> {
    const peer = connection.remotePeer.toString()
    try {
      if (!this.components.members.admits(peer)) throw new Error(`sync from non-member ${peer}`)
      const bytes = byteStream(stream)
      for (let served = 0; served < REQUESTS_PER_STREAM_MAX; served++) {
        let request: SyncRequest
        try {
          request = SyncRequest.decode(await readFrame(bytes, SYNC_MESSAGE_BYTES_MAX, { signal: AbortSignal.any([this.shutdown.signal, AbortSignal.timeout(SYNC_ROUND_MS_MAX)]) }))
        } catch {
          break // the requester closed its side (or sent no well-formed request): the round is over
        }
        const frame = request.fetch === undefined ? undefined : await this.framedFetch(request.fetch)
        await bytes.write(frame ?? lengthPrefixed(encodeSyncResponse(await this.answer(request))), { signal: AbortSignal.timeout(SYNC_REQUEST_MS_MAX) })
      }
      await stream.close().catch(() => {})
    } catch (err) {
      this.components.logger.debug({ err, peer }, 'serving sync failed')
      stream.abort(err as Error)
    }
  }

  /** A fetch answered as one length-prefixed frame its envelopes are read into; undefined: answer it the general way. */
  private async framedFetch (fetch: FetchRequest): Promise<Uint8Array | undefined> {
    if (!servable(fetch)) return undefined
    // seqs past 2^53 (a hostile or broken request) take the general path, which encodes next_seq as a bigint
    if (fetch.toSeq >= BigInt(Number.MAX_SAFE_INTEGER)) return undefined
    return await this.components.logs.repository.readInto(this.rangeOf(fetch), (lengths, next) => {
      const { frame, envelopes } = framedFetchResponse(lengths, next)
      return { targets: envelopes, result: frame }
    })
  }

  /** The store read a fetch asks for, within this node's bounds. */
  private rangeOf (fetch: FetchRequest): RangeRead {
    return {
      dataClass: fetch.dataClass,
      origin: fetch.origin,
      from: Number(fetch.fromSeq),
      to: Number(fetch.toSeq),
      countMax: Math.max(1, Math.min(fetch.countMax, FETCH_ENVELOPES_MAX)),
      bytesMax: FETCH_BYTES_MAX
    }
  }

  private async answer (request: SyncRequest): Promise<SyncResponse> {
    const { logs } = this.components
    if (request.fetch === undefined) {
      const frontiers = logs.positions().slice(0, LOG_FRONTIERS_MAX).map((p): LogFrontier => ({
        dataClass: p.dataClass, origin: p.origin, low: BigInt(p.low), frontier: BigInt(p.frontier), high: BigInt(p.high)
      }))
      return { frontiers, envelopes: [], nextSeq: 0n, evidence: [...this.evidence.values()].slice(-EVIDENCE_PER_RESPONSE_MAX).reverse().map((e) => ({ first: e.first, second: e.second })) }
    }
    const fetch = request.fetch
    if (!servable(fetch)) return { frontiers: [], envelopes: [], nextSeq: fetch.toSeq + 1n, evidence: [] }
    const read = await logs.repository.read(this.rangeOf(fetch))
    return { frontiers: [], envelopes: read.envelopes.map((e) => e.bytes), nextSeq: BigInt(read.next), evidence: [] }
  }
}
