/**
 * One sim run end to end, as the CLI and the tests use it: build the cluster
 * (in-process over memory, K worker processes over TCP loopback, or K worker
 * threads over the cross-thread memory transport), play the
 * scenario, analyse, write `report.json` and the plots, and format the
 * summary table.
 */
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Scenario } from './scenario.ts'
import { WORKERS_MAX } from './scenario.ts'
import { makePlan } from './plan.ts'
import { LocalCluster, type Cluster } from './cluster.ts'
import { WorkerCluster } from './workers.ts'
import { runScenario, type Progress } from './run.ts'
import { analyse, type Report } from './report.ts'
import { renderPlots, type PlotOptions } from './plots.ts'
import { InputError } from '../src/core/errors.ts'
import { inVirtualTime, type VirtualTimeStats } from './virtual-time.ts'
import { useVirtualSimClock } from './load.ts'
import { ENVELOPE_OVERHEAD_BYTES, RAW_DEGREE, measureRawLibp2p, type CpuFigures } from './bench/raw-libp2p.ts'
import { leanSettings, simHostOptions, withoutStackTraces } from './profile.ts'

export class WorkersError extends InputError {
  static override readonly code = 'WorkersError'
  override readonly name = 'WorkersError'
}

export interface SimulateOptions {
  /** 0 = every node in this process over the memory transport */
  workers?: number
  /** K worker threads of this process, nodes on the cross-thread memory transport (sim/thread-transport.ts); not with workers */
  threads?: number
  /** where report.json and the plots go; absent = nothing written */
  outDir?: string
  onProgress?: (progress: Progress) => void
  /** real (default) or virtual: every node on one simulated clock (in-process only) */
  clock?: 'real' | 'virtual'
  /** after the run, measure the raw libp2p baseline (sim/bench/raw-libp2p.ts) with the same nodes, load and message size, in this process: the report's cpu.baseline */
  baseline?: boolean
  /** plot settings (the latency CDF's scale) */
  plots?: PlotOptions
}

export interface SimulateResult {
  report: Report
  /** files written (absolute or relative to the cwd as given) */
  files: string[]
  /** virtual time only: timer firings, virtual and wall ms (host figures, kept out of the report) */
  virtualTime?: VirtualTimeStats
}

/** The default output folder of a scenario run. */
export function defaultOutDir (scenario: Scenario): string {
  return join('sim', 'out', `${scenario.name}-${scenario.seed}`)
}

