/**
 * The market scenario file (sim/scenarios/market.yaml): zod in strict mode,
 * every problem named by its key (a ScenarioError, exit 2, before anything runs).
 */
import { readFile } from 'node:fs/promises'
import { parse } from 'yaml'
import { z } from 'zod'
import { CONSENT_WINDOW_MS_MIN } from '../src/core/chain/constants.ts'
import { CHAIN_LENGTH_MAX, CHAIN_LENGTH_MIN, NODES_PER_INSTANCE_MAX } from '../src/core/matching/limits.ts'
import { SOLVER_TIME_LIMIT_MS_MAX } from '../src/solver/index.ts'
import { keyProblems, yamlProblem } from '../src/config/problems.ts'
import { ScenarioError } from './scenario.ts'
import type { MarketConfig } from './market.ts'

/** Participants one market run may generate (1M: what the clearing benchmark goes to). */
export const MARKET_PARTICIPANTS_MAX = 1_000_000

const int = z.number({ error: 'must be a number' }).int('must be an integer')
const share = z.number({ error: 'must be a number' }).min(0, 'must be ≥ 0').max(1, 'must be ≤ 1')

export const marketSchema = z.strictObject({
  name: z.literal('market').default('market'),
  seed: int.min(0).default(1),
  nodes: int.min(2, 'at least 2').max(NODES_PER_INSTANCE_MAX, `at most ${NODES_PER_INSTANCE_MAX}`),
  participants: int.min(2).max(MARKET_PARTICIPANTS_MAX, `at most ${MARKET_PARTICIPANTS_MAX}`),
  categories: int.min(2).max(4096).default(200),
  zipf_exponent: z.number().min(0).max(4).default(1),
  cap: int.min(CHAIN_LENGTH_MIN).max(CHAIN_LENGTH_MAX).default(4),
  auto_consent_rate: share.default(0.5),
  refusal_rate: share.default(0),
  consent_delay_ms_max: int.min(0).max(CONSENT_WINDOW_MS_MIN / 2, `at most half the consent window (${CONSENT_WINDOW_MS_MIN / 2} ms)`).default(300_000),
  latency_ms: int.min(0).max(10_000).default(50),
  round_interval_ms: int.min(CONSENT_WINDOW_MS_MIN + 60_000, `at least the consent window + 1 min (${CONSENT_WINDOW_MS_MIN + 60_000} ms)`).default(15 * 60_000),
  rounds_max: int.min(1).max(100).default(12),
  signatures: z.enum(['real', 'sim']).default('sim'),
  execute: z.boolean().default(true),
  central_time_limit_ms: int.min(0).max(SOLVER_TIME_LIMIT_MS_MAX).default(60_000)
})

export type MarketScenario = z.output<typeof marketSchema>

/** Validates a parsed market scenario; throws ScenarioError naming each bad key. */
export function parseMarketScenario (value: unknown, file?: string): MarketScenario {
  const parsed = marketSchema.safeParse(value)
  if (!parsed.success) throw new ScenarioError(keyProblems(parsed.error, value), file)
  return parsed.data
}

export async function loadMarketScenario (file: string): Promise<MarketScenario> {
  let value: unknown
  try {
    value = parse(await readFile(file, 'utf8'))
  } catch (err) {
    throw new ScenarioError([yamlProblem(err)], file)
  }
  return parseMarketScenario(value, file)
}

/** The run config of a scenario. */
export function marketConfig (scenario: MarketScenario): MarketConfig {
  const { name: _name, ...config } = scenario
  return config
}
