/**
 * `fedmesh relations`, `send` and `inbox` on a data dir with no running node:
 * relations and send need the node (they live in its memory and its streams),
 * inbox reads the store.
 */
import test from 'ava'
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fedmesh } from '../fixtures/in-process-cli.ts'
import { writeConfig } from '../../src/config/load.ts'

test.serial('relations and send need the running node; inbox reads the store', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'fedmesh-cli-relations-'))
  await writeConfig(dir, { site_id: 'uk_north', jurisdiction: 'UK', federation: { federation_id: 'example' } })
  const relations = await fedmesh('relations', '--json', '--data-dir', dir)
  t.is(relations.code, 2)
  t.is(JSON.parse(relations.stdout).error.name, 'NodeNotRunningError', '--json: the error as JSON on stdout')

  const file = join(dir, 'report.json')
  await writeFile(file, '{"incident":"x"}')
  const send = await fedmesh('send', '--class', 'incident_summary', '--to', 'de_south', file, '--data-dir', dir)
  t.is(send.code, 2)
  t.regex(send.stderr, /NodeNotRunningError/)
  const badClass = await fedmesh('send', '--class', 'secrets', '--to', 'de_south', file, '--data-dir', dir)
  t.is(badClass.code, 2)
  t.regex(badClass.stderr, /OperationArgumentError/)

  const inbox = await fedmesh('inbox', '--json', '--data-dir', dir)
  t.is(inbox.code, 0, inbox.stderr)
  t.deepEqual(JSON.parse(inbox.stdout), { messages: [] })
})