/** Runs a scenario and writes its report. */
export async function simulate (scenario: Scenario, options: SimulateOptions = {}): Promise<SimulateResult> {
  const threads = options.threads ?? 0
  if ((options.workers ?? 0) !== 0 && threads !== 0) throw new WorkersError('--workers and --threads do not go together: choose processes or threads')
  // threads are checked as workers are; the flag named in the messages is the one given
  const flag = threads !== 0 ? '--threads' : '--workers'
  const workers = threads !== 0 ? threads : options.workers ?? 0
  if (!Number.isInteger(workers) || workers < 0 || workers > WORKERS_MAX) throw new WorkersError(`${flag} must be an integer from 0 to ${WORKERS_MAX}`)
  if (workers > scenario.nodes) throw new WorkersError(`${flag} ${workers} is more than the ${scenario.nodes} nodes`)
  if (workers > 0 && scenario.attack !== undefined) throw new WorkersError(`attacks (attack) run in-process only: use ${flag} 0`)
  if (workers > 0 && scenario.consensus.slots > 0) throw new WorkersError(`consensus slots (consensus.slots) run in-process only: use ${flag} 0`)
  const clock = options.clock ?? 'real'
  if (clock === 'virtual' && workers > 0) throw new WorkersError(`--clock virtual runs every node in this process: use ${flag} 0`)
  if (scenario.links !== undefined && clock !== 'virtual') throw new WorkersError('links (the per-link network model) runs under virtual time only: use --clock virtual')
  if (options.baseline === true && (clock === 'virtual' || workers > 0)) throw new WorkersError(`--baseline measures CPU in this process: use ${flag} 0 and the real clock`)
  const transport = workers === 0 ? 'memory' : threads !== 0 ? 'thread' : 'tcp'
  const plan = makePlan(scenario)
  // the output directory first: a run of many minutes must not end in a mkdir error
  if (options.outDir !== undefined) await mkdir(options.outDir, { recursive: true })
  const play = async (): Promise<Report> => {
    const cluster: Cluster = workers === 0
      ? await LocalCluster.create({ scenario, plan, local: plan.nodes.map((n) => n.index), transport: 'memory', virtual: clock === 'virtual' })
      : await WorkerCluster.open({ scenario, workers, kind: transport === 'thread' ? 'thread' : 'process' })
    const record = await runScenario(scenario, cluster, { workers, transport, clock }, options.onProgress === undefined ? {} : { onProgress: options.onProgress })
    if (options.baseline === true) {
      const messageBytes = scenario.load.payload_bytes + ENVELOPE_OVERHEAD_BYTES
      // the baseline speaks what the run's nodes speak; a plaintext run also measures it with noise (noise's cost)
      const encryption = simHostOptions(scenario)?.encryption ?? 'noise'
      const measure = async (with_: 'noise' | 'plaintext'): Promise<CpuFigures> => await measureRawLibp2p({
        nodes: scenario.nodes, seed: scenario.seed, messageBytes, ratePerSecond: scenario.load.rate_per_second, loadSeconds: scenario.duration_seconds, settleSeconds: scenario.join.settle_seconds, drainSeconds: scenario.drain_seconds, heartbeatMs: scenario.gossip_heartbeat_ms, encryption: with_
      })
      const figures = await measure(encryption)
      const noise = encryption === 'plaintext' ? await measure('noise') : undefined
      record.cpuBaseline = { figures, ...(noise === undefined ? {} : { noise }), settings: `${scenario.nodes} bare libp2p peers in this process (memory, ${encryption}, yamux, identify, gossipsub), degree ${RAW_DEGREE}, ${messageBytes}-byte messages at ${scenario.load.rate_per_second}/s for ${scenario.duration_seconds} s, heartbeat ${scenario.gossip_heartbeat_ms} ms, idle measured over the second half of a ${scenario.join.settle_seconds} s settle${noise === undefined ? '' : '; baseline_noise: the same with noise'}` }
    }
    return analyse(record)
  }
  let report: Report
  let virtualTime: VirtualTimeStats | undefined
  if (clock === 'virtual') {
    useVirtualSimClock(true)
    try {
      const run = await inVirtualTime(scenario.seed, play)
      report = run.result
      virtualTime = run.stats
    } finally {
      useVirtualSimClock(false)
    }
  } else {
    report = leanSettings(scenario)?.stackTraces === false ? await withoutStackTraces(play) : await play()
  }
  const files: string[] = []
  if (options.outDir !== undefined) {
    const reportFile = join(options.outDir, 'report.json')
    await writeFile(reportFile, JSON.stringify(report, null, 2) + '\n')
    files.push(reportFile)
    for (const [name, svg] of Object.entries(await renderPlots(report, options.plots ?? {}))) {
      const file = join(options.outDir, name)
      await writeFile(file, svg)
      files.push(file)
    }
  }
  return { report, files, ...(virtualTime === undefined ? {} : { virtualTime }) }
}

