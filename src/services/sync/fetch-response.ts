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
import { Uint8ArrayList } from 'uint8arraylist'
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

/**
 * The same bytes as encodeSyncResponse, as a list of parts that copies nothing: every envelope's stored bytes as
 * they are, between views of ONE small buffer holding the field headers (tag and length of each envelope) and
 * `next_seq`. The stream below (length prefix, yamux frames, noise) takes a Uint8ArrayList as it is, so the
 * ~1 MiB response is never copied into a buffer of its own before encryption: on the serving side that copy was
 * a quarter of the external memory allocated per byte served, which drives its full garbage collections.
 */
export function encodeSyncResponseParts (response: SyncResponse): Uint8Array | Uint8ArrayList {
  const nextSeq = response.nextSeq
  if (response.frontiers.length > 0 || response.evidence.length > 0 || nextSeq < 0n || nextSeq > BigInt(Number.MAX_SAFE_INTEGER)) return SyncResponse.encode(response)
  const next = Number(nextSeq)
  let headerBytes = next === 0 ? 0 : 1 + encodingLength(next)
  for (const envelope of response.envelopes) headerBytes += 1 + encodingLength(envelope.byteLength)
  const headers = new Uint8Array(headerBytes)
  const out = new Uint8ArrayList()
  let at = 0
  for (const envelope of response.envelopes) {
    const start = at
    headers[at++] = ENVELOPES_TAG
    encodeUint8Array(envelope.byteLength, headers, at)
    at += encodingLength(envelope.byteLength)
    out.append(headers.subarray(start, at))
    if (envelope.byteLength > 0) out.append(envelope)
  }
  if (next !== 0) {
    const start = at
    headers[at++] = NEXT_SEQ_TAG
    encodeUint8Array(next, headers, at)
    out.append(headers.subarray(start, headers.byteLength))
  }
  return out
}

/**
 * SyncResponse's codec with the fast encoder, for it-protobuf-stream's write. Its `encode` may return a
 * Uint8ArrayList (encodeSyncResponseParts): it-protobuf-stream hands the result straight to
 * it-length-prefixed-stream's `write`, which takes `Uint8Array | Uint8ArrayList` (test/services/sync/ checks the
 * bytes that arrive). Typed as Uint8Array for it-protobuf-stream's Encoder.
 */
export const SYNC_RESPONSE_CODEC = { encode: encodeSyncResponseParts as (response: SyncResponse) => Uint8Array, decode: SyncResponse.decode }
