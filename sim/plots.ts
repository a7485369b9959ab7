/**
 * The report's plots as SVG, rendered headless by vega-lite → vega (no
 * browser, no canvas): latency CDF (p50 / p99 marked; linear or log latency
 * axis), delivery ratio over time, per-node bytes histogram, memory per node
 * over time (gross, and net of the runtime: the process RSS before any node
 * started taken off). Counts are on integer axes.
 */
import * as vega from 'vega'
import { compile, type TopLevelSpec } from 'vega-lite'
import type { Report } from './report.ts'

const WIDTH = 560
const HEIGHT = 300
/** Latencies below this are drawn at it on a log axis (a log scale has no 0). */
const LOG_LATENCY_FLOOR_MS = 0.1

export interface PlotOptions {
  /** the latency CDF's x axis: linear (default) or log */
  latencyScale?: 'linear' | 'log'
}

/** An axis of whole numbers (counts of nodes, deliveries). */
const INTEGER_AXIS = { format: 'd', tickMinStep: 1 }

/** Renders one vega-lite spec to SVG text. */
async function toSvg (spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' })
  try {
    return await view.toSVG()
  } finally {
    view.finalize()
  }
}

function frame (title: string): { $schema: string, title: string, width: number, height: number } {
  return { $schema: 'https://vega.github.io/schema/vega-lite/v6.json', title, width: WIDTH, height: HEIGHT }
}

/** File name → SVG text for every plot of a report. */
export async function renderPlots (report: Report, options: PlotOptions = {}): Promise<Record<string, string>> {
  const label = `${report.scenario} (seed ${report.seed}, ${report.nodes} nodes)`
  const log = options.latencyScale === 'log'
  const floor = (ms: number): number => log ? Math.max(LOG_LATENCY_FLOOR_MS, ms) : ms
  const latencyX = { field: 'latency_ms', type: 'quantitative' as const, title: log ? 'latency (ms, log scale)' : 'latency (ms)', scale: { type: log ? 'log' as const : 'linear' as const } }
  const { p50, p99 } = report.messages.latency_ms
  const markers = [{ name: 'p50', latency_ms: p50 }, { name: 'p99', latency_ms: p99 }]
    .filter((m): m is { name: string, latency_ms: number } => m.latency_ms !== null)
    .map((m) => ({ ...m, latency_ms: floor(m.latency_ms), label: `${m.name} ${m.latency_ms.toFixed(m.latency_ms < 10 ? 1 : 0)} ms` }))
  const latency: TopLevelSpec = {
    ...frame(`publish → deliver latency CDF — ${label}`),
    layer: [
      {
        data: { values: report.latency_cdf.map((p) => ({ ...p, latency_ms: floor(p.latency_ms) })) },
        mark: { type: 'line', interpolate: 'step-after' },
        encoding: {
          x: latencyX,
          y: { field: 'fraction', type: 'quantitative', title: 'fraction of deliveries', scale: { domain: [0, 1] } }
        }
      },
      {
        data: { values: markers },
        mark: { type: 'rule', color: 'firebrick', strokeDash: [4, 4] },
        encoding: { x: latencyX }
      },
      {
        data: { values: markers },
        mark: { type: 'text', align: 'left', dx: 4, dy: -4, color: 'firebrick' },
        encoding: { x: latencyX, y: { datum: 0.05 }, text: { field: 'label' } }
      }
    ]
  } as TopLevelSpec
  const ratio: TopLevelSpec = {
    ...frame(`delivery ratio by publish second — ${label}`),
    data: { values: report.series.filter((p) => p.delivery_ratio !== null) },
    layer: [
      {
        mark: { type: 'line', point: true },
        encoding: {
          x: { field: 't_s', type: 'quantitative', title: 'time since start (s)' },
          y: { field: 'delivery_ratio', type: 'quantitative', title: 'delivered / expected', scale: { domain: [0, 1] } }
        }
      },
      ...report.partitions.map((p) => ({
        data: { values: [{ start: p.start_s, heal: p.heal_s ?? p.start_s }] },
        mark: { type: 'rule' as const, color: 'firebrick', strokeDash: [4, 4] },
        encoding: { x: { field: 'start', type: 'quantitative' as const } }
      }))
    ]
  } as TopLevelSpec
  const bytes: TopLevelSpec = {
    ...frame(`bytes per node (sent + received) — ${label}`),
    data: { values: report.node_detail.map((n) => ({ kib: (n.bytes_sent + n.bytes_received) / 1024 })) },
    mark: 'bar',
    encoding: {
      x: { field: 'kib', type: 'quantitative', bin: { maxbins: 40 }, title: 'KiB sent + received' },
      y: { aggregate: 'count', type: 'quantitative', title: 'nodes', axis: INTEGER_AXIS }
    }
  }
  // net of the runtime: the processes' RSS before any node started (the runtime, the sim, loaded modules) taken off
  const baseline = report.per_node.rss_baseline_bytes
  const memoryPoints = report.series.filter((p) => p.nodes_up > 0).flatMap((p) => [
    { t_s: p.t_s, mib: p.rss_bytes_per_node / 1024 / 1024, kind: 'gross' },
    { t_s: p.t_s, mib: (p.rss_bytes_per_node * p.nodes_up - baseline) / p.nodes_up / 1024 / 1024, kind: 'net of the runtime' }
  ])
  const memory: TopLevelSpec = {
    ...frame(`RSS per node up — ${label}`),
    data: { values: memoryPoints },
    mark: 'line',
    encoding: {
      x: { field: 't_s', type: 'quantitative', title: 'time since start (s)' },
      y: { field: 'mib', type: 'quantitative', title: 'MiB per node (gross: RSS / nodes up; net: RSS before the first node taken off)' },
      color: { field: 'kind', type: 'nominal', title: null, legend: { orient: 'bottom' } }
    }
  }
  return {
    'latency-cdf.svg': await toSvg(latency),
    'delivery-ratio.svg': await toSvg(ratio),
    'bytes-per-node.svg': await toSvg(bytes),
    'memory-per-node.svg': await toSvg(memory)
  }
}
