/**
 * The seed sweep: one scenario played once per seed (in this process, one
 * after another), each run's safety and delivery figures collected, and a
 * summary whose headline is the total of conflicting QCs — which must be 0
 * over every seed. `npm run sim -- sweep --scenario byzantine --seeds 100`.
 */
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { InputError } from '../src/core/errors.ts'
import { loadScenario, parseScenario, type Scenario } from './scenario.ts'
import { simulate } from './simulate.ts'

/** Seeds one sweep may play. */
export const SWEEP_SEEDS_MAX = 10_000

export class SweepError extends InputError {
  static override readonly code = 'SweepError'
  override readonly name = 'SweepError'
}

/** One seed's outcome. */
export interface SweepRun {
  seed: number
  conflicting_qcs: number | null
  decisions: { expected: number, reached: number } | null
  delivery_ratio: number | null
  /** attack scenarios: delivery to honest nodes of honest messages published after the attack started */
  honest_delivery_after_attack: { expected: number, delivered: number } | null
  wall_seconds: number
  /** the run threw: the message (counted apart, never as a pass) */
  error?: string
}

export interface SweepSummary {
  scenario: string
  clock: 'real' | 'virtual'
  seeds: { from: number, count: number }
  runs_completed: number
  runs_failed: number
  /** summed over every completed run: must be 0 */
  conflicting_qcs_total: number
  seeds_with_conflicting_qcs: number[]
  decisions: { expected: number, reached: number }
  seeds_with_missing_decisions: number[]
  delivery_ratio: { min: number | null, mean: number | null }
  /** attack scenarios: summed over the runs */
  honest_delivery_after_attack: { expected: number, delivered: number } | null
  runs: SweepRun[]
}

/** `byzantine` → sim/scenarios/byzantine.yaml; a path is taken as it is. */
export function scenarioFile (nameOrPath: string): string {
  if (nameOrPath.endsWith('.yaml') || nameOrPath.endsWith('.yml') || nameOrPath.includes('/')) return nameOrPath
  const file = join('sim', 'scenarios', `${nameOrPath}.yaml`)
  if (!existsSync(file)) throw new SweepError(`no scenario named ${nameOrPath} (looked for ${file})`)
  return file
}

export interface SweepOptions {
  scenario: string
  seeds: number
  /** first seed (default 1) */
  from?: number
  clock?: 'real' | 'virtual'
  onRun?: (run: SweepRun, done: number) => void
}

/** Plays the scenario on seeds from … from + seeds − 1 and sums the outcomes. */
export async function sweep (options: SweepOptions): Promise<SweepSummary> {
  if (!Number.isInteger(options.seeds) || options.seeds < 1 || options.seeds > SWEEP_SEEDS_MAX) throw new SweepError(`--seeds must be an integer from 1 to ${SWEEP_SEEDS_MAX}`)
  const from = options.from ?? 1
  const file = scenarioFile(options.scenario)
  const base = await loadScenario(file)
  // every seed is validated before the first run, so a bad one stops the sweep before any node starts
  const scenarios: Scenario[] = Array.from({ length: options.seeds }, (_, i) => parseScenario({ ...base, seed: from + i }, file))
  const clock = options.clock ?? 'virtual'
  const runs: SweepRun[] = []
  for (const scenario of scenarios) {
    let run: SweepRun
    try {
      const { report } = await simulate(scenario, { clock })
      run = {
        seed: scenario.seed,
        conflicting_qcs: report.consensus?.conflicting_qcs ?? null,
        decisions: report.consensus?.decisions ?? null,
        delivery_ratio: report.messages.delivery_ratio,
        honest_delivery_after_attack: report.attack?.honest_delivery.after ?? null,
        wall_seconds: report.wall_seconds
      }
    } catch (err) {
      run = { seed: scenario.seed, conflicting_qcs: null, decisions: null, delivery_ratio: null, honest_delivery_after_attack: null, wall_seconds: 0, error: (err as Error).message }
    }
    runs.push(run)
    options.onRun?.(run, runs.length)
  }
  const completed = runs.filter((r) => r.error === undefined)
  const ratios = completed.map((r) => r.delivery_ratio).filter((r): r is number => r !== null)
  return {
    scenario: base.name,
    clock,
    seeds: { from, count: options.seeds },
    runs_completed: completed.length,
    runs_failed: runs.length - completed.length,
    conflicting_qcs_total: completed.reduce((sum, r) => sum + (r.conflicting_qcs ?? 0), 0),
    seeds_with_conflicting_qcs: completed.filter((r) => (r.conflicting_qcs ?? 0) > 0).map((r) => r.seed),
    decisions: completed.reduce((sum, r) => ({ expected: sum.expected + (r.decisions?.expected ?? 0), reached: sum.reached + (r.decisions?.reached ?? 0) }), { expected: 0, reached: 0 }),
    seeds_with_missing_decisions: completed.filter((r) => r.decisions !== null && r.decisions.reached < r.decisions.expected).map((r) => r.seed),
    delivery_ratio: { min: ratios.length === 0 ? null : Math.min(...ratios), mean: ratios.length === 0 ? null : ratios.reduce((a, b) => a + b, 0) / ratios.length },
    honest_delivery_after_attack: completed.some((r) => r.honest_delivery_after_attack !== null)
      ? completed.reduce((sum, r) => ({ expected: sum.expected + (r.honest_delivery_after_attack?.expected ?? 0), delivered: sum.delivered + (r.honest_delivery_after_attack?.delivered ?? 0) }), { expected: 0, delivered: 0 })
      : null,
    runs
  }
}

/** The sweep's terminal summary. */
export function sweepTable (summary: SweepSummary): string {
  const pct = (value: number | null): string => value === null ? '—' : `${(value * 100).toFixed(3)} %`
  const rows: Array<[string, string]> = [
    ['scenario / clock', `${summary.scenario} / ${summary.clock}`],
    ['seeds', `${summary.seeds.from} … ${summary.seeds.from + summary.seeds.count - 1} (${summary.seeds.count})`],
    ['runs completed / failed', `${summary.runs_completed} / ${summary.runs_failed}`],
    ['conflicting QCs (total)', `${summary.conflicting_qcs_total}${summary.seeds_with_conflicting_qcs.length > 0 ? ` — seeds ${summary.seeds_with_conflicting_qcs.join(', ')}` : ''}`],
    ['honest decisions', `${summary.decisions.reached} / ${summary.decisions.expected}${summary.seeds_with_missing_decisions.length > 0 ? ` — missing on seeds ${summary.seeds_with_missing_decisions.join(', ')}` : ''}`],
    ['delivery ratio min / mean', `${pct(summary.delivery_ratio.min)} / ${pct(summary.delivery_ratio.mean)}`]
  ]
  const after = summary.honest_delivery_after_attack
  if (after !== null) rows.push(['honest delivery after the attack', `${after.delivered} / ${after.expected}`])
  const failed = summary.runs.filter((r) => r.error !== undefined)
  for (const run of failed.slice(0, 10)) rows.push([`seed ${run.seed} failed`, run.error ?? ''])
  const width = Math.max(...rows.map(([k]) => k.length))
  return rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n')
}
