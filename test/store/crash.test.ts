/**
 * A store killed mid-write (SIGKILL, no chance to flush) reopens consistent:
 * every multi-key batch is there whole or not at all.
 */
import test from 'ava'
import { spawn } from 'node:child_process'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Store } from '../../src/store/store.ts'

const storeModule = fileURLToPath(new URL('../../src/store/store.ts', import.meta.url))
const KEYS_PER_BATCH = 50

/** A child that writes batches of KEYS_PER_BATCH keys as fast as it can until killed. */
const writer = `
const { Store } = await import(${JSON.stringify(storeModule)})
const store = await Store.open({ dataDir: process.argv[1] })
const payload = 'x'.repeat(2000)
console.log('open')
for (let batch = 0; ; batch++) {
  const ops = []
  for (let i = 0; i < ${KEYS_PER_BATCH}; i++) ops.push({ type: 'put', sublevel: store.sublevel('crash'), key: String(batch).padStart(8, '0') + ':' + i, value: { batch, i, payload } })
  await store.batch(ops)
}
`

test('SIGKILL during batched writes leaves every batch whole or absent', async (t) => {
  const dataDir = await mkdtemp(join(tmpdir(), 'fedmesh-crash-'))
  for (let round = 0; round < 3; round++) {
    const child = spawn(process.execPath, ['--experimental-transform-types', '--disable-warning=ExperimentalWarning', '--input-type=module', '-e', writer, dataDir], { stdio: ['ignore', 'pipe', 'inherit'] })
    await new Promise<void>((resolve) => child.stdout.once('data', () => { resolve() }))
    await new Promise((resolve) => setTimeout(resolve, 300 + round * 200))
    child.kill('SIGKILL')
    await new Promise((resolve) => child.once('exit', resolve))

    const store = await Store.open({ dataDir })
    const counts = new Map<number, number>()
    for await (const value of store.sublevel<{ batch: number }>('crash').values()) {
      counts.set(value.batch, (counts.get(value.batch) ?? 0) + 1)
    }
    await store.close()
    t.true(counts.size > 0, `round ${round}: some batches were written`)
    for (const [batch, count] of counts) t.is(count, KEYS_PER_BATCH, `round ${round}: batch ${batch} is whole`)
  }
})
