/**
 * The seed sweep (`npm run sim -- sweep`): two seeds of the `byzantine`
 * scenario in virtual time, summed — 0 conflicting QCs, every honest decision
 * — and a bad scenario name or seed count refused before any node starts.
 */
import test from 'ava'
import { sweep, scenarioFile, SweepError } from '../../sim/sweep.ts'

test('a two-seed byzantine sweep sums to 0 conflicting QCs and every honest decision', async (t) => {
  const seen: number[] = []
  const summary = await sweep({ scenario: 'byzantine', seeds: 2, from: 5, onRun: (run) => { seen.push(run.seed) } })
  t.deepEqual(seen, [5, 6])
  t.is(summary.clock, 'virtual')
  t.is(summary.runs_completed, 2)
  t.is(summary.runs_failed, 0)
  t.is(summary.conflicting_qcs_total, 0)
  t.deepEqual(summary.seeds_with_conflicting_qcs, [])
  t.deepEqual(summary.decisions, { expected: 2 * 3 * 5, reached: 2 * 3 * 5 })
  t.true(summary.runs.every((r) => r.conflicting_qcs === 0))
})

test('a sweep refuses an unknown scenario and a bad seed count', async (t) => {
  t.throws(() => scenarioFile('no-such-scenario'), { instanceOf: SweepError })
  t.is(scenarioFile('sim/scenarios/byzantine.yaml'), 'sim/scenarios/byzantine.yaml')
  await t.throwsAsync(sweep({ scenario: 'byzantine', seeds: 0 }), { instanceOf: SweepError })
})
