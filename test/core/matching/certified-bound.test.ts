import test from 'ava'
import { parseInstanceDocument } from '../../../src/core/matching/index.ts'
import { buildCategoryGraph } from '../../../src/core/matching/category-graph.ts'
import { clearGraph } from '../../../src/core/matching/clearing.ts'
import { improveClearing } from '../../../src/core/matching/exact.ts'
import { generateCycleColumns } from '../../../src/core/matching/column-generation.ts'
import { returnBound } from '../../../src/core/matching/return-bound.ts'
import { swapTwoForThree } from '../../../src/core/matching/local-search.ts'
import { enumerateCategoryCycles, type CategoryCycles } from '../../../src/core/matching/category-cycles.ts'
import { materializeChains } from '../../../src/core/matching/pools.ts'
import { loadHighsSolver } from '../../../src/solver/highs-solver.ts'
import { random32, referenceOptimum, zipfDocument } from './zipf-instances.ts'

const SEED = 20261205
const INSTANCES = 120

test(`on ${INSTANCES} seeded Zipf instances the return-capacity bound and the column-generation LP bound are never below the optimum`, async (t) => {
  const solver = await loadHighsSolver()
  const random = random32(SEED)
  let tighter = 0
  let converged = 0
  for (let i = 0; i < INSTANCES; i++) {
    const categories = 3 + Math.floor(random() * 10)
    const participants = 5 + Math.floor(random() * 116)
    // every third instance at cap 3, where the circulation overstates the optimum most
    const cap = i % 3 === 0 ? 3 : 2 + Math.floor(random() * 5)
    const document = zipfDocument(SEED + i, categories, participants)
    const graph = buildCategoryGraph(parseInstanceDocument(document))
    const heuristic = clearGraph(graph, cap)
    const optimum = await referenceOptimum(document, cap)
    const where = `instance ${i}: ${categories} categories, ${participants} participants, cap ${cap}`
    const combinatorial = returnBound(graph, cap, Infinity)!
    t.true(combinatorial >= optimum, `${where}: return bound ${combinatorial} ≥ optimum ${optimum}`)
    t.true(combinatorial <= heuristic.bound, `${where}: never above the circulation`)
    if (combinatorial < heuristic.bound) tighter++
    const generated = generateCycleColumns(graph, cap, heuristic.boundChains, { solver, remainingSeconds: () => 600, roundsMax: 1000 })
    t.true(generated.bound >= optimum, `${where}: certified LP bound ${generated.bound} ≥ optimum ${optimum}`)
    if (generated.converged) {
      converged++
      // at the LP optimum the certificate loses nothing but rounding
      t.true(generated.bound <= generated.lpValue + 1, `${where}: bound ${generated.bound} ≤ LP ${generated.lpValue} + 1`)
      t.true(generated.lpValue >= optimum - 1e-6, `${where}: LP ${generated.lpValue} ≥ optimum ${optimum}`)
    }
    // the exact mode forced onto the column-generation path: its bound and answer are valid too
    const exact = improveClearing(graph, heuristic, { solver, remainingSeconds: () => 600, lpRoundCyclesMax: 0 })
    t.true(exact.bound >= optimum && exact.participantsServed <= optimum, `${where}: served ${exact.participantsServed} ≤ optimum ${optimum} ≤ bound ${exact.bound}`)
    t.true(exact.participantsServed >= heuristic.participantsServed, `${where}: never worse than the heuristic`)
  }
  t.true(converged >= INSTANCES * 0.9, `column generation converged in ${converged} of ${INSTANCES}`)
  t.true(tighter > 0, 'the return bound is tighter than the circulation somewhere')
  t.log(`return bound below the circulation in ${tighter} of ${INSTANCES}; column generation converged in ${converged}`)
})

