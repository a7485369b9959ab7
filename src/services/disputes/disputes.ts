/**
 * The disputes service (see index.ts). Every input — a local party
 * statement, recommendation or ruling, a peer's message — is one step, run
 * one at a time: check and apply with the pure core (core/chain/dispute.ts,
 * core/dispute/), persist the dispute, the outbox entries and a ruling's
 * effects in one batch, only then answer or send.
 */
import { peerIdFromString } from '@libp2p/peer-id'
import type { IncomingStreamData, PeerId, Stream } from '@libp2p/interface'
import { answerOnce, requestOnce } from '../../net/request-stream.ts'
import { InputError } from '../../core/errors.ts'
import { bytesEqual } from '../../core/chain/bytes.ts'
import {
  applyNodeDisputeStatement, applyPartyStatement, disputeIdOf, openDispute, DISPUTE_ESCALATE_KIND, DISPUTE_OPEN_KIND, DISPUTE_RESOLVE_KIND,
  type Dispute, type DisputeContext, type Ruling
} from '../../core/chain/dispute.ts'
import { InvalidClaimsError, NotADisputePartyError, UnknownNodeError } from '../../core/chain/errors.ts'
import { signNodeStatement, type SignedNodeStatement } from '../../core/chain/node-statement.ts'
import { drawArbitrators } from '../../core/chain/arbitration.ts'
import { certificateOf, type ChainRecord, type ChainWrite } from '../../core/chain/state.ts'
import { caseOf, caseParties, recordFromCase, replayDispute, type DisputeCase, type DisputeEntry } from '../../core/dispute/case.ts'
import { DisputeSenderError, InvalidCaseError, NotAPanelistError } from '../../core/dispute/errors.ts'
import { CHAIN_ID_PATTERN } from '../../core/chain/constants.ts'
import { checkCaseSender, checkIssuedAt, checkNodeSender, checkPartySender, routeOf, rulingEffects } from '../../core/dispute/flow.ts'
import type { SignedStatement } from '../../core/identity/statement.ts'
import type { BatchOperation } from '../../store/store.ts'
import type { OutboxEntry } from '../../store/chains.ts'
import * as wire from '../../../protocols/dispute.ts'
import { Outbox, type SendOutcome } from '../chains/outbox.ts'
import { decodeDisputeMessage, encodeDisputeMessage, type DisputeMessage } from './codec.ts'
import {
  DISPUTE_MESSAGE_BYTES_MAX, DISPUTE_PROTOCOL_ID, INBOUND_STREAMS_MAX, OUTBOUND_STREAMS_MAX, OUTBOX_TTL_MS, REQUEST_TIMEOUT_MS_MAX, RETRY_MS_MAX, RETRY_MS_MIN
} from './constants.ts'
import type { Disputes, DisputesComponents, DisputesInit } from './index.ts'

type Outcome = 'applied' | 'duplicate' | 'deferred'

const OUTCOME: Record<Outcome, wire.DisputeOutcome> = {
  applied: wire.DisputeOutcome.APPLIED,
  duplicate: wire.DisputeOutcome.DUPLICATE,
  deferred: wire.DisputeOutcome.DEFERRED
}

const PARTY_KINDS: readonly string[] = [DISPUTE_OPEN_KIND, DISPUTE_RESOLVE_KIND, DISPUTE_ESCALATE_KIND]
const NODE_KINDS: readonly string[] = ['dispute.recommendation', 'dispute.ruling']

/** No dispute with that id on this node (or not yet: its open or case has not arrived). */
export class UnknownDisputeError extends InputError {
  static override readonly code = 'UnknownDisputeError'
  override readonly name = 'UnknownDisputeError'
}

function seen (dispute: Dispute, signature: { ed25519: Uint8Array, mldsa: Uint8Array }): boolean {
  return dispute.messages.some((m) => bytesEqual(m.signed.signature.ed25519, signature.ed25519) && bytesEqual(m.signed.signature.mldsa, signature.mldsa))
}

