/**
 * `npm run bench:match`: clearing speed and memory on Zipf-distributed
 * instances, and a naive participant-level baseline in the same run.
 *
 * Instances: N participants over 1,000 categories in 20 nodes; each
 * participant's need and offer are drawn independently from Zipf(s = 1) over
 * the categories (resampling the offer when it equals the need). The instance
 * is what node n00 sees: its own participants exactly and the other 19 nodes
 * as summaries. Every time is a median over 15 / 9 / 5 runs (10k / 100k / 1M); nothing here
 * fails on a figure (goals are printed next to the results). An untimed warm-up
 * on another seed runs first, so the medians measure optimised code.
 *
 * Memory, from one more untimed run: the process RSS growth while clearing
 * (sampled every millisecond by a worker thread, since the clearing blocks the
 * main thread), the growth of V8's committed JS heap (typed arrays live
 * outside it, in the RSS figure), and the process's peak RSS so far (sizes run
 * in increasing order; it includes generating the instance).
 *
 * Flags: --seed N (default 1), --sizes 10000,100000,1000000, --naive-seconds S
 * (the baseline's time budget, default 20).
 *
 * Then the quality table (issue 18): --categories 50,200,1000 × --quality-sizes
 * 10000,100000,1000000 × --caps 3,4,6. Per configuration, in the same run:
 * the decomposition in index order (the clearing before rarest-first), the
 * default rarest-first heuristic (served, time), and the exact mode with
 * HiGHS within --budget-seconds (default 10): served, bound =
 * min(circulation, return-capacity circulation, ⌊certified LP⌋), gap to it,
 * method, CPU and wall time. --clock cpu (default) budgets CPU time, because
 * the machines this runs on are shared (the load average is printed before
 * and after); --clock wall budgets wall time, as the node's worker does. In
 * both, 5 % of the budget is kept for binding the last answer, and HiGHS,
 * which stops on the wall clock, gets the CPU time left as its wall-clock
 * limit (under load HiGHS then gets less CPU than the budget allows, never
 * more), divided by the process's CPU per wall second
 * when that is above 1 (V8's GC and wasm tier-up threads running beside the
 * solve: 200 categories / 10k / cap 3 used 10.1 s of CPU in 8.8 s of wall
 * time before). --clock cpu-scaled estimates an unloaded run on a loaded
 * machine: HiGHS gets the CPU time left divided by the CPU per wall second
 * this configuration has had so far (the share of a core it got); if the load
 * drops during a solve it may overrun, and the row then says OVER BUDGET.
 * --no-quality or --no-speed skips a part.
 */
import { performance } from 'node:perf_hooks'
import { getHeapStatistics, setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { Worker } from 'node:worker_threads'
import { availableParallelism, loadavg } from 'node:os'
import { Taxonomy } from '../../src/core/matching/taxonomy.ts'
import { buildInstance, type InstanceNodeInput, type MatchingInstance } from '../../src/core/matching/instance.ts'
import { buildSummary } from '../../src/core/matching/summary.ts'
import { buildCategoryGraph } from '../../src/core/matching/category-graph.ts'
import { clearGraph } from '../../src/core/matching/clearing.ts'
import { materializeChains } from '../../src/core/matching/pools.ts'
import type { Participant } from '../../src/core/matching/participant.ts'
import { naiveClearing } from './match-naive.ts'
import { maxCirculation } from '../../src/core/matching/circulation.ts'
import { Pools } from '../../src/core/matching/pools.ts'
import { splitCirculation, searchLeftover } from '../../src/core/matching/clearing.ts'
import { improveClearing } from '../../src/core/matching/exact.ts'
import { loadHighsSolver } from '../../src/solver/highs-solver.ts'
import { zipfSampler } from '../zipf.ts'

const CATEGORIES = 1000
const NODES = 20
const ZIPF_EXPONENT = 1
const CAP = 6
/** Share of the quality table's budget kept for binding the last answer after the last clock check. */
const BUDGET_RESERVE = 0.05

function flag (name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`)
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback
}

const seed = Number(flag('seed', '1'))
const sizes = flag('sizes', '10000,100000,1000000').split(',').map(Number)
const naiveSeconds = Number(flag('naive-seconds', '20'))

setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void

/** mulberry32: a small seeded PRNG, so the same seed gives the same instance. */
function random32 (state: number): () => number {
  return () => {
    state = (state + 0x6d2b79f5) | 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}


interface Generated {
  taxonomy: Taxonomy
  /** every participant, by node */
  byNode: Participant[][]
  nodeIds: string[]
}

function generate (participants: number, seedValue: number, categories = CATEGORIES): Generated {
  const random = random32(seedValue)
  const zipf = zipfSampler(categories, ZIPF_EXPONENT, random)
  const slugs = Array.from({ length: categories }, (_, i) => `cat${String(i).padStart(4, '0')}`)
  const nodeIds = Array.from({ length: NODES }, (_, i) => `n${String(i).padStart(2, '0')}`)
  const byNode: Participant[][] = nodeIds.map(() => [])
  for (let i = 0; i < participants; i++) {
    const need = zipf()
    let offer = zipf()
    while (offer === need) offer = zipf()
    const node = Math.floor(random() * NODES)
    byNode[node]!.push({ id: `sep://p${i}@${nodeIds[node]!}`, needs: [slugs[need]!], offers: [slugs[offer]!] })
  }
  return { taxonomy: Taxonomy.of(slugs), byNode, nodeIds }
}

