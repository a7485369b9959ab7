/**
 * Gossip plumbing: each data class registers its topic
 * `/fedmesh/<federation_id>/<data class>/1` and ONE validator that returns
 * accept / reject / ignore with a reason code. Inbound messages wait in a
 * bounded queue per data class for one of `VALIDATIONS_IN_FLIGHT_MAX` slots
 * (ingress-queue.ts); nothing on this path waits on the network. Validation is asynchronous
 * (gossipsub's `asyncValidation`): every message gets exactly one report —
 * a missing report would silently stop forwarding. A validator that throws is
 * mapped by `verdictOf` (core/errors.ts), the one error → verdict mapping: a
 * VerdictError earns its own action and code, anything else is IGNORE
 * `internal`, so peers are never punished for our bugs. Verdicts are counted
 * by data class, result and reason code.
 */
import { TopicValidatorResult, type PeerId } from '@libp2p/interface'
import type { GossipSub, GossipsubMessage } from '@chainsafe/libp2p-gossipsub'
import { createTopicScoreParams } from '@chainsafe/libp2p-gossipsub/score'
import type { Logger } from 'pino'
import { verdictOf, VerdictError } from '../core/errors.ts'
import { IngressQueue, type IngressQueueInit } from './ingress-queue.ts'

/** Topic of a data class in a federation. */
export function gossipTopic (federationId: string, dataClass: string): string {
  return `/fedmesh/${federationId}/${dataClass}/1`
}

/** A validator's answer. `code` is a short reason from a small set (metrics label). */
export type GossipVerdict<T> =
  | { action: 'accept', value: T }
  | { action: 'reject' | 'ignore', code: string }

/** A gossiped data class. */
export interface GossipClass<T> {
  dataClass: string
  /** Decides on one message. May throw: a VerdictError earns its verdict, anything else IGNORE `internal`. */
  validate: (data: Uint8Array, from: PeerId) => Promise<GossipVerdict<T>> | GossipVerdict<T>
  /** Called once per accepted message, after the verdict is reported. */
  deliver: (value: T, from: PeerId) => Promise<void> | void
}

/** Where verdicts and traffic are counted (the node's Prometheus registry, or the sim's counters). */
export interface GossipCounters {
  message: (dataClass: string, direction: 'in' | 'out', result: 'accept' | 'reject' | 'ignore' | 'sent', reason: string) => void
  /** a class's inbound queue now holds `entries` messages of `bytes` bytes */
  queueDepth?: (dataClass: string, entries: number, bytes: number) => void
  /** a message was dropped from (or refused by) its class's queue at the bound */
  queueDropped?: (dataClass: string) => void
  /** validations running now */
  validationsInFlight?: (count: number) => void
  /** one message went from the start of its validation to its verdict in `seconds` */
  validated?: (dataClass: string, seconds: number) => void
}

interface Registered {
  dataClass: string
  topic: string
  gossipClass: GossipClass<unknown>
}

/**
 * Per-topic score parameters. Time in mesh (P1) and first deliveries (P2) earn at most +10 and +20;
 * each invalid message costs quadratically (P4), so two invalid messages outweigh any good standing.
 *
 * Mesh-delivery penalties (P3, P3b) are off on these topics: data classes are quiet and bursty, and a
 * publisher floods its message to every subscribed peer (gossipsub's flood publish), so in a small,
 * densely connected federation an honest member that publishes nothing itself is never a first
 * deliverer — P3 would punish it for silence. They are on for the one topic where every honest member
 * is an originator on a fixed period: see `periodicTopicScoreParams`.
 */
const TOPIC_SCORE_PARAMS = {
  topicWeight: 1,
  timeInMeshWeight: 0.1,
  timeInMeshQuantum: 1000,
  timeInMeshCap: 100,
  firstMessageDeliveriesWeight: 1,
  firstMessageDeliveriesDecay: 0.9,
  firstMessageDeliveriesCap: 20,
  meshMessageDeliveriesWeight: 0,
  meshFailurePenaltyWeight: 0,
  invalidMessageDeliveriesWeight: -100,
  invalidMessageDeliveriesDecay: 0.9
}

