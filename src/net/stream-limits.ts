/**
 * Per-peer rate limits on fedmesh's own stream protocols (sync, audit
 * consistency, chains): every handler registered on the host under
 * `/fedmesh/` gets at most `STREAM_INBOUND_PER_CONNECTION_MAX` concurrent
 * inbound streams per connection (libp2p's `maxInboundStreams`, unless the
 * service sets its own) and a token bucket per remote peer: a peer may open
 * `STREAM_BURST` streams at once and `STREAMS_PER_SECOND` a second after
 * that. A stream over the limit is reset before its handler runs (the
 * handler never reads a byte of it) and counted.
 */
import type { IncomingStreamData, StreamHandler, StreamHandlerOptions } from '@libp2p/interface'

/** Concurrent inbound streams per connection and fedmesh protocol (libp2p's default is 32). */
export const STREAM_INBOUND_PER_CONNECTION_MAX = 8
/** Streams a peer may open at once on one fedmesh protocol. */
export const STREAM_BURST = 20
/** Streams a peer may open per second on one fedmesh protocol, after the burst. */
export const STREAMS_PER_SECOND = 10
/** Peers whose buckets are kept (least recently used beyond this are forgotten: a forgotten peer starts full, bounded anyway by the gater). */
export const STREAM_BUCKETS_MAX = 4096

/** A token bucket per key over a monotonic clock (ms). */
export class TokenBuckets {
  private readonly buckets = new Map<string, { tokens: number, atMs: number }>()
  private readonly burst: number
  private readonly perSecond: number
  private readonly now: () => number

  constructor (init: { burst: number, perSecond: number, now?: () => number }) {
    this.burst = init.burst
    this.perSecond = init.perSecond
    this.now = init.now ?? (() => performance.now())
  }

  /** Takes a token for `key`; false when its bucket is empty. */
  take (key: string): boolean {
    const nowMs = this.now()
    const bucket = this.buckets.get(key) ?? { tokens: this.burst, atMs: nowMs }
    bucket.tokens = Math.min(this.burst, bucket.tokens + (nowMs - bucket.atMs) * this.perSecond / 1000)
    bucket.atMs = nowMs
    // re-insert: the map's order is least recently used first
    this.buckets.delete(key)
    this.buckets.set(key, bucket)
    if (this.buckets.size > STREAM_BUCKETS_MAX) this.buckets.delete(this.buckets.keys().next().value!)
    if (bucket.tokens < 1) return false
    bucket.tokens -= 1
    return true
  }
}

/** Wraps a fedmesh protocol's handler with the per-peer bucket; `refused` hears of every stream reset for the limit. */
export function rateLimitedHandler (protocol: string, handler: StreamHandler, buckets: TokenBuckets, refused?: (protocol: string) => void): StreamHandler {
  return (data: IncomingStreamData) => {
    if (!buckets.take(`${protocol} ${data.connection.remotePeer.toString()}`)) {
      refused?.(protocol)
      data.stream.abort(new Error(`stream rate limit on ${protocol}`))
      return
    }
    return handler(data)
  }
}

/** The options a fedmesh protocol's handler is registered with: a per-connection stream cap unless the service set one. */
export function streamHandlerOptions (options: StreamHandlerOptions | undefined): StreamHandlerOptions {
  return { maxInboundStreams: STREAM_INBOUND_PER_CONNECTION_MAX, ...options }
}
