/**
 * A combinatorial upper bound on the capped clearing: the maximum circulation
 * under tightened capacities c'_e ≤ u_e, where c'_e bounds how many units of
 * edge e = (a → b) any clearing with chains of ≤ cap steps can serve.
 *
 * Why it is valid. In a chain, the participant after a unit of e needs b, and
 * following the chain from there, some participant within the next cap − 1
 * steps offers a (at the latest the one before the unit of e). So each served
 * unit of e owns a walk b ⇝ a of ≤ cap − 1 edges whose units are its own:
 * walks of two units of e are disjoint (in one chain the first walk ends
 * before the second unit, whose predecessor offers a). Hence
 *   used_e ≤ R_{cap−1}(b → a),
 * the most unit-disjoint walks b ⇝ a of ≤ cap − 1 edges, where by the first
 * edge of each walk
 *   R_1(w → a) = c_{w→a},   R_j(w → a) = c_{w→a} + Σ_{x ≠ a} min(c_{w→x}, R_{j−1}(x → a)).
 * Every clearing's per-edge usage is then within c' and is a circulation, so
 * the maximum circulation under c' bounds it. Any c that bounds the usage
 * may be used in the recursion, so it is iterated: the tightened capacities
 * tighten the walks they close.
 *
 * At cap 3 on Zipf data most of the circulation's gap is units of rare
 * categories whose only way back is a long cycle; their c' is 0.
 */
import type { CategoryGraph } from './category-graph.ts'
import { maxCirculation } from './circulation.ts'

/** Rounds of tightening: each uses the previous round's capacities; stops early at a fixpoint. */
const TIGHTENING_ROUNDS_MAX = 4

/** The tightened capacities c' (≤ capacity), or null when the work would exceed workMax edge visits. */
export function returnCapacities (graph: CategoryGraph, capacity: Float64Array, cap: number, workMax: number): Float64Array | null {
  const n = graph.categoryCount
  const { outStart, outEdges, inStart, inEdges, edgeFrom, edgeTo } = graph
  // per round and target: a pass over every edge for each of the levels 2 … cap − 2, and the last level on the target's out-edges
  if (cap < 3) return Float64Array.from(capacity, (c, e) => Math.min(c, twoCycleReturn(graph, capacity, e)))
  if (TIGHTENING_ROUNDS_MAX * n * (graph.edgeCount + n) * Math.max(1, cap - 3) > workMax) return null
  let current = Float64Array.from(capacity)
  // reach[j][w]: R_j(w → a) for the current target a
  const reach = Array.from({ length: cap }, () => new Float64Array(n))
  const direct = new Float64Array(n)
  for (let round = 0; round < TIGHTENING_ROUNDS_MAX; round++) {
    const next = Float64Array.from(current)
    for (let a = 0; a < n; a++) {
      if (outStart[a + 1] === outStart[a]) continue
      direct.fill(0)
      for (let i = inStart[a]!; i < inStart[a + 1]!; i++) direct[edgeFrom[inEdges[i]!]!] = current[inEdges[i]!]!
      reach[1]!.set(direct)
      // levels 2 … cap − 2 for every category; level cap − 1 only where an edge a → b needs it
      for (let j = 2; j <= cap - 2; j++) {
        const level = reach[j]!
        const below = reach[j - 1]!
        for (let w = 0; w < n; w++) {
          let sum = direct[w]!
          for (let i = outStart[w]!; i < outStart[w + 1]!; i++) {
            const e = outEdges[i]!
            const x = edgeTo[e]!
            if (x !== a) sum += Math.min(current[e]!, below[x]!)
          }
          level[w] = sum
        }
      }
      const below = reach[Math.max(1, cap - 2)]!
      for (let i = outStart[a]!; i < outStart[a + 1]!; i++) {
        const e = outEdges[i]!
        if (current[e]! <= 0) continue
        const b = edgeTo[e]!
        let back = direct[b]!
        if (cap >= 3) {
          for (let k = outStart[b]!; k < outStart[b + 1]!; k++) {
            const f = outEdges[k]!
            const x = edgeTo[f]!
            if (x !== a) back += Math.min(current[f]!, below[x]!)
          }
        }
        if (back < next[e]!) next[e] = back
      }
    }
    let changed = false
    for (let e = 0; e < graph.edgeCount && !changed; e++) changed = next[e] !== current[e]
    current = next
    if (!changed) break
  }
  return current
}

/** The maximum circulation under the tightened capacities: a bound on every clearing within the cap (null: too much work). */
export function returnBound (graph: CategoryGraph, cap: number, workMax: number): number | null {
  const tightened = returnCapacities(graph, graph.edgeCapacity, cap, workMax)
  if (tightened === null) return null
  return maxCirculation({ ...graph, edgeCapacity: tightened, weighted: false }).served
}

/** Cap 2: a unit of a → b can only be served with a unit of b → a. */
function twoCycleReturn (graph: CategoryGraph, capacity: Float64Array, e: number): number {
  const a = graph.edgeFrom[e]!
  const b = graph.edgeTo[e]!
  for (let i = graph.outStart[b]!; i < graph.outStart[b + 1]!; i++) {
    const f = graph.outEdges[i]!
    if (graph.edgeTo[f] === a) return capacity[f]!
  }
  return 0
}