/** P3's counter (a peer's first and near-first deliveries to us) remembers about this many periods of the periodic class. */
export const MESH_DELIVERY_HORIZON_PERIODS = 10
/** Below this many remembered deliveries a mesh peer is short: an honest one holds about MESH_DELIVERY_HORIZON_PERIODS from its own reports alone. */
export const MESH_DELIVERY_THRESHOLD = 1
/** P3 applies only after a peer has been this many periods in our mesh (its reports need time to count). */
export const MESH_DELIVERY_ACTIVATION_PERIODS = 3
/**
 * P3's weight: a peer with no delivery at all scores −75 on the topic, below 0 unless it earns more on
 * the others (P1 ≤ +10 a topic), so the heartbeat prunes it; an honest peer whose counter dipped to 0.8
 * would lose only 3. It stays above gossipsub's graylist threshold (−80): P3 alone prunes, it never
 * graylists, because each node measures against ITS OWN metrics period and an honest member configured
 * with a much longer `metrics_interval_seconds` (over ~7× ours: the counter falls by e over
 * MESH_DELIVERY_HORIZON_PERIODS of our periods) is short too — it must lose its place in our metrics
 * mesh, never have its votes ignored. P3b, the sticky penalty left when a short peer is pruned, has the
 * same weight and decays over the same horizon, so a pruned black hole is not grafted again at once.
 */
export const MESH_DELIVERY_WEIGHT = -75
/** gossipsub's decay step (its `decayInterval`, 1 s: the library's minimum) */
const SCORE_DECAY_INTERVAL_MS = 1000
/** A duplicate counts toward P3 only this soon after the first copy (gossipsub's default): later echoes may be replays of what we sent. */
export const MESH_DELIVERY_WINDOW_MS = 10

/**
 * Score parameters of a class every member publishes once per `periodMs` (aggregated_metrics): the
 * production parameters plus P3/P3b. A black hole sitting in that mesh — delivering neither its own
 * reports nor anyone's — falls below 0 once active and is pruned; an honest member, quiet or not on
 * the data classes, keeps delivering its own report each period.
 */
export function periodicTopicScoreParams (periodMs: number): typeof TOPIC_SCORE_PARAMS & Record<string, number> {
  const horizonMs = MESH_DELIVERY_HORIZON_PERIODS * periodMs
  // per decay step, so that the counter falls by e over the horizon
  const decay = Math.exp(-SCORE_DECAY_INTERVAL_MS / horizonMs)
  return {
    ...TOPIC_SCORE_PARAMS,
    meshMessageDeliveriesWeight: MESH_DELIVERY_WEIGHT,
    meshMessageDeliveriesDecay: decay,
    meshMessageDeliveriesThreshold: MESH_DELIVERY_THRESHOLD,
    meshMessageDeliveriesCap: 2 * MESH_DELIVERY_HORIZON_PERIODS,
    meshMessageDeliveriesWindow: MESH_DELIVERY_WINDOW_MS,
    meshMessageDeliveriesActivation: MESH_DELIVERY_ACTIVATION_PERIODS * periodMs,
    meshFailurePenaltyWeight: MESH_DELIVERY_WEIGHT,
    meshFailurePenaltyDecay: decay
  }
}

/** A data class every member publishes on a fixed period; its topic gets P3/P3b (`periodicTopicScoreParams`). */
export interface PeriodicClass {
  dataClass: string
  periodMs: number
}

export class UnknownDataClassError extends Error {
  static readonly code = 'UnknownDataClassError'
  override readonly name = 'UnknownDataClassError'
}

/** The data classes of one federation on one gossipsub instance. */
export class GossipRegistry {
  private readonly pubsub: GossipSub
  private readonly federationId: string
  private readonly counters: GossipCounters
  private readonly log: Logger
  private readonly byTopic = new Map<string, Registered>()
  private readonly byClass = new Map<string, Registered>()
  /** inbound messages wait here, bounded per data class, for one of the validation slots */
  readonly queue: IngressQueue<GossipsubMessage>
  private readonly onMessage = (event: CustomEvent<GossipsubMessage>): void => { this.enqueue(event.detail) }
  private listening = false
  private readonly periodic: PeriodicClass | undefined

  constructor (init: { pubsub: GossipSub, federationId: string, counters: GossipCounters, log: Logger, queue?: IngressQueueInit, /** the class whose topic gets mesh-delivery penalties */ periodic?: PeriodicClass }) {
    this.pubsub = init.pubsub
    this.periodic = init.periodic
    this.federationId = init.federationId
    this.counters = init.counters
    this.log = init.log
    const counters = this.counters
    this.queue = new IngressQueue<GossipsubMessage>({
      run: async (message) => { await this.handle(message) },
      drop: (message, dataClass) => {
        // dropped for our load, not for anything the sender did: IGNORE (no penalty, not forwarded)
        this.pubsub.reportMessageValidationResult(message.msgId, message.propagationSource.toString(), TopicValidatorResult.Ignore)
        counters.message(dataClass, 'in', 'ignore', 'queue_full')
        counters.queueDropped?.(dataClass)
      },
      depth: (dataClass, entries, bytes) => { counters.queueDepth?.(dataClass, entries, bytes) },
      inFlight: (count) => { counters.validationsInFlight?.(count) }
    }, init.queue)
  }

