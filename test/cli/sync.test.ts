/**
 * `fedmesh sync status [--json]` on a stopped node's store (in-process
 * through `main`, stdout captured): the logs as stored, the frontier, a gap
 * above it, a range given up; and the same operation on a running node goes
 * to its sync service (test/services/sync/sync.test.ts covers the live view).
 */
import test from 'ava'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fedmesh } from '../fixtures/in-process-cli.ts'
import { writeConfig } from '../../src/config/load.ts'
import { Store } from '../../src/store/store.ts'
import { SyncLogRepository } from '../../src/store/sync-logs.ts'

const ORIGIN = '12D3KooWGzQpDQ3X8kqjaB4qEYDX5kE3i8ch5czKETNhUtBzaL1f'

/** A data dir whose store holds ORIGIN's incident_summary log at seqs 1–3 and 6–7 (4–5 missing). */
async function dataDirWithGap (): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'fedmesh-cli-sync-'))
  await writeConfig(dir, { site_id: 'uk_north', jurisdiction: 'UK', federation: { federation_id: 'example' } })
  const store = await Store.open({ dataDir: dir })
  const repository = new SyncLogRepository(store)
  const hash = (seq: number): string => seq.toString(16).padStart(64, '0')
  for (const seq of [1, 2, 3, 6, 7]) {
    await store.batch(repository.appendOperations('incident_summary', ORIGIN, seq, new Uint8Array([seq]), { hash: hash(seq), prev: seq === 1 ? '' : hash(seq - 1) }))
  }
  await store.close()
  return dir
}

test.serial('sync status --json on a stopped node: per origin the frontier, the gap above it, never skipped', async (t) => {
  const dir = await dataDirWithGap()
  const result = await fedmesh('sync', 'status', '--json', '--data-dir', dir)
  t.is(result.code, 0, result.stderr)
  const status = JSON.parse(result.stdout)
  t.false(status.node_running)
  t.false(status.complete)
  t.is(status.gaps, 1)
  t.is(status.logs.length, 1)
  t.like(status.logs[0], { data_class: 'incident_summary', origin: ORIGIN, frontier: 3, high: 7, count: 5, known_high: 7 })
  t.deepEqual(status.logs[0].gaps, [{ from: 4, to: 5, available_at: [], unfillable: false }])
})

test.serial('sync status prints each log, its gaps and a summary', async (t) => {
  const dir = await dataDirWithGap()
  const result = await fedmesh('sync', 'status', '--data-dir', dir)
  t.is(result.code, 0, result.stderr)
  t.regex(result.stdout, /node not running/)
  t.regex(result.stdout, /incident_summary\s+12D3KooW…BzaL1f\s+frontier\s+3\s+high\s+7\s+known\s+7\s+1 gap/)
  t.regex(result.stdout, /gap 4–5: no peer advertised it yet/)
  t.regex(result.stdout, /1 logs, 1 gaps; synced 0 envelopes/)
})

test.serial('sync status on an empty store: no logs, complete', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'fedmesh-cli-sync-'))
  await writeConfig(dir, { site_id: 'uk_north', jurisdiction: 'UK', federation: { federation_id: 'example' } })
  const result = await fedmesh('sync', 'status', '--json', '--data-dir', dir)
  t.is(result.code, 0, result.stderr)
  t.like(JSON.parse(result.stdout), { node_running: false, logs: [], complete: true, gaps: 0 })
})
