/**
 * The shipped `byzantine` scenario inside `npm test`: 7 real members, 2 of
 * them byzantine (f < n/3) — in every slot each proposes a competing event
 * and votes for both hashes, forges a vote in the proposer's name, and sends
 * junk on the vote topic. Safety and liveness are checked from outside the
 * nodes, in every node's store: 0 conflicting QCs, every honest member
 * decides every slot on the honest proposal, and every honest member holds
 * equivocation evidence against each equivocator.
 */
import test from 'ava'
import { loadScenario, parseScenario } from '../../sim/scenario.ts'
import { simulate } from '../../sim/simulate.ts'
import { makePlan } from '../../sim/plan.ts'

test('byzantine: 2 of 7 members equivocating, forging and sending junk cannot make conflicting QCs; every honest member decides', async (t) => {
  const scenario = await loadScenario('sim/scenarios/byzantine.yaml')
  t.is(scenario.nodes, 7)
  t.is(scenario.byzantine.count, 2)
  const { report } = await simulate(scenario)
  const consensus = report.consensus
  if (consensus === null) return t.fail('the report has no consensus section')
  t.log(`decision p50 / p99 ${consensus.decision_ms.p50?.toFixed(0)} / ${consensus.decision_ms.p99?.toFixed(0)} ms, ${report.wall_seconds.toFixed(1)} s`)

  t.is(consensus.conflicting_qcs, 0)
  t.is(consensus.decisions.expected, 3 * 5)
  t.is(consensus.decisions.reached, consensus.decisions.expected, 'every honest member holds a QC on every honest proposal')
  t.deepEqual(consensus.evidence.map((e) => e.honest_nodes_holding), [5, 5], 'every honest member holds evidence against each equivocator')
  // per slot per byzantine member: event + two votes, one forged vote, raw junk + one bad payload
  t.is(consensus.attack_messages, 3 * 2 * 6)
  t.true((consensus.verdicts['reject:bad_vote_signature'] ?? 0) > 0, 'forged votes are rejected')
  t.true((consensus.verdicts['reject:payload_schema'] ?? 0) > 0, 'junk payloads are rejected')
  t.true((consensus.verdicts['reject:malformed'] ?? 0) > 0, 'bytes that are no envelope are rejected')
})

test('the byzantine members are drawn from the seed, never from the bootstrap set, and f < n/3 is enforced', async (t) => {
  const scenario = await loadScenario('sim/scenarios/byzantine.yaml')
  const plan = makePlan(scenario)
  t.deepEqual(plan.byzantine, makePlan(scenario).byzantine)
  t.is(plan.byzantine.length, 2)
  t.true(plan.byzantine.every((i) => !plan.nodes[i].bootstrap))
  t.true(plan.slots.every((s) => !plan.byzantine.includes(s.proposer)), 'proposers are honest')
  const error = t.throws(() => parseScenario({ ...scenario, byzantine: { count: 3, behaviours: ['junk'] } }))
  t.regex(error?.message ?? '', /byzantine\.count: must be below a third/)
  const noGenesis = t.throws(() => parseScenario({ ...scenario, federation: { ...scenario.federation, genesis: false } }))
  t.regex(noGenesis?.message ?? '', /consensus\.slots: needs federation\.genesis/)
})
