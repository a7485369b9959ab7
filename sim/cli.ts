/**
 * `npm run sim -- <scenario.yaml> [--workers K | --threads K] [--seed N] [--out DIR]`
 * (or `npm run sim -- sweep --scenario <name> --seeds N`, sim/sweep.ts):
 * runs a scenario with a progress bar, prints the summary table and writes
 * `sim/out/<scenario>-<seed>/report.json` plus SVG plots. Exit 2 on a bad
 * scenario or option (before any node starts), 1 on a failed run.
 */
import { basename } from 'node:path'
import { Command, InvalidArgumentError } from 'commander'
import cliProgress from 'cli-progress'
import { InputError } from '../src/core/errors.ts'
import { loadScenario, parseScenario } from './scenario.ts'
import { defaultOutDir, simulate, summaryTable } from './simulate.ts'
import { sweep, sweepTable } from './sweep.ts'
import { leanSettings, reexecWithV8Flags } from './profile.ts'

/** The host's clock, taken before virtual time can replace performance.now. */
const realNow = performance.now.bind(performance)
/** Without a terminal, a progress line this often (real time). */
const PLAIN_PROGRESS_MS = 15_000

function integer (value: string): number {
  const parsed = Number(value)
  if (!Number.isInteger(parsed) || parsed < 0) throw new InvalidArgumentError('must be a non-negative integer')
  return parsed
}

const sweepProgram = new Command()
  .name('sim sweep')
  .description('Play one scenario once per seed and sum its safety figures (conflicting QCs must be 0)')
  .requiredOption('--scenario <name>', 'a shipped scenario name (e.g. byzantine) or a YAML file')
  .option('--seeds <N>', 'how many seeds', integer, 100)
  .option('--from <seed>', 'first seed', integer, 1)
  .option('--clock <clock>', 'virtual (default) or real', (value: string) => {
    if (value !== 'real' && value !== 'virtual') throw new InvalidArgumentError('must be real or virtual')
    return value
  }, 'virtual')
  .option('--json', 'print the summary as JSON')
  .action(async (options: { scenario: string, seeds: number, from: number, clock: 'real' | 'virtual', json?: boolean }) => {
    console.error(`sim sweep: ${options.scenario}, seeds ${options.from} … ${options.from + options.seeds - 1}, ${options.clock} time`)
    const summary = await sweep({
      ...options,
      onRun: (run, done) => {
        console.error(`[${done}/${options.seeds}] seed ${run.seed}: ${run.error !== undefined ? `FAILED ${run.error}` : `conflicting QCs ${run.conflicting_qcs ?? '—'}, decisions ${run.decisions === null ? '—' : `${run.decisions.reached}/${run.decisions.expected}`}, delivery ${run.delivery_ratio === null ? '—' : (run.delivery_ratio * 100).toFixed(1) + ' %'}`}`)
      }
    })
    if (options.json === true) console.log(JSON.stringify(summary, null, 2))
    else console.log(sweepTable(summary))
    if (summary.conflicting_qcs_total > 0 || summary.runs_failed > 0) process.exitCode = 1
  })