export class DisputeService implements Disputes {
  private readonly outbox: Outbox
  /** steps run one at a time, in arrival order */
  private tail: Promise<unknown> = Promise.resolve()
  private shutdown = new AbortController()

  constructor (private readonly components: DisputesComponents, init: DisputesInit) {
    this.outbox = new Outbox({
      chainStore: components.disputes,
      clock: components.clock,
      logger: components.logger,
      send: async (to, message) => await this.send(to, message)
    }, { retryMsMin: init.retryMsMin ?? RETRY_MS_MIN, retryMsMax: init.retryMsMax ?? RETRY_MS_MAX, label: 'dispute' })
  }

  /** Answers the protocol and resends the outbox (messages persisted before a restart go out now). */
  async start (): Promise<void> {
    this.shutdown = new AbortController()
    await this.components.host.handle(DISPUTE_PROTOCOL_ID, this.onStream, { maxInboundStreams: INBOUND_STREAMS_MAX, maxOutboundStreams: OUTBOUND_STREAMS_MAX })
    this.components.host.addEventListener('peer:connect', this.onPeerConnect)
    await this.outbox.start()
    await this.exchangesRecorded()
  }

  /**
   * Applies every binding ruling to the exchange and reputation records held
   * now: a chain that completes after its dispute was decided records the
   * confirmed satisfaction, which the ruling replaces (the chains service
   * calls this after each step that recorded exchanges; idempotent).
   */
  async exchangesRecorded (): Promise<void> {
    await this.serial(async () => {
      const operations: BatchOperation[] = []
      for (const dispute of await this.components.disputes.list()) if (dispute.status === 'decided') operations.push(...await this.rulingOperations(dispute))
      if (operations.length === 0) return
      await this.components.disputes.batch(operations)
      this.components.rulingRecorded?.()
    })
  }

  async stop (): Promise<void> {
    this.shutdown.abort()
    this.outbox.stop()
    this.components.host.removeEventListener('peer:connect', this.onPeerConnect)
    await this.components.host.unhandle(DISPUTE_PROTOCOL_ID)
    await this.tail.catch(() => undefined)
  }

  pending (): Record<string, number> {
    return this.outbox.pending()
  }

  async chainRecord (chain: string): Promise<ChainRecord | undefined> {
    return await this.components.chainStore.record(chain) ?? await this.components.disputes.caseRecord(chain)
  }

  async open (record: ChainRecord, signed: SignedStatement): Promise<Dispute> {
    return await this.serial(async () => {
      const dispute = openDispute(record, signed, this.context())
      const known = await this.components.disputes.get(dispute.id)
      if (known !== undefined) return known
      await this.commit(undefined, dispute, dispute.messages[0]!, record)
      return dispute
    })
  }

  async party (disputeId: string, signed: SignedStatement): Promise<Dispute> {
    return await this.serial(async () => {
      const current = await this.dispute(disputeId)
      const record = await this.recordOf(current)
      const after = applyPartyStatement(current, record, signed, this.context())
      if (after !== current) await this.commit(current, after, { by: 'participant', signed }, record)
      return after
    })
  }

  async recommend (disputeId: string, text: string): Promise<Dispute> {
    return await this.nodeSays(disputeId, 'dispute.recommendation', { text }, (d) => {
      if (d.provider.node !== this.components.nodeId && d.recipient.node !== this.components.nodeId) throw new NotADisputePartyError('only a home node of the dispute recommends')
    })
  }

  async rule (disputeId: string, ruling: Ruling, text?: string): Promise<Dispute> {
    return await this.nodeSays(disputeId, 'dispute.ruling', { outcome: ruling.outcome, satisfaction_permille: ruling.satisfaction_permille, ...(text === undefined ? {} : { text }) }, (d) => {
      if (d.panel === null || !d.panel.includes(this.components.nodeId)) throw new NotAPanelistError(`this node was not drawn onto the panel of dispute ${d.id}`)
    })
  }

