/**
 * A gossip data class whose messages are signed federation envelopes: every
 * message goes through the wire pipeline (size → decode → schema → replay →
 * skew → federation → membership → signatures), then the class's payload
 * decoder, then delivery. Errors map to gossip verdicts by their action
 * (reject for provably bad input, ignore for duplicates and stale messages);
 * anything unexpected is IGNORE with reason `internal`.
 */
import type { PeerId } from '@libp2p/interface'
import type { HybridPublicKey, HybridSigner, SignatureVerifier } from '../core/signature.ts'
import type { GossipClass, GossipVerdict } from '../net/gossip.ts'
import { decodeEnvelope, signEnvelope, type DataClass } from '../wire/envelope.ts'
import { validateDecodedEnvelope, gossipVerdictFor, type ReplayCache, type ValidatedEnvelope } from '../wire/pipeline.ts'

/** How long the validator waits to learn an unknown source's key (a DHT lookup) before ignoring its message. */
export const SOURCE_RESOLVE_MS_MAX = 5_000

/** Where members' hybrid keys come from (the node-record directory). */
export interface MemberKeys {
  /** the key of a known member, now */
  key: (nodeId: string) => HybridPublicKey | undefined
  /** looks the member up (e.g. in the DHT); undefined when it cannot be found */
  resolve: (nodeId: string, signal: AbortSignal) => Promise<HybridPublicKey | undefined>
  /** false when an allow-list excludes the node: its messages are provably not a member's */
  admits: (nodeId: string) => boolean
}

/**
 * A payload the data class refuses, with the gossip verdict it earns and a
 * reason label (a small fixed set per class, for metrics).
 */
export class PayloadVerdictError extends Error {
  static readonly code: string = 'PayloadVerdictError'
  override readonly name: string = 'PayloadVerdictError'
  readonly action: 'reject' | 'ignore'
  readonly reason: string
  constructor (action: 'reject' | 'ignore', reason: string, message: string, options?: ErrorOptions) {
    super(message, options)
    this.action = action
    this.reason = reason
  }
}

/** A payload that does not fit its data class's schema: provably bad, REJECT. */
export class PayloadSchemaError extends PayloadVerdictError {
  static override readonly code = 'PayloadSchemaError'
  override readonly name = 'PayloadSchemaError'
  constructor (message: string, options?: ErrorOptions) {
    super('reject', 'payload_schema', message, options)
  }
}

export interface EnvelopeClassInit<T> {
  dataClass: DataClass
  federationId: string
  now: () => number
  replay: ReplayCache
  verifier: SignatureVerifier
  members: MemberKeys
  /** decodes and checks the payload; throws PayloadSchemaError (or another PayloadVerdictError) for a bad one */
  decodePayload: (payload: Uint8Array, envelope: ValidatedEnvelope) => T | Promise<T>
  deliver: (value: T, envelope: ValidatedEnvelope, from: PeerId) => Promise<void> | void
  /** persists an accepted envelope's id (replay protection across restarts) */
  remember?: (idHex: string, timestampMs: number) => Promise<void>
}

interface Accepted<T> { value: T, envelope: ValidatedEnvelope }

/** Builds the gossip class for one envelope-carrying data class. */
export function envelopeGossipClass<T> (init: EnvelopeClassInit<T>): GossipClass<Accepted<T>> {
  const context = {
    federationId: init.federationId,
    now: init.now,
    replay: init.replay,
    verifier: init.verifier,
    memberKey: init.members.key,
    expectedDataClass: init.dataClass
  }
  return {
    dataClass: init.dataClass,
    validate: async (data: Uint8Array): Promise<GossipVerdict<Accepted<T>>> => {
      let envelope: ValidatedEnvelope
      try {
        // learn an unknown (but admissible) source's key before the pipeline's membership check
        const decoded = decodeEnvelope(data)
        const source = decoded.envelope.source
        if (init.members.key(source) === undefined && init.members.admits(source)) {
          const key = await init.members.resolve(source, AbortSignal.timeout(SOURCE_RESOLVE_MS_MAX))
          if (key === undefined) return { action: 'ignore', reason: 'unknown_source' }
        }
        envelope = validateDecodedEnvelope(decoded, context)
      } catch (err) {
        const verdict = gossipVerdictFor(err)
        return verdict.action === 'accept' ? { action: 'ignore', reason: 'internal' } : { action: verdict.action, reason: verdict.code }
      }
      try {
        return { action: 'accept', value: { value: await init.decodePayload(envelope.payload, envelope), envelope } }
      } catch (err) {
        if (err instanceof PayloadVerdictError) return { action: err.action, reason: err.reason }
        throw err
      }
    },
    deliver: async ({ value, envelope }, from) => {
      await init.remember?.(envelope.idHex, envelope.timestampMs)
      await init.deliver(value, envelope, from)
    }
  }
}

/** Signs a payload into an envelope for a federation topic. */
export function sealForTopic (init: {
  signer: HybridSigner
  source: string
  federationId: string
  topic: string
  dataClass: DataClass
  schemaId: string
  contentType?: string
  payload: Uint8Array
  nowMs: number
}): Uint8Array {
  return signEnvelope({
    source: init.source,
    destination: init.topic,
    federationId: init.federationId,
    dataClass: init.dataClass,
    schemaId: init.schemaId,
    ...(init.contentType === undefined ? {} : { contentType: init.contentType }),
    payload: init.payload,
    timestampMs: init.nowMs
  }, init.signer)
}
