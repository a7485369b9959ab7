/**
 * The frames of /fedmesh/bilateral/1.0.0 (protocols/bilateral.md): one signed
 * envelope (protocols/envelope.proto) addressed to the receiving PeerId, and
 * its acknowledgement (BilateralAck in protocols/handshake.proto).
 */
import { ENVELOPE_BYTES_MAX } from './limits.ts'
import * as wire from '../../protocols/handshake.ts'

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
