/**
 * The multi-thread mode (`--threads K`): nodes spread over worker threads of one process, talking over the
 * cross-thread memory transport (sim/thread-transport.ts), deliver every message like the in-process mode.
 */
import test from 'ava'
import { spawnSync } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseScenario } from '../../sim/scenario.ts'
import { simulate, WorkersError } from '../../sim/simulate.ts'
import { WorkerCluster } from '../../sim/workers.ts'
import { assertSpreadRunDelivered, spreadScenarioSource } from '../fixtures/spread-run.ts'

const source = spreadScenarioSource('threads-test', 5)
const scenario = parseScenario(source)

test('2 threads × 5 nodes over the cross-thread transport deliver 100%', async (t) => {
  const { report } = await simulate(scenario, { threads: 2 })
  assertSpreadRunDelivered(t, report, { workers: 2, transport: 'thread', clock: 'real' })
  t.true(report.profile.deviations.some((d) => d.startsWith('2 worker threads of one process')))
  t.false(report.profile.deviations.some((d) => d.startsWith('TCP mode')))
  // nodes of both threads are connected to each other: the mesh crosses the port
  t.true(report.per_node.connections.p50! > 0)
  // process.cpuUsage() covers the threads: the CPU per node is reported
  t.true(report.cpu !== null && report.cpu.fedmesh.join_ms > 0 && report.cpu.fedmesh.per_delivery_ms !== null)
})

test('--threads is checked like --workers, and not with --workers, before any thread starts', async (t) => {
  await t.throwsAsync(simulate(scenario, { threads: 11 }), { instanceOf: WorkersError, message: /--threads 11 is more than the 10 nodes/ })
  await t.throwsAsync(simulate(scenario, { threads: -1 }), { instanceOf: WorkersError, message: /--threads must be an integer/ })
  await t.throwsAsync(simulate(scenario, { threads: 2, workers: 2 }), { instanceOf: WorkersError, message: /do not go together/ })
  await t.throwsAsync(simulate(scenario, { threads: 2, clock: 'virtual' }), { instanceOf: WorkersError, message: /--clock virtual .* use --threads 0/ })
  await t.throwsAsync(simulate(scenario, { threads: 2, baseline: true }), { instanceOf: WorkersError, message: /--baseline/ })
  await t.throwsAsync(simulate(parseScenario({ ...source, consensus: { slots: 1 }, federation: { genesis: true } }), { threads: 2 }), { instanceOf: WorkersError, message: /consensus slots/ })
})

test('a lean run\'s threads build errors without stack traces and count their verification caches; a production run\'s keep stack traces', async (t) => {
  const lean = await WorkerCluster.open({ scenario: parseScenario({ ...source, profile: 'lean' }), workers: 2, kind: 'thread' })
  t.teardown(async () => { await lean.close() })
  t.deepEqual(lean.settings, [{ stackTraceLimit: 0 }, { stackTraceLimit: 0 }])
  t.is(lean.verificationCache(), undefined, 'nothing sampled yet')
  const sample = await lean.sample()
  t.is(sample.nodes.length, 10)
  t.deepEqual(lean.verificationCache(), { hits: 0, misses: 0 }, 'each thread\'s cache counts, summed')
  const production = await WorkerCluster.open({ scenario, workers: 1, kind: 'thread' })
  t.teardown(async () => { await production.close() })
  t.true(production.settings[0].stackTraceLimit > 0)
  await production.sample()
  t.is(production.verificationCache(), undefined, 'the production profile has no cache')
})

test('the sim CLI exits 2 on --threads with --workers or with virtual time, before any node starts', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'fedmesh-sim-threads-'))
  t.teardown(async () => { await rm(dir, { recursive: true, force: true }) })
  const file = join(dir, 'small.yaml')
  await writeFile(file, 'name: small\nnodes: 4\nbootstrap: 1\nduration_seconds: 1\n')
  for (const [flags, message] of [[['--threads', '2', '--workers', '2'], /--workers and --threads do not go together/], [['--threads', '2', '--clock', 'virtual'], /--clock virtual runs every node in this process: use --threads 0/], [['--threads', '5'], /--threads 5 is more than the 4 nodes/]] as const) {
    const result = spawnSync(process.execPath, [...process.execArgv, 'sim/cli.ts', file, ...flags, '--no-progress', '--out', join(dir, 'out')], { encoding: 'utf8' })
    t.is(result.status, 2, result.stderr)
    t.regex(result.stderr, message)
    t.notRegex(result.stderr + result.stdout, /wrote/, 'no run happened')
  }
})
