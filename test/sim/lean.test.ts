/**
 * The lean profile's production hooks (src/net/host.ts SimHostOptions) reach
 * the sim's nodes, each is named in the report, and its V8 heap flags are
 * the ones the process really runs with (the CLI re-runs itself with them).
 */
import test from 'ava'
import { spawnSync } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { multiaddr } from '@multiformats/multiaddr'
import { deviations, LEAN_DEFAULTS, leanSettings, simHostOptions, v8FlagsInEffect, withoutStackTraces } from '../../sim/profile.ts'
import { parseScenario } from '../../sim/scenario.ts'
import { makePlan } from '../../sim/plan.ts'
import { LocalCluster } from '../../sim/cluster.ts'
import { PEER_STORE_PREFIX } from '../../src/net/host.ts'
import { SublevelDatastore, PEERSTORE_SUBLEVEL } from '../../src/store/datastore.ts'

const minimal = { name: 'lean-test', nodes: 3, bootstrap: 1, duration_seconds: 1, drain_seconds: 0.5, join: { rate_per_second: 100, settle_seconds: 0.5 }, load: { rate_per_second: 2 } }

test('lean settings: defaults, overrides, and the key only with the lean profile', (t) => {
  t.is(leanSettings(parseScenario(minimal)), undefined)
  t.is(simHostOptions(parseScenario(minimal)), undefined, 'production: no sim host options')
  t.deepEqual(leanSettings(parseScenario({ ...minimal, profile: 'lean' })), LEAN_DEFAULTS)
  t.deepEqual(simHostOptions(parseScenario({ ...minimal, profile: 'lean', lean: { encryption: 'noise', peer_store: 'store', idontwant: true } })), { encryption: 'noise', inMemoryPeerStore: false, idontwant: true })
  t.regex(t.throws(() => parseScenario({ ...minimal, lean: { idontwant: false } }))?.message ?? '', /lean: needs profile: lean/)
  t.regex(t.throws(() => parseScenario({ ...minimal, profile: 'lean', lean: { v8_flags: ['--expose-gc'] } }))?.message ?? '', /lean\.v8_flags\.0: must be --max-semi-space-size=N/)
  t.deepEqual(parseScenario({ ...minimal, profile: 'lean', lean: { v8_flags: ['--max-old-space-size=1400'] } }).lean?.v8_flags, ['--max-old-space-size=1400'], 'the old generation\'s cap: RSS against GC work')
})

test('every lean deviation is named, and V8 flags are reported as in effect only when the process has them', (t) => {
  const scenario = parseScenario({ ...minimal, profile: 'lean' })
  const list = deviations(scenario, { workers: 0, clock: 'real' })
  for (const text of ['lean: plaintext "network-only"', 'lean: libp2p\'s peer store in a MemoryDatastore', 'lean: gossipsub sends no IDONTWANT', 'lean: errors built without stack traces']) t.true(list.some((d) => d.startsWith(text)), text)
  const withStacks = deviations(parseScenario({ ...minimal, profile: 'lean', lean: { stack_traces: true } }), { workers: 0, clock: 'real' })
  t.false(withStacks.some((d) => d.includes('without stack traces')), 'stack_traces: true keeps them, and says nothing')
  // ava's workers run without the lean flags
  t.true(list.some((d) => d.startsWith('lean: V8 heap flags asked for but not in effect')))
  t.deepEqual(v8FlagsInEffect(['--max-semi-space-size=4'], ['--foo', '--max-semi-space-size=4']), ['--max-semi-space-size=4'])
  t.deepEqual(v8FlagsInEffect(['--max-semi-space-size=4'], ['--max-semi-space-size=8']), [])
})

test('a lean sim node connects over plaintext and keeps no peer in its store; a production one uses noise', async (t) => {
  const check = async (profile: object): Promise<{ encryption: string | undefined, peersInStore: number }> => {
    const scenario = parseScenario({ ...minimal, nodes: 2, ...profile })
    const cluster = await LocalCluster.create({ scenario, plan: makePlan(scenario), local: [0, 1], transport: 'memory' })
    try {
      const first = await cluster.start(0, [])
      await cluster.start(1, first)
      t.true(await cluster.dial(1, first[0]))
      const node = cluster.node(1)
      if (node === undefined) throw new Error('node 1 is not running')
      const bootstrapPeer = multiaddr(first[0]).getPeerId()
      const connection = node.libp2p.getConnections().find((c) => c.remotePeer.toString() === bootstrapPeer)
      // libp2p's datastore in production: a sublevel of the node's store
      let peersInStore = 0
      for await (const key of new SublevelDatastore(node.store.sublevel<Uint8Array>(PEERSTORE_SUBLEVEL, 'view')).queryKeys({ prefix: PEER_STORE_PREFIX })) if (key !== undefined) peersInStore++
      return { encryption: connection?.encryption, peersInStore }
    } finally {
      await cluster.close()
    }
  }
  const lean = await check({ profile: 'lean' })
  t.is(lean.encryption, '/plaintext/2.0.0')
  t.is(lean.peersInStore, 0)
  const production = await check({})
  t.is(production.encryption, '/noise')
  t.true(production.peersInStore > 0)
})

test('the sim CLI re-runs itself with the lean V8 flags, and the report says they were in effect', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'fedmesh-sim-lean-'))
  t.teardown(async () => { await rm(dir, { recursive: true, force: true }) })
  const file = join(dir, 'lean.yaml')
  await writeFile(file, 'name: lean-cli\nnodes: 3\nbootstrap: 1\nprofile: lean\njoin: { rate_per_second: 100, settle_seconds: 0.5 }\nload: { rate_per_second: 2 }\nduration_seconds: 1\ndrain_seconds: 0.5\n')
  const result = spawnSync(process.execPath, [...process.execArgv, 'sim/cli.ts', file, '--clock', 'virtual', '--no-progress', '--out', join(dir, 'out')], { encoding: 'utf8', env: { ...process.env, FEDMESH_SIM_V8_REEXEC: '' } })
  t.is(result.status, 0, result.stderr)
  const report = JSON.parse(await readFile(join(dir, 'out', 'report.json'), 'utf8')) as { profile: { deviations: string[] } }
  t.true(report.profile.deviations.some((d) => d === `lean: V8 heap flags in effect for the sim process: ${LEAN_DEFAULTS.v8Flags.join(' ')}`), report.profile.deviations.join('\n'))
  t.false(report.profile.deviations.some((d) => d.includes('not in effect')))
})

test('withoutStackTraces: errors built inside have no frames; the limit comes back after, also when the work throws', async (t) => {
  const limit = Error.stackTraceLimit
  const stack = await withoutStackTraces(async () => new Error('inside').stack ?? '')
  t.is(stack.split('\n').length, 1, stack)
  t.is(Error.stackTraceLimit, limit)
  await t.throwsAsync(withoutStackTraces(async () => { throw new Error('boom') }), { message: 'boom' })
  t.is(Error.stackTraceLimit, limit)
  t.true((new Error('outside').stack ?? '').split('\n').length > 1)
})
