/**
 * The attack scenarios (sim/attacks.ts) on small networks inside `npm test`,
 * in virtual time so the host's load cannot change what they show. Each
 * asserts invariants, never timings: sybils never hold a connection to an
 * honest node and every one of their handshakes meets the gater; an eclipse
 * victim still gets every message; a covert flash of f < n/3 members makes
 * no conflicting QC, every honest member decides, and the flooders end below
 * gossipsub's graylist threshold at honest nodes.
 */
import test from 'ava'
import { loadScenario, parseScenario, type Scenario } from '../../sim/scenario.ts'
import { simulate } from '../../sim/simulate.ts'
import { makePlan } from '../../sim/plan.ts'

async function shrunk (name: string, overrides: Partial<Scenario>): Promise<Scenario> {
  const scenario = await loadScenario(`sim/scenarios/${name}.yaml`)
  return parseScenario({ ...scenario, ...overrides })
}

test.serial('sybil: non-members dialling and publishing junk never get a connection; honest delivery is whole', async (t) => {
  const scenario = await shrunk('sybil', { nodes: 8, duration_seconds: 5, attack: { kind: 'sybil', count: 8, start_seconds: 1, rate_per_second: 2 } })
  const { report } = await simulate(scenario, { clock: 'virtual' })
  const attack = report.attack
  if (attack === null) return t.fail('the report has no attack section')
  t.log(`dials ${attack.dials.attempted}, gater refusals ${attack.gater_refusals}, junk ${attack.attack_messages}`)
  t.is(attack.kind, 'sybil')
  t.is(attack.attackers, 8)
  t.true(attack.dials.attempted >= 8 * 2 * 3, 'every sybil dialled every round')
  t.is(attack.honest_connections_to_attackers_max, 0, 'no honest node ever held a connection to a sybil')
  t.true(attack.gater_refusals >= attack.dials.attempted, 'every sybil dial met the honest side\'s gater, which refused it')
  t.true(attack.attack_messages > 0)
  t.is(attack.honest_delivery.after.delivered, attack.honest_delivery.after.expected)
  t.true(attack.honest_delivery.after.expected > 0)
  t.is(report.messages.delivery_ratio, 1)
  t.is(report.messages.verdicts['reject:malformed'] ?? 0, 0, 'no sybil junk reached an honest node\'s pipeline')
})

test.serial('eclipse: extra members crowding one victim do not cut it off', async (t) => {
  const scenario = await shrunk('eclipse', { nodes: 8, duration_seconds: 6, attack: { kind: 'eclipse', count: 4, start_seconds: 0, rate_per_second: 2 } })
  const { report } = await simulate(scenario, { clock: 'virtual' })
  const attack = report.attack
  if (attack === null || attack.victim_delivery === null) return t.fail('the report has no eclipse section')
  t.log(`victim ${attack.victim}: ${attack.victim_delivery.delivered}/${attack.victim_delivery.expected}, attacker connections max ${attack.victim_delivery.attacker_connections_max}, honest min ${attack.victim_delivery.honest_connections_min}`)
  t.is(attack.victim, makePlan(scenario).victim)
  t.true((attack.victim_delivery.attacker_connections_max ?? 0) > 0, 'the attackers did reach the victim (otherwise this test shows nothing)')
  t.true(attack.victim_delivery.expected > 0)
  t.is(attack.victim_delivery.delivered, attack.victim_delivery.expected, 'the victim got every message')
  t.is(report.messages.delivery_ratio, 1)
})

test.serial('covert_flash: members that behave, then flood and stop forwarding, make no conflicting QC and end graylisted', async (t) => {
  const scenario = await shrunk('covert_flash', {
    nodes: 7, duration_seconds: 6, consensus: { slots: 1, decide_within_seconds: 30 }, byzantine: { count: 2, behaviours: ['equivocate', 'forge', 'junk'] }, attack: { kind: 'covert_flash', count: 0, start_seconds: 3, rate_per_second: 2 }
  })
  const { report } = await simulate(scenario, { clock: 'virtual' })
  const attack = report.attack
  const consensus = report.consensus
  if (attack === null || consensus === null) return t.fail('the report has no attack or consensus section')
  t.log(`honest delivery ${attack.honest_delivery.before.delivered}/${attack.honest_delivery.before.expected} then ${attack.honest_delivery.after.delivered}/${attack.honest_delivery.after.expected}; penalties ${JSON.stringify(attack.penalties)}`)
  t.is(consensus.conflicting_qcs, 0)
  t.is(consensus.decisions.reached, consensus.decisions.expected)
  t.is(attack.honest_delivery.before.delivered, attack.honest_delivery.before.expected, 'before the flash, every honest message reached every honest node')
  t.true(attack.attack_messages > 0)
  t.true((report.messages.verdicts['reject:payload_schema'] ?? 0) > 0, 'the flood\'s bad payloads were rejected')
  t.true(attack.penalties.pairs_graylisted > 0, 'honest nodes scored the flooders below the graylist threshold')
})
