/**
 * Secrets that cannot silently change: the API token and the data dir are
 * mode-checked like the keys; a changed node.key or mldsa.key stops the node
 * from starting until the change is confirmed; `token rotate` replaces only
 * the token. Every refusal names its error: `fedmesh: <ErrorName>: …`.
 */
import test from 'ava'
import { chmod, copyFile, mkdtemp, readFile, rm, stat, unlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort, runFedmesh, startFedmesh } from '../fixtures/cli.ts'

async function init (dir: string, site: string): Promise<void> {
  const result = await runFedmesh(['init', '--site-id', site, '--jurisdiction', 'UK', '--api-port', String(await freePort()), '--data-dir', dir])
  if (result.code !== 0) throw new Error(`init failed: ${result.stderr}`)
}

/** Starts the node until it is ready, reads its PeerId from the log, stops it. */
async function startOnce (dir: string, ...extra: string[]): Promise<string> {
  const node = startFedmesh(dir, ...extra)
  try {
    const ready = await node.waitFor('ready', 60_000)
    return String(ready.peerId)
  } finally {
    await node.terminate()
  }
}

test('token and data dir modes, changed keys and token rotation are each refused or handled by name', async (t) => {
  t.timeout(170_000)
  const root = await mkdtemp(join(tmpdir(), 'fedmesh-secrets-'))
  t.teardown(async () => { await rm(root, { recursive: true, force: true }) })
  const a = join(root, 'a')
  const b = join(root, 'b')
  await init(a, 'site_a')
  await init(b, 'site_b')
  const peerId = await startOnce(a)
  const refused = async (name: string): Promise<void> => {
    const result = await runFedmesh(['start', '--data-dir', a], 60_000)
    t.is(result.code, 2, result.stderr)
    t.regex(result.stderr, new RegExp(`^fedmesh: ${name}: `, 'm'))
  }

  // the token: world-readable, then missing
  const tokenFile = join(a, 'api.token')
  await chmod(tokenFile, 0o666)
  await refused('ApiTokenPermissionsError')
  await unlink(tokenFile)
  await refused('ApiTokenMissingError')
  const before = await readFile(join(a, 'node.key'))
  t.is((await runFedmesh(['token', 'rotate', '--data-dir', a])).code, 0)
  t.is((await stat(tokenFile)).mode & 0o777, 0o600)
  const firstToken = await readFile(tokenFile, 'utf8')
  t.is((await runFedmesh(['token', 'rotate', '--data-dir', a])).code, 0)
  t.not(await readFile(tokenFile, 'utf8'), firstToken, 'a new token each time')
  t.deepEqual(await readFile(join(a, 'node.key')), before, 'rotating the token leaves the keys alone')

  // the data dir open to others
  await chmod(a, 0o777)
  await refused('DataDirPermissionsError')
  await chmod(a, 0o700)

  // one byte of the ML-DSA seed flipped, then another node's mldsa.key copied in
  const mldsaFile = join(a, 'mldsa.key')
  const mldsa = await readFile(mldsaFile)
  const flipped = Buffer.from(mldsa)
  flipped[flipped.length - 1]! ^= 0x01
  await writeFile(mldsaFile, flipped)
  await refused('NodeKeysChangedError')
  await copyFile(join(b, 'mldsa.key'), mldsaFile)
  await refused('NodeKeysChangedError')
  // confirmed: it starts, with the same PeerId (node.key is unchanged), and the rotated token works
  t.is(await startOnce(a, '--accept-new-keys'), peerId)
  t.is(await startOnce(a), peerId, 'the accepted keys are the recorded ones now')
})

test('with --json a failure is a JSON error object with its name and exit code', async (t) => {
  const root = await mkdtemp(join(tmpdir(), 'fedmesh-json-error-'))
  t.teardown(async () => { await rm(root, { recursive: true, force: true }) })
  await init(root, 'site_j')
  const result = await runFedmesh(['status', '--json', '--data-dir', root])
  t.is(result.code, 3)
  const body = JSON.parse(result.stdout) as { error: { name: string, message: string, exit_code: number } }
  t.is(body.error.name, 'NodeUnreachableError')
  t.is(body.error.exit_code, 3)
  const long = await runFedmesh(['participant', 'add', '--handle', 'A'.repeat(100_000), '--offer', 'design', '--need', 'legal.contracts', '--data-dir', root])
  t.is(long.code, 2)
  t.true(long.stderr.length < 3_000, `an echoed 100,000-character handle is cut (stderr ${long.stderr.length} characters)`)
})
