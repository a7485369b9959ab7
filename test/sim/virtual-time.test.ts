/**
 * Virtual time: a small `smoke` run (12 real nodes in this process, 4 s of
 * load) on one simulated clock, twice with one seed: the two reports are
 * byte-identical, whatever the host's load did to the wall time; every
 * message is delivered, and the latency p99 is within 2× the modelled
 * diameter of the load topic's mesh (the report's graph section).
 */
import test from 'ava'
import { loadScenario } from '../../sim/scenario.ts'
import { simulate } from '../../sim/simulate.ts'

test('the virtual-time smoke run twice with one seed gives identical reports, with every message delivered within 2x the mesh diameter', async (t) => {
  t.timeout(600_000, 'two 12-node virtual-time runs: host load slows them, never changes the result')
  // smaller than the smoke file (20 nodes, 8 s of load): this test runs in `npm test`
  const scenario = { ...await loadScenario('sim/scenarios/smoke.yaml'), nodes: 12, duration_seconds: 4 }
  const first = await simulate(scenario, { clock: 'virtual' })
  const second = await simulate(scenario, { clock: 'virtual' })
  t.log(`wall ${((first.virtualTime?.wallMs ?? 0) / 1000).toFixed(1)} s + ${((second.virtualTime?.wallMs ?? 0) / 1000).toFixed(1)} s for ${((first.virtualTime?.virtualMs ?? 0) / 1000).toFixed(1)} virtual s; ${first.virtualTime?.timerFirings} firings in ${first.virtualTime?.batches} event-loop turns`)
  t.is(first.report.mode.clock, 'virtual')
  t.is(first.report.messages.delivery_ratio, 1)
  t.is(JSON.stringify(second.report), JSON.stringify(first.report))
  t.deepEqual(second.virtualTime?.timerFirings, first.virtualTime?.timerFirings)
  t.deepEqual(second.virtualTime?.batches, first.virtualTime?.batches)
  // timers due at one instant share an event-loop turn
  t.true((first.virtualTime?.batches ?? 0) < (first.virtualTime?.timerFirings ?? 0))
  const graph = first.report.graph
  if (graph === null) return t.fail('an in-process run records its graph')
  t.is(graph.link_latency_ms, 10)
  t.is(graph.load_start.mesh.components, 1)
  t.true(graph.load_start.mesh.diameter_hops >= 1)
  t.true(graph.p99_over_diameter !== null && graph.p99_over_diameter <= 2, `p99 ${first.report.messages.latency_ms.p99} ms, modelled diameter ${graph.modelled_diameter_ms} ms`)
})
