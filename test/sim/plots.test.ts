/**
 * The report's plots: the latency CDF marks p50 and p99 and can use a log
 * axis, node counts sit on an integer axis, and memory is drawn gross and net
 * of the runtime. Rendered from a small hand-made report (the plots read only
 * these fields).
 */
import test from 'ava'
import { renderPlots } from '../../sim/plots.ts'
import type { Report } from '../../sim/report.ts'

const MIB = 1024 * 1024

function tinyReport (): Report {
  const latencies = [0, 5, 12, 40, 900]
  return {
    scenario: 'tiny',
    seed: 3,
    nodes: 3,
    messages: { latency_ms: { count: 5, p50: 12, p90: 900, p99: 900, max: 900 } },
    latency_cdf: latencies.map((latency_ms, i) => ({ latency_ms, fraction: (i + 1) / latencies.length })),
    series: [
      { t_s: 1, nodes_up: 3, connections_mean: 2, rss_bytes_per_node: 40 * MIB, bytes_sent_per_s: 10, delivery_ratio: 1 },
      { t_s: 2, nodes_up: 3, connections_mean: 2, rss_bytes_per_node: 42 * MIB, bytes_sent_per_s: 10, delivery_ratio: 1 }
    ],
    partitions: [],
    per_node: { rss_baseline_bytes: 90 * MIB },
    node_detail: [0, 1, 2].map((index) => ({ index, bootstrap: index === 0, lives: 1, join_ms: 10, connections: 2, bytes_sent: 1024 * (index + 1), bytes_received: 1024 }))
  } as unknown as Report
}

/** The text labels of an SVG. */
function labels (svg: string): string[] {
  return [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1])
}

test('the latency CDF marks p50 and p99, on a linear axis by default and a log axis on request', async (t) => {
  const linear = labels((await renderPlots(tinyReport()))['latency-cdf.svg'])
  t.true(linear.includes('p50 12 ms'))
  t.true(linear.includes('p99 900 ms'))
  t.true(linear.includes('latency (ms)'))
  const log = labels((await renderPlots(tinyReport(), { latencyScale: 'log' }))['latency-cdf.svg'])
  t.true(log.includes('latency (ms, log scale)'))
  t.true(log.includes('p99 900 ms'))
  // a log axis ticks powers of ten
  t.true(log.includes('1') && log.includes('10') && log.includes('100'), log.join('|'))
})

test('node counts are on an integer axis, and memory is drawn gross and net of the runtime', async (t) => {
  const plots = await renderPlots(tinyReport())
  const bytes = labels(plots['bytes-per-node.svg'])
  const nodesAxis = bytes.slice(bytes.indexOf('KiB sent + received') + 1, bytes.indexOf('nodes'))
  t.true(nodesAxis.length > 0)
  t.true(nodesAxis.every((tick) => /^\d+$/.test(tick)), `integer ticks only: ${nodesAxis.join(', ')}`)
  const memory = labels(plots['memory-per-node.svg'])
  t.true(memory.includes('gross'))
  t.true(memory.includes('net of the runtime'))
})
