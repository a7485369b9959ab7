/**
 * SIGKILL during audit appends: a child appends records in batches (each
 * batch also writes one data key, as a service's batch would) and is killed
 * with no chance to flush, over and over. After every kill the log must
 * verify, hold a whole number of batches, and match the data batches exactly.
 */
import test from 'ava'
import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus'
import { uniformInt } from 'pure-rand/distribution/uniformInt'
import { Store } from '../../src/store/store.ts'
import { AuditLog } from '../../src/store/audit-log.ts'

const storeModule = fileURLToPath(new URL('../../src/store/store.ts', import.meta.url))
const auditModule = fileURLToPath(new URL('../../src/store/audit-log.ts', import.meta.url))
const RECORDS_PER_BATCH = 64
const ROUNDS = 22

/** Appends batches until killed; says "ready" once the first batch of this run is written. */
const appender = `
const { Store } = await import(${JSON.stringify(storeModule)})
const { AuditLog } = await import(${JSON.stringify(auditModule)})
const store = await Store.open({ dataDir: process.argv[1] })
const log = await AuditLog.open(store)
const data = store.sublevel('crash-data')
for (let batch = 0; ; batch++) {
  const first = log.head().size
  const records = []
  for (let i = 0; i < ${RECORDS_PER_BATCH}; i++) records.push({ kind: 'boundary', timestamp_ms: first + i, direction: 'in', data_class: 'summary', peer: 'p' + (i % 5), verdict: 'accepted', reason: 'x'.repeat(200) })
  await log.append(records, store, [{ type: 'put', sublevel: data, key: String(first).padStart(12, '0'), value: { first } }])
  if (batch === 0) console.log('ready')
}
`

test('SIGKILL at random points during batched appends always leaves a verifiable log of whole batches', async (t) => {
  const dataDir = await mkdtemp(join(tmpdir(), 'fedmesh-audit-crash-'))
  const rng = xoroshiro128plus(0xa0d17)
  let previousSize = 0
  try {
    for (let round = 0; round < ROUNDS; round++) {
      const child = spawn(process.execPath, ['--experimental-transform-types', '--disable-warning=ExperimentalWarning', '--input-type=module', '-e', appender, dataDir], { stdio: ['ignore', 'pipe', 'inherit'] })
      const exited = new Promise((resolve) => child.once('exit', resolve))
      await Promise.race([new Promise<void>((resolve) => child.stdout.once('data', () => { resolve() })), exited])
      await new Promise((resolve) => setTimeout(resolve, uniformInt(rng, 0, 250)))
      child.kill('SIGKILL')
      await exited

      const store = await Store.open({ dataDir })
      const log = await AuditLog.open(store)
      const report = await log.verify()
      const dataBatches = await store.sublevel<{ first: number }>('crash-data').values().all()
      await store.close()
      t.true(report.ok, `round ${round}: ${report.ok ? '' : report.detail}`)
      const size = log.head().size
      t.is(size % RECORDS_PER_BATCH, 0, `round ${round}: ${size} leaves is a whole number of batches`)
      t.true(size > previousSize, `round ${round}: the child committed at least one batch`)
      t.deepEqual(dataBatches.map((d) => d.first), Array.from({ length: size / RECORDS_PER_BATCH }, (_, i) => i * RECORDS_PER_BATCH), `round ${round}: data and audit records were written together`)
      previousSize = size
    }
  } finally {
    await rm(dataDir, { recursive: true, force: true })
  }
})
