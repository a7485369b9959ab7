/**
 * The frames of /fedmesh/bilateral/1.0.0 (protocols/bilateral.md): one signed
 * envelope (protocols/envelope.proto) addressed to the receiving PeerId, and
 * its acknowledgement (BilateralAck in protocols/handshake.proto).
 */
import { fromString, toString } from 'uint8arrays'
import { ENVELOPE_BYTES_MAX, ORIGIN_SEQ_MAX } from './limits.ts'
import { MalformedEnvelopeError } from './errors.ts'
import * as wire from '../../protocols/handshake.ts'
import * as logWire from '../../protocols/bilateral.ts'

export const BILATERAL_PROTOCOL_ID = '/fedmesh/bilateral/1.0.0'
/** One frame: an envelope at its own limit (the receiver's QoS limit on the payload is checked after). */
export const BILATERAL_FRAME_BYTES_MAX = ENVELOPE_BYTES_MAX
/** The schema id of bilateral payloads sent by `fedmesh send`: opaque bytes the operator chose. */
export const BILATERAL_SCHEMA_ID = 'fedmesh.bilateral/1'

export type BilateralOutcome = 'delivered' | 'duplicate' | 'rejected'

const OUT: Record<BilateralOutcome, wire.BilateralOutcome> = {
  delivered: wire.BilateralOutcome.DELIVERED,
  duplicate: wire.BilateralOutcome.DUPLICATE,
  rejected: wire.BilateralOutcome.REJECTED
}

/** The acknowledgement's bytes. */
export function encodeBilateralAck (outcome: BilateralOutcome, error = ''): Uint8Array {
  return wire.BilateralAck.encode({ outcome: OUT[outcome], error: error.slice(0, 128) })
}

/** An acknowledgement from bytes; anything unreadable counts as not delivered (the sender retries). */
export function decodeBilateralAck (bytes: Uint8Array): { outcome: BilateralOutcome | 'unknown', error: string } {
  try {
    const ack = wire.BilateralAck.decode(bytes)
    const outcome = ack.outcome === wire.BilateralOutcome.DELIVERED ? 'delivered' : ack.outcome === wire.BilateralOutcome.DUPLICATE ? 'duplicate' : ack.outcome === wire.BilateralOutcome.REJECTED ? 'rejected' : 'unknown'
    return { outcome, error: ack.error.slice(0, 128) }
  } catch {
    return { outcome: 'unknown', error: '' }
  }
}

/** The log sync of bilateral store-and-forward (protocols/bilateral.md "Log sync"; frames in protocols/bilateral.proto). */
export const BILATERAL_SYNC_PROTOCOL_ID = '/fedmesh/bilateral-sync/1.0.0'
/** Envelope bytes one batch carries at most (one envelope always fits: a batch holds at least one). */
export const BILATERAL_BATCH_BYTES_MAX = 2 * ENVELOPE_BYTES_MAX
/** Envelopes (and withdrawn links) one batch carries at most. */
export const BILATERAL_BATCH_ENTRIES_MAX = 256
/** One frame: a full batch and its framing. */
export const BILATERAL_SYNC_FRAME_BYTES_MAX = BILATERAL_BATCH_BYTES_MAX + ENVELOPE_BYTES_MAX
/** Held seqs a frontier answer lists at most. */
export const BILATERAL_HELD_LISTED_MAX = 1024

export type BilateralEntryOutcome = 'accepted' | 'duplicate' | 'refused'

export interface BilateralLinkFrame { seq: number, hash: string, prev: string }
export interface BilateralBatchFrame { low: number, envelopes: Uint8Array[], withdrawn: BilateralLinkFrame[] }
export interface BilateralEntryResultFrame { seq: number, outcome: BilateralEntryOutcome | 'unknown', error: string }
export interface BilateralFrontierFrame { frontier: number, frontierHash: string, held: number[], results: BilateralEntryResultFrame[] }

