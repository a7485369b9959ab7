/**
 * The shipped `smoke` scenario (20 real nodes in this process) inside
 * `npm test`: every expected delivery happens and the report on disk matches
 * the documented schema, with its four plots.
 */
import test from 'ava'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadScenario } from '../../sim/scenario.ts'
import { simulate } from '../../sim/simulate.ts'
import { reportSchema, REPORT_SCHEMA } from '../../sim/report.ts'

test('smoke: 20 nodes joined through the bootstrap set and the DHT deliver every message, and the report is valid', async (t) => {
  t.timeout(600_000, '20 real nodes join and deliver: minutes on a loaded host; every wait inside is bounded by its condition')
  const scenario = await loadScenario('sim/scenarios/smoke.yaml')
  t.is(scenario.nodes, 20)
  const outDir = await mkdtemp(join(tmpdir(), 'fedmesh-sim-smoke-'))
  t.teardown(async () => { await rm(outDir, { recursive: true, force: true }) })
  const started = Date.now()
  const { report, files } = await simulate(scenario, { outDir })
  t.log(`${((Date.now() - started) / 1000).toFixed(1)} s, latency p99 ${report.messages.latency_ms.p99?.toFixed(0)} ms`)

  t.is(report.join.nodes_joined, 20)
  t.true(report.messages.published >= 30)
  t.is(report.messages.publish_failures, 0)
  t.is(report.messages.expected_deliveries, report.messages.published * 19, 'every other node is expected to get every message')
  t.is(report.messages.delivered, report.messages.expected_deliveries)
  t.is(report.messages.delivery_ratio, 1)
  t.is(report.messages.duplicate_deliveries, 0)
  // gossip verdicts count what came by gossip; a message gossip missed is fetched by sync (same pipeline, no gossip verdict)
  t.true(report.messages.verdicts.accept <= report.messages.delivered, 'no delivery without its pipeline accept')
  t.true(report.messages.verdicts.accept > 0)
  t.true(report.per_node.bytes_sent.p50! > 0)
  t.true(report.per_node.connections.p50! >= 1)

  const onDisk = reportSchema.parse(JSON.parse(await readFile(join(outDir, 'report.json'), 'utf8')))
  t.is(onDisk.schema, REPORT_SCHEMA)
  t.deepEqual(onDisk.messages, report.messages)
  for (const plot of ['latency-cdf.svg', 'delivery-ratio.svg', 'bytes-per-node.svg', 'memory-per-node.svg']) {
    t.true(files.includes(join(outDir, plot)), plot)
    t.regex(await readFile(join(outDir, plot), 'utf8'), /^<svg[^>]*>.*<path/s, `${plot} is an SVG with marks`)
  }
})