test('LP-round and column generation never serve fewer than the heuristic and give the same chains on every run', async (t) => {
  const solver = await loadHighsSolver()
  // mid-sized cap-3 Zipf instances: the heuristic is below the bound, the exact paths have work to do
  for (const [seed, categories, participants] of [[11, 60, 600], [12, 120, 900], [13, 40, 1500]] as const) {
    const graph = buildCategoryGraph(parseInstanceDocument(zipfDocument(seed, categories, participants)))
    const heuristic = clearGraph(graph, 3)
    for (const forced of [{}, { lpRoundCyclesMax: 0 }]) {
      // a budget no machine reaches on these sizes: work limits (rounds, nodes) decide, not the clock
      const run = (): ReturnType<typeof improveClearing> => improveClearing(graph, heuristic, { solver, remainingSeconds: () => 600, ...forced })
      const first = run()
      const second = run()
      const where = `seed ${seed}, ${categories} categories, ${participants} participants, ${'lpRoundCyclesMax' in forced ? 'column generation' : 'listed cycles'}`
      t.true(first.participantsServed >= heuristic.participantsServed, `${where}: ${first.participantsServed} ≥ heuristic ${heuristic.participantsServed}`)
      t.true(first.bound >= first.participantsServed && first.bound <= heuristic.bound, where)
      t.is(second.participantsServed, first.participantsServed, `${where}: deterministic`)
      t.is(second.bound, first.bound, `${where}: deterministic bound`)
      t.deepEqual(materializeChains(graph, second.boundChains), materializeChains(graph, first.boundChains), `${where}: the same chains`)
      const chains = materializeChains(graph, first.boundChains)
      t.is(chains.reduce((sum, chain) => sum + chain.steps.length, 0), first.participantsServed)
      t.true(chains.every((chain) => chain.steps.length <= 3 && chain.steps.every((step, k) => step.offer === chain.steps[(k + 1) % chain.steps.length]!.need)), where)
      t.log(`${where}: heuristic ${heuristic.participantsServed}, exact ${first.participantsServed} (${first.method}), bound ${first.bound} (${first.boundMethod}), circulation ${heuristic.bound}`)
    }
  }
})

test('a two-chain gives its units to three-chains when units nobody uses close them; never fewer served; capacities hold', async (t) => {
  // a ⇄ b once, plus free units b → x, x → a and a → y, y → b: one two-chain (2 served) becomes two three-chains (6)
  const document = {
    categories: ['a', 'b', 'x', 'y'],
    nodes: [{ id: 'A', summary: [
      { need: 'a', offer: 'b', count: 1 }, { need: 'b', offer: 'a', count: 1 },
      { need: 'b', offer: 'x', count: 1 }, { need: 'x', offer: 'a', count: 1 },
      { need: 'a', offer: 'y', count: 1 }, { need: 'y', offer: 'b', count: 1 }
    ] }]
  }
  const graph = buildCategoryGraph(parseInstanceDocument(document))
  const ab = Array.from({ length: graph.edgeCount }, (_, e) => e).find((e) => graph.edgeFrom[e] === 0 && graph.edgeTo[e] === 1)!
  const ba = Array.from({ length: graph.edgeCount }, (_, e) => e).find((e) => graph.edgeFrom[e] === 1 && graph.edgeTo[e] === 0)!
  const cycles = { edges: Int32Array.of(ab, ba), starts: Int32Array.of(0, 2), count: 1, truncated: false }
  const swapped = swapTwoForThree(graph, cycles, Float64Array.of(1), 3)
  const served = (c: CategoryCycles, counts: Float64Array): number => Array.from(counts).reduce((sum, n, i) => sum + n * (c.starts[i + 1]! - c.starts[i]!), 0)
  t.is(served(swapped.cycles, swapped.counts), 6)
  t.is(swapTwoForThree(graph, cycles, Float64Array.of(1), 2).counts[0], 1, 'no swap at cap 2')
  // on random instances: never fewer served, and no edge over its units
  const random = random32(SEED + 7)
  for (let i = 0; i < 60; i++) {
    const doc = zipfDocument(SEED + 1000 + i, 3 + Math.floor(random() * 10), 20 + Math.floor(random() * 200))
    const g = buildCategoryGraph(parseInstanceDocument(doc))
    const listed = enumerateCategoryCycles(g, g.edgeCapacity, 2, 100_000)
    // every two-cycle as many times as it fits, greedily: a start that spends units in two-chains
    const counts = new Float64Array(listed.count)
    const left = Float64Array.from(g.edgeCapacity)
    for (let c = 0; c < listed.count; c++) {
      const [e, f] = [listed.edges[listed.starts[c]!]!, listed.edges[listed.starts[c]! + 1]!]
      counts[c] = Math.min(left[e]!, left[f]!)
      left[e]! -= counts[c]!
      left[f]! -= counts[c]!
    }
    const out = swapTwoForThree(g, listed, counts, 3)
    t.true(served(out.cycles, out.counts) >= served(listed, counts), `instance ${i}: never fewer`)
    const used = new Float64Array(g.edgeCount)
    for (let c = 0; c < out.cycles.count; c++) for (let k = out.cycles.starts[c]!; k < out.cycles.starts[c + 1]!; k++) used[out.cycles.edges[k]!]! += out.counts[c]!
    t.true(used.every((u, e) => u <= g.edgeCapacity[e]!), `instance ${i}: within capacities`)
    t.true(out.cycles.count === listed.count || Array.from({ length: out.cycles.count - listed.count }, (_, j) => listed.count + j).every((c) => out.cycles.starts[c + 1]! - out.cycles.starts[c]! === 3))
  }
})
