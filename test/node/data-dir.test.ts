import test from 'ava'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { apiTokenSource, readApiToken, rotateApiToken } from '../../src/node/data-dir.ts'

test('a running node\'s token source returns the rotated token from the next read on', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'fedmesh-token-'))
  t.teardown(async () => { await rm(dir, { recursive: true, force: true }) })
  await rotateApiToken(dir)
  const source = apiTokenSource(dir)
  const first = await source()
  t.is(first, await readApiToken(dir))
  t.is(await source(), first, 'unchanged file, same token')
  await rotateApiToken(dir)
  const second = await source()
  t.not(second, first)
  t.is(second, await readApiToken(dir))
})