  private async nodeSays (disputeId: string, kind: 'dispute.recommendation' | 'dispute.ruling', claims: Record<string, string | number>, check: (d: Dispute) => void): Promise<Dispute> {
    return await this.serial(async () => {
      const current = await this.dispute(disputeId)
      check(current)
      const { nodeId, signer, clock } = this.components
      const signed = signNodeStatement({ kind, node: nodeId, subject: current.id, issuedAtMs: clock.now(), claims }, signer)
      const after = applyNodeDisputeStatement(current, signed, this.context())
      await this.commit(current, after, { by: 'node', signed }, await this.recordOf(current))
      return after
    })
  }

  private context (): DisputeContext {
    const { clock, verifier, members } = this.components
    return { nowMs: clock.now(), verifier, nodeKey: members.key, members: members.list() }
  }

  private async dispute (id: string): Promise<Dispute> {
    const found = await this.components.disputes.get(id)
    if (found === undefined) throw new UnknownDisputeError(`no dispute ${id} on this node`)
    return found
  }

  private async recordOf (dispute: Dispute): Promise<ChainRecord> {
    const record = await this.chainRecord(dispute.chain)
    if (record === undefined) throw new UnknownDisputeError(`this node holds no record of chain ${dispute.chain}`)
    return record
  }

  /** One step, serialised after the previous ones. */
  private async serial<T> (run: () => Promise<T>): Promise<T> {
    const next = this.tail.then(run)
    this.tail = next.catch(() => undefined)
    return await next
  }

  /**
   * Persists `after` (with the ruling's effects and `extra`) and, for a
   * message of this node's own (`record` given), its outbox entries — in one
   * batch — then sends.
   */
  private async commit (before: Dispute | undefined, after: Dispute, entry: DisputeEntry, record: ChainRecord | undefined, extra: BatchOperation[] = []): Promise<void> {
    const { disputes, clock } = this.components
    let entries: OutboxEntry[] = []
    if (record !== undefined) {
      const route = routeOf(entry, before, after, this.components.nodeId)
      const expires = clock.now() + OUTBOX_TTL_MS
      const message: DisputeMessage = entry.by === 'participant' ? { kind: 'party', signed: entry.signed } : { kind: 'node', signed: entry.signed }
      entries = this.outbox.entries(route.message, after.id, encodeDisputeMessage(message), expires)
      if (route.case.length > 0) entries.push(...this.outbox.entries(route.case, after.id, encodeDisputeMessage({ kind: 'case', case: caseOf(record, after) }), expires))
    }
    const effects = before?.status !== 'decided' && after.status === 'decided' ? await this.rulingOperations(after) : []
    await disputes.batch([disputes.putOperation(after), ...extra, ...effects, ...entries.map((e) => disputes.outboxPut(e))])
    this.outbox.added(entries)
    if (after.status === 'decided' && before?.status !== 'decided') {
      this.components.logger.info({ dispute: after.id, ruling: after.ruling }, 'dispute decided by the panel')
      if (effects.length > 0) this.components.rulingRecorded?.()
    }
  }

  /** A binding ruling rewrites the edge's satisfaction in the exchanges and reputation inputs this node holds. */
  private async rulingOperations (dispute: Dispute): Promise<BatchOperation[]> {
    const { chainStore, accuracy } = this.components
    const effects = rulingEffects(dispute, this.components.nodeId, { exchanges: await chainStore.exchanges(), observations: await chainStore.observations(), accuracy: await accuracy.accuracyObservations() })
    const writes: ChainWrite[] = [...effects.exchanges.map((exchange): ChainWrite => ({ kind: 'exchange', exchange })), ...effects.observations.map((observation): ChainWrite => ({ kind: 'observation', observation }))]
    return [...chainStore.writeOperations(writes), ...effects.accuracy.map((o) => accuracy.observationOperation(o))]
  }

