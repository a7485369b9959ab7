/**
 * The multi-process mode: nodes spread over worker processes that talk TCP
 * loopback to each other deliver every message, like the in-process mode.
 */
import test from 'ava'
import { parseScenario } from '../../sim/scenario.ts'
import { simulate, WorkersError } from '../../sim/simulate.ts'
import { WorkerCluster } from '../../sim/workers.ts'

const source = {
  name: 'workers-test',
  seed: 3,
  nodes: 10,
  bootstrap: 2,
  connections_target: 6,
  join: { rate_per_second: 40, timeout_seconds: 30, settle_seconds: 2 },
  load: { data_classes: ['incident_summary'], rate_per_second: 4, payload_bytes: 128 },
  duration_seconds: 5,
  drain_seconds: 3,
  sample_interval_seconds: 0.5
}
const scenario = parseScenario(source)

test('2 workers × 5 nodes over TCP loopback deliver 100%', async (t) => {
  const { report } = await simulate(scenario, { workers: 2 })
  t.deepEqual(report.mode, { workers: 2, transport: 'tcp', clock: 'real' })
  t.is(report.join.nodes_joined, 10)
  t.true(report.messages.published >= 15)
  t.is(report.messages.expected_deliveries, report.messages.published * 9)
  t.is(report.messages.delivery_ratio, 1)
  t.true(report.per_node.bytes_received.p50! > 0, 'bytes are counted in the workers')
  t.true(report.per_node.rss_bytes_per_node > 0)
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
