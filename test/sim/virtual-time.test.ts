/**
 * Virtual time: the `smoke` scenario (20 real nodes in this process) on one
 * simulated clock, twice with one seed: the two reports are byte-identical,
 * whatever the host's load did to the wall time.
 */
import test from 'ava'
import { loadScenario } from '../../sim/scenario.ts'
import { simulate } from '../../sim/simulate.ts'

test('the virtual-time smoke run twice with one seed gives identical reports, with every message delivered', async (t) => {
  t.timeout(600_000, 'two 20-node virtual-time runs: host load slows them, never changes the result')
  const scenario = await loadScenario('sim/scenarios/smoke.yaml')
  const first = await simulate(scenario, { clock: 'virtual' })
  const second = await simulate(scenario, { clock: 'virtual' })
  t.log(`wall ${((first.virtualTime?.wallMs ?? 0) / 1000).toFixed(1)} s + ${((second.virtualTime?.wallMs ?? 0) / 1000).toFixed(1)} s for ${((first.virtualTime?.virtualMs ?? 0) / 1000).toFixed(1)} virtual s`)
  t.is(first.report.mode.clock, 'virtual')
  t.is(first.report.messages.delivery_ratio, 1)
  t.is(JSON.stringify(second.report), JSON.stringify(first.report))
  t.deepEqual(second.virtualTime?.timerFirings, first.virtualTime?.timerFirings)
})