  /** Sends one encoded message and reads the answer (one request per stream). */
  private async send (to: string, message: Uint8Array): Promise<{ outcome: SendOutcome, error: string }> {
    const signal = AbortSignal.any([this.shutdown.signal, AbortSignal.timeout(REQUEST_TIMEOUT_MS_MAX)])
    const answer = await requestOnce(this.components.host, peerIdFromString(to), DISPUTE_PROTOCOL_ID, message, wire.DisputeResponse, { maxDataLength: DISPUTE_MESSAGE_BYTES_MAX, signal })
    const outcome = answer.outcome === wire.DisputeOutcome.DISPUTE_OUTCOME_UNSPECIFIED ? 'DEFERRED' : answer.outcome
    return { outcome, error: answer.error }
  }

  /** Inbound handler: never throws (errors are logged and abort the stream). */
  private readonly onStream = ({ stream, connection }: IncomingStreamData): void => {
    this.answer(stream, connection.remotePeer.toString()).catch((err) => {
      this.components.logger.debug({ err, from: connection.remotePeer.toString() }, 'dispute stream failed')
      stream.abort(err as Error)
    })
  }

  private async answer (stream: Stream, from: string): Promise<void> {
    const signal = AbortSignal.any([this.shutdown.signal, AbortSignal.timeout(REQUEST_TIMEOUT_MS_MAX)])
    await answerOnce(stream, wire.DisputeResponse, { maxDataLength: DISPUTE_MESSAGE_BYTES_MAX, signal }, async (bytes) => await this.receive(from, bytes))
  }

  /** A peer's message → the answer; a bad one is REJECTED with its error's stable name. */
  private async receive (from: string, bytes: Uint8Array): Promise<wire.DisputeResponse> {
    try {
      const message = decodeDisputeMessage(bytes)
      const outcome = await this.serial(async () => await this.apply(from, message))
      return { outcome: OUTCOME[outcome], error: '' }
    } catch (err) {
      if (err instanceof InputError) {
        this.components.logger.warn({ from, error: err.name, reason: err.message }, 'dispute message rejected')
        return { outcome: wire.DisputeOutcome.REJECTED, error: err.name }
      }
      throw err
    }
  }

  /** Schema → duplicate → skew → membership (sender and party) → signature and state (the core), then persist. */
  private async apply (from: string, message: DisputeMessage): Promise<Outcome> {
    switch (message.kind) {
      case 'party': return await this.receiveParty(from, message.signed)
      case 'node': return await this.receiveNode(from, message.signed)
      case 'case': return await this.receiveCase(from, message.case)
    }
  }

  private member (from: string): void {
    if (this.components.members.key(from) === undefined) throw new UnknownNodeError(`${from} is not a member`)
  }

  private async receiveParty (from: string, signed: SignedStatement): Promise<Outcome> {
    const { statement } = signed
    if (!PARTY_KINDS.includes(statement.kind)) throw new InvalidClaimsError(`a party's dispute statement is one of ${PARTY_KINDS.join(', ')}, got ${statement.kind.slice(0, 64)}`)
    const { disputes, chainStore, clock, nodeId } = this.components
    if (statement.kind === DISPUTE_OPEN_KIND) {
      const chain = statement.claims['chain']
      if (typeof chain !== 'string' || !CHAIN_ID_PATTERN.test(chain)) throw new InvalidClaimsError(`${DISPUTE_OPEN_KIND} names its chain by id`)
      if (await disputes.get(disputeIdOf(signed)) !== undefined) return 'duplicate'
      checkIssuedAt(statement.issuedAtMs, clock.now())
      this.member(from)
      const record = await chainStore.record(chain)
      // the commit may still be on its way here: the sender retries
      if (record === undefined) return 'deferred'
      const edge = record.proposal.content.edges[Number(statement.claims['edge'])]
      if (edge === undefined) throw new InvalidClaimsError(`chain ${chain} has no edge ${String(statement.claims['edge'])}`)
      const side = (i: number): { participant: string, node: string } => ({ participant: record.bindings[i]?.participant ?? '', node: record.proposal.content.steps[i]!.node })
      checkPartySender({ provider: side(edge.provider), recipient: side(edge.recipient), panel: null }, statement.participant, from, nodeId)
      const dispute = openDispute(record, signed, this.context())
      await this.commit(undefined, dispute, dispute.messages[0]!, undefined)
      return 'applied'
    }
    const id = statement.claims['dispute']
    if (typeof id !== 'string' || !CHAIN_ID_PATTERN.test(id)) throw new InvalidClaimsError(`${statement.kind} names its dispute by id`)
    const current = await disputes.get(id)
    if (current !== undefined && seen(current, signed.signature)) return 'duplicate'
    checkIssuedAt(statement.issuedAtMs, clock.now())
    this.member(from)
    // the open (or, on a panelist, the case) may still be on its way here: the sender retries
    if (current === undefined) return 'deferred'
    checkPartySender(current, statement.participant, from, nodeId)
    const record = await this.chainRecord(current.chain)
    if (record === undefined) return 'deferred'
    const after = applyPartyStatement(current, record, signed, this.context())
    if (after === current) return 'duplicate'
    await this.commit(current, after, { by: 'participant', signed }, undefined)
    return 'applied'
  }

