/**
 * Shortest cycles in the category graph restricted to edges with a positive
 * residual, found by breadth-first search. Used to split a circulation into
 * chains (shortest first, so as much as possible fits under a length cap) and
 * to find further chains in what is left.
 */
import type { CategoryGraph } from './category-graph.ts'

/** Reusable search state for one graph (no allocation per search). */
export class CycleFinder {
  private readonly graph: CategoryGraph
  private stamp = 0
  private readonly predecessorStamp: Int32Array
  private readonly predecessorEdge: Int32Array
  private readonly visitedStamp: Int32Array
  private readonly parentEdge: Int32Array
  private readonly depth: Int32Array
  private readonly queue: Int32Array

  constructor (graph: CategoryGraph) {
    this.graph = graph
    const n = graph.categoryCount
    this.predecessorStamp = new Int32Array(n)
    this.predecessorEdge = new Int32Array(n)
    this.visitedStamp = new Int32Array(n)
    this.parentEdge = new Int32Array(n)
    this.depth = new Int32Array(n)
    this.queue = new Int32Array(n)
  }

  /**
   * The edges of a shortest cycle through category `start` using only edges
   * with residual > 0 and at most `lengthMax` edges, starting with an edge out
   * of `start`; undefined when there is none. Ties go to the lowest edge ids
   * (out-lists are sorted), so the result is deterministic.
   */
  shortestCycleThrough (start: number, residual: Float64Array, lengthMax: number): number[] | undefined {
    const { outStart, outEdges, inStart, inEdges, edgeFrom, edgeTo } = this.graph
    const stamp = ++this.stamp
    let hasPredecessor = false
    for (let k = inStart[start]!; k < inStart[start + 1]!; k++) {
      const e = inEdges[k]!
      if (residual[e]! > 0) {
        const v = edgeFrom[e]!
        this.predecessorStamp[v] = stamp
        this.predecessorEdge[v] = e
        hasPredecessor = true
      }
    }
    if (!hasPredecessor) return undefined
    this.visitedStamp[start] = stamp
    this.depth[start] = 0
    let head = 0
    let tail = 0
    this.queue[tail++] = start
    while (head < tail) {
      const v = this.queue[head++]!
      // a vertex found from v closes a cycle of depth(v) + 2 edges; BFS depths only grow
      if (this.depth[v]! + 2 > lengthMax) break
      for (let k = outStart[v]!; k < outStart[v + 1]!; k++) {
        const e = outEdges[k]!
        if (residual[e]! <= 0) continue
        const w = edgeTo[e]!
        if (this.visitedStamp[w] === stamp) continue
        this.visitedStamp[w] = stamp
        this.parentEdge[w] = e
        this.depth[w] = this.depth[v]! + 1
        if (this.predecessorStamp[w] === stamp) return this.pathTo(start, w)
        this.queue[tail++] = w
      }
    }
    return undefined
  }

  private pathTo (start: number, last: number): number[] {
    const edges = [this.predecessorEdge[last]!]
    for (let v = last; v !== start; v = this.graph.edgeFrom[this.parentEdge[v]!]!) edges.push(this.parentEdge[v]!)
    return edges.reverse()
  }
}
