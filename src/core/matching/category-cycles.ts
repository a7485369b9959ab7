/**
 * Every simple cycle of the category graph with at most `lengthMax` edges,
 * among edges with units left: the columns of the cycle formulation
 * (exact.ts). A closed walk that visits a category twice splits into two
 * shorter closed walks, each a valid chain within the cap, so simple cycles
 * are enough to reach the capped optimum.
 *
 * Each cycle is found once, from its smallest category s, by a depth-first
 * search through categories > s, pruned by the breadth-first distance back to
 * s. The count explodes with the cap and the density (issue 18: millions of
 * cycles at cap 6 on 1,000 Zipf categories), so the search stops at
 * `cyclesMax` and says so.
 */
import type { CategoryGraph } from './category-graph.ts'

/** Cycles as edge lists: cycle i is edges[starts[i] … starts[i+1]), starting at its smallest category. */
export interface CategoryCycles {
  edges: Int32Array
  starts: Int32Array
  count: number
  /** true when `cyclesMax` stopped the search: the list is not every cycle */
  truncated: boolean
}

/** Lists the simple cycles of ≤ lengthMax edges whose every edge has capacity > 0, up to cyclesMax of them. */
export function enumerateCategoryCycles (graph: CategoryGraph, capacity: Float64Array, lengthMax: number, cyclesMax: number): CategoryCycles {
  const n = graph.categoryCount
  const { outStart, outEdges, inStart, inEdges, edgeFrom, edgeTo } = graph
  const edges: number[] = []
  const starts: number[] = [0]
  const hops = new Int32Array(n)
  const onPath = new Uint8Array(n)
  const path = new Int32Array(lengthMax)
  const queue = new Int32Array(n)
  let truncated = false
  let start = 0
  // reverse BFS from start through categories ≥ start: hops[v] = fewest edges from v back to start
  const measureHops = (): void => {
    hops.fill(lengthMax + 1)
    hops[start] = 0
    let head = 0
    let tail = 0
    queue[tail++] = start
    while (head < tail) {
      const v = queue[head++]!
      if (hops[v]! >= lengthMax) continue
      for (let k = inStart[v]!; k < inStart[v + 1]!; k++) {
        const e = inEdges[k]!
        const u = edgeFrom[e]!
        if (u < start || capacity[e]! <= 0 || hops[u]! <= hops[v]! + 1) continue
        hops[u] = hops[v]! + 1
        queue[tail++] = u
      }
    }
  }
  const extend = (v: number, depth: number): boolean => {
    for (let k = outStart[v]!; k < outStart[v + 1]!; k++) {
      const e = outEdges[k]!
      if (capacity[e]! <= 0) continue
      const w = edgeTo[e]!
      if (w === start) {
        if (depth + 1 < 2) continue
        if (starts.length - 1 >= cyclesMax) return false
        for (let i = 0; i < depth; i++) edges.push(path[i]!)
        edges.push(e)
        starts.push(edges.length)
        continue
      }
      if (w < start || onPath[w] === 1 || depth + 1 + hops[w]! > lengthMax) continue
      onPath[w] = 1
      path[depth] = e
      const more = extend(w, depth + 1)
      onPath[w] = 0
      if (!more) return false
    }
    return true
  }
  for (start = 0; start < n && !truncated; start++) {
    measureHops()
    onPath[start] = 1
    truncated = !extend(start, 0)
    onPath[start] = 0
  }
  return { edges: Int32Array.from(edges), starts: Int32Array.from(starts), count: starts.length - 1, truncated }
}