  private async receiveNode (from: string, signed: SignedNodeStatement): Promise<Outcome> {
    const { statement } = signed
    if (!NODE_KINDS.includes(statement.kind)) throw new InvalidClaimsError(`a node's dispute statement is one of ${NODE_KINDS.join(', ')}, got ${statement.kind}`)
    const current = await this.components.disputes.get(statement.subject)
    if (current !== undefined && seen(current, signed.signature)) return 'duplicate'
    checkIssuedAt(statement.issuedAtMs, this.components.clock.now())
    this.member(from)
    if (statement.node !== from) throw new DisputeSenderError(`a ${statement.kind} signed by ${statement.node} comes from that node, not ${from}`)
    // a panelist's ruling can outrun the case that makes this node a panelist: the sender retries
    if (current === undefined) return 'deferred'
    if (statement.kind === 'dispute.ruling' && current.layer !== 'arbitration') {
      // the panelist got the case before this node got the escalation (different senders, no
      // common order): a drawn panelist's ruling waits for it, anyone else's is refused now
      const record = await this.chainRecord(current.chain)
      const certificate = record === undefined ? null : certificateOf(record)
      const drawn = certificate === null ? [] : drawArbitrators(certificate, this.components.members.list())
      checkNodeSender({ ...current, panel: drawn }, statement.kind, statement.node, from)
      return 'deferred'
    }
    checkNodeSender(current, statement.kind, statement.node, from)
    const after = applyNodeDisputeStatement(current, signed, this.context())
    if (after === current) return 'duplicate'
    await this.commit(current, after, { by: 'node', signed }, undefined)
    return 'applied'
  }

  private async receiveCase (from: string, c: DisputeCase): Promise<Outcome> {
    const { disputes, clock, nodeId, members } = this.components
    const parties = caseParties(c, members.list())
    const open = c.dispute[0]!
    if (open.by !== 'participant') throw new InvalidCaseError('a case starts with the dispute.open')
    if (await disputes.get(disputeIdOf(open.signed)) !== undefined) return 'duplicate'
    for (const entry of c.dispute) checkIssuedAt(entry.signed.statement.issuedAtMs, clock.now())
    this.member(from)
    checkCaseSender(parties.home, parties.panel, from, nodeId)
    const ctx = this.context()
    const record = recordFromCase(c.chain, ctx)
    const dispute = replayDispute(record, c.dispute, ctx)
    if (dispute.layer !== 'arbitration' || dispute.panel === null || !dispute.panel.includes(nodeId)) throw new NotAPanelistError(`the case of dispute ${dispute.id} does not put this node on its panel`)
    await this.commit(undefined, dispute, open, undefined, [disputes.casePutOperation(record)])
    return 'applied'
  }

  private readonly onPeerConnect = (event: CustomEvent<PeerId>): void => {
    this.outbox.retryNow(event.detail.toString())
  }
}
