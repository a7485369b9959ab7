/**
 * The chains service (see index.ts). Every input — a local proposal, a
 * participant's statement, a peer's message, a deadline — is one step of the
 * pure machine, run one at a time: compute, persist the writes and the new
 * outbox entries in one batch, only then take the new state and send.
 */
import { peerIdFromString } from '@libp2p/peer-id'
import type { IncomingStreamData, PeerId, Stream } from '@libp2p/interface'
import { answerOnce, requestOnce } from '../../net/request-stream.ts'
import { InputError } from '../../core/errors.ts'
import { CHAIN_POLICY_DEFAULT, directoryOf, type ParticipantDirectory } from '../../core/chain/binding.ts'
import { CHAIN_CONTENT_VERSION, CHAIN_PROTOCOL_ID } from '../../core/chain/constants.ts'
import { CHAIN_MESSAGE_BYTES_MAX, decodeChainMessage, encodeChainMessage } from '../../wire/chain.ts'
import { InvalidChainError, UnknownNodeError } from '../../core/chain/errors.ts'
import { stepChain } from '../../core/chain/machine.ts'
import { chainId, cycleEdges, type ChainContent } from '../../core/chain/proposal.ts'
import { createChainState, nextDeadlineMs, reservedParticipants, type ChainEvent, type ChainNodeState, type ChainRecord, type ChainStepResult } from '../../core/chain/state.ts'
import { confirmationClaims, CONFIRMATION_KIND, stepClaims, type CONSENT_KIND } from '../../core/chain/participant-statements.ts'
import type { SignedStatement } from '../../core/identity/statement.ts'
import * as wire from '../../../protocols/chain.ts'
import {
  CONSENT_WINDOW_MS_DEFAULT, EXECUTION_DELAY_MS_DEFAULT, EXECUTION_WINDOW_MS_DEFAULT, INBOUND_STREAMS_MAX, MATCHED_EDGE_SCORE_PERMILLE,
  OUTBOUND_STREAMS_MAX, OUTBOX_ENTRIES_MAX, OUTBOX_GRACE_MS, REQUEST_TIMEOUT_MS_MAX, RETRY_MS_MAX, RETRY_MS_MIN, TICK_MS_MAX
} from './constants.ts'
import { loadDirectory } from './directory.ts'
import { OutboxFullError, UnknownSiteError } from './errors.ts'
import { Outbox, type SendOutcome } from './outbox.ts'
import type { Chains, ChainsComponents, ChainsInit, ProposeInput } from './index.ts'

const OUTCOME: Record<ChainStepResult['outcome'], wire.ChainOutcome> = {
  applied: wire.ChainOutcome.APPLIED,
  duplicate: wire.ChainOutcome.DUPLICATE,
  deferred: wire.ChainOutcome.DEFERRED,
  ignored: wire.ChainOutcome.IGNORED
}

const EMPTY_DIRECTORY: ParticipantDirectory = directoryOf([])
/** The longest a setTimeout may wait (2^31 − 1 ms). */
const TIMER_MS_MAX = 2 ** 31 - 1

export class ChainService implements Chains {
  private state: ChainNodeState
  private readonly outbox: Outbox
  /** steps run one at a time, in arrival order */
  private tail: Promise<unknown> = Promise.resolve()
  private tickTimer: NodeJS.Timeout | undefined
  private running = false
  private shutdown = new AbortController()

  constructor (private readonly components: ChainsComponents, private readonly init: ChainsInit) {
    this.state = createChainState({ node: components.nodeId, federationId: init.federationId })
    this.outbox = new Outbox({
      chainStore: components.chainStore,
      clock: components.clock,
      logger: components.logger,
      send: async (to, message) => await this.send(to, message)
    }, { retryMsMin: init.retryMsMin ?? RETRY_MS_MIN, retryMsMax: init.retryMsMax ?? RETRY_MS_MAX })
  }

  /** Restores the chains from the store, answers the protocol, resends the outbox and arms the deadline timer. */
  async start (): Promise<void> {
    this.shutdown = new AbortController()
    const records = await this.components.chainStore.records()
    this.state = createChainState({ node: this.components.nodeId, federationId: this.init.federationId, chains: records })
    await this.components.host.handle(CHAIN_PROTOCOL_ID, this.onStream, { maxInboundStreams: INBOUND_STREAMS_MAX, maxOutboundStreams: OUTBOUND_STREAMS_MAX })
    this.components.host.addEventListener('peer:connect', this.onPeerConnect)
    this.running = true
    await this.outbox.start()
    // deadlines that passed while the node was down are handled now
    await this.tick()
  }

