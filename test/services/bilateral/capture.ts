/**
 * A libp2p Metrics implementation that records every protocol stream's
 * bytes, in and out, after noise and yamux: the plaintext each protocol
 * (gossip, sync, handshake, bilateral, …) carried. libp2p hands every
 * negotiated stream to `trackProtocolStream`, so nothing a node receives
 * from a peer by any protocol escapes the capture. (Below it, the transport
 * carries only ciphertext, where a search for a marker would prove nothing.)
 */
import type { Stream } from '@libp2p/interface'
import { ByteCounter } from '../../../sim/byte-counter.ts'

interface CapturedStream {
  protocol: string
  received: Uint8Array[]
  sent: Uint8Array[]
}

export class StreamCapture extends ByteCounter {
  readonly streams: CapturedStream[] = []

  override trackProtocolStream (stream: Stream): void {
    const captured: CapturedStream = { protocol: stream.protocol ?? '', received: [], sent: [] }
    this.streams.push(captured)
    const source = stream.source
    stream.source = (async function * () {
      for await (const chunk of source) {
        captured.received.push(chunk.subarray())
        yield chunk
      }
    })()
    const sink = stream.sink
    stream.sink = async (data) => {
      await sink((async function * () {
        for await (const chunk of data) {
          captured.sent.push(chunk.subarray())
          yield chunk
        }
      })())
    }
  }

  /** Whether any stream received `marker` (across chunk boundaries within a stream). */
  received (marker: Uint8Array): boolean {
    return this.streams.some((s) => Buffer.concat(s.received).includes(Buffer.from(marker)))
  }

  /** Whether any stream sent `marker`. */
  sent (marker: Uint8Array): boolean {
    return this.streams.some((s) => Buffer.concat(s.sent).includes(Buffer.from(marker)))
  }

  /** Protocols that carried at least one byte in. */
  protocolsReceived (): Set<string> {
    return new Set(this.streams.filter((s) => s.received.length > 0).map((s) => s.protocol))
  }
}
