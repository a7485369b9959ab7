import test from 'ava'
import { readFile } from 'node:fs/promises'
import { parseConfigText } from '../../src/config/load.ts'

test('the shipped bootstrap-node config is valid and federated', async (t) => {
  const config = parseConfigText(await readFile(new URL('../../bootstrap/bootstrap-node.yaml', import.meta.url), 'utf8'))
  t.true(config.federation.enabled)
  t.is(config.api.host, '127.0.0.1')
})
