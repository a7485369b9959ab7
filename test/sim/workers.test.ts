/**
 * The multi-process mode: nodes spread over worker processes that talk TCP
 * loopback to each other deliver every message, like the in-process mode.
 */
import test from 'ava'
import { parseScenario } from '../../sim/scenario.ts'
import { simulate, WorkersError } from '../../sim/simulate.ts'
import { WorkerCluster } from '../../sim/workers.ts'
import { assertSpreadRunDelivered, spreadScenarioSource } from '../fixtures/spread-run.ts'

const source = spreadScenarioSource('workers-test', 3)
const scenario = parseScenario(source)

test('2 workers × 5 nodes over TCP loopback deliver 100%', async (t) => {
  const { report } = await simulate(scenario, { workers: 2 })
  assertSpreadRunDelivered(t, report, { workers: 2, transport: 'tcp', clock: 'real' })
})

test('more workers than nodes is a WorkersError before any process starts', async (t) => {
  await t.throwsAsync(simulate(scenario, { workers: 11 }), { instanceOf: WorkersError })
  await t.throwsAsync(simulate(scenario, { workers: -1 }), { instanceOf: WorkersError })
})

test('a lean run\'s workers build errors without stack traces, as the report\'s deviations say; a production run\'s keep them', async (t) => {
  const lean = await WorkerCluster.open({ scenario: parseScenario({ ...source, profile: 'lean' }), workers: 2 })
  t.teardown(async () => { await lean.close() })
  t.deepEqual(lean.settings, [{ stackTraceLimit: 0 }, { stackTraceLimit: 0 }])
  const production = await WorkerCluster.open({ scenario, workers: 1 })
  t.teardown(async () => { await production.close() })
  t.true(production.settings[0].stackTraceLimit > 0)
})
