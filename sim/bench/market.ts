/**
 * `npm run bench:market`: the market scenario (sim/market.ts) at the goal
 * size, twice in one run — without refusals (federated vs the centralised
 * optimum on the union) and with refusals (the re-match vs the centralised
 * optimum of the survivors) — and the figures next to the goals.
 *
 * Flags: --scenario FILE (default sim/scenarios/market.yaml), --seed N,
 * --nodes N, --participants N, --refusal-rate R (the refusal variant's rate,
 * default 0.4), --signatures real|sim, --no-refusals (skip the variant),
 * --only-refusals (only the variant), --central-ms N (the centralised budget),
 * --auto-consent R (share of participants with a standing rule),
 * --json (print the reports), --out FILE (write them as JSON).
 *
 * At the goal size give V8 a larger heap through the environment (a
 * `--max-old-space-size` flag on the command line would be passed on to the
 * solver's worker, which refuses it): `NODE_OPTIONS=--max-old-space-size=8192`.
 */
import { writeFile } from 'node:fs/promises'
import { loadMarketScenario, marketConfig, parseMarketScenario } from '../market-scenario.ts'
import { runMarket, type MarketReport } from '../market.ts'

function flag (name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`)
  return i >= 0 ? process.argv[i + 1] : undefined
}
const has = (name: string): boolean => process.argv.includes(`--${name}`)

const file = flag('scenario') ?? 'sim/scenarios/market.yaml'
let scenario = await loadMarketScenario(file)
const overrides: Record<string, unknown> = {}
for (const [key, name] of [['seed', 'seed'], ['nodes', 'nodes'], ['participants', 'participants'], ['categories', 'categories'], ['cap', 'cap']] as const) {
  const v = flag(name)
  if (v !== undefined) overrides[key] = Number(v)
}
if (flag('signatures') !== undefined) overrides['signatures'] = flag('signatures')
if (flag('auto-consent') !== undefined) overrides['auto_consent_rate'] = Number(flag('auto-consent'))
if (flag('central-ms') !== undefined) overrides['central_time_limit_ms'] = Number(flag('central-ms'))
scenario = parseMarketScenario({ ...scenario, ...overrides }, file)
const refusalRate = Number(flag('refusal-rate') ?? '0.4')

const pct = (x: number | null): string => (x === null ? '—' : `${(x * 100).toFixed(2)} %`)
const kb = (b: number): string => `${(b / 1024).toFixed(0)} KiB`

function print (label: string, r: MarketReport): void {
  const f = r.federated
  console.log(`\n== ${label}: ${r.config.nodes} nodes × ${r.config.participants} participants, ${r.config.categories} Zipf categories, cap ${r.config.cap}, auto-consent ${r.config.auto_consent_rate}, refusal ${r.config.refusal_rate}, signatures ${r.config.signatures}, seed ${r.config.seed}`)
  console.log(`federated served     ${f.served}  (rounds ${f.rounds}; proposed ${f.chains_proposed}, committed ${f.chains_committed}, completed ${f.chains_completed}; refused participants ${f.participants_refused})`)
  console.log(`cancelled            ${JSON.stringify(f.chains_cancelled)}`)
  console.log(`centralised (union)  served ${r.centralised.served} / bound ${r.centralised.bound} (${r.centralised.method}${r.centralised.optimal ? ', optimal' : ''}, ${r.centralised.time_ms} ms)`)
  console.log(`federated / central  ${pct(r.ratio)}   (vs the bound: ${pct(f.served / Math.max(1, r.centralised.bound))})`)
  if (r.centralised_survivors !== null) {
    console.log(`central (survivors)  served ${r.centralised_survivors.served} / bound ${r.centralised_survivors.bound} of ${r.centralised_survivors.participants}`)
    console.log(`recovery             ${pct(r.recovery)}`)
  }
  console.log(`proposal → commit    median ${(f.proposal_to_commit_ms.median / 1000).toFixed(1)} s, p95 ${(f.proposal_to_commit_ms.p95 / 1000).toFixed(1)} s, max ${(f.proposal_to_commit_ms.max / 1000).toFixed(1)} s (virtual); last commit at ${(f.last_commit_ms / 60_000).toFixed(1)} min`)
  console.log(`chain bytes / node   median ${kb(f.chain_bytes_per_node.median)}, p95 ${kb(f.chain_bytes_per_node.p95)}, max ${kb(f.chain_bytes_per_node.max)}  (${f.messages} messages, ${f.messages_rejected} rejected)`)
  console.log(`summary bytes / node median ${kb(f.summary_bytes_per_node.median)}, max ${kb(f.summary_bytes_per_node.max)} (payload; gossip forwarding not counted)`)
  console.log(`one node's clearing  median ${f.node_clearing_ms.median} ms, p95 ${f.node_clearing_ms.p95} ms (wall)`)
  console.log(`wall                 ${(r.wall_ms / 1000).toFixed(1)} s`)
}

const reports: MarketReport[] = []
const base = marketConfig(scenario)
const progress = (line: string): void => { console.error(line) }
if (!has('only-refusals')) {
  const clean = await runMarket({ ...base, refusal_rate: 0 }, progress)
  reports.push(clean)
  print('no refusals', clean)
  console.log(`goal: federated ≥ 95 % of the centralised optimum — ${clean.ratio >= 0.95 ? 'met' : 'NOT met'}`)
}
if (!has('no-refusals')) {
  const refusing = await runMarket({ ...base, refusal_rate: refusalRate }, progress)
  reports.push(refusing)
  print(`refusals ${refusalRate}`, refusing)
  const share = refusing.federated.chains_committed / Math.max(1, refusing.federated.chains_proposed)
  console.log(`proposed chains committed: ${pct(share)} (kidney exchange APD 2007–14: ~22 % of proposed exchanges ended in a transplant)`)
  console.log(`goal: re-match recovers ≥ 90 % of what the survivors could reach — ${(refusing.recovery ?? 1) >= 0.9 ? 'met' : 'NOT met'}`)
}
if (has('json')) console.log(JSON.stringify(reports, null, 2))
const out = flag('out')
if (out !== undefined) await writeFile(out, JSON.stringify(reports, null, 2))
