/**
 * A fetch response (`SyncResponse` with envelopes and `next_seq` only) encoded
 * straight into one buffer: byte for byte what protons' `SyncResponse.encode`
 * writes (fields in number order, `next_seq` omitted when 0), without its
 * writer's intermediate chunks and final copy. A responder serves ~1 MiB per
 * fetch; every avoided copy of it is external memory the serving node's
 * garbage collector no longer has to answer for. Anything else (frontiers,
 * evidence) goes through protons.
 */
import { encodeUint8Array, encodingLength } from 'uint8-varint'
import { SyncResponse } from '../../../protocols/sync.ts'

/** field 2 (envelopes), length-delimited */
const ENVELOPES_TAG = (2 << 3) | 2
/** field 3 (next_seq), varint */
const NEXT_SEQ_TAG = (3 << 3) | 0

/** Encodes a SyncResponse; the fast path for a fetch response, protons for anything else. */
export function encodeSyncResponse (response: SyncResponse): Uint8Array {
  const nextSeq = response.nextSeq
  if (response.frontiers.length > 0 || response.evidence.length > 0 || nextSeq < 0n || nextSeq > BigInt(Number.MAX_SAFE_INTEGER)) return SyncResponse.encode(response)
  const next = Number(nextSeq)
  let length = next === 0 ? 0 : 1 + encodingLength(next)
  for (const envelope of response.envelopes) length += 1 + encodingLength(envelope.byteLength) + envelope.byteLength
  const out = new Uint8Array(length)
  let at = 0
  for (const envelope of response.envelopes) {
    out[at++] = ENVELOPES_TAG
    encodeUint8Array(envelope.byteLength, out, at)
    at += encodingLength(envelope.byteLength)
    out.set(envelope, at)
    at += envelope.byteLength
  }
  if (next !== 0) {
    out[at++] = NEXT_SEQ_TAG
    encodeUint8Array(next, out, at)
  }
  return out
}

/** SyncResponse's codec with the fast encoder (for it-protobuf-stream's write). */
export const SYNC_RESPONSE_CODEC = { encode: encodeSyncResponse, decode: SyncResponse.decode }
