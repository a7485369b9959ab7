/**
 * Scenario files: every shipped scenario is valid; a bad one is a
 * ScenarioError naming the key, raised before any node starts (the CLI exits
 * 2 without starting one); the same seed gives the same plan.
 */
import test from 'ava'
import { spawnSync } from 'node:child_process'
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  loadScenario, parseScenario, parseScenarioText, ScenarioError,
  SCENARIO_NODES_MAX, SCENARIO_DURATION_SECONDS_MAX, LOAD_RATE_PER_SECOND_MAX, PAYLOAD_BYTES_MAX, PARTITIONS_MAX,
  LINK_LATENCY_MS_MAX, LINK_BANDWIDTH_KBPS_MAX, LINK_LOSS_MAX
} from '../../sim/scenario.ts'
import { makePlan } from '../../sim/plan.ts'

const minimal = { name: 't', nodes: 10, duration_seconds: 5 }

test('the shipped scenarios are valid and have the advertised sizes', async (t) => {
  const sizes: Record<string, number> = { smoke: 20, hundred: 100, thousand: 1000, churn: 100, partition: 100, byzantine: 7, sybil: 12, eclipse: 12, covert_flash: 10, lean: 200, lean_audit: 200, lean_idle: 50, lean_thousand: 1000, virtual_thousand: 1000, virtual_wan: 50 }
  // market.yaml has its own schema and runner (test/sim/market.test.ts parses it)
  const files = (await readdir('sim/scenarios')).filter((f) => f.endsWith('.yaml') && f !== 'market.yaml')
  t.deepEqual(files.map((f) => f.replace('.yaml', '')).sort(), Object.keys(sizes).sort())
  for (const file of files) {
    const scenario = await loadScenario(join('sim/scenarios', file))
    t.is(scenario.nodes, sizes[scenario.name], file)
  }
  const churn = await loadScenario('sim/scenarios/churn.yaml')
  t.is(churn.churn.leave_per_minute / churn.nodes, 0.1, 'churn: 10% of the nodes leave per minute')
  t.is((await loadScenario('sim/scenarios/lean_audit.yaml')).audit_checkpoint_interval_seconds, 10, 'lean_audit: several checkpoint rounds in a short run')
  t.is((await loadScenario('sim/scenarios/lean.yaml')).audit_checkpoint_interval_seconds, undefined, 'the others: production\'s interval')
  t.is((await loadScenario('sim/scenarios/lean_audit.yaml')).audit_checkpoint_spacing_ms_per_member, 0, 'lean_audit: every 10 s whatever the size')
  t.is((await loadScenario('sim/scenarios/lean.yaml')).audit_checkpoint_spacing_ms_per_member, undefined, 'the others: production\'s spacing')
  t.is((await loadScenario('sim/scenarios/lean.yaml')).connection_grace_ms, 20_000, 'lean: relations only on connections that outlive the grace')
  t.is((await loadScenario('sim/scenarios/lean_idle.yaml')).connection_grace_ms, 20_000)
  t.is((await loadScenario('sim/scenarios/lean.yaml')).audit_checkpoints_retained, 2, 'lean: in-memory stores keep 2 checkpoints per origin (RSS does not grow with idle time)')
  const partition = await loadScenario('sim/scenarios/partition.yaml')
  t.is(partition.partitions[0].groups.length, 2)
})

