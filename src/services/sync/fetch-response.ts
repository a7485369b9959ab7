/**
 * The responder's framing: a fetch response (`SyncResponse` with envelopes and
 * `next_seq` only) encoded straight into one buffer, byte for byte what
 * protons' `SyncResponse.encode` writes (fields in number order, `next_seq`
 * omitted when 0), and on disk laid out with its length prefix before the
 * envelopes are read into it (framedFetchResponse). A responder serves ~1 MiB
 * per fetch; every avoided copy of it is external memory the serving node's
 * garbage collector no longer has to answer for. (Writing a list of parts
 * saved nothing: it-byte-stream joins a Uint8ArrayList into one buffer, and
 * it-length-prefixed-stream hands it one.) Anything else (frontiers, evidence)
 * goes through protons. Requests are read with readFrame.
 */
import type { AbortOptions } from '@libp2p/interface'
import type { ByteStream } from 'it-byte-stream'
import { decode as decodeVarint, encodeUint8Array, encodingLength } from 'uint8-varint'
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
 * A whole length-prefixed fetch response (the varint length the stream's framing puts first, then the SyncResponse
 * bytes encodeSyncResponse would write) laid out for envelopes of `lengths`: one buffer with every field header and
 * `next_seq` written, and a view per envelope where its bytes go (the responder reads them from its log's segment
 * straight into place). Written to the stream as it is, it is the only copy of the bytes served.
 */
export function framedFetchResponse (lengths: number[], nextSeq: number): { frame: Uint8Array, envelopes: Uint8Array[] } {
  if (!Number.isSafeInteger(nextSeq) || nextSeq < 0) throw new RangeError(`next_seq ${nextSeq} is not a safe non-negative integer: encode through protons`)
  let length = nextSeq === 0 ? 0 : 1 + encodingLength(nextSeq)
  for (const envelope of lengths) length += 1 + encodingLength(envelope) + envelope
  const prefix = encodingLength(length)
  // every byte is written below or by the caller's read into `envelopes` (a short read discards the frame)
  const frame = Buffer.allocUnsafe(prefix + length)
  encodeUint8Array(length, frame, 0)
  let at = prefix
  const envelopes: Uint8Array[] = []
  for (const envelope of lengths) {
    frame[at++] = ENVELOPES_TAG
    encodeUint8Array(envelope, frame, at)
    at += encodingLength(envelope)
    envelopes.push(frame.subarray(at, at + envelope))
    at += envelope
  }
  if (nextSeq !== 0) {
    frame[at++] = NEXT_SEQ_TAG
    encodeUint8Array(nextSeq, frame, at)
  }
  return { frame, envelopes }
}

/** `message` with the varint length prefix the stream's framing (it-length-prefixed) puts before it. */
export function lengthPrefixed (message: Uint8Array): Uint8Array {
  const prefix = encodingLength(message.byteLength)
  const out = new Uint8Array(prefix + message.byteLength)
  encodeUint8Array(message.byteLength, out, 0)
  out.set(message, prefix)
  return out
}

/** the longest varint a frame length up to 2^53 takes */
const LENGTH_BYTES_MAX = 8

/**
 * Reads one length-prefixed frame (varint length, then that many bytes: what the requester's pbStream writes) of at
 * most `bytesMax`; throws on a longer one, a malformed length or the end of the stream.
 */
export async function readFrame (bytes: ByteStream<unknown>, bytesMax: number, options: AbortOptions): Promise<Uint8Array> {
  const prefix = new Uint8ArrayList()
  let length: number | undefined
  while (length === undefined) {
    if (prefix.byteLength >= LENGTH_BYTES_MAX) throw new RangeError('frame length prefix too long')
    prefix.append(await bytes.read({ ...options, bytes: 1 }))
    // a varint's last byte has its high bit clear
    if ((prefix.get(prefix.byteLength - 1) & 0x80) === 0) length = decodeVarint(prefix.subarray())
  }
  if (length > bytesMax) throw new RangeError(`frame of ${length} bytes, more than ${bytesMax}`)
  return length === 0 ? new Uint8Array(0) : (await bytes.read({ ...options, bytes: length })).subarray()
}
