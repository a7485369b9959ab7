/**
 * The pricing pass of the cycle LP: given per-edge prices y ≥ 0, the least
 * Σ_{e ∈ w} (y_e − 1) over closed walks w of the category graph of each length
 * 2…lengthMax (edges with capacity > 0), and, per start category s, the walk
 * through s (and categories after s only) that violates most, as simple
 * cycles.
 *
 * Closed walks are a superset of the chains' category cycles: a chain of k
 * distinct participants is a closed walk of k edges (it may pass a category
 * twice). So prices that no closed walk of ≤ lengthMax edges violates are a
 * feasible dual of the walk (hence of the cycle) formulation, and a violated
 * walk splits into simple cycles of which at least one is violated: those are
 * the columns column generation adds (column-generation.ts), and the per-length
 * minima are what certificate.ts turns into a bound.
 *
 * Cost: for each s, a dynamic program over walks of 1…lengthMax edges through
 * categories ≥ s; each closed walk is seen from its smallest category.
 */
import type { CategoryGraph } from './category-graph.ts'

export interface WalkPricing {
  /** least Σ (y_e − 1) over closed walks of exactly L edges, index L (Infinity: no such walk) */
  leastByLength: Float64Array
  /** the most violated simple cycles found (edge lists, each rotated to start at its smallest category), when asked for */
  cycles: Int32Array[]
}

/** Prices closed walks of 2…lengthMax edges; with `collectBelow`, also returns the simple cycles of walks whose Σ (y − 1) is below it (the `perStart` most violated closing edges per start). */
export function priceWalks (graph: CategoryGraph, capacity: Float64Array, price: Float64Array, lengthMax: number, collectBelow: number | null = null, perStart = 1): WalkPricing {
  const n = graph.categoryCount
  const { outStart, outEdges, edgeTo } = graph
  const leastByLength = new Float64Array(lengthMax + 1).fill(Infinity)
  // value[k·n + v]: least Σ (y − 1) over walks s → v of k edges; via[k·n + v]: its last edge
  const value = new Float64Array((lengthMax + 1) * n).fill(Infinity)
  const via = new Int32Array((lengthMax + 1) * n).fill(-1)
  const levels: number[][] = Array.from({ length: lengthMax + 1 }, () => [])
  const cycles: Int32Array[] = []
  const closings: Closing[] = []
  for (let s = 0; s < n; s++) {
    levels[0]!.length = 0
    levels[0]!.push(s)
    value[s] = 0
    // the perStart most violated closings (value, length, closing edge), kept sorted by value then edge
    closings.length = 0
    for (let k = 1; k <= lengthMax; k++) {
      const level = levels[k]!
      level.length = 0
      for (const v of levels[k - 1]!) {
        const here = value[(k - 1) * n + v]!
        for (let i = outStart[v]!; i < outStart[v + 1]!; i++) {
          const e = outEdges[i]!
          const w = edgeTo[e]!
          if (w < s || capacity[e]! <= 0) continue
          const weight = here + price[e]! - 1
          if (w === s) {
            if (k < 2) continue
            if (weight < leastByLength[k]!) leastByLength[k] = weight
            if (collectBelow !== null && weight < collectBelow) keepClosing(closings, perStart, weight, k, e)
            continue
          }
          if (k === lengthMax) continue
          const key = k * n + w
          if (value[key] === Infinity) level.push(w)
          if (weight < value[key]!) {
            value[key] = weight
            via[key] = e
          }
        }
      }
    }
    for (const closing of closings) {
      const length = closing.length
      const walk = new Int32Array(length)
      walk[length - 1] = closing.edge
      let v = graph.edgeFrom[closing.edge]!
      for (let k = length - 1; k >= 1; k--) {
        const e = via[k * n + v]!
        walk[k - 1] = e
        v = graph.edgeFrom[e]!
      }
      for (const cycle of simpleCycles(graph, walk)) {
        let sum = 0
        for (const e of cycle) sum += price[e]! - 1
        if (sum < collectBelow!) cycles.push(cycle)
      }
    }
    value[s] = Infinity
    for (let k = 1; k <= lengthMax; k++) for (const v of levels[k]!) value[k * n + v] = Infinity
  }
  return { leastByLength, cycles }
}

interface Closing { value: number, length: number, edge: number }

/** Inserts a closing into the sorted list of the `most` best (ties by length, then edge: deterministic). */
function keepClosing (closings: Closing[], most: number, value: number, length: number, edge: number): void {
  const worse = (c: Closing): boolean => c.value > value || (c.value === value && (c.length > length || (c.length === length && c.edge > edge)))
  if (closings.length >= most && !worse(closings[closings.length - 1]!)) return
  let at = closings.length
  while (at > 0 && worse(closings[at - 1]!)) at--
  closings.splice(at, 0, { value, length, edge })
  if (closings.length > most) closings.pop()
}

/** Splits a closed walk (edge list) into simple cycles, each rotated to start at its smallest category. */
export function simpleCycles (graph: CategoryGraph, walk: Int32Array): Int32Array[] {
  const { edgeFrom } = graph
  const out: Int32Array[] = []
  const stack: number[] = []
  for (const e of walk) {
    stack.push(e)
    // the walk came back to a category it left earlier on the stack: that loop is a cycle
    const head = graph.edgeTo[e]!
    for (let i = stack.length - 1; i >= 0; i--) {
      if (edgeFrom[stack[i]!] === head) {
        out.push(canonicalCycle(graph, stack.splice(i)))
        break
      }
    }
  }
  return out
}

/** A cycle's edges rotated to start at the edge leaving its smallest category. */
export function canonicalCycle (graph: CategoryGraph, edges: ArrayLike<number>): Int32Array {
  const length = edges.length
  let first = 0
  for (let i = 1; i < length; i++) if (graph.edgeFrom[edges[i]!]! < graph.edgeFrom[edges[first]!]!) first = i
  return Int32Array.from({ length }, (_, i) => edges[(first + i) % length]!)
}
