import test from 'ava'
import { execFile } from 'node:child_process'
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { Store } from '../../src/store/store.ts'
import { SummaryRepository } from '../../src/store/matching-summaries.ts'

const run = promisify(execFile)
const MAIN = resolve('src/cli/main.ts')

/** Runs the real `fedmesh` command (src/cli/main.ts) in a child process; resolves to exit code and output. */
async function fedmesh (...args: string[]): Promise<{ code: number, stdout: string, stderr: string }> {
  const script = `import(${JSON.stringify(MAIN)}).then(async (m) => { process.exitCode = await m.main(${JSON.stringify(args)}) })`
  try {
    const { stdout, stderr } = await run(process.execPath, ['--experimental-transform-types', '--disable-warning=ExperimentalWarning', '--input-type=module', '-e', script])
    return { code: 0, stdout, stderr }
  } catch (err) {
    const e = err as { code: number, stdout: string, stderr: string }
    return { code: e.code, stdout: e.stdout, stderr: e.stderr }
  }
}

const seedInstance = {
  categories: ['legal.contracts', 'food.catering', 'design'],
  nodes: [
    { id: 'A', participants: [{ id: 'alice', offer: 'legal.contracts', need: 'food.catering' }, { id: 'carol', offer: 'design', need: 'legal.contracts' }] },
    { id: 'B', summary: [{ need: 'design', offer: 'food.catering', count: 1 }] }
  ]
}

test('match --instance solves an instance file and prints chains, served, bound, gap and time as JSON', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'fedmesh-match-'))
  const file = join(dir, 'seed.json')
  await writeFile(file, JSON.stringify(seedInstance))
  const { code, stdout } = await fedmesh('match', '--instance', file, '--cap', '3', '--json')
  t.is(code, 0)
  const report = JSON.parse(stdout)
  t.is(report.participants_served, 3)
  t.is(report.bound, 3)
  t.is(report.gap, 0)
  t.is(report.cap, 3)
  t.true(typeof report.time_ms === 'number')
  t.is(report.chains.length, 1)
  t.is(report.chains[0].explanation, 'a participant of B gives food.catering to alice@A, alice@A gives legal.contracts to carol@A, carol@A gives design to a participant of B')
})

test('match --instance with a too-short cap reports the gap in text, and a cap out of range exits 2', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'fedmesh-match-'))
  const file = join(dir, 'seed.json')
  await writeFile(file, JSON.stringify(seedInstance))
  const capped = await fedmesh('match', '--instance', file, '--cap', '2')
  t.is(capped.code, 0)
  t.regex(capped.stdout, /0 participants served in 0 chains, bound 3, gap 3 \(cap 2\)/)
  const bad = await fedmesh('match', '--instance', file, '--cap', '13')
  t.is(bad.code, 2)
})

test('match --instance --exact certifies a tighter bound than the circulation: at cap 2 nothing is reachable, and that is proven optimal', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'fedmesh-match-'))
  const file = join(dir, 'seed.json')
  await writeFile(file, JSON.stringify(seedInstance))
  // a budget far beyond the ~0.5 s this takes, so a loaded machine cannot end the solve early
  const { code, stdout } = await fedmesh('match', '--instance', file, '--cap', '2', '--exact', '--time-limit', '120', '--json')
  t.is(code, 0)
  const report = JSON.parse(stdout)
  t.is(report.solver_error, undefined, 'the worker ran (here under node --input-type=module -e, whose flag a worker must not inherit)')
  t.is(report.participants_served, 0)
  t.is(report.bound, 0, 'the heuristic alone reports the circulation bound 3; the certified LP proves 0')
  t.is(report.gap, 0)
  t.true(report.optimal)
  t.is(report.bound_method, 'cycle-lp')
  const bad = await fedmesh('match', '--instance', file, '--exact', '--time-limit', '0')
  t.is(bad.code, 2)
})

test('match --instance with an unknown category exits 2 and names the category', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'fedmesh-match-'))
  const file = join(dir, 'bad.json')
  await writeFile(file, JSON.stringify({ categories: ['a', 'b'], nodes: [{ id: 'A', participants: [{ id: 'x', need: 'a', offer: 'zzz' }] }] }))
  const { code, stderr } = await fedmesh('match', '--instance', file)
  t.is(code, 2)
  t.regex(stderr, /unknown category "zzz"/)
})

test('on a data dir: participants added by the CLI plus a stored summary give the seed chain', async (t) => {
  const dataDir = join(await mkdtemp(join(tmpdir(), 'fedmesh-match-')), 'node')
  t.is((await fedmesh('init', '--site-id', 'site_a', '--jurisdiction', 'UK', '--data-dir', dataDir)).code, 0)
  t.is((await fedmesh('participant', 'add', '--handle', 'alice', '--offer', 'legal.contracts', '--need', 'food.catering', '--data-dir', dataDir)).code, 0)
  t.is((await fedmesh('participant', 'add', '--handle', 'carol', '--offer', 'design', '--need', 'legal.contracts', '--data-dir', dataDir)).code, 0)
  const duplicate = await fedmesh('participant', 'add', '--handle', 'carol', '--offer', 'design', '--need', 'water', '--data-dir', dataDir)
  t.is(duplicate.code, 2)
  t.regex(duplicate.stderr, /already exists/)
  const store = await Store.open({ dataDir })
  await new SummaryRepository(store).put({ node: 'site_b', entries: [{ need: 'design', offer: 'food.catering', count: 2 }] }, '12D3KooWsiteb', 1)
  await store.close()
  const listed = JSON.parse((await fedmesh('participant', 'list', '--json', '--data-dir', dataDir)).stdout)
  t.deepEqual(listed.map((p: { id: string }) => p.id), ['sep://alice@site_a', 'sep://carol@site_a'])
  const { code, stdout } = await fedmesh('match', '--json', '--data-dir', dataDir)
  t.is(code, 0)
  const report = JSON.parse(stdout)
  t.deepEqual(report.nodes, ['site_a', 'site_b'])
  t.is(report.participants_served, 3)
  t.is(report.chains[0].explanation, 'a participant of site_b gives food.catering to alice@site_a, alice@site_a gives legal.contracts to carol@site_a, carol@site_a gives design to a participant of site_b')
  t.is((await fedmesh('participant', 'remove', 'carol', '--data-dir', dataDir)).code, 0)
  t.is(JSON.parse((await fedmesh('match', '--json', '--no-cap', '--data-dir', dataDir)).stdout).participants_served, 0)
  // a taxonomy.yaml that drops a category alice uses: match reports her instead of failing
  await writeFile(join(dataDir, 'taxonomy.yaml'), 'categories: [legal.contracts, design]\n')
  const later = JSON.parse((await fedmesh('match', '--json', '--data-dir', dataDir)).stdout)
  t.deepEqual(later.skipped_participants.map((s: { participant: string }) => s.participant), ['sep://alice@site_a'])
  t.regex(later.skipped_participants[0].reason, /unknown category "food.catering"/)
  t.deepEqual(later.skipped_summaries.map((s: { node: string }) => s.node), ['site_b'])
})