  async stop (): Promise<void> {
    this.running = false
    this.shutdown.abort()
    if (this.tickTimer !== undefined) clearTimeout(this.tickTimer)
    this.tickTimer = undefined
    this.outbox.stop()
    this.components.host.removeEventListener('peer:connect', this.onPeerConnect)
    await this.components.host.unhandle(CHAIN_PROTOCOL_ID)
    await this.tail.catch(() => undefined)
  }

  records (): ChainRecord[] {
    const out: ChainRecord[] = []
    this.state.chains.forEach((record) => { out.push(record) })
    return out.sort((a, b) => a.proposal.content.proposed_at_ms - b.proposal.content.proposed_at_ms || (a.id < b.id ? -1 : 1))
  }

  record (id: string): ChainRecord | undefined {
    return this.state.chains.get(id)
  }

  reserved (): Set<string> {
    return reservedParticipants(this.state)
  }

  pending (): Record<string, number> {
    return this.outbox.pending()
  }

  /** Retries every unanswered message now (also done when a destination connects). */
  retryNow (): void {
    this.outbox.retryNow()
  }

  /** Proposes a chain `match` found; steps name sites, mapped to PeerIds through the membership. */
  async propose (input: ProposeInput): Promise<ChainRecord> {
    if (this.outbox.size() >= OUTBOX_ENTRIES_MAX) throw new OutboxFullError(`${OUTBOX_ENTRIES_MAX} chain messages are waiting for answers; propose again once peers have answered`)
    const now = this.components.clock.now()
    const steps = input.steps.map((step) => {
      const node = step.node === this.init.siteId ? this.components.nodeId : this.components.members.nodeOfSite(step.node)
      if (node === undefined) throw new UnknownSiteError(`no known member has site id ${step.node}`)
      return { node, site: step.node, need: step.need, offer: step.offer, ...(step.participant === undefined ? {} : { participant: step.participant }) }
    })
    const consentDeadline = now + (input.consentWindowMs ?? CONSENT_WINDOW_MS_DEFAULT)
    const start = consentDeadline + (input.executionDelayMs ?? EXECUTION_DELAY_MS_DEFAULT)
    const content: ChainContent = {
      version: CHAIN_CONTENT_VERSION,
      federation_id: this.init.federationId,
      proposer: this.components.nodeId,
      proposed_at_ms: now,
      steps,
      edges: cycleEdges(steps, steps.map(() => MATCHED_EDGE_SCORE_PERMILLE)),
      timeline: { consent_deadline_ms: consentDeadline, execution_start_ms: start, execution_end_ms: start + (input.executionWindowMs ?? EXECUTION_WINDOW_MS_DEFAULT) }
    }
    await this.step({ type: 'propose', content })
    return this.state.chains.get(chainId(content))!
  }

  /** A hosted participant's signed statement: stepped, persisted and sent to the other home nodes. */
  async participantStatement (signed: SignedStatement): Promise<ChainRecord> {
    await this.step({ type: 'participant', statement: signed })
    const { statement } = signed
    const claims = statement.kind === CONFIRMATION_KIND ? confirmationClaims(statement) : stepClaims(statement, statement.kind as typeof CONSENT_KIND)
    return this.state.chains.get(claims.chain)!
  }

  /** Handles every deadline due now (the timer calls it; tests with a moved clock may too). */
  async tick (): Promise<void> {
    await this.step({ type: 'tick' })
  }

  /** One step, serialised after the previous ones. */
  private async step (event: ChainEvent): Promise<ChainStepResult> {
    const run = this.tail.then(async () => await this.apply(event))
    this.tail = run.catch(() => undefined)
    return await run
  }

  private async apply (event: ChainEvent): Promise<ChainStepResult> {
    const { components } = this
    const binds = event.type === 'propose' || (event.type === 'receive' && event.message.kind === 'proposal')
    const directory = binds ? await loadDirectory(components.participants, await components.movedParticipants?.()) : EMPTY_DIRECTORY
    const result = stepChain(this.state, event, {
      nowMs: components.clock.now(),
      signer: components.signer,
      verifier: components.verifier,
      nodeKey: components.members.key,
      directory,
      policy: this.init.policy ?? CHAIN_POLICY_DEFAULT
    })
    const entries = result.outbound.flatMap((out) => {
      const chain = chainOf(out.message)
      const record = result.state.chains.get(chain)
      const expires = (record?.proposal.content.timeline.execution_end_ms ?? components.clock.now()) + OUTBOX_GRACE_MS
      return this.outbox.entries(out.to, chain, encodeChainMessage(out.message), expires)
    })
    if (result.writes.length > 0 || entries.length > 0) {
      await components.chainStore.batch([...components.chainStore.writeOperations(result.writes), ...entries.map((e) => components.chainStore.outboxPut(e))])
    }
    this.state = result.state
    this.outbox.added(entries)
    this.armTimer()
    if (result.writes.some((w) => w.kind === 'exchange' || w.kind === 'observation')) components.exchangesRecorded?.()
    return result
  }

