/**
 * `fedmesh console` against a real `fedmesh start` process (the built CLI in
 * dist/): it prints the URL, the URL serves the console from the built node,
 * and with the node stopped it says so and exits 3.
 */
import test from 'ava'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort, runFedmesh, startFedmesh } from '../fixtures/cli.ts'

test('fedmesh console prints the URL of the running node\'s console, which serves the app; stopped, it exits 3', async (t) => {
  const dataDir = await mkdtemp(join(tmpdir(), 'fedmesh-console-'))
  const apiPort = await freePort()
  const init = await runFedmesh(['init', '--site-id', 'console_cli', '--jurisdiction', 'DE', '--data-dir', dataDir, '--api-port', String(apiPort)])
  t.is(init.code, 0, init.stderr)
  const node = startFedmesh(dataDir)
  t.teardown(async () => { await node.terminate() })
  await node.waitFor('ready')

  const printed = await runFedmesh(['console', '--data-dir', dataDir])
  t.is(printed.code, 0, printed.stderr)
  const url = `http://127.0.0.1:${apiPort}/console/`
  t.is(printed.stdout.split('\n')[0], url)
  t.true(printed.stdout.includes(join(dataDir, 'api.token')))

  // the built node (dist/) finds the app's files in the source tree and serves them
  for (const path of ['', 'main.js', 'pages/consensus.js', 'vendor/preact.mjs']) {
    const response = await fetch(`${url}${path}`)
    t.is(response.status, 200, path)
  }

  const json = await runFedmesh(['console', '--json', '--data-dir', dataDir])
  t.deepEqual(JSON.parse(json.stdout), { url, token_file: join(dataDir, 'api.token'), running: true })

  await node.terminate()
  const stopped = await runFedmesh(['console', '--data-dir', dataDir])
  t.is(stopped.code, 3)
  t.is(stopped.stdout.split('\n')[0], url, 'the URL is printed even when the node is down')
  t.regex(stopped.stdout, /not running/)
})
