import test from 'ava'
import {
  applyTrustRule, decayInactivity, initialTrust, trustBand, trustStatus, mayParticipate, trustReport,
  TRUST_SCORE_INITIAL, TRUST_SCORE_MAX, TRUST_SCORE_MIN, INACTIVE_DAYS_MAX, type TrustRule, type TrustBand, type TrustStatus
} from '../../../src/core/consensus/trust.ts'
import { DAY_MS } from '../../../src/core/consensus/constants.ts'

const T0 = Date.UTC(2026, 0, 1)
const at = (score: number) => ({ ...initialTrust('n', T0), score })

test('a node starts at 50', (t) => {
  t.is(initialTrust('n', T0).score, TRUST_SCORE_INITIAL)
  t.is(TRUST_SCORE_INITIAL, 50)
})

const rules: Array<[TrustRule, number]> = [
  ['agreement', 52], ['disagreement', 45], ['sync_success', 51], ['sync_failure', 47], ['admin_boost', 60], ['admin_penalty', 30]
]
for (const [rule, expected] of rules) {
  test(`rule ${rule} moves 50 to ${expected}`, (t) => {
    t.is(applyTrustRule(initialTrust('n', T0), rule, T0).score, expected)
  })
}

test('scores are clamped to 0–100', (t) => {
  t.is(applyTrustRule(at(99), 'agreement', T0).score, TRUST_SCORE_MAX)
  t.is(applyTrustRule(at(95), 'admin_boost', T0).score, TRUST_SCORE_MAX)
  t.is(applyTrustRule(at(3), 'disagreement', T0).score, TRUST_SCORE_MIN)
  t.is(applyTrustRule(at(10), 'admin_penalty', T0).score, TRUST_SCORE_MIN)
})

test('bands: 75+ HIGH, 50–74 MEDIUM, 25–49 LOW, below 25 VERY LOW (each boundary both sides)', (t) => {
  const cases: Array<[number, TrustBand, TrustStatus]> = [
    [100, 'HIGH', 'active'], [75, 'HIGH', 'active'], [74, 'MEDIUM', 'active'], [50, 'MEDIUM', 'active'],
    [49, 'LOW', 'flagged'], [25, 'LOW', 'flagged'], [24, 'VERY_LOW', 'excluded'], [0, 'VERY_LOW', 'excluded']
  ]
  for (const [score, band, status] of cases) {
    t.is(trustBand(score), band, `score ${score}`)
    t.is(trustStatus(trustBand(score)), status, `score ${score}`)
  }
})

test('a VERY LOW node may not participate; a LOW one may', (t) => {
  t.false(mayParticipate(at(24)))
  t.true(mayParticipate(at(25)))
  t.true(mayParticipate(undefined))
})

test('inactivity costs nothing up to 30 days and 1 point per day after', (t) => {
  const record = initialTrust('n', T0)
  t.is(INACTIVE_DAYS_MAX, 30)
  t.is(decayInactivity(record, T0 + 30 * DAY_MS).score, 50)
  t.is(decayInactivity(record, T0 + 31 * DAY_MS - 1).score, 50)
  t.is(decayInactivity(record, T0 + 31 * DAY_MS).score, 49)
  t.is(decayInactivity(record, T0 + 40 * DAY_MS).score, 40)
})

test('inactivity decay is charged once per day however often it is applied', (t) => {
  let record = initialTrust('n', T0)
  for (let day = 0; day <= 40; day++) record = decayInactivity(record, T0 + day * DAY_MS)
  t.is(record.score, 40)
  t.is(decayInactivity(record, T0 + 40 * DAY_MS).score, 40)
})

test('activity restarts the inactivity clock; an admin action does not', (t) => {
  const late = T0 + 35 * DAY_MS
  const active = applyTrustRule(initialTrust('n', T0), 'sync_success', late)
  t.is(active.score, 50 - 5 + 1)
  t.is(decayInactivity(active, late + 30 * DAY_MS).score, 46)
  const boosted = applyTrustRule(initialTrust('n', T0), 'admin_boost', late)
  t.is(boosted.score, 50 - 5 + 10)
  t.is(decayInactivity(boosted, late + DAY_MS).score, 54)
})

test('the report gives score, band and status per node, and the average', (t) => {
  const report = trustReport([{ ...at(80), node_id: 'b' }, { ...at(20), node_id: 'a' }], T0)
  t.deepEqual(report.nodes.map((n) => [n.node_id, n.score, n.band, n.status]), [['a', 20, 'VERY_LOW', 'excluded'], ['b', 80, 'HIGH', 'active']])
  t.is(report.average, 50)
  t.is(trustReport([], T0).average, null)
})
