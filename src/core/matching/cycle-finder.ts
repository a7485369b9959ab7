/**
 * Shortest cycles in the category graph restricted to edges with a positive
 * residual, found by breadth-first search. Used to split a circulation into
 * chains (shortest first, so as much as possible fits under a length cap) and
 * to find further chains in what is left.
 *
 * A finder belongs to one residual array whose values only ever decrease
 * between searches (units get used, never returned for good), so an edge seen
 * at 0 is dead for good: it is swapped out of the finder's own copy of the
 * adjacency lists and never scanned again. Without that, a 1M-participant
 * clearing rescans ~150M dead edges.
 */
import type { CategoryGraph } from './category-graph.ts'

/** Reusable search state for one graph and one residual array. */
export class CycleFinder {
  private readonly graph: CategoryGraph
  private readonly residual: Float64Array
  private readonly outEdges: Int32Array
  private readonly outEnd: Int32Array
  private readonly inEdges: Int32Array
  private readonly inEnd: Int32Array
  private stamp = 0
  private predecessorsOf = -1
  private predecessorMark = 0
  private readonly predecessorStamp: Int32Array
  private readonly predecessorEdge: Int32Array
  private readonly visitedStamp: Int32Array
  private readonly parentEdge: Int32Array
  private readonly depth: Int32Array
  private readonly queue: Int32Array
  /** the edges of the last cycle found */
  readonly cycle: Int32Array

  constructor (graph: CategoryGraph, residual: Float64Array) {
    this.graph = graph
    this.residual = residual
    const n = graph.categoryCount
    this.outEdges = graph.outEdges.slice()
    this.outEnd = graph.outStart.slice(1)
    this.inEdges = graph.inEdges.slice()
    this.inEnd = graph.inStart.slice(1)
    this.predecessorStamp = new Int32Array(n)
    this.predecessorEdge = new Int32Array(n)
    this.visitedStamp = new Int32Array(n)
    this.parentEdge = new Int32Array(n)
    this.depth = new Int32Array(n)
    this.queue = new Int32Array(n)
    this.cycle = new Int32Array(n)
  }

  /** Marks the live predecessors of `start` (once per start: an edge into start can only die, which is checked on use). */
  private markPredecessors (start: number): boolean {
    const { residual, inEdges } = this
    const { inStart, edgeFrom } = this.graph
    const stamp = ++this.stamp
    this.predecessorsOf = start
    this.predecessorMark = stamp
    let any = false
    for (let k = inStart[start]!; k < this.inEnd[start]!;) {
      const e = inEdges[k]!
      if (residual[e]! <= 0) {
        inEdges[k] = inEdges[--this.inEnd[start]!]!
        inEdges[this.inEnd[start]!] = e
        continue
      }
      this.predecessorStamp[edgeFrom[e]!] = stamp
      this.predecessorEdge[edgeFrom[e]!] = e
      any = true
      k++
    }
    return any
  }

  /**
   * Finds a shortest cycle through category `start` using only edges with
   * residual > 0 and at most `lengthMax` edges; returns its length (0 when
   * there is none) and leaves its edges, starting with one out of `start`, in
   * `cycle[0 … length)`. Deterministic: the same graph and the same sequence
   * of searches give the same cycles.
   */
  shortestCycleThrough (start: number, lengthMax: number): number {
    const { residual, outEdges, outEnd } = this
    const { outStart, edgeTo } = this.graph
    if (this.predecessorsOf !== start && !this.markPredecessors(start)) return 0
    const predecessorStamp = this.predecessorMark
    const stamp = ++this.stamp
    this.visitedStamp[start] = stamp
    this.depth[start] = 0
    let head = 0
    let tail = 0
    this.queue[tail++] = start
    while (head < tail) {
      const v = this.queue[head++]!
      // a vertex found from v closes a cycle of depth(v) + 2 edges; BFS depths only grow
      if (this.depth[v]! + 2 > lengthMax) break
      for (let k = outStart[v]!; k < outEnd[v]!;) {
        const e = outEdges[k]!
        if (residual[e]! <= 0) {
          outEdges[k] = outEdges[--outEnd[v]!]!
          outEdges[outEnd[v]!] = e
          continue
        }
        k++
        const w = edgeTo[e]!
        if (this.visitedStamp[w] === stamp) continue
        this.visitedStamp[w] = stamp
        this.parentEdge[w] = e
        this.depth[w] = this.depth[v]! + 1
        if (this.predecessorStamp[w] === predecessorStamp && residual[this.predecessorEdge[w]!]! > 0) return this.pathTo(start, w)
        this.queue[tail++] = w
      }
    }
    return 0
  }

  /** Writes the cycle start → … → last → start into `cycle`; returns its length. */
  private pathTo (start: number, last: number): number {
    const length = this.depth[last]! + 1
    this.cycle[length - 1] = this.predecessorEdge[last]!
    let i = length - 2
    for (let v = last; v !== start; v = this.graph.edgeFrom[this.parentEdge[v]!]!) this.cycle[i--] = this.parentEdge[v]!
    return length
  }
}
