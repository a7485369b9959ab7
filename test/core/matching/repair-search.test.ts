import test from 'ava'
import { parseInstanceDocument } from '../../../src/core/matching/index.ts'
import { buildCategoryGraph, type CategoryGraph } from '../../../src/core/matching/category-graph.ts'
import { clearGraph } from '../../../src/core/matching/clearing.ts'
import { heuristicCycles } from '../../../src/core/matching/column-generation.ts'
import { repairSearch } from '../../../src/core/matching/repair-search.ts'
import type { CategoryCycles } from '../../../src/core/matching/category-cycles.ts'
import { random32, zipfDocument } from './zipf-instances.ts'

const SEED = 20261206
const forever = (): number => 600

function served (cycles: CategoryCycles, counts: Float64Array): number {
  let total = 0
  for (let c = 0; c < cycles.count; c++) total += counts[c]! * (cycles.starts[c + 1]! - cycles.starts[c]!)
  return total
}

function edgeOf (graph: CategoryGraph, from: number, to: number): number {
  return Array.from({ length: graph.edgeCount }, (_, e) => e).find((e) => graph.edgeFrom[e] === from && graph.edgeTo[e] === to)!
}

/** Cycle counts of a list of cycles (duplicates counted), as repairSearch takes them. */
function pack (list: Int32Array[]): { cycles: CategoryCycles, counts: Float64Array } {
  const starts = new Int32Array(list.length + 1)
  list.forEach((cycle, c) => { starts[c + 1] = starts[c]! + cycle.length })
  const edges = new Int32Array(starts[list.length]!)
  list.forEach((cycle, c) => edges.set(cycle, starts[c]!))
  return { cycles: { edges, starts, count: list.length, truncated: false }, counts: new Float64Array(list.length).fill(1) }
}

test('a three-chain of hub units gives each unit to a three-chain with free units: 3 served become 9', (t) => {
  // a → b → c → a once; free units b → x → a, c → y → b, a → z → c close one three-chain through each of its units
  const document = {
    categories: ['a', 'b', 'c', 'x', 'y', 'z'],
    nodes: [{ id: 'A', summary: [
      { need: 'a', offer: 'b', count: 1 }, { need: 'b', offer: 'c', count: 1 }, { need: 'c', offer: 'a', count: 1 },
      { need: 'b', offer: 'x', count: 1 }, { need: 'x', offer: 'a', count: 1 },
      { need: 'c', offer: 'y', count: 1 }, { need: 'y', offer: 'b', count: 1 },
      { need: 'a', offer: 'z', count: 1 }, { need: 'z', offer: 'c', count: 1 }
    ] }]
  }
  const graph = buildCategoryGraph(parseInstanceDocument(document))
  const { cycles, counts } = pack([Int32Array.of(edgeOf(graph, 0, 1), edgeOf(graph, 1, 2), edgeOf(graph, 2, 0))])
  const out = repairSearch(graph, cycles, counts, { cap: 3, workMax: Infinity, remainingSeconds: forever })
  t.is(served(out.cycles, out.counts), 9)
  t.is(out.gained, 6)
  t.is(out.counts[0], 0, 'the hub chain was taken apart')
  // at cap 2 no chain of ≤ 2 closes through the freed units: nothing changes
  const capped = repairSearch(graph, cycles, counts, { cap: 2, workMax: Infinity, remainingSeconds: forever })
  t.is(served(capped.cycles, capped.counts), 3)
  // no work allowed, no time left: nothing changes either
  t.is(repairSearch(graph, cycles, counts, { cap: 3, workMax: 0, remainingSeconds: forever }).gained, 0)
  t.is(repairSearch(graph, cycles, counts, { cap: 3, workMax: Infinity, remainingSeconds: () => 0 }).gained, 0)
})

test('on random instances the repair search never serves fewer, keeps every edge within its units and every cycle within the cap, and is deterministic', (t) => {
  const random = random32(SEED)
  let improved = 0
  let plateauGains = 0
  for (let i = 0; i < 80; i++) {
    const categories = 3 + Math.floor(random() * 20)
    const participants = 20 + Math.floor(random() * 400)
    const cap = 3 + Math.floor(random() * 4)
    const graph = buildCategoryGraph(parseInstanceDocument(zipfDocument(SEED + i, categories, participants)))
    const heuristic = clearGraph(graph, cap)
    const { cycles, counts } = pack(heuristicCycles(graph, heuristic.boundChains))
    const where = `instance ${i}: ${categories} categories, ${participants} participants, cap ${cap}`
    const out = repairSearch(graph, cycles, counts, { cap, workMax: Infinity, remainingSeconds: forever })
    const before = served(cycles, counts)
    const after = served(out.cycles, out.counts)
    t.true(after >= before, `${where}: never fewer`)
    t.is(after - before, out.gained, `${where}: the gain is what it says`)
    if (after > before) improved++
    const used = new Float64Array(graph.edgeCount)
    for (let c = 0; c < out.cycles.count; c++) {
      const length = out.cycles.starts[c + 1]! - out.cycles.starts[c]!
      t.true(out.counts[c]! >= 0 && Number.isInteger(out.counts[c]!), `${where}: whole counts`)
      if (out.counts[c] === 0) continue
      t.true(length >= 2 && length <= cap, `${where}: cycle ${c} within the cap`)
      for (let k = 0; k < length; k++) {
        const e = out.cycles.edges[out.cycles.starts[c]! + k]!
        const next = out.cycles.edges[out.cycles.starts[c]! + (k + 1) % length]!
        t.is(graph.edgeTo[e], graph.edgeFrom[next], `${where}: cycle ${c} is closed`)
        used[e]! += out.counts[c]!
      }
    }
    t.true(used.every((u, e) => u <= graph.edgeCapacity[e]!), `${where}: within capacities`)
    const again = repairSearch(graph, cycles, counts, { cap, workMax: Infinity, remainingSeconds: forever })
    t.deepEqual([Array.from(again.cycles.edges), Array.from(again.counts)], [Array.from(out.cycles.edges), Array.from(out.counts)], `${where}: deterministic`)
    // plateau passes start where the strict passes end, so they never serve fewer than the strict search alone
    const strict = repairSearch(graph, cycles, counts, { cap, workMax: Infinity, remainingSeconds: forever, plateauPasses: 0 })
    t.true(out.gained >= strict.gained, `${where}: plateau passes ${out.gained} ≥ strict ${strict.gained}`)
    if (out.gained > strict.gained) plateauGains++
  }
  t.true(plateauGains > 0, 'plateau passes serve more than the strict search somewhere')
  t.log(`the repair search served more than the heuristic's own chains on ${improved} of 80; plateau passes added to the strict search on ${plateauGains}`)
})