const bad: Array<[string, unknown, string]> = [
  ['an unknown key', { ...minimal, nodez: 3 }, 'nodez'],
  ['an unknown nested key', { ...minimal, load: { rate: 3 } }, 'load.rate'],
  ['a missing node count', { name: 't', duration_seconds: 5 }, 'nodes'],
  ['negative nodes', { ...minimal, nodes: -1 }, 'nodes'],
  ['zero nodes', { ...minimal, nodes: 0 }, 'nodes'],
  ['fractional nodes', { ...minimal, nodes: 2.5 }, 'nodes'],
  ['too many nodes', { ...minimal, nodes: SCENARIO_NODES_MAX + 1 }, 'nodes'],
  ['a bootstrap set larger than the network', { ...minimal, bootstrap: 11 }, 'bootstrap'],
  ['more known bootstrap peers than the set', { ...minimal, bootstrap: 2, bootstrap_known: 3 }, 'bootstrap_known'],
  ['an unknown topology', { ...minimal, topology: { kind: 'mesh' } }, 'topology.kind'],
  ['a random degree as large as the network', { ...minimal, topology: { kind: 'random', degree: 10 } }, 'topology.degree'],
  ['more clusters than nodes', { ...minimal, topology: { kind: 'clusters', count: 11, degree: 1 } }, 'topology.count'],
  ['an unknown data class', { ...minimal, load: { data_classes: ['gossip'] } }, 'load.data_classes.0'],
  ['the node\'s own metrics class as load', { ...minimal, load: { data_classes: ['aggregated_metrics'] } }, 'load.data_classes.0'],
  ['a load rate above the limit', { ...minimal, load: { rate_per_second: LOAD_RATE_PER_SECOND_MAX + 1 } }, 'load.rate_per_second'],
  ['a payload above the limit', { ...minimal, load: { payload_bytes: PAYLOAD_BYTES_MAX + 1 } }, 'load.payload_bytes'],
  ['negative churn', { ...minimal, churn: { leave_per_minute: -1 } }, 'churn.leave_per_minute'],
  ['a duration above the limit', { ...minimal, duration_seconds: SCENARIO_DURATION_SECONDS_MAX + 1 }, 'duration_seconds'],
  ['a partition group naming a missing node', { ...minimal, partitions: [{ groups: [['0-4'], ['5-10']], start_seconds: 1 }] }, 'partitions.0.groups.1'],
  ['a node in two partition groups', { ...minimal, partitions: [{ groups: [['0-5'], ['5-9']], start_seconds: 1 }] }, 'partitions.0.groups.1'],
  ['a node in no partition group', { ...minimal, partitions: [{ groups: [['0-4'], ['5-8']], start_seconds: 1 }] }, 'partitions.0.groups'],
  ['a single partition group', { ...minimal, partitions: [{ groups: [['0-9']], start_seconds: 1 }] }, 'partitions.0.groups'],
  ['an empty range', { ...minimal, partitions: [{ groups: [['4-0', '5-9'], [0, 1, 2, 3]], start_seconds: 1 }] }, 'partitions.0.groups.0.0'],
  ['a heal before the split', { ...minimal, partitions: [{ groups: [['0-4'], ['5-9']], start_seconds: 3, heal_seconds: 2 }] }, 'partitions.0.heal_seconds'],
  ['a split after the end', { ...minimal, partitions: [{ groups: [['0-4'], ['5-9']], start_seconds: 5 }] }, 'partitions.0.start_seconds'],
  ['overlapping partitions', { ...minimal, partitions: [{ groups: [['0-4'], ['5-9']], start_seconds: 1, heal_seconds: 3 }, { groups: [['0-1'], ['2-9']], start_seconds: 2 }] }, 'partitions.1.start_seconds'],
  ['too many partitions', { ...minimal, duration_seconds: 100, partitions: Array.from({ length: PARTITIONS_MAX + 1 }, (_, i) => ({ groups: [['0-4'], ['5-9']], start_seconds: i * 2, heal_seconds: i * 2 + 1 })) }, 'partitions'],
  ['a non-mapping document', [1, 2], '(root)']
]

for (const [what, input, key] of bad) {
  test(`a scenario with ${what} is a ScenarioError naming ${key}`, (t) => {
    const err = t.throws(() => parseScenario(input), { instanceOf: ScenarioError })
    t.is(err?.name, 'ScenarioError')
    t.true(err?.problems.some((p) => p.key === key), `problems: ${JSON.stringify(err?.problems)}`)
  })
}

