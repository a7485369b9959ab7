/**
 * `fedmesh match`: the chains available now, with an explanation each.
 * On a node: its participants plus the summaries it has received (an
 * operation, so it works with or without the node running). With
 * `--instance FILE`: solves an instance file (docs/matching.md) with no node.
 */
import { type Command, Option, InvalidArgumentError } from 'commander'
import { readFile, stat } from 'node:fs/promises'
import { resolve } from 'node:path'
import { performance } from 'node:perf_hooks'
import { defaultDataDir, print, runOperation } from '../context.ts'
import { parseInstanceDocument } from '../../core/matching/instance.ts'
import { clearForMatch, SOLVER_TIME_LIMIT_MS_DEFAULT, SOLVER_TIME_LIMIT_MS_MAX } from '../../solver/index.ts'
import { enumerateChains } from '../../core/matching/enumeration.ts'
import { explainChain } from '../../core/matching/chain.ts'
import { InvalidInstanceError } from '../../core/matching/errors.ts'
import { matchReport, formatMatchReport, type MatchReport } from '../../core/matching/report.ts'
import { CHAIN_LENGTH_DEFAULT, CHAIN_LENGTH_MAX, CHAIN_LENGTH_MIN, CHAINS_ENUMERATED_MAX } from '../../core/matching/limits.ts'
import type { NodeMatchReport } from '../../operations/matching.ts'

/** Instance files are read whole; this keeps a mistaken path (a disk image…) from exhausting memory. */
export const INSTANCE_FILE_BYTES_MAX = 512 * 1024 * 1024

function parseCap (value: string): number {
  const cap = Number(value)
  if (!Number.isInteger(cap) || cap < CHAIN_LENGTH_MIN || cap > CHAIN_LENGTH_MAX) {
    throw new InvalidArgumentError(`must be an integer from ${CHAIN_LENGTH_MIN} to ${CHAIN_LENGTH_MAX} (or use --no-cap)`)
  }
  return cap
}

/** `--time-limit <seconds>` of the exact clearing, in milliseconds (also `chain propose`). */
export function parseTimeLimit (value: string): number {
  const seconds = Number(value)
  if (!Number.isFinite(seconds) || seconds <= 0 || seconds * 1000 > SOLVER_TIME_LIMIT_MS_MAX) throw new InvalidArgumentError(`must be seconds above 0, at most ${SOLVER_TIME_LIMIT_MS_MAX / 1000}`)
  return Math.round(seconds * 1000)
}

function parseLimit (value: string): number {
  const limit = Number(value)
  if (!Number.isInteger(limit) || limit < 1 || limit > CHAINS_ENUMERATED_MAX) throw new InvalidArgumentError(`must be an integer from 1 to ${CHAINS_ENUMERATED_MAX}`)
  return limit
}

type Report = MatchReport & Partial<Pick<NodeMatchReport, 'candidates' | 'skipped_summaries' | 'skipped_participants'>>

function formatReport (report: Report): string {
  const lines = [formatMatchReport(report)]
  for (const skipped of report.skipped_summaries ?? []) lines.push(`skipped the summary of ${skipped.node}: ${skipped.reason}`)
  for (const skipped of report.skipped_participants ?? []) lines.push(`skipped ${skipped.participant}: ${skipped.reason}`)
  if (report.candidates !== undefined) {
    lines.push('', `candidate chains (${report.candidates.chains.length}${report.candidates.truncated ? ', truncated' : ''}):`)
    report.candidates.chains.forEach((chain, i) => lines.push(`  ${i + 1}. ${chain.explanation}`))
  }
  return lines.join('\n')
}

/** Reads and solves an instance file. */
export async function solveInstanceFile (file: string, options: { cap: number | null, candidates: boolean, limit?: number, exact?: boolean, timeLimitMs?: number }): Promise<Report> {
  let text: string
  try {
    // check before reading: only a regular file, under the bound (/dev/zero would be read without end)
    const info = await stat(file)
    if (!info.isFile()) throw new InvalidInstanceError(`${file} is not a regular file`)
    if (info.size > INSTANCE_FILE_BYTES_MAX) throw new InvalidInstanceError(`${file} is ${info.size} bytes; at most ${INSTANCE_FILE_BYTES_MAX}`)
    text = (await readFile(file)).toString('utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new InvalidInstanceError(`${file} does not exist`)
    throw err
  }
  let document: unknown
  try {
    document = JSON.parse(text)
  } catch (err) {
    throw new InvalidInstanceError(`${file} is not valid JSON: ${(err as Error).message}`)
  }
  const started = performance.now()
  const instance = parseInstanceDocument(document)
  const clearing = await clearForMatch(instance, { cap: options.cap, ...(options.exact === undefined ? {} : { exact: options.exact }), ...(options.timeLimitMs === undefined ? {} : { timeLimitMs: options.timeLimitMs }) })
  const report: Report = matchReport(clearing, performance.now() - started)
  if (options.candidates) {
    const found = enumerateChains(instance, { cap: options.cap ?? CHAIN_LENGTH_DEFAULT, ...(options.limit === undefined ? {} : { limit: options.limit }) })
    report.candidates = { chains: found.chains.map((c) => ({ length: c.steps.length, steps: c.steps, explanation: explainChain(c) })), truncated: found.truncated }
  }
  return report
}

/** Registers `match`. */
export function register (program: Command): void {
  program.command('match')
    .description('find the chains available now (this node\'s participants + received summaries, or an instance file) and explain each')
    .option('--cap <k>', `longest chain, ${CHAIN_LENGTH_MIN}-${CHAIN_LENGTH_MAX}`, parseCap, CHAIN_LENGTH_DEFAULT)
    .option('--no-cap', 'no length cap: the exact maximum clearing')
    .option('--instance <file>', 'solve this instance file (JSON, see docs/matching.md) instead of the node\'s store')
    .option('--candidates', 'also list every candidate chain up to the cap (the enumeration)', false)
    .option('--limit <n>', `at most this many candidates (≤ ${CHAINS_ENUMERATED_MAX})`, parseLimit)
    .option('--exact', 'with a cap: the exact/certified clearing (HiGHS in a worker thread) instead of the heuristic', false)
    .option('--time-limit <seconds>', `budget of --exact (default ${SOLVER_TIME_LIMIT_MS_DEFAULT / 1000})`, parseTimeLimit)
    .addOption(new Option('--data-dir <dir>', 'node data directory (env FEDMESH_DATA_DIR)').default(defaultDataDir(), './.fedmesh'))
    .addOption(new Option('--json', 'print JSON').default(false))
    .action(async (options: { cap: number | false, instance?: string, candidates: boolean, limit?: number, exact: boolean, timeLimit?: number, dataDir: string, json: boolean }) => {
      const cap = options.cap === false ? null : options.cap
      const solver = { exact: options.exact, ...(options.timeLimit === undefined ? {} : { timeLimitMs: options.timeLimit }) }
      const limit = options.limit === undefined ? {} : { limit: options.limit }
      const report = options.instance !== undefined
        ? await solveInstanceFile(resolve(options.instance), { cap, candidates: options.candidates, ...limit, ...solver })
        : await runOperation<Report>(resolve(options.dataDir), 'match', { cap, candidates: options.candidates, ...limit, exact: solver.exact, ...(solver.timeLimitMs === undefined ? {} : { time_limit_ms: solver.timeLimitMs }) })
      print(report, options.json, formatReport)
    })
}