  /** Registers a data class, scores its topic and subscribes to it. */
  register<T> (gossipClass: GossipClass<T>): string {
    if (this.byClass.has(gossipClass.dataClass)) throw new Error(`data class ${gossipClass.dataClass} registered twice`)
    const topic = gossipTopic(this.federationId, gossipClass.dataClass)
    const registered = { dataClass: gossipClass.dataClass, topic, gossipClass: gossipClass as GossipClass<unknown> }
    this.byTopic.set(topic, registered)
    this.byClass.set(gossipClass.dataClass, registered)
    this.pubsub.score.params.topics[topic] = createTopicScoreParams(this.periodic?.dataClass === gossipClass.dataClass ? periodicTopicScoreParams(this.periodic.periodMs) : TOPIC_SCORE_PARAMS)
    if (!this.listening) {
      this.pubsub.addEventListener('gossipsub:message', this.onMessage)
      this.listening = true
    }
    this.pubsub.subscribe(topic)
    return topic
  }

  /** Publishes bytes on a data class's topic; resolves to the number of peers it went to. */
  async publish (dataClass: string, data: Uint8Array): Promise<number> {
    const registered = this.byClass.get(dataClass)
    if (registered === undefined) throw new UnknownDataClassError(`data class ${dataClass} is not registered`)
    const result = await this.pubsub.publish(registered.topic, data)
    this.counters.message(dataClass, 'out', 'sent', 'ok')
    return result.recipients.length
  }

  /** Topics of the registered classes. */
  topics (): string[] {
    return [...this.byTopic.keys()]
  }

  stop (): void {
    if (this.listening) this.pubsub.removeEventListener('gossipsub:message', this.onMessage)
    this.listening = false
  }

  /** Queues an inbound message on its class's queue; a topic we did not register is answered at once. */
  private enqueue (message: GossipsubMessage): void {
    const registered = this.byTopic.get(message.msg.topic)
    if (registered === undefined) {
      // Not ours (another federation's topic we are not subscribed to): never leave a message unreported.
      this.pubsub.reportMessageValidationResult(message.msgId, message.propagationSource.toString(), TopicValidatorResult.Ignore)
      return
    }
    this.queue.offer(registered.dataClass, message, message.msg.data.byteLength)
  }

  private async handle ({ propagationSource, msgId, msg }: GossipsubMessage): Promise<void> {
    const registered = this.byTopic.get(msg.topic)
    if (registered === undefined) {
      this.pubsub.reportMessageValidationResult(msgId, propagationSource.toString(), TopicValidatorResult.Ignore)
      return
    }
    let verdict: GossipVerdict<unknown>
    const startedAt = performance.now()
    try {
      verdict = await registered.gossipClass.validate(msg.data, propagationSource)
    } catch (err) {
      if (!(err instanceof VerdictError)) this.log.warn({ err, dataClass: registered.dataClass }, 'gossip validator failed; ignoring the message')
      verdict = verdictOf(err)
    }
    this.counters.validated?.(registered.dataClass, (performance.now() - startedAt) / 1000)
    const result = verdict.action === 'accept' ? TopicValidatorResult.Accept : verdict.action === 'reject' ? TopicValidatorResult.Reject : TopicValidatorResult.Ignore
    this.pubsub.reportMessageValidationResult(msgId, propagationSource.toString(), result)
    this.counters.message(registered.dataClass, 'in', verdict.action, verdict.action === 'accept' ? 'ok' : verdict.code)
    if (verdict.action !== 'accept') {
      this.log.debug({ dataClass: registered.dataClass, from: propagationSource.toString(), code: verdict.code }, `gossip message ${verdict.action}ed`)
      return
    }
    try {
      await registered.gossipClass.deliver(verdict.value, propagationSource)
    } catch (err) {
      this.log.error({ err, dataClass: registered.dataClass }, 'delivering an accepted gossip message failed')
    }
  }
}
