/**
 * One request per stream, the shape of the direct protocols whose messages are
 * encoded by their own codec (chain, dispute): the caller writes the encoded
 * request as one length-prefixed frame and reads one typed answer; the answering
 * side reads the request's bytes, computes the answer and writes it. Both sides
 * bound the frame size and the time; a failure aborts the stream.
 */
import type { PeerId, Stream } from '@libp2p/interface'
import { pbStream } from 'it-protobuf-stream'

/** A protons message codec (the generated `X.encode` / `X.decode`). */
export interface MessageCodec<T> {
  encode: (message: T) => Uint8Array
  decode: (bytes: Uint8Array | import('uint8arraylist').Uint8ArrayList) => T
}

/**
 * it-protobuf-stream's codec slot for protocols that encode their own messages (src/wire/): frames pass through
 * as bytes in both directions.
 */
export const RAW_FRAME = { encode: (bytes: Uint8Array) => bytes, decode: (data: { subarray: () => Uint8Array }) => data.subarray() }

export interface RequestOptions {
  /** the largest frame either side accepts */
  maxDataLength: number
  signal: AbortSignal
}

interface Dialer {
  dialProtocol: (peer: PeerId, protocol: string, options: { signal: AbortSignal }) => Promise<Stream>
}

/** Dials `protocol` on `peer`, writes `request` (already encoded) and returns the decoded answer. */
export async function requestOnce<A> (host: Dialer, peer: PeerId, protocol: string, request: Uint8Array, answer: MessageCodec<A>, options: RequestOptions): Promise<A> {
  const { signal } = options
  const stream = await host.dialProtocol(peer, protocol, { signal })
  try {
    const pb = pbStream(stream, { maxDataLength: options.maxDataLength })
    await pb.write(request, RAW_FRAME, { signal })
    const result = await pb.read(answer, { signal })
    await stream.close({ signal })
    return result
  } catch (err) {
    stream.abort(err as Error)
    throw err
  }
}

/** Reads one request's bytes from an inbound stream, writes `respond`'s answer and closes it. */
export async function answerOnce<A> (stream: Stream, answer: MessageCodec<A>, options: RequestOptions, respond: (request: Uint8Array) => Promise<A>): Promise<void> {
  const { signal } = options
  const pb = pbStream(stream, { maxDataLength: options.maxDataLength })
  const bytes = await pb.read(RAW_FRAME, { signal })
  await pb.write(await respond(bytes), answer, { signal })
  await stream.close({ signal })
}
