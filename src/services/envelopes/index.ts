/**
 * The envelope channel: how every service sends and receives signed
 * federation envelopes. A service registers a data class with a payload
 * decoder and a commit function; the channel runs the wire pipeline, the
 * decoder, then the commit, which persists the service's writes together
 * with the envelope's seen-id in ONE store batch before the message is
 * acknowledged (accepted and forwarded) — so a crash can never keep the id
 * without the data, or the data without the id.
 */
import type { PeerId } from '@libp2p/interface'
import type { HybridSigner, SignatureVerifier } from '../../core/signature.ts'
import type { GossipVerdict } from '../../net/gossip.ts'
import type { Store, BatchOperation } from '../../store/store.ts'
import type { DataClass, DecodedEnvelope } from '../../wire/envelope.ts'
import type { ValidatedEnvelope } from '../../wire/pipeline.ts'
import type { Clock } from '../../runtime/clock.ts'
import type { Random } from '../../runtime/random.ts'
import type { Logger } from '../../runtime/log.ts'
import type { MemberKeys } from '../members/index.ts'
import type { AuditRecord } from '../../core/audit/record.ts'
import type { AuditAppender } from '../audit/appender.ts'
import { EnvelopeChannelService } from './envelope-channel.ts'
import type { OriginLogs } from './origin-logs.ts'

export { OriginLogs, EquivocationError, type LogPosition, type SeqRange } from './origin-logs.ts'
export { OwnEnvelopesHeldFullError } from './envelope-channel.ts'

export type { ValidatedEnvelope }

/**
 * Persists a step's writes and the envelope's seen-id in one batch (with the
 * envelope's audit record and `auditRecords`, the step's own events, when the
 * channel audits); throws PersistFailedError when the store refuses.
 */
export type Persist = (writes: BatchOperation[], auditRecords?: AuditRecord[]) => Promise<void>

/** What runs after an accepted message was acknowledged (outbound messages a step produced). */
export type AfterCommit = () => Promise<void> | void

/** A data class carried in signed envelopes. */
export interface EnvelopeClass<T> {
  dataClass: DataClass
  /** decodes and checks the payload; throws a VerdictError (e.g. PayloadSchemaError) for a bad one */
  decodePayload: (payload: Uint8Array, envelope: ValidatedEnvelope) => T
  /**
   * Applies an accepted value: compute the step from the current state, call
   * `persist(writes)` (which adds the seen-id to the same batch), and only
   * then take the new state. Throwing a VerdictError refuses the message; any
   * failure leaves the old state and the message unacknowledged.
   */
  commit: (value: T, envelope: ValidatedEnvelope, persist: Persist, from: PeerId | undefined) => Promise<AfterCommit | undefined>
  /**
   * Opt-in group commit for fetched batches (sync, `receiveBatch`): `persist` then resolves at once, having only
   * collected the writes, and the channel writes a whole batch's envelopes in one store batch with one audit
   * append before any is acknowledged. Only for a commit whose step depends on in-memory state it takes once
   * `persist` resolves, never on reading back from the store what an earlier envelope of its class wrote.
   * A failed group write stops the class until a restart (protocols/sync.md "Group commit").
   */
  groupCommit?: boolean
}

/** Where envelopes go out and come in (the gossip registry). */
export interface GossipTransport {
  register: (gossipClass: { dataClass: string, validate: (data: Uint8Array, from: PeerId) => Promise<GossipVerdict<AfterCommit | undefined>>, deliver: (value: AfterCommit | undefined, from: PeerId) => Promise<void> }) => string
  publish: (dataClass: string, data: Uint8Array) => Promise<number>
  topics: () => string[]
}

export interface EnvelopeChannelComponents {
  gossip: GossipTransport
  store: Store
  signer: HybridSigner
  verifier: SignatureVerifier
  members: MemberKeys
  clock: Clock
  random: Random
  logger: Logger
  /** this node's PeerId text (the source of what it seals) */
  nodeId: string
  /** when given, every envelope in (accepted or refused, with the reason) and out is appended to the audit log */
  audit?: AuditAppender
  /** when given, a class its data policies keep out of gossip is never published, and refused (REJECT `class_not_allowed`) when it comes in */
  policy?: { mayGossip: (dataClass: DataClass) => boolean }
  /** per-origin logs: when given, sealed envelopes carry (origin seq, prev hash) and accepted sequenced ones are logged (protocols/envelope.md) */
  logs?: OriginLogs
}

export interface EnvelopeChannelInit {
  federationId: string
}

/** The channel's control interface. */
export interface EnvelopeChannel {
  /** Registers a data class on its gossip topic; returns the topic. */
  register: <T>(envelopeClass: EnvelopeClass<T>) => string
  /**
   * Signs a payload into an envelope for this node's topic of `dataClass`. While the own logs are unsettled (a
   * federated node whose store holds no own log entry, before its first sync round) the envelope is provisional
   * (seq 0): `publish` holds it and sends it sealed again, sequenced, with the same id (protocols/sync.md).
   */
  seal: (dataClass: DataClass, schemaId: string, payload: Uint8Array, contentType?: string) => Uint8Array
  /**
   * Publishes sealed bytes; resolves to the number of peers they went to. A provisional envelope is held (persisted)
   * until the own logs settle: 0 when it is still held after OWN_HOLD_WAIT_MS (it goes out later, never lost).
   */
  publish: (dataClass: DataClass, bytes: Uint8Array) => Promise<number>
  /** The inbound path for one envelope of a registered class (gossip uses it; so can sync): validate, decode, commit. */
  receive: (dataClass: DataClass, bytes: Uint8Array, from?: PeerId) => Promise<GossipVerdict<AfterCommit | undefined>>
  /**
   * The inbound path for a fetched batch of one class: `receive` for each, committed as one group when the class has
   * `groupCommit`. `decoded[i]`, when given, must be `decodeEnvelope(items[i])` (the caller decoded it already).
   */
  receiveBatch?: (dataClass: DataClass, items: Uint8Array[], from?: PeerId, decoded?: ReadonlyArray<DecodedEnvelope | undefined>) => Promise<Array<GossipVerdict<AfterCommit | undefined>>>
  /** Loads the persisted seen-ids into the replay cache (call before the first message). */
  start: () => Promise<void>
  topics: () => string[]
  /** The data classes registered on this node. */
  dataClasses: () => DataClass[]
  /** When the latest summary / aggregated_metrics envelope of each member was accepted (clock ms): the age metric. */
  lastAccepted: () => Array<{ dataClass: string, source: string, atMs: number }>
}

/** Builds the channel. */
export function envelopeChannel (init: EnvelopeChannelInit): (components: EnvelopeChannelComponents) => EnvelopeChannel {
  return (components) => new EnvelopeChannelService(components, init)
}