/** The instance node n00 sees: its participants, the others' summaries. */
function nodeView (generated: Generated): MatchingInstance {
  const nodes: InstanceNodeInput[] = generated.nodeIds.map((id, i) => i === 0
    ? { id, participants: generated.byNode[i]! }
    : { id, summary: buildSummary(id, generated.byNode[i]!).entries })
  return buildInstance(generated.taxonomy, nodes)
}

function median (values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

/** CPU time of this process (every thread), in seconds. */
function cpuSeconds (): number {
  const { user, system } = process.cpuUsage()
  return (user + system) / 1e6
}

const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MB`

interface Measured { ms: number, cpuMs: number, materializeMs: number, rssGrowth: number, served: number, bound: number, gap: number, chains: number, heapDelta: number, rssPeak: number }

// The clearing is synchronous, so its peak RSS is sampled from a worker thread (RSS is per process).
const rssPeak = new Float64Array(new SharedArrayBuffer(8))
const sampler = new Worker(
  'const a = new Float64Array(require("node:worker_threads").workerData);' +
  'setInterval(() => { const r = process.memoryUsage.rss(); if (r > a[0]) a[0] = r }, 1)',
  { eval: true, workerData: rssPeak.buffer })
sampler.unref()

/** Clears `instance` `runs` times (graph build + clearing): median time; then memory of one more, untimed run. */
function measure (instance: MatchingInstance, cap: number | null, runs: number): Measured {
  const times: number[] = []
  const materializeTimes: number[] = []
  // CPU time too: on a shared machine the wall clock includes waiting for a core
  const cpuTimes: number[] = []
  let outcome: Omit<Measured, 'ms' | 'cpuMs' | 'materializeMs' | 'heapDelta' | 'rssGrowth' | 'rssPeak'> | undefined
  // no forced GC between timed runs: a forced full GC makes V8 drop optimised state and slows the next run ~4×
  for (let r = 0; r < runs; r++) {
    const started = performance.now()
    const cpuStarted = cpuSeconds()
    const graph = buildCategoryGraph(instance)
    const clearing = clearGraph(graph, cap)
    times.push(performance.now() - started)
    cpuTimes.push((cpuSeconds() - cpuStarted) * 1000)
    const materializeStarted = performance.now()
    const chains = materializeChains(graph, clearing.boundChains)
    materializeTimes.push(performance.now() - materializeStarted)
    if (chains.length !== clearing.boundChains.chainStarts.length - 1) throw new Error('assertion failed: one Chain per bound chain')
    outcome = { served: clearing.participantsServed, bound: clearing.bound, gap: clearing.gap, chains: chains.length }
  }
  gc()
  // V8 grows the committed heap to fit the peak of live data + garbage and does not shrink it mid-run
  const heapBefore = getHeapStatistics().total_heap_size
  const rssBefore = process.memoryUsage.rss()
  rssPeak[0] = rssBefore
  const graph = buildCategoryGraph(instance)
  const clearing = clearGraph(graph, cap)
  const rssGrowth = Math.max(rssPeak[0]!, process.memoryUsage.rss()) - rssBefore
  const heapDelta = getHeapStatistics().total_heap_size - heapBefore
  if (clearing.participantsServed !== outcome!.served) throw new Error('assertion failed: clearing is deterministic')
  return { ...outcome!, ms: median(times), cpuMs: median(cpuTimes), materializeMs: median(materializeTimes), heapDelta, rssGrowth, rssPeak: process.resourceUsage().maxRSS * 1024 }
}

const lines: string[] = []
const say = (line: string): void => {
  lines.push(line)
  process.stdout.write(line + '\n')
}

say(`bench:match  seed ${seed}  ${CATEGORIES} categories (Zipf s=${ZIPF_EXPONENT})  ${NODES} nodes (n00 local, 19 summaries)  node ${process.version}`)
say('')
const speed = !process.argv.includes('--no-speed')
if (speed) {
say(`load average ${loadavg().map((l) => l.toFixed(1)).join(' ')} on ${availableParallelism()} cores`)
say('participants  cap    clear median  (CPU)       + Chain objects   served / bound (gap)          chains   RSS growth while clearing  JS heap growth  process peak RSS')
// warm-up, untimed: the first clearings run in V8's baseline tiers and would skew the small sizes' medians
{
  const warm = nodeView(generate(20_000, seed + 1))
  for (let i = 0; i < 3; i++) for (const cap of [null, CAP]) clearGraph(buildCategoryGraph(warm), cap)
}
let ours10k: number | undefined
let generated10k: Generated | undefined
for (const size of sizes) {
  let generated: Generated | undefined = generate(size, seed)
  const instance = nodeView(generated)
  // n00 holds its own participants and 19 summaries, not the other nodes' participant objects:
  // keeping those alive would make every major GC during the timed runs mark ~950k objects it never sees
  if (size === 10_000) generated10k = generated
  generated = undefined
  // more runs where one run is short, so a burst of load on a shared machine moves the median less
  const runs = size >= 1_000_000 ? 5 : size >= 100_000 ? 9 : 15
  for (const cap of [null, CAP]) {
    const m = measure(instance, cap, runs)
    const capText = cap === null ? 'none' : String(cap)
    say(`${String(size).padStart(12)}  ${capText.padEnd(5)} ${m.ms.toFixed(1).padStart(9)} ms  (${m.cpuMs.toFixed(0).padStart(6)} ms)  ${m.materializeMs.toFixed(1).padStart(9)} ms      ` +
      `${String(m.served).padStart(8)} / ${String(m.bound).padEnd(8)} (${String(m.gap).padStart(6)})   ` +
      `${String(m.chains).padStart(8)}   ${mb(m.rssGrowth).padStart(10)}                ${mb(m.heapDelta).padStart(10)}      ${mb(m.rssPeak).padStart(9)}`)
    if (size === 10_000 && cap === CAP) ours10k = m.ms
  }
}

if (ours10k !== undefined && generated10k !== undefined) {
  say('')
  say(`naive baseline at 10,000 participants, cap ${CAP}: every participant-level simple cycle ≤ ${CAP} (all participants known), then greedy; budget ${naiveSeconds} s`)
  const all = generated10k.byNode.flat()
  const naive = naiveClearing(all, CAP, naiveSeconds * 1000)
  const naiveText = naive.finished ? `${naive.ms.toFixed(0)} ms` : `> ${(naive.ms / 1000).toFixed(1)} s (stopped at the budget)`
  say(`  naive: ${naiveText}, ${naive.cycles} cycles enumerated, greedy served ${naive.served}`)
  say(`  ours (cap ${CAP}, same instance seen from n00): ${ours10k.toFixed(1)} ms`)
  const ratio = naive.ms / ours10k
  say(`  ratio naive / ours: ${naive.finished ? '' : '> '}${ratio.toFixed(0)}×   (goal ≥ 20×)`)
}
say('')
say('goal: 1,000,000 participants cleared in ≤ 2 s (the "clear median" rows above; figures never fail this bench)')
}
if (!process.argv.includes('--no-quality')) await quality()

/** The clearing as it was before rarest-first: circulation split and leftover search in category index order. */
function indexOrderServed (instance: MatchingInstance, cap: number): number {
  const graph = buildCategoryGraph(instance)
  const circulation = maxCirculation(graph)
  const pools = new Pools(graph)
  const order = Int32Array.from({ length: graph.categoryCount }, (_, v) => v)
  splitCirculation(graph, pools, circulation.flow, order, cap)
  if (pools.served < circulation.served) searchLeftover(graph, pools, order, cap)
  return pools.served
}

async function quality (): Promise<void> {
  const categoryCounts = flag('categories', '50,200,1000').split(',').map(Number)
  const qualitySizes = flag('quality-sizes', '10000,100000,1000000').split(',').map(Number)
  const caps = flag('caps', '3,4,6').split(',').map(Number)
  const budgetSeconds = Number(flag('budget-seconds', '10'))
  const clock = flag('clock', 'cpu')
  if (clock !== 'cpu' && clock !== 'wall' && clock !== 'cpu-scaled') throw new Error('--clock is cpu, cpu-scaled or wall')
  const solver = await loadHighsSolver()
  say('')
  say(`quality: served / bound per configuration; exact mode budget ${budgetSeconds} s of ${clock === 'wall' ? 'wall' : 'CPU'} time (--clock ${clock}) (in-process here; the node runs it in a worker, budgeted by the wall clock)`)
  say(`load average at start ${loadavg().map((l) => l.toFixed(1)).join(' ')} on ${availableParallelism()} cores`)
  say('categories  participants  cap   index order   rarest-first (ms)        exact served  bound    gap (%)         method / bound from        CPU s  wall s')
  for (const categories of categoryCounts) {
    for (const size of qualitySizes) {
      const instance = nodeView(generate(size, seed, categories))
      for (const cap of caps) {
        const before = indexOrderServed(instance, cap)
        const started = performance.now()
        const graph = buildCategoryGraph(instance)
        const heuristic = clearGraph(graph, cap)
        const heuristicMs = performance.now() - started
        const exactStarted = performance.now()
        const cpuStarted = cpuSeconds()
        // the time left on the budget's clock, less a reserve for binding the last answer; HiGHS limits by the wall
        // clock, so it gets the CPU time left converted at the process's CPU-per-wall rate
        const remainingSeconds = (): number => {
          const cpu = cpuSeconds() - cpuStarted
          const wall = (performance.now() - exactStarted) / 1000
          const left = budgetSeconds * (1 - BUDGET_RESERVE) - (clock === 'wall' ? wall : cpu)
          if (clock === 'wall' || left <= 0) return left
          // CPU per wall second so far: above 1 when V8's helper threads (GC, wasm tier-up) run beside the solve,
          // below 1 on a loaded machine; HiGHS's wall-clock limit is the CPU left at that rate
          const rate = wall < 0.05 ? 1 : cpu / wall
          return left / (clock === 'cpu' ? Math.max(1, rate) : Math.max(0.1, rate))
        }
        const exact = improveClearing(graph, heuristic, { solver, remainingSeconds })
        const exactSeconds = (performance.now() - exactStarted) / 1000
        const exactCpu = cpuSeconds() - cpuStarted
        const percent = (100 * exact.gap / exact.bound).toFixed(2)
        say(`${String(categories).padStart(10)}  ${String(size).padStart(12)}  ${String(cap).padStart(3)}   ${String(before).padStart(11)}   ` +
          `${String(heuristic.participantsServed).padStart(9)} (${heuristicMs.toFixed(0).padStart(6)})     ${String(exact.participantsServed).padStart(12)}  ` +
          `${String(exact.bound).padEnd(8)} ${String(exact.gap).padStart(5)} (${percent.padStart(5)})   ${`${exact.method} / ${exact.boundMethod}${exact.optimal ? ' ✓' : ''}`.padEnd(26)} ${exactCpu.toFixed(1).padStart(6)} ${exactSeconds.toFixed(1).padStart(7)}${(clock === 'wall' ? exactSeconds : exactCpu) > budgetSeconds ? '  OVER BUDGET' : ''}`)
      }
    }
  }
  say(`load average at end ${loadavg().map((l) => l.toFixed(1)).join(' ')}`)
  say('goals: gap ≤ 1 % of the bound in every configuration within the budget; ✓ = proved optimal')
}