test('limits hold at their boundary and fail one past it', (t) => {
  t.is(parseScenario({ ...minimal, nodes: SCENARIO_NODES_MAX }).nodes, SCENARIO_NODES_MAX)
  t.throws(() => parseScenario({ ...minimal, nodes: SCENARIO_NODES_MAX + 1 }), { instanceOf: ScenarioError })
  t.is(parseScenario({ ...minimal, bootstrap: 10 }).bootstrap, 10)
  t.is(parseScenario({ ...minimal, load: { rate_per_second: LOAD_RATE_PER_SECOND_MAX } }).load.rate_per_second, LOAD_RATE_PER_SECOND_MAX)
  t.is(parseScenario({ ...minimal, load: { payload_bytes: PAYLOAD_BYTES_MAX } }).load.payload_bytes, PAYLOAD_BYTES_MAX)
  t.is(parseScenario({ ...minimal, duration_seconds: SCENARIO_DURATION_SECONDS_MAX }).duration_seconds, SCENARIO_DURATION_SECONDS_MAX)
})

test('YAML that does not parse is a ScenarioError naming the file', (t) => {
  const err = t.throws(() => parseScenarioText('nodes: [1, 2', 'x.yaml'), { instanceOf: ScenarioError })
  t.is(err?.problems[0].key, '(file)')
})

test('the same seed gives the same plan; another seed another one', (t) => {
  const scenario = parseScenario({ ...minimal, nodes: 30, bootstrap: 3, topology: { kind: 'random', degree: 3 }, churn: { leave_per_minute: 20, join_per_minute: 20 }, duration_seconds: 10 })
  const a = makePlan(scenario)
  const b = makePlan(scenario)
  t.deepEqual(a, b)
  const c = makePlan({ ...scenario, seed: scenario.seed + 1 })
  t.notDeepEqual(a.nodes[0].ed25519Seed, c.nodes[0].ed25519Seed)
  t.notDeepEqual(a.events, c.events)
  t.is(a.startOrder.slice(0, 3).every((i) => a.nodes[i].bootstrap), true, 'bootstrap nodes start first')
  t.is(a.dials.length, 30 * 3)
  t.true(a.dials.every(([from, to]) => from !== to))
  const told = makePlan({ ...scenario, bootstrap_known: 2 })
  t.true(told.nodes.every((n) => n.bootstrap || (n.knows.length === 2 && n.knows.every((b) => told.nodes[b].bootstrap))), 'each node is told 2 of the bootstrap set')
  const leaves = a.events.filter((e) => e.kind === 'leave')
  t.true(leaves.length > 0 && leaves.every((e) => e.kind === 'leave' && !a.nodes[e.node].bootstrap), 'bootstrap nodes never churn')
})

test('the sim CLI exits 2 on a bad scenario and names the key, before starting any node', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'fedmesh-sim-bad-'))
  t.teardown(async () => { await rm(dir, { recursive: true, force: true }) })
  const file = join(dir, 'bad.yaml')
  await writeFile(file, 'name: bad\nnodes: 5\nbootstrap: 6\nduration_seconds: 1\n')
  const result = spawnSync(process.execPath, [...process.execArgv, 'sim/cli.ts', file], { encoding: 'utf8' })
  t.is(result.status, 2, result.stderr)
  t.regex(result.stderr, /bootstrap: is 6, more than the 5 nodes/)
  t.notRegex(result.stderr + result.stdout, /sim: bad/, 'no run started')
})