  /** The deadline timer: at the machine's next deadline, at most TICK_MS_MAX from now. */
  private armTimer (): void {
    if (!this.running) return
    if (this.tickTimer !== undefined) clearTimeout(this.tickTimer)
    const next = nextDeadlineMs(this.state)
    const delay = next === null ? TICK_MS_MAX : Math.min(Math.max(0, next - this.components.clock.now()), TICK_MS_MAX, TIMER_MS_MAX)
    this.tickTimer = setTimeout(() => {
      this.tickTimer = undefined
      this.tick().catch((err) => { this.components.logger.warn({ err }, 'chain deadline tick failed') })
    }, delay)
    this.tickTimer.unref()
  }

  /** Sends one encoded message and reads the answer (one request per stream). */
  private async send (to: string, message: Uint8Array): Promise<{ outcome: SendOutcome, error: string }> {
    const signal = AbortSignal.any([this.shutdown.signal, AbortSignal.timeout(REQUEST_TIMEOUT_MS_MAX)])
    const answer = await requestOnce(this.components.host, peerIdFromString(to), CHAIN_PROTOCOL_ID, message, wire.ChainResponse, { maxDataLength: CHAIN_MESSAGE_BYTES_MAX, signal })
    const outcome = answer.outcome === wire.ChainOutcome.CHAIN_OUTCOME_UNSPECIFIED ? 'DEFERRED' : answer.outcome
    return { outcome, error: answer.error }
  }

  /** Inbound handler: never throws (errors are logged and abort the stream). */
  private readonly onStream = ({ stream, connection }: IncomingStreamData): void => {
    this.answer(stream, connection.remotePeer.toString()).catch((err) => {
      this.components.logger.debug({ err, from: connection.remotePeer.toString() }, 'chain stream failed')
      stream.abort(err as Error)
    })
  }

  private async answer (stream: Stream, from: string): Promise<void> {
    const signal = AbortSignal.any([this.shutdown.signal, AbortSignal.timeout(REQUEST_TIMEOUT_MS_MAX)])
    await answerOnce(stream, wire.ChainResponse, { maxDataLength: CHAIN_MESSAGE_BYTES_MAX, signal }, async (bytes) => await this.receive(from, bytes))
  }

  /** A peer's message → the answer; a bad one is REJECTED with its error's stable name. */
  private async receive (from: string, bytes: Uint8Array): Promise<wire.ChainResponse> {
    try {
      const message = decodeChainMessage(bytes)
      if (this.components.members.key(from) === undefined) throw new UnknownNodeError(`${from} is not a known member`)
      if (message.kind === 'proposal') this.checkSites(message.proposal.content)
      const result = await this.step({ type: 'receive', from, message })
      return { outcome: OUTCOME[result.outcome], error: '' }
    } catch (err) {
      if (err instanceof InputError) {
        // recorded: a refused message from a member is evidence of a fault (forged consent, bad signature, …)
        this.components.logger.warn({ from, error: err.name, reason: err.message }, 'chain message rejected')
        return { outcome: wire.ChainOutcome.REJECTED, error: err.name }
      }
      throw err
    }
  }

  /** Every step's site label must be the one its node's membership entry names: participant ids carry site ids. */
  private checkSites (content: ChainContent): void {
    for (const [i, step] of content.steps.entries()) {
      const site = step.node === this.components.nodeId ? this.init.siteId : this.components.members.siteOf(step.node)
      if (site !== step.site) throw new InvalidChainError(`step ${i} is labelled ${step.site}, but ${step.node}'s site is ${site ?? 'unknown'}`)
    }
  }

  private readonly onPeerConnect = (event: CustomEvent<PeerId>): void => {
    this.outbox.retryNow(event.detail.toString())
  }
}

/** The chain a message is about. */
function chainOf (message: Parameters<typeof encodeChainMessage>[0]): string {
  switch (message.kind) {
    case 'proposal': return chainId(message.proposal.content)
    case 'validation': return message.validation.statement.subject
    case 'abort': return message.abort.statement.subject
    case 'commit': return message.commit.chain
    case 'consent': return message.chain
    case 'statement': return String(message.statement.statement.claims['chain'])
  }
}
