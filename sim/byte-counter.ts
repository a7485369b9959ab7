/**
 * A libp2p `Metrics` implementation that only counts wire bytes. The upgrader
 * hands every raw connection (before noise and yamux) to
 * `trackMultiaddrConnection`; wrapping its source and sink counts exactly what
 * crosses the transport, encryption and framing included. Every other metric
 * is a shared no-op: 1000 nodes in one process cannot afford a Prometheus
 * registry each.
 */
import type { Connection, Metrics, MultiaddrConnection, Stream } from '@libp2p/interface'

/** Bytes one node sent and received on all its connections. */
export interface ByteCounts {
  sent: number
  received: number
}

const noop = (): void => {}
/** Stands for every metric, group, counter, histogram and summary. */
const NOOP_METRIC = {
  update: noop,
  increment: noop,
  decrement: noop,
  reset: noop,
  observe: noop,
  timer: () => noop
}

/**
 * Counts of this process's nodes, for the idle window's record (sim/idle-profile.ts): outbound protocol streams
 * by protocol; `(connections, both ends)`, every connection once at each end; and `dialled for <protocol>`,
 * outbound connections by the first protocol other than the automatic ones their dialler opened on them (which
 * service's dials make new connections).
 */
export const streamsOpened = new Map<string, number>()
/** Streams every connection opens by itself (identify, gossipsub, the monitor's ping): not why a connection was dialled. */
const AUTOMATIC_PROTOCOLS = /\/(id|id\/push|meshsub|ping)\//
const purposeSeen = new WeakSet<Connection>()

/** Byte counters of one node, shaped as libp2p's Metrics. */
export class ByteCounter implements Metrics {
  readonly counts: ByteCounts = { sent: 0, received: 0 }

  trackMultiaddrConnection (maConn: MultiaddrConnection): void {
    streamsOpened.set('(connections, both ends)', (streamsOpened.get('(connections, both ends)') ?? 0) + 1)
    const counts = this.counts
    const sink = maConn.sink
    maConn.sink = async (source) => {
      await sink((async function * () {
        for await (const chunk of source) {
          counts.sent += chunk.byteLength
          yield chunk
        }
      })())
    }
    const source = maConn.source
    maConn.source = (async function * () {
      for await (const chunk of source) {
        counts.received += chunk.byteLength
        yield chunk
      }
    })()
  }

  trackProtocolStream (stream: Stream, connection: Connection): void {
    if (stream.direction !== 'outbound') return
    const protocol = stream.protocol ?? '(none)'
    streamsOpened.set(protocol, (streamsOpened.get(protocol) ?? 0) + 1)
    if (connection.direction === 'outbound' && !purposeSeen.has(connection) && !AUTOMATIC_PROTOCOLS.test(protocol)) {
      purposeSeen.add(connection)
      const key = `dialled for ${protocol}`
      streamsOpened.set(key, (streamsOpened.get(key) ?? 0) + 1)
    }
  }

  // libp2p's register* overloads return a metric, or nothing for calculated ones; a no-op object serves both.
  registerMetric = ((): typeof NOOP_METRIC => NOOP_METRIC) as unknown as Metrics['registerMetric']
  registerMetricGroup = ((): typeof NOOP_METRIC => NOOP_METRIC) as unknown as Metrics['registerMetricGroup']
  registerCounter = ((): typeof NOOP_METRIC => NOOP_METRIC) as unknown as Metrics['registerCounter']
  registerCounterGroup = ((): typeof NOOP_METRIC => NOOP_METRIC) as unknown as Metrics['registerCounterGroup']
  registerHistogram = ((): typeof NOOP_METRIC => NOOP_METRIC) as unknown as Metrics['registerHistogram']
  registerHistogramGroup = ((): typeof NOOP_METRIC => NOOP_METRIC) as unknown as Metrics['registerHistogramGroup']
  registerSummary = ((): typeof NOOP_METRIC => NOOP_METRIC) as unknown as Metrics['registerSummary']
  registerSummaryGroup = ((): typeof NOOP_METRIC => NOOP_METRIC) as unknown as Metrics['registerSummaryGroup']

  createTrace (): undefined {
    return undefined
  }

  traceFunction<F> (_name: string, fn: F): F {
    return fn
  }
}
