/**
 * The market sim (sim/market.ts) at a small size: real nodes' chain machines
 * exchanging real wire messages with real hybrid signatures (Ed25519 +
 * ML-DSA-65) on a virtual clock. Invariants, not timings: what the nodes
 * committed never puts a participant in two chains (the run throws), never
 * exceeds the centralised bound, every committed chain completes and leaves no
 * reservation, refusers are never served, and one seed gives one outcome.
 */
import test from 'ava'
import { runMarket, type MarketConfig } from '../../sim/market.ts'
import { loadMarketScenario, parseMarketScenario } from '../../sim/market-scenario.ts'

const SMALL: MarketConfig = {
  seed: 3,
  nodes: 4,
  participants: 160,
  categories: 16,
  zipf_exponent: 1,
  cap: 4,
  auto_consent_rate: 0.5,
  refusal_rate: 0,
  consent_delay_ms_max: 120_000,
  latency_ms: 50,
  round_interval_ms: 15 * 60_000,
  rounds_max: 8,
  signatures: 'real',
  execute: true,
  central_time_limit_ms: 20_000
}

test('without refusals the nodes commit and complete close to the centralised optimum, with real signatures', async (t) => {
  const report = await runMarket(SMALL)
  const f = report.federated
  t.true(f.served > 0)
  t.true(f.served <= report.centralised.bound, 'never above the bound')
  t.true(f.served <= report.centralised.served || !report.centralised.optimal, 'never above a proved optimum')
  t.true(report.ratio >= 0.85, `federated ${f.served} vs centralised ${report.centralised.served}`)
  t.is(f.chains_committed, f.chains_completed, 'every committed chain completed')
  t.is(f.reservations_left, 0)
  t.is(f.messages_rejected, 0, 'no honest message is refused')
  t.deepEqual(f.chains_cancelled, {}, 'summaries cleared alike and a designated proposer: no conflicting proposals')
  t.true(f.proposal_to_commit_ms.max <= 10 * 60_000, 'every commit within the consent window')
  t.true(f.chain_bytes_per_node.median > 0)
})

test('refusals cancel, release and re-match; refusers are never served; one seed, one outcome', async (t) => {
  const config: MarketConfig = { ...SMALL, signatures: 'sim', refusal_rate: 0.4, participants: 240 }
  const report = await runMarket(config)
  const f = report.federated
  t.true(f.participants_refused > 0)
  const cancelledByRefusal = f.chains_cancelled['refused'] ?? 0
  t.true(cancelledByRefusal > 0 && cancelledByRefusal <= f.participants_refused, 'every refusal-cancelled chain has a refuser (two in one chain cancel it once)')
  t.is(f.refusers_served, 0)
  t.is(f.reservations_left, 0)
  t.true(f.rounds > 1, 're-matched in later rounds')
  t.not(report.centralised_survivors, null)
  t.true(f.served <= report.centralised_survivors!.bound)
  t.true(report.recovery! >= 0.75, `recovery ${report.recovery}`)
  const again = await runMarket(config)
  t.deepEqual(again.federated.served, f.served)
  t.deepEqual(again.federated.chains_cancelled, f.chains_cancelled)
  t.deepEqual(again.federated.proposal_to_commit_ms, f.proposal_to_commit_ms)
})

test('the shipped market scenario parses; a misspelt key is named', async (t) => {
  const scenario = await loadMarketScenario('sim/scenarios/market.yaml')
  t.is(scenario.nodes, 100)
  t.is(scenario.participants, 100_000)
  const error = t.throws(() => parseMarketScenario({ nodes: 4, participants: 10, refusal_rat: 0.2 }))
  t.is(error?.name, 'ScenarioError')
  t.regex(error!.message, /refusal_rat/)
})
