import test from 'ava'
import { mkdtemp, readdir, readFile, writeFile, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort, runFedmesh, startFedmesh } from '../fixtures/cli.ts'

async function tempDir (): Promise<string> {
  return await mkdtemp(join(tmpdir(), 'fedmesh-cli-'))
}

test('--help lists the node commands, and each command has its own help', async (t) => {
  const help = await runFedmesh(['--help'])
  t.is(help.code, 0)
  for (const command of ['init', 'start', 'status', 'peers']) t.regex(help.stdout, new RegExp(`\\b${command}\\b`))
  const initHelp = await runFedmesh(['init', '--help'])
  t.is(initHelp.code, 0)
  t.regex(initHelp.stdout, /--site-id/)
})

test('init writes config, keys and token with owner-only secrets, and refuses to run twice without --force', async (t) => {
  const dir = join(await tempDir(), 'node')
  const first = await runFedmesh(['init', '--site-id', 'uk_north', '--jurisdiction', 'UK', '--capabilities', 'water,power', '--data-dir', dir])
  t.is(first.code, 0, first.stderr)
  t.deepEqual((await readdir(dir)).sort(), ['api.token', 'config.yaml', 'mldsa.key', 'node.key'])
  for (const secret of ['api.token', 'mldsa.key', 'node.key']) t.is((await stat(join(dir, secret))).mode & 0o777, 0o600, secret)
  t.regex(await readFile(join(dir, 'config.yaml'), 'utf8'), /capabilities:\n\s+- water\n\s+- power/)
  const again = await runFedmesh(['init', '--site-id', 'uk_north', '--jurisdiction', 'UK', '--data-dir', dir])
  t.is(again.code, 2)
  t.regex(again.stderr, /not empty.*--force/)
  const forced = await runFedmesh(['init', '--site-id', 'uk_south', '--jurisdiction', 'UK', '--data-dir', dir, '--force'])
  t.is(forced.code, 0, forced.stderr)
  t.regex(await readFile(join(dir, 'config.yaml'), 'utf8'), /site_id: uk_south/)
})

test('init with bad input exits 2, names every bad key and writes nothing', async (t) => {
  const dir = join(await tempDir(), 'node')
  const result = await runFedmesh(['init', '--site-id', 'Not A Slug', '--jurisdiction', 'UK', '--capabilities', 'Water', '--bootstrap', '/ip4/10.0.0.1/tcp/4001', '--data-dir', dir])
  t.is(result.code, 2)
  t.regex(result.stderr, /site_id: must be a slug/)
  t.regex(result.stderr, /capabilities\.0: must be a slug/)
  t.regex(result.stderr, /federation\.bootstrap\.0: must end with \/p2p\/<peer id>/)
  await t.throwsAsync(readdir(dir), { code: 'ENOENT' })
})

test('start with an invalid config exits 2 and starts nothing', async (t) => {
  const dir = join(await tempDir(), 'node')
  t.is((await runFedmesh(['init', '--site-id', 'uk_north', '--jurisdiction', 'UK', '--data-dir', dir, '--api-port', String(await freePort())])).code, 0)
  await writeFile(join(dir, 'config.yaml'), (await readFile(join(dir, 'config.yaml'), 'utf8')) + 'colour: blue\n')
  const result = await runFedmesh(['start', '--data-dir', dir])
  t.is(result.code, 2)
  t.regex(result.stderr, /colour: unknown key/)
})

test('status without a running node exits 3 and says so', async (t) => {
  const dir = join(await tempDir(), 'node')
  t.is((await runFedmesh(['init', '--site-id', 'uk_north', '--jurisdiction', 'UK', '--data-dir', dir, '--api-port', String(await freePort())])).code, 0)
  const result = await runFedmesh(['status', '--data-dir', dir])
  t.is(result.code, 3)
  t.regex(result.stderr, /is "fedmesh start" running/)
})

test('an ML-DSA-87 node publishes a record binding its ML-DSA-87 key; status shows it; SIGTERM stops it cleanly', async (t) => {
  const dir = join(await tempDir(), 'node')
  const init = await runFedmesh(['init', '--site-id', 'uk_north', '--jurisdiction', 'UK', '--mldsa-level', '87', '--data-dir', dir, '--api-port', String(await freePort()), '--listen', '/ip4/127.0.0.1/tcp/0'])
  t.is(init.code, 0, init.stderr)
  const node = startFedmesh(dir)
  t.teardown(async () => { await node.terminate() })
  await node.waitFor('ready')
  const status = await runFedmesh(['status', '--json', '--data-dir', dir])
  t.is(status.code, 0, status.stderr)
  const parsed = JSON.parse(status.stdout) as { node_record: { mldsa_level: number, mldsa_public_key: string }, federation: { enabled: boolean } }
  t.is(parsed.node_record.mldsa_level, 87)
  t.is(Buffer.from(parsed.node_record.mldsa_public_key, 'base64').length, 2592)
  t.false(parsed.federation.enabled)
  const text = await runFedmesh(['status', '--data-dir', dir])
  t.regex(text.stdout, /federation disabled \(air-gapped\)/)
  const { code, ms } = await node.terminate()
  t.is(code, 0)
  t.true(ms < 5000)
})

test('store commands go through the running node\'s API while it holds the store, and straight to the store when it does not', async (t) => {
  const dir = join(await tempDir(), 'node')
  t.is((await runFedmesh(['init', '--site-id', 'uk_north', '--jurisdiction', 'UK', '--data-dir', dir, '--api-port', String(await freePort()), '--listen', '/ip4/127.0.0.1/tcp/0'])).code, 0)
  const node = startFedmesh(dir)
  t.teardown(async () => { await node.terminate() })
  await node.waitFor('ready')
  const added = await runFedmesh(['participant', 'add', '--handle', 'alice', '--offer', 'legal.contracts', '--need', 'food.catering', '--data-dir', dir])
  t.is(added.code, 0, added.stderr)
  const bad = await runFedmesh(['participant', 'add', '--handle', 'bob', '--offer', 'no.such.category', '--need', 'food.catering', '--data-dir', dir])
  t.is(bad.code, 2, 'bad input through the API is still exit code 2')
  t.regex(bad.stderr, /no\.such\.category/)
  const whileRunning = await runFedmesh(['participant', 'list', '--json', '--data-dir', dir])
  t.is(whileRunning.code, 0, whileRunning.stderr)
  t.regex(whileRunning.stdout, /sep:\/\/alice@uk_north/)
  t.is((await node.terminate()).code, 0)
  const afterStop = await runFedmesh(['participant', 'list', '--json', '--data-dir', dir])
  t.is(afterStop.code, 0, afterStop.stderr)
  t.deepEqual(JSON.parse(afterStop.stdout), JSON.parse(whileRunning.stdout))
})
