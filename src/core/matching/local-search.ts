/**
 * Local improvement of cycle counts on the category graph: a two-chain
 * a ⇄ b gives up one of its units to a three-chain a → b → x → a (or
 * b → a → y → b) built from units nobody uses, +1 participant; when the unit
 * it freed closes a second three-chain, +4. On Zipf data the rounding and the
 * heuristic both spend hub units in two-chains where the optimum pairs them
 * with peripheral units in three-chains (issue 18). Deterministic: two-chains
 * in index order, x in out-edge order.
 */
import { findEdge, type CategoryGraph } from './category-graph.ts'
import type { CategoryCycles } from './category-cycles.ts'
import { canonicalCycle } from './pricing.ts'

/** Applies the swaps to `counts` over `cycles`; returns the cycles (the given ones, then the three-cycles added) and their counts. */
export function swapTwoForThree (graph: CategoryGraph, cycles: CategoryCycles, counts: Float64Array, cap: number): { cycles: CategoryCycles, counts: Float64Array } {
  if (cap < 3) return { cycles, counts }
  const residual = Float64Array.from(graph.edgeCapacity)
  const kept = Float64Array.from(counts, (x) => Math.max(0, Math.round(x)))
  for (let c = 0; c < cycles.count; c++) {
    for (let i = cycles.starts[c]!; i < cycles.starts[c + 1]!; i++) residual[cycles.edges[i]!]! -= kept[c]!
  }
  const added = new Map<string, { edges: Int32Array, count: number }>()
  const addCycle = (edges: number[]): void => {
    const canonical = canonicalCycle(graph, edges)
    const key = canonical.join(',')
    const entry = added.get(key)
    if (entry === undefined) added.set(key, { edges: canonical, count: 1 })
    else entry.count++
  }
  // a three-chain from → to → x → from with to → x and x → from free
  const closeThrough = (from: number, to: number, first: number): boolean => {
    for (let i = graph.outStart[to]!; i < graph.outStart[to + 1]!; i++) {
      const second = graph.outEdges[i]!
      const x = graph.edgeTo[second]!
      if (x === from || residual[second]! <= 0) continue
      const third = findEdge(graph, x, from)
      if (third < 0 || residual[third]! <= 0) continue
      residual[second]!--
      residual[third]!--
      addCycle([first, second, third])
      return true
    }
    return false
  }
  for (let c = 0; c < cycles.count; c++) {
    if (cycles.starts[c + 1]! - cycles.starts[c]! !== 2) continue
    const ab = cycles.edges[cycles.starts[c]!]!
    const ba = cycles.edges[cycles.starts[c]! + 1]!
    const a = graph.edgeFrom[ab]!
    const b = graph.edgeTo[ab]!
    while (kept[c]! > 0) {
      // the two-chain's a → b unit goes into a three-chain; its b → a unit is then free
      let gained = closeThrough(a, b, ab)
      let freed = ba
      if (!gained) {
        gained = closeThrough(b, a, ba)
        freed = ab
      }
      if (!gained) break
      kept[c]!--
      residual[freed]!++
      // the freed unit may close a second three-chain
      const from = graph.edgeFrom[freed]!
      const to = graph.edgeTo[freed]!
      if (closeThrough(from, to, freed)) residual[freed]!--
    }
  }
  if (added.size === 0) return { cycles, counts: kept }
  const extra = [...added.values()]
  const edges = new Int32Array(cycles.edges.length + extra.length * 3)
  edges.set(cycles.edges)
  const starts = new Int32Array(cycles.count + extra.length + 1)
  starts.set(cycles.starts)
  const all = new Float64Array(cycles.count + extra.length)
  all.set(kept)
  extra.forEach((cycle, j) => {
    edges.set(cycle.edges, starts[cycles.count + j]!)
    starts[cycles.count + j + 1] = starts[cycles.count + j]! + 3
    all[cycles.count + j] = cycle.count
  })
  return { cycles: { edges, starts, count: cycles.count + extra.length, truncated: cycles.truncated }, counts: all }
}
