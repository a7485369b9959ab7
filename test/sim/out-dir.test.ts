/**
 * `--out` is checked before a single node starts: a run of many minutes must
 * not end in a mkdir error that loses its report.
 */
import test from 'ava'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadScenario } from '../../sim/scenario.ts'
import { simulate } from '../../sim/simulate.ts'

test('an --out that cannot be a directory fails before the run starts', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'fedmesh-sim-out-'))
  t.teardown(async () => { await rm(dir, { recursive: true, force: true }) })
  const file = join(dir, 'taken')
  await writeFile(file, 'not a directory\n')
  const scenario = { ...await loadScenario('sim/scenarios/smoke.yaml'), nodes: 3 }
  let progressReports = 0
  const error = await t.throwsAsync(simulate(scenario, { outDir: file, onProgress: () => { progressReports++ } }))
  t.is((error as NodeJS.ErrnoException).code, 'EEXIST')
  t.is(progressReports, 0, 'no phase of the run was played')
})
