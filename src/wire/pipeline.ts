/**
 * The validation pipeline every inbound envelope goes through, cheapest check
 * first so that floods of junk cost little, post-quantum verification last:
 *
 * size → decode → schema/limits → data class → duplicate/replay → hops →
 * clock skew → federation → membership of the source → signatures.
 *
 * Only an envelope that passes everything may be remembered in the replay
 * cache: recording earlier would let a forger who copies a real envelope's id
 * get the real one ignored. A node remembers it only once what it carries is
 * committed to the store (`rememberEnvelope`), so a failed commit leaves a
 * later copy acceptable. Spec: protocols/envelope.md.
 */
import type { HybridPublicKey, SignatureVerifier } from '../core/signature.ts'
import { decodeEnvelope, type DataClass, type DecodedEnvelope, type Envelope } from './envelope.ts'
import {
  BadSignatureError, DuplicateEnvelopeError, ExpiredEnvelopeError, FutureEnvelopeError, NonMemberSourceError, StaleEnvelopeError,
  WrongDataClassError, WrongDestinationError, WrongFederationError
} from './errors.ts'
import { CLOCK_SKEW_MS_MAX, ENVELOPE_BYTES_MAX, SOURCE_LENGTH_MAX } from './limits.ts'
import type { ReplayCache } from './replay-cache.ts'

export { ReplayCache } from './replay-cache.ts'
export * from './errors.ts'

/** What the pipeline needs from the node. */
export interface PipelineContext {
  /** the federation this topic or stream belongs to */
  federationId: string
  /** current time in ms (injected: tests and the sim drive it) */
  now: () => number
  replay: ReplayCache
  verifier: SignatureVerifier
  /** the hybrid key of a member node, undefined for a non-member */
  memberKey: (nodeId: string) => HybridPublicKey | undefined
  /** the data class the topic or stream carries; anything else is refused */
  expectedDataClass?: DataClass
  /** the destination its envelopes are sealed for (a gossip class's topic); anything else is refused */
  expectedDestination?: string
  /** a durable check for ids accepted before (e.g. the store), after the in-memory cache */
  seenBefore?: (idHex: string) => boolean
  /**
   * true when the caller already checked the envelope against its source's log (a new origin seq): the log is
   * then its replay guard, so the age checks (skew window, replay floor) do not apply and sync can bring
   * envelopes older than the window. The future-skew check still does.
   */
  guardedByLog?: (envelope: Envelope) => boolean
}

/** An envelope that passed every check, ready for its data class handler. */
export interface ValidatedEnvelope extends Envelope {
  /** hex of the envelope id */
  idHex: string
  /** the source's key it verified with */
  sourceKey: HybridPublicKey
}

/**
 * The `source` of a wire envelope without decoding it: a walk over the outer message to its body
 * (field 1) and over the body to `source` (field 4), reading nothing else. Undefined when the bytes
 * do not have that shape; the full decode then says precisely what is wrong. Lets the receiver
 * refuse a non-member's envelope for the price of a map lookup (junk from made-up senders is the
 * cheapest flood there is), before the full decode.
 */
export function peekEnvelopeSource (bytes: Uint8Array): string | undefined {
  if (bytes.length > ENVELOPE_BYTES_MAX) return undefined
  const body = lengthDelimitedField(bytes, 1)
  if (body === undefined) return undefined
  const source = lengthDelimitedField(body, 4)
  if (source === undefined || source.length === 0 || source.length > SOURCE_LENGTH_MAX) return undefined
  return PEEK_DECODER.decode(source)
}

const PEEK_DECODER = new TextDecoder()

/** The bytes of the first length-delimited field `field` of a protobuf message; undefined if absent or on anything irregular. */
function lengthDelimitedField (bytes: Uint8Array, field: number): Uint8Array | undefined {
  let at = 0
  const varint = (): number | undefined => {
    let value = 0
    for (let shift = 0; shift < 70; shift += 7) {
      if (at >= bytes.length) return undefined
      const byte = bytes[at++]!
      value += (byte & 0x7f) * 2 ** shift
      if (byte < 0x80) return value
    }
    return undefined
  }
  while (at < bytes.length) {
    const key = varint()
    if (key === undefined) return undefined
    const wireType = key & 7
    const number = Math.floor(key / 8)
    if (wireType === 0) {
      if (varint() === undefined) return undefined
    } else if (wireType === 2) {
      const length = varint()
      if (length === undefined || at + length > bytes.length) return undefined
      if (number === field) return bytes.subarray(at, at + length)
      at += length
    } else if (wireType === 1) {
      at += 8
    } else if (wireType === 5) {
      at += 4
    } else {
      return undefined
    }
  }
  return undefined
}

