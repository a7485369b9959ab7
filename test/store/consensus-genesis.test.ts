import test from 'ava'
import { mkdtemp, readFile, writeFile, truncate } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse, stringify } from 'yaml'
import { loadGenesisFile, GenesisNodeIdError, GenesisFileError } from '../../src/store/consensus-genesis.ts'
import { GENESIS_FILE_BYTES_MAX, GenesisFormatError, GenesisSignatureError } from '../../src/core/consensus/genesis.ts'
import { realVerifier } from '../core/consensus/fixtures.ts'

const EXAMPLE = fileURLToPath(new URL('../../bootstrap/genesis.example.yaml', import.meta.url))

async function variant (change: (doc: Record<string, any>) => void): Promise<string> { // a genesis document of any shape
  const doc = parse(await readFile(EXAMPLE, 'utf8'))
  change(doc)
  const dir = await mkdtemp(join(tmpdir(), 'fedmesh-genesis-'))
  const file = join(dir, 'genesis.yaml')
  await writeFile(file, stringify(doc))
  return file
}

test('the example genesis file verifies: three founders, bft', async (t) => {
  const genesis = await loadGenesisFile(EXAMPLE, realVerifier)
  t.is(genesis.membership.federation_id, 'example')
  t.is(genesis.membership.members.size, 3)
  t.is(genesis.policy.threshold, 'bft')
})

test('an edited example no longer verifies', async (t) => {
  const file = await variant((doc) => { doc.members[0].site_id = 'elsewhere' })
  await t.throwsAsync(loadGenesisFile(file, realVerifier), { instanceOf: GenesisSignatureError })
})

test('a node id that is not the peer id of its key is refused', async (t) => {
  const file = await variant((doc) => { doc.members[0].node_id = doc.members[1].node_id.replace(/.$/, (c: string) => (c === 'a' ? 'b' : 'a')) })
  await t.throwsAsync(loadGenesisFile(file, realVerifier), { instanceOf: GenesisNodeIdError })
})

test('a missing file is a GenesisFileError', async (t) => {
  await t.throwsAsync(loadGenesisFile('/nonexistent/genesis.yaml', realVerifier), { instanceOf: GenesisFileError })
})

test('a genesis file of GENESIS_FILE_BYTES_MAX bytes is read, one byte more is refused unread', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'fedmesh-genesis-'))
  const file = join(dir, 'big.yaml')
  await writeFile(file, '')
  await truncate(file, GENESIS_FILE_BYTES_MAX)
  // all NUL bytes: read and parsed, so the error is about the content, not the size
  const atMax = await t.throwsAsync(loadGenesisFile(file, realVerifier), { instanceOf: GenesisFormatError })
  t.notRegex(atMax?.message ?? '', /over/)
  await truncate(file, GENESIS_FILE_BYTES_MAX + 1)
  const over = await t.throwsAsync(loadGenesisFile(file, realVerifier), { instanceOf: GenesisFormatError })
  t.regex(over?.message ?? '', /over/)
})
