/**
 * The per-link network model in a whole run (scenario `links`, sim/memory-links.ts): `virtual_wan` scaled to
 * 10 nodes and 3 s of load, twice with one seed. The two reports are byte-identical; the report names the model
 * and what its links drew and carried (losses retransmitted, buffers held behind them, nothing lost: every
 * message delivered); the modelled diameter is the mesh's weighted one, not hops × 10 ms.
 */
import test from 'ava'
import { loadScenario } from '../../sim/scenario.ts'
import { simulate } from '../../sim/simulate.ts'

test('virtual_wan (10 nodes, 3 s) twice with one seed: identical reports naming the link model, every message delivered', async (t) => {
  t.timeout(600_000, 'two 10-node virtual-time runs: host load slows them, never changes the result')
  const scenario = { ...await loadScenario('sim/scenarios/virtual_wan.yaml'), nodes: 10, duration_seconds: 3 }
  const first = await simulate(scenario, { clock: 'virtual' })
  const second = await simulate(scenario, { clock: 'virtual' })
  t.log(`wall ${((first.virtualTime?.wallMs ?? 0) / 1000).toFixed(1)} s + ${((second.virtualTime?.wallMs ?? 0) / 1000).toFixed(1)} s for ${((first.virtualTime?.virtualMs ?? 0) / 1000).toFixed(1)} virtual s`)
  t.is(JSON.stringify(second.report), JSON.stringify(first.report))
  t.is(first.report.messages.delivery_ratio, 1, 'losses delay bytes, never drop them')
  const graph = first.report.graph
  const model = graph?.link_model
  if (graph === null || model === undefined) return t.fail('a run with links reports its link model')
  t.deepEqual(model.latency_ms, { min: 5, max: 150, distribution: 'log_uniform' })
  t.is(graph.link_latency_ms, null, 'no single link latency: each link drew its own')
  const drawn = model.drawn
  t.true(drawn.links >= 9, `${drawn.links} links`)
  t.true(drawn.latency_ms !== null && drawn.latency_ms.min >= 5 && drawn.latency_ms.max <= 150 && drawn.latency_ms.min < drawn.latency_ms.max)
  t.true(drawn.bandwidth_kbps !== null && drawn.bandwidth_kbps.min >= 10_000 && drawn.bandwidth_kbps.max <= 1_000_000)
  t.true(model.usage.retransmitted > 0 && model.usage.held_behind > 0, `usage ${JSON.stringify(model.usage)}`)
  t.true(model.message_bytes > scenario.load.payload_bytes)
  // the weighted diameter: a sum of drawn latencies plus serialization, not a multiple of 10 ms hops
  const diameter = graph.modelled_diameter_ms
  t.true(diameter !== null && diameter >= 5 * graph.load_start.mesh.diameter_hops && diameter <= 150 * Math.max(graph.load_start.mesh.diameter_hops, graph.load_end.mesh.diameter_hops) + 10, `diameter ${diameter} ms over ${graph.load_start.mesh.diameter_hops} hops`)
  t.is(graph.p99_over_diameter, (first.report.messages.latency_ms.p99 ?? 0) / (diameter ?? 1))
})

test('links under the real clock is refused before any node starts', async (t) => {
  const scenario = { ...await loadScenario('sim/scenarios/virtual_wan.yaml'), nodes: 2 }
  await t.throwsAsync(simulate(scenario, { clock: 'real' }), { message: /links \(the per-link network model\) runs under virtual time only: use --clock virtual/ })
})