/** Runs the whole pipeline and remembers the envelope at once (for callers with nothing to commit); throws an EnvelopeError subclass. */
export function validateEnvelope (bytes: Uint8Array, context: PipelineContext): ValidatedEnvelope {
  const validated = validateDecodedEnvelope(decodeEnvelope(bytes), context)
  rememberEnvelope(context, validated)
  return validated
}

/** Marks a validated envelope as seen: later copies are duplicates. Call it once what it carries is committed. */
export function rememberEnvelope (context: Pick<PipelineContext, 'replay' | 'now'>, envelope: ValidatedEnvelope): void {
  context.replay.add(envelope.idHex, envelope.timestampMs, context.now())
}

/**
 * The checks before the signature, cheapest first, all in memory: data class → destination → duplicate → hops → clock skew →
 * federation → membership. Returns the source's key. With `ageChecks` false (a sequenced envelope whose
 * origin's log is consulted next, see `guardedByLog`) only the future-skew check of the skew step applies.
 */
export function precheckEnvelope (decoded: DecodedEnvelope, context: PipelineContext, ageChecks = true): HybridPublicKey {
  const { envelope, idHex } = decoded
  if (context.expectedDataClass !== undefined && envelope.dataClass !== context.expectedDataClass) {
    throw new WrongDataClassError(`envelope carries ${envelope.dataClass}, this channel carries ${context.expectedDataClass}`)
  }
  if (context.expectedDestination !== undefined && envelope.destination !== context.expectedDestination) {
    throw new WrongDestinationError(`envelope is addressed to ${envelope.destination}, this channel carries ${context.expectedDestination}`)
  }
  if (context.replay.has(idHex) || context.seenBefore?.(idHex) === true) throw new DuplicateEnvelopeError(`envelope ${idHex} was seen before`)
  if (envelope.hops > envelope.ttl) throw new ExpiredEnvelopeError(`envelope travelled ${envelope.hops} hops, ttl ${envelope.ttl}`)
  const nowMs = context.now()
  if (ageChecks && envelope.timestampMs < nowMs - CLOCK_SKEW_MS_MAX) throw new StaleEnvelopeError(`envelope is ${nowMs - envelope.timestampMs} ms old, more than ${CLOCK_SKEW_MS_MAX}`)
  if (ageChecks && envelope.timestampMs <= context.replay.floorMs) throw new StaleEnvelopeError(`envelope is older than the replay cache's floor (${context.replay.floorMs})`)
  if (envelope.timestampMs > nowMs + CLOCK_SKEW_MS_MAX) throw new FutureEnvelopeError(`envelope is ${envelope.timestampMs - nowMs} ms ahead, more than ${CLOCK_SKEW_MS_MAX}`)
  if (envelope.federationId !== context.federationId) throw new WrongFederationError(`envelope is for federation ${envelope.federationId}, not ${context.federationId}`)
  const sourceKey = context.memberKey(envelope.source)
  if (sourceKey === undefined) throw new NonMemberSourceError(`source ${envelope.source} is not a member of ${context.federationId}`)
  return sourceKey
}

/** The pipeline after decoding, without remembering the envelope (see rememberEnvelope). */
export function validateDecodedEnvelope (decoded: DecodedEnvelope, context: PipelineContext): ValidatedEnvelope {
  const { envelope, idHex } = decoded
  const sourceKey = precheckEnvelope(decoded, context, context.guardedByLog?.(envelope) !== true)
  if (!context.verifier.verify(sourceKey, decoded.signedBytes, decoded.signature)) {
    throw new BadSignatureError(`envelope ${idHex} from ${envelope.source}: the hybrid signature does not verify`)
  }
  return { ...envelope, idHex, sourceKey }
}