const ENTRY_OUT: Record<BilateralEntryOutcome, logWire.BilateralEntryOutcome> = {
  accepted: logWire.BilateralEntryOutcome.ACCEPTED,
  duplicate: logWire.BilateralEntryOutcome.DUPLICATE,
  refused: logWire.BilateralEntryOutcome.REFUSED
}
const HASH_HEX = /^(?:[0-9a-f]{64})?$/
const hex = (bytes: Uint8Array): string => toString(bytes, 'base16')
const unhex = (text: string): Uint8Array => fromString(text, 'base16')
const seqOf = (value: bigint): number => {
  if (value > BigInt(ORIGIN_SEQ_MAX)) throw new MalformedEnvelopeError(`seq ${value} is above ${ORIGIN_SEQ_MAX}`)
  return Number(value)
}

function linkFrom (link: logWire.BilateralLink): BilateralLinkFrame {
  const frame = { seq: seqOf(link.seq), hash: hex(link.hash), prev: hex(link.prevHash) }
  if (frame.seq < 1 || frame.hash.length !== 64 || !HASH_HEX.test(frame.prev)) throw new MalformedEnvelopeError('a withdrawn link needs seq ≥ 1 and SHA-256 hashes')
  return frame
}

export function encodeBilateralBatch (batch: BilateralBatchFrame): Uint8Array {
  return logWire.BilateralBatch.encode({
    low: BigInt(batch.low), envelopes: batch.envelopes,
    withdrawn: batch.withdrawn.map((w) => ({ seq: BigInt(w.seq), hash: unhex(w.hash), prevHash: unhex(w.prev) }))
  })
}

/** A batch from bytes; throws MalformedEnvelopeError on anything out of shape or over its bounds. */
export function decodeBilateralBatch (bytes: Uint8Array): BilateralBatchFrame {
  let batch: logWire.BilateralBatch
  try {
    batch = logWire.BilateralBatch.decode(bytes, { limits: { envelopes: BILATERAL_BATCH_ENTRIES_MAX, withdrawn: BILATERAL_BATCH_ENTRIES_MAX } })
  } catch (err) {
    throw new MalformedEnvelopeError(`not a bilateral batch: ${(err as Error).message}`)
  }
  return { low: seqOf(batch.low), envelopes: batch.envelopes, withdrawn: batch.withdrawn.map(linkFrom) }
}

export function encodeBilateralFrontier (frame: BilateralFrontierFrame): Uint8Array {
  return logWire.BilateralFrontier.encode({
    frontier: BigInt(frame.frontier), frontierHash: unhex(frame.frontierHash), held: frame.held.slice(0, BILATERAL_HELD_LISTED_MAX).map(BigInt),
    results: frame.results.map((r) => ({ seq: BigInt(r.seq), outcome: r.outcome === 'unknown' ? logWire.BilateralEntryOutcome.BILATERAL_ENTRY_OUTCOME_UNSPECIFIED : ENTRY_OUT[r.outcome], error: r.error.slice(0, 128) }))
  })
}

/** A frontier answer from bytes; throws MalformedEnvelopeError (the sender then stops this round and tries later). */
export function decodeBilateralFrontier (bytes: Uint8Array): BilateralFrontierFrame {
  let frame: logWire.BilateralFrontier
  try {
    frame = logWire.BilateralFrontier.decode(bytes, { limits: { held: BILATERAL_HELD_LISTED_MAX, results: BILATERAL_BATCH_ENTRIES_MAX } })
  } catch (err) {
    throw new MalformedEnvelopeError(`not a bilateral frontier: ${(err as Error).message}`)
  }
  const outcome = (o: logWire.BilateralEntryOutcome): BilateralEntryOutcome | 'unknown' =>
    o === logWire.BilateralEntryOutcome.ACCEPTED ? 'accepted' : o === logWire.BilateralEntryOutcome.DUPLICATE ? 'duplicate' : o === logWire.BilateralEntryOutcome.REFUSED ? 'refused' : 'unknown'
  return {
    frontier: seqOf(frame.frontier),
    frontierHash: hex(frame.frontierHash),
    held: frame.held.map(seqOf),
    results: frame.results.map((r) => ({ seq: seqOf(r.seq), outcome: outcome(r.outcome), error: r.error.slice(0, 128) }))
  }
}
