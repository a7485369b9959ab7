/**
 * The report's plots as SVG, rendered headless by vega-lite → vega (no
 * browser, no canvas): latency CDF, delivery ratio over time, per-node bytes
 * histogram, memory per node over time.
 */
import * as vega from 'vega'
import { compile, type TopLevelSpec } from 'vega-lite'
import type { Report } from './report.ts'

const WIDTH = 560
const HEIGHT = 300

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
export async function renderPlots (report: Report): Promise<Record<string, string>> {
  const label = `${report.scenario} (seed ${report.seed}, ${report.nodes} nodes)`
  const latency: TopLevelSpec = {
    ...frame(`publish → deliver latency CDF — ${label}`),
    data: { values: report.latency_cdf },
    mark: { type: 'line', interpolate: 'step-after' },
    encoding: {
      x: { field: 'latency_ms', type: 'quantitative', title: 'latency (ms)' },
      y: { field: 'fraction', type: 'quantitative', title: 'fraction of deliveries', scale: { domain: [0, 1] } }
    }
  }
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
      y: { aggregate: 'count', type: 'quantitative', title: 'nodes' }
    }
  }
  const memory: TopLevelSpec = {
    ...frame(`RSS per node up — ${label}`),
    data: { values: report.series.filter((p) => p.nodes_up > 0).map((p) => ({ t_s: p.t_s, mib: p.rss_bytes_per_node / 1024 / 1024, nodes_up: p.nodes_up })) },
    mark: 'line',
    encoding: {
      x: { field: 't_s', type: 'quantitative', title: 'time since start (s)' },
      y: { field: 'mib', type: 'quantitative', title: 'MiB per node (process RSS / nodes up)' }
    }
  }
  return {
    'latency-cdf.svg': await toSvg(latency),
    'delivery-ratio.svg': await toSvg(ratio),
    'bytes-per-node.svg': await toSvg(bytes),
    'memory-per-node.svg': await toSvg(memory)
  }
}