test('attack keys are checked across the scenario before any node starts', (t) => {
  const problem = (input: object): string => t.throws(() => parseScenario({ ...minimal, ...input }))?.message ?? ''
  t.regex(problem({ attack: { kind: 'covert_flash', start_seconds: 1 } }), /byzantine\.count: covert_flash is played by the byzantine members/)
  t.regex(problem({ attack: { kind: 'sybil', count: 0 } }), /attack\.count: sybil needs attackers/)
  t.regex(problem({ attack: { kind: 'sybil', count: 3, start_seconds: 5 } }), /attack\.start_seconds: must be before duration_seconds/)
  t.regex(problem({ attack: { kind: 'storm', count: 3 } }), /attack\.kind: must be one of sybil, eclipse, covert_flash/)
  t.regex(problem({ profile: 'tiny' }), /profile: must be production or lean/)
  const flash = parseScenario({ ...minimal, nodes: 10, byzantine: { count: 3 }, attack: { kind: 'covert_flash', start_seconds: 1 } })
  t.is(flash.attack?.kind, 'covert_flash')
  t.is(makePlan(flash).victim, null)
  const eclipse = parseScenario({ ...minimal, attack: { kind: 'eclipse', count: 2 } })
  const plan = makePlan(eclipse)
  t.deepEqual(plan, makePlan(eclipse), 'the victim and attacker keys come from the seed')
  t.is(plan.attackerSeeds.length, 2)
  t.false(plan.nodes[plan.victim ?? 0].bootstrap)
})

test('links: a number or a range per parameter, normalised; absent keeps the fixed 10 ms link; bad values are precise errors', (t) => {
  t.is(parseScenario(minimal).links, undefined, 'no links key: the fixed 10 ms link, no bandwidth limit, no loss')
  t.deepEqual(parseScenario({ ...minimal, links: {} }).links, { latency_ms: { min: 10, max: 10, distribution: 'uniform' }, loss: { min: 0, max: 0, distribution: 'uniform' }, rto_min_ms: 200 })
  t.deepEqual(parseScenario({ ...minimal, links: { latency_ms: { min: 5, max: 150, distribution: 'log_uniform' }, bandwidth_kbps: 10_000, loss: { min: 0, max: 0.01 }, rto_min_ms: 300 } }).links, {
    latency_ms: { min: 5, max: 150, distribution: 'log_uniform' },
    bandwidth_kbps: { min: 10_000, max: 10_000, distribution: 'uniform' },
    loss: { min: 0, max: 0.01, distribution: 'uniform' },
    rto_min_ms: 300
  })
  t.is(parseScenario({ ...minimal, links: { loss: LINK_LOSS_MAX, latency_ms: LINK_LATENCY_MS_MAX, bandwidth_kbps: LINK_BANDWIDTH_KBPS_MAX } }).links?.loss.max, LINK_LOSS_MAX, 'the bounds themselves are allowed')
  const problem = (links: unknown): string => t.throws(() => parseScenario({ ...minimal, links }), { instanceOf: ScenarioError })?.message ?? ''
  t.regex(problem({ latency_ms: -1 }), /links\.latency_ms: must not be negative/)
  t.regex(problem({ latency_ms: LINK_LATENCY_MS_MAX + 1 }), /links\.latency_ms: must be at most 10000/)
  t.regex(problem({ latency_ms: 'fast' }), /links\.latency_ms: must be a number or \{ min, max, distribution\? \}/)
  t.regex(problem({ latency_ms: { min: 5 } }), /links\.latency_ms\.max: is required/)
  t.regex(problem({ latency_ms: { min: 50, max: 5 } }), /links\.latency_ms\.max: must be at least min \(50\)/)
  t.regex(problem({ latency_ms: { min: 1, max: 5, distribution: 'normal' } }), /links\.latency_ms\.distribution: must be uniform or log_uniform/)
  t.regex(problem({ latency_ms: { min: 1, max: 5, mean: 3 } }), /links\.latency_ms\.mean: unknown key/)
  t.regex(problem({ bandwidth_kbps: 0 }), /links\.bandwidth_kbps: must be at least 1/)
  t.regex(problem({ loss: LINK_LOSS_MAX + 0.01 }), /links\.loss: must be at most 0\.5/)
  t.regex(problem({ loss: { min: 0, max: 0.1, distribution: 'log_uniform' } }), /links\.loss\.min: must be above 0 for distribution log_uniform/)
  t.regex(problem({ rto_min_ms: 0 }), /links\.rto_min_ms: must be at least 1/)
  t.regex(problem({ jitter_ms: 3 }), /links\.jitter_ms: unknown key/)
})