const program = new Command()
  .name('sim')
  .description('Run many real fedmesh nodes on this machine and measure them')
  .argument('<scenario>', 'scenario file (YAML), e.g. sim/scenarios/smoke.yaml')
  .option('--workers <K>', 'spread the nodes over K child processes talking TCP loopback (0 = one process, memory transport)', integer, 0)
  .option('--threads <K>', 'spread the nodes over K worker threads of this process talking over a cross-thread memory transport (0 = one thread)', integer, 0)
  .option('--seed <N>', 'override the scenario seed', integer)
  .option('--nodes <N>', 'override the scenario\'s node count', integer)
  .option('--out <dir>', 'output folder (default sim/out/<scenario>-<seed>)')
  .option('--no-progress', 'no progress bar')
  .option('--json', 'print the report as JSON instead of the table')
  .option('--latency-scale <scale>', 'the latency CDF plot\'s x axis: linear or log', (value: string) => {
    if (value !== 'linear' && value !== 'log') throw new InvalidArgumentError('must be linear or log')
    return value
  }, 'linear')
  .option('--baseline', 'after the run, measure the raw libp2p baseline (same nodes, load, message size) in this process and report fedmesh / baseline CPU ratios')
  .option('--clock <clock>', 'real, or virtual: every node on one simulated clock, the same seed giving the same report (in-process only)', (value: string) => {
    if (value !== 'real' && value !== 'virtual') throw new InvalidArgumentError('must be real or virtual')
    return value
  }, 'real')
  .action(async (file: string, options: { workers: number, threads: number, seed?: number, nodes?: number, out?: string, progress: boolean, json?: boolean, baseline?: boolean, latencyScale: 'linear' | 'log', clock: 'real' | 'virtual' }) => {
    if (basename(file) === 'market.yaml') {
      // the market has its own schema and runner (sim/market.ts): one chain state machine per node on a virtual clock
      throw new InputError('the market scenario runs with `npm run bench:market` (flags: --nodes, --participants, --refusal-rate, --signatures real; docs/sim.md, "market")')
    }
    let scenario = await loadScenario(file)
    if (options.seed !== undefined) scenario = parseScenario({ ...scenario, seed: options.seed }, file)
    if (options.nodes !== undefined) scenario = parseScenario({ ...scenario, nodes: options.nodes }, file)
    // the lean profile's V8 heap flags take effect only at start: run again with them
    const lean = leanSettings(scenario)
    const rerun = lean === undefined ? undefined : await reexecWithV8Flags(lean.v8Flags)
    if (rerun !== undefined) { process.exitCode = rerun; return }
    const outDir = options.out ?? defaultOutDir(scenario)
    console.error(`sim: ${scenario.name}, ${scenario.nodes} nodes, seed ${scenario.seed}, ${options.threads > 0 ? `${options.threads} threads` : options.workers === 0 ? 'in-process' : `${options.workers} workers`}`)
    const bar = options.progress && process.stderr.isTTY
      ? new cliProgress.SingleBar({
        format: '{bar} {percentage}% | {phase} | up {up} joined {joined} | published {published} delivered {delivered} | {elapsed}s',
        stream: process.stderr,
        hideCursor: true
      }, cliProgress.Presets.shades_classic)
      : undefined
    const realStart = realNow()
    let lastLine = realStart
    bar?.start(100, 0, { phase: 'join', up: 0, joined: 0, published: 0, delivered: 0, elapsed: 0 })
    try {
      const { report, files, virtualTime } = await simulate(scenario, {
        workers: options.workers,
        threads: options.threads,
        clock: options.clock,
        baseline: options.baseline === true,
        plots: { latencyScale: options.latencyScale },
        outDir,
        onProgress: (p) => {
          // no terminal (a log file): a plain line every PLAIN_PROGRESS_MS of real time, CPU beside it
          if (bar === undefined && options.progress && realNow() - lastLine >= PLAIN_PROGRESS_MS) {
            lastLine = realNow()
            const cpu = process.cpuUsage()
            console.error(`progress: ${p.phase} ${p.elapsedSeconds.toFixed(1)} s (${options.clock}) | up ${p.nodesUp} joined ${p.nodesJoined} | published ${p.published} delivered ${p.delivered} | real ${((lastLine - realStart) / 1000).toFixed(0)} s, CPU ${((cpu.user + cpu.system) / 1e6).toFixed(0)} s, rss ${(process.memoryUsage.rss() / 2 ** 20).toFixed(0)} MiB, heap used ${(process.memoryUsage().heapUsed / 2 ** 20).toFixed(0)} MiB`)
          }
          bar?.update(Math.min(100, Math.round(100 * p.elapsedSeconds / p.totalSeconds)), {
            phase: p.phase, up: p.nodesUp, joined: p.nodesJoined, published: p.published, delivered: p.delivered, elapsed: p.elapsedSeconds.toFixed(0)
          })
        }
      })
      bar?.update(100, { phase: 'done' })
      bar?.stop()
      if (options.json === true) console.log(JSON.stringify(report, null, 2))
      else console.log(summaryTable(report))
      if (virtualTime !== undefined) console.error(`virtual time: ${(virtualTime.virtualMs / 1000).toFixed(1)} s simulated in ${(virtualTime.wallMs / 1000).toFixed(1)} s of wall time, ${virtualTime.timerFirings} timer firings`)
      console.error(`seed ${scenario.seed}; wrote ${files.join(', ')}`)
    } finally {
      bar?.stop()
    }
  })

try {
  if (process.argv[2] === 'sweep') await sweepProgram.parseAsync(process.argv.slice(3), { from: 'user' })
  else await program.parseAsync(process.argv)
} catch (err) {
  if (err instanceof InputError) {
    console.error(err.message)
    process.exitCode = 2
  } else {
    console.error(err)
    process.exitCode = 1
  }
}
