/**
 * Gossipsub's own limits and refusals, made to agree with fedmesh's and
 * counted with them (protocols/gossip.md "Limits").
 *
 * - The largest inbound gossipsub frame is the envelope limit plus room for
 *   gossipsub's framing, so every envelope a member may send fits, and
 *   nothing larger is even read (the length prefix is checked before the
 *   bytes are buffered).
 * - An oversized frame makes gossipsub end its read of that peer's stream
 *   (it cannot resynchronise the length-prefixed stream). Left alone that
 *   silently ended the peer's gossip session while the connection stayed up.
 *   Here it is counted (`fedmesh_gossip_messages_total{reason="frame_too_large"}`),
 *   the peer gets a behaviour penalty, and the connection is closed
 *   explicitly, so a member that reconnects starts a fresh session.
 * - Every refusal made inside gossipsub (signature-policy violations,
 *   duplicates, graylisted peers, malformed RPCs) reaches the same counter
 *   through gossipsub's metrics hooks (`metricsRegister`): the hooks that
 *   carry a refusal are mapped to (data class, result, reason); the others
 *   are not kept.
 */
import type { MetricsRegister, ScorePenalty, TopicStrToLabel } from '@chainsafe/libp2p-gossipsub/metrics'
import type { GossipSub } from '@chainsafe/libp2p-gossipsub'
import type { PeerId } from '@libp2p/interface'
import { DATA_CLASSES } from '../core/data-class.ts'
import { ENVELOPE_BYTES_MAX } from '../wire/limits.ts'
import type { GossipCounters } from './gossip.ts'

/** Room for gossipsub's RPC framing around one envelope: the topic, protobuf tags and length prefixes, and piggybacked control. */
export const GOSSIP_FRAMING_BYTES_MAX = 64 * 1024
/** The largest gossipsub frame read: one envelope and its framing. */
export const GOSSIP_FRAME_BYTES_MAX = ENVELOPE_BYTES_MAX + GOSSIP_FRAMING_BYTES_MAX
/**
 * Behaviour penalty (P7) for an oversized frame. With gossipsub's P7 weight (−10, threshold 0) five make
 * −250: below the graylist (−80) until it decays (×0.2 a second, so a few seconds). An honest member
 * never sends one: the limits agree.
 */
export const OVERSIZED_FRAME_PENALTY = 5

const KNOWN_CLASSES: ReadonlySet<string> = new Set(DATA_CLASSES)
const TOPIC = /^\/fedmesh\/[^/]{1,64}\/([a-z_]{1,32})\/1$/

/** The data class a topic carries, 'other' for anything else: the label set stays bounded whatever topics peers send. */
export function topicDataClass (topic: string): string {
  const match = TOPIC.exec(topic)
  return match !== null && KNOWN_CLASSES.has(match[1]!) ? match[1]! : 'other'
}

/** gossipsub's topic → label map; every lookup answers (gossipsub falls back to the raw topic on a miss). */
class DataClassLabels extends Map<string, string> {
  override get (topic: string): string {
    return topicDataClass(topic)
  }
}

type Labels = Record<string, string | number>
type Refusal = (labels: Labels, value: number) => void

const noop = (): void => {}

/**
 * A gossipsub `metricsRegister` that forwards the refusals it hears about to
 * `counters` (data class "rpc" where gossipsub refuses a whole RPC frame).
 */
export function gossipRefusalMetrics (counters: GossipCounters): { metricsRegister: MetricsRegister, metricsTopicStrToLabel: TopicStrToLabel } {
  const count = (dataClass: string, result: 'reject' | 'ignore', reason: string, times: number): void => {
    for (let i = 0; i < times; i++) counters.message(dataClass, 'in', result, reason)
  }
  // gossipsub reports an invalid message twice in a row: first the error, then the topic
  let pendingError = 'invalid'
  const refusals: Record<string, Refusal> = {
    gossipsub_msg_received_invalid_total: (labels) => { pendingError = String(labels.error ?? 'invalid') },
    gossipsub_msg_received_invalid_by_topic_total: (labels, value) => { count(String(labels.topic), 'reject', `gossipsub_${pendingError}`, value) },
    gossipsub_pre_validation_duplicate_total: (labels, value) => { count(String(labels.topic), 'ignore', 'gossip_duplicate', value) },
    gossipsub_msg_received_error_total: (labels, value) => { count(String(labels.topic), 'ignore', 'gossipsub_internal', value) },
    gossipsub_rpc_rcv_not_accepted_total: (_labels, value) => { count('rpc', 'reject', 'graylisted', value) },
    gossipsub_rpc_data_err_count_total: (_labels, value) => { count('rpc', 'reject', 'rpc_malformed', value) },
    gossipsub_rpc_recv_err_count_total: (_labels, value) => { count('rpc', 'ignore', 'rpc_internal', value) },
    gossipsub_ihave_rcv_ignored_total: (labels, value) => { count('rpc', 'ignore', `ihave_${String(labels.reason)}`, value) }
  }
  const gauge = (config: { name: string }): unknown => {
    const refusal = refusals[config.name]
    if (refusal === undefined) return { inc: noop, set: noop, addCollect: noop }
    return {
      // called as inc(), inc(value), inc(labels) or inc(labels, value)
      inc: (labels?: Labels | number, value?: number) => {
        if (typeof labels === 'number' || labels === undefined) refusal({}, labels ?? 1)
        else refusal(labels, value ?? 1)
      },
      set: noop,
      addCollect: noop
    }
  }
  const metricsRegister = {
    gauge,
    histogram: () => ({ startTimer: () => noop, observe: noop, reset: noop }),
    avgMinMax: () => ({ set: noop })
  } as unknown as MetricsRegister
  return { metricsRegister, metricsTopicStrToLabel: new DataClassLabels() }
}

/** What is done with a peer whose gossip stream broke on a frame above the limit. */
export interface OversizedFrameHandling {
  counters: GossipCounters | undefined
  /** closes the connection(s) to the peer */
  hangUp: (peer: PeerId) => Promise<void>
}

/** Whether a stream error is the length-prefixed decoder refusing a frame above `maxDataLength`. */
function isOversizedFrame (err: unknown): boolean {
  const name = (err as { name?: string } | undefined)?.name
  return name === 'InvalidDataLengthError' || name === 'InvalidDataLengthLengthError'
}

/**
 * Hooks gossipsub's read-stream error handler (its documented seam for stream errors): an oversized frame is
 * counted, penalised and ends the connection explicitly; any other stream error keeps gossipsub's handling.
 */
export function handleOversizedFrames (pubsub: GossipSub, handling: OversizedFrameHandling): void {
  const internals = pubsub as unknown as { handlePeerReadStreamError: (err: unknown, peerId: PeerId) => void }
  const original = internals.handlePeerReadStreamError.bind(pubsub)
  internals.handlePeerReadStreamError = (err, peerId) => {
    if (isOversizedFrame(err)) {
      handling.counters?.message('rpc', 'in', 'reject', 'frame_too_large')
      // before gossipsub forgets the peer: a peer leaving with a negative score keeps it (retainScore)
      pubsub.score.addPenalty(peerId.toString(), OVERSIZED_FRAME_PENALTY, 'oversized_frame' as ScorePenalty)
      // the score cache would otherwise answer with the score from before the penalty until its next refresh
      ;(pubsub.score as unknown as { scoreCache?: Map<string, unknown> }).scoreCache?.delete(peerId.toString())
    }
    original(err, peerId)
    if (!isOversizedFrame(err)) return
    void handling.hangUp(peerId).catch(() => {})
  }
}