const ms = (value: number | null): string => value === null ? '—' : `${value.toFixed(value < 10 ? 1 : 0)} ms`
const mib = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(2)} MiB`
const kib = (bytes: number | null): string => bytes === null ? '—' : `${(bytes / 1024).toFixed(0)} KiB`

/** How many nodes missed messages, and the ones that missed most (index: count), at most five. */
function missedSummary (nodes: Report['node_detail']): string {
  const missing = nodes.filter((n) => n.missed > 0).sort((a, b) => b.missed - a.missed || a.index - b.index)
  const shown = missing.slice(0, 5).map((n) => `node ${n.index}${n.bootstrap ? ' (bootstrap)' : ''}: ${n.missed}`).join(', ')
  return `${missing.length}; ${shown}${missing.length > 5 ? ', …' : ''}`
}

/** One line on the per-link model: what the connected links drew and what they carried. */
function linkModelSummary (model: NonNullable<NonNullable<Report['graph']>['link_model']>): string {
  const d = model.drawn
  const spread = (s: { min: number, p50: number, max: number } | null, unit: string, digits = 0): string => s === null ? '—' : `${s.min.toFixed(digits)} / ${s.p50.toFixed(digits)} / ${s.max.toFixed(digits)} ${unit}`
  const u = model.usage
  const percent = d.loss === null ? null : { min: d.loss.min * 100, p50: d.loss.p50 * 100, max: d.loss.max * 100 }
  return `${d.links} links: ${spread(d.latency_ms, 'ms')}; ${d.bandwidth_kbps === null ? 'unlimited' : spread(d.bandwidth_kbps, 'kbit/s')}; ${spread(percent, '% loss', 2)} (min / p50 / max); ${u.buffers} buffers, ${u.retransmitted} retransmitted, ${u.held_behind} held behind one`
}

/** The terminal summary of a report. */
export function summaryTable (report: Report): string {
  const m = report.messages
  const rows: Array<[string, string]> = [
    ['scenario / seed', `${report.scenario} / ${report.seed}`],
    ['mode', (report.mode.workers === 0 ? 'in-process (memory transport)' : report.mode.transport === 'thread' ? `${report.mode.workers} worker threads (cross-thread memory transport)` : `${report.mode.workers} worker processes (TCP loopback)`) + (report.mode.clock === 'virtual' ? ', virtual time' : '')],
    ['profile', `${report.profile.name}${report.profile.verification_cache === null ? '' : ` (verification cache: ${report.profile.verification_cache.hits} hits, ${report.profile.verification_cache.misses} misses)`}; ${report.profile.deviations.length} deviations from production in report.json`],
    ['nodes joined / started', `${report.join.nodes_joined} / ${report.join.nodes_started} (of ${report.nodes})`],
    ['time to join p50 / p99 / max', `${ms(report.join.time_ms.p50)} / ${ms(report.join.time_ms.p99)} / ${ms(report.join.time_ms.max)}`],
    ['messages published', `${m.published} (${m.publish_failures} failed to publish)`],
    ['delivery ratio', m.delivery_ratio === null ? '—' : `${(m.delivery_ratio * 100).toFixed(3)} % (${m.delivered} / ${m.expected_deliveries})`],
    ['latency p50 / p90 / p99 / max', `${ms(m.latency_ms.p50)} / ${ms(m.latency_ms.p90)} / ${ms(m.latency_ms.p99)} / ${ms(m.latency_ms.max)}`],
    ['duplicate / unexpected deliveries', `${m.duplicate_deliveries} / ${m.unexpected_deliveries}`],
    ...(m.delivered === m.expected_deliveries ? [] : [['nodes that missed messages', missedSummary(report.node_detail)] as [string, string]]),
    ['bytes sent per node p50 / max', `${kib(report.per_node.bytes_sent.p50)} / ${kib(report.per_node.bytes_sent.max)}`],
    ['bytes received per node p50 / max', `${kib(report.per_node.bytes_received.p50)} / ${kib(report.per_node.bytes_received.max)}`],
    ...(report.graph === null ? [] : [['mesh diameter (load start / end)', `${report.graph.load_start.mesh.diameter_hops} / ${report.graph.load_end.mesh.diameter_hops} hops, ${report.graph.load_start.mesh.components} / ${report.graph.load_end.mesh.components} components, ${report.graph.load_start.meshless.length} / ${report.graph.load_end.meshless.length} nodes with no mesh peer${report.graph.modelled_diameter_ms === null ? '' : `; modelled ${report.graph.modelled_diameter_ms} ms, p99 ${report.graph.p99_over_diameter === null ? '—' : `${report.graph.p99_over_diameter.toFixed(2)}×`} of it`}`] as [string, string]]),
    ...(report.graph?.link_model === undefined ? [] : [['link model (links drawn: latency / bandwidth / loss)', linkModelSummary(report.graph.link_model)] as [string, string]]),
    ['connections per node p50 / max', `${report.per_node.connections.p50 ?? '—'} / ${report.per_node.connections.max ?? '—'}`],
    ['RSS per node (gross / net of baseline)', `${mib(report.per_node.rss_bytes_per_node)} / ${mib(report.per_node.rss_bytes_per_node_net)}`],
    ['wall time', `${report.wall_seconds.toFixed(1)} s`]
  ]
  const cpu = report.cpu
  if (cpu !== null) {
    const figure = (f: typeof cpu.fedmesh): string => `idle ${f.idle_ms_per_s.toFixed(2)} ms/s · join ${f.join_ms.toFixed(0)} ms · ${f.per_delivery_ms === null ? '—' : f.per_delivery_ms.toFixed(2)} ms/delivery · ${f.connections_mean.toFixed(1)} conns · ${mib(f.rss_bytes_per_node_net)} net RSS`
    rows.push(['CPU per node: fedmesh', figure(cpu.fedmesh)])
    if (cpu.baseline !== null) rows.push(['CPU per node: raw libp2p (same run)', figure(cpu.baseline)])
    if (cpu.baseline_noise !== null) rows.push(['CPU per node: raw libp2p with noise (noise\'s cost)', figure(cpu.baseline_noise)])
    const r = cpu.ratio
    const x = (v: number | null): string => v === null ? '—' : `${v.toFixed(2)}×`
    if (r !== null) rows.push(['fedmesh / raw libp2p', `idle ${x(r.idle)} · join ${x(r.join)} · per delivery ${x(r.per_delivery)} · connections ${x(r.connections)} · RSS ${x(r.rss)}`])
  }
  const c = report.consensus
  if (c !== null) {
    rows.push(['consensus decisions (honest)', `${c.decisions.reached} / ${c.decisions.expected} over ${c.slots} slots; decision p50 / p99 ${ms(c.decision_ms.p50)} / ${ms(c.decision_ms.p99)}`])
    rows.push(['conflicting QCs', String(c.conflicting_qcs)])
    rows.push([`byzantine (${c.byzantine_nodes.length}: ${c.behaviours.join(', ')})`, `${c.attack_messages} messages; evidence held by ${c.evidence.map((e) => `${e.honest_nodes_holding}/${c.honest_nodes}`).join(', ') || '—'} honest nodes`])
  }
  const a = report.attack
  if (a !== null) {
    const part = (d: { expected: number, delivered: number }): string => `${d.delivered}/${d.expected}`
    rows.push([`attack: ${a.kind} (${a.attackers} attackers from ${a.start_s.toFixed(1)} s)`, `${a.attack_messages} messages; dials ${a.dials.completed} completed / ${a.dials.failed} failed of ${a.dials.attempted} (attacker's side); gater refusals ${a.gater_refusals}${a.honest_connections_to_attackers_max === null ? '' : `; honest connections to attackers max ${a.honest_connections_to_attackers_max}`}`])
    rows.push(['honest delivery before / after attack', `${part(a.honest_delivery.before)} / ${part(a.honest_delivery.after)}${a.from_attackers_after.expected > 0 ? `; attackers' own load after it ${part(a.from_attackers_after)}` : ''}`])
    if (a.victim_delivery !== null) rows.push([`eclipse victim (node ${a.victim})`, `delivered ${part(a.victim_delivery)}; attacker connections max ${a.victim_delivery.attacker_connections_max ?? '—'}, honest connections min ${a.victim_delivery.honest_connections_min ?? '—'}`])
    rows.push(['penalties (gossipsub scores at honest nodes)', `${a.penalties.pairs_negative} negative, ${a.penalties.pairs_graylisted} below graylist (${a.penalties.graylist_threshold}) of ${a.penalties.pairs_scored} scored pairs; min ${a.penalties.min_score?.toFixed(1) ?? '—'}`])
  }
  for (const p of report.partitions) {
    rows.push([`partition ${p.partition} (${p.group_sizes.join(' | ')})`, `${p.published_during_split} published during split; within side ${p.within.delivered}/${p.within.expected}; across ${p.across.delivered}/${p.across.pairs} (lost ${p.across.lost}); after heal ${p.after_heal.delivered}/${p.after_heal.expected}`])
  }
  const width = Math.max(...rows.map(([k]) => k.length))
  return rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n')
}
