/**
 * The seed fixes the run's envelopes: every node's Random component is seeded
 * from the scenario seed, so two runs with one seed publish envelopes with
 * the same ids (the report's envelope_id_digest), whatever the host's timing;
 * another seed gives other ids.
 */
import test from 'ava'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadScenario } from '../../sim/scenario.ts'
import { simulate } from '../../sim/simulate.ts'

test('the same seed twice gives identical envelope ids; another seed gives others', async (t) => {
  const smoke = await loadScenario('sim/scenarios/smoke.yaml')
  const scenario = { ...smoke, nodes: 8, duration_seconds: 3, drain_seconds: 2 }
  const digests: string[] = []
  const published: number[] = []
  for (const seed of [smoke.seed, smoke.seed, smoke.seed + 1]) {
    const outDir = await mkdtemp(join(tmpdir(), 'fedmesh-sim-seed-'))
    t.teardown(async () => { await rm(outDir, { recursive: true, force: true }) })
    const { report } = await simulate({ ...scenario, seed }, { outDir })
    t.is(report.messages.publish_failures, 0)
    digests.push(report.messages.envelope_id_digest)
    published.push(report.messages.published)
  }
  t.true(published[0]! > 0)
  t.is(published[0], published[1])
  t.is(digests[0], digests[1], 'one seed, one set of envelope ids')
  t.not(digests[0], digests[2], 'another seed, other ids')
})
