/**
 * Min-cost flow by the primal-dual method: Dijkstra with potentials finds the
 * shortest residual distance, then Dinic's blocking flow pushes along every
 * arc of reduced cost 0 at once. Costs and capacities are integers (kept in
 * float64, exact below 2^53). Arc costs must be non-negative.
 *
 * Written here rather than taken from a library. The npm `min-cost-flow`
 * package (2.1.0) cannot hold our graph: it assumes no pair of opposite
 * edges (we have u → v and v → u whenever two categories trade both ways),
 * keeps n × n matrices and augments one path per Bellman–Ford run. General LP
 * solvers (glpk.js) ignore the network structure. The clearing's speed goal
 * (1M participants in ≤ 2 s) rests on this loop.
 */
import { assert } from '../errors.ts'
import { VertexHeap } from '../vertex-heap.ts'

/** A flow network under construction, then solved once. */
export class MinCostFlow {
  readonly vertexCount: number
  private readonly tails: number[] = []
  private readonly heads: number[] = []
  private readonly capacities: number[] = []
  private readonly costs: number[] = []
  // CSR residual graph, built by solve(): arc 2i is arc i forward, 2i+1 its reverse
  private arcStart = new Int32Array(0)
  private arcOrder = new Int32Array(0)
  private residual = new Float64Array(0)

  constructor (vertexCount: number) {
    this.vertexCount = vertexCount
  }

  /** Adds an arc; returns its id (for `flowOn`). */
  addArc (tail: number, head: number, capacity: number, cost: number): number {
    assert(cost >= 0 && capacity >= 0, 'arc costs and capacities are non-negative')
    this.tails.push(tail)
    this.heads.push(head)
    this.capacities.push(capacity)
    this.costs.push(cost)
    return this.tails.length - 1
  }

  /** Flow on an arc after `solve`. */
  flowOn (arc: number): number {
    return this.residual[2 * arc + 1]!
  }

  /** Sends the most flow from source to sink at least cost; returns { flow, cost }. */
  solve (source: number, sink: number): { flow: number, cost: number } {
    const n = this.vertexCount
    const m = this.tails.length
    const head = new Int32Array(2 * m)
    const cost = new Float64Array(2 * m)
    this.residual = new Float64Array(2 * m)
    const start = new Int32Array(n + 1)
    for (let i = 0; i < m; i++) {
      head[2 * i] = this.heads[i]!
      head[2 * i + 1] = this.tails[i]!
      cost[2 * i] = this.costs[i]!
      cost[2 * i + 1] = -this.costs[i]!
      this.residual[2 * i] = this.capacities[i]!
      start[this.tails[i]! + 1]!++
      start[this.heads[i]! + 1]!++
    }
    for (let v = 0; v < n; v++) start[v + 1]! += start[v]!
    const order = new Int32Array(2 * m)
    const fill = start.slice(0, n)
    for (let i = 0; i < m; i++) {
      order[fill[this.tails[i]!]!++] = 2 * i
      order[fill[this.heads[i]!]!++] = 2 * i + 1
    }
    this.arcStart = start
    this.arcOrder = order
    const potential = new Float64Array(n)
    const distance = new Float64Array(n)
    const level = new Int32Array(n)
    const cursor = new Int32Array(n)
    const queue = new Int32Array(n)
    let flow = 0
    let total = 0
    for (;;) {
      if (!this.shortestDistances(source, sink, potential, head, cost, distance)) break
      const limit = distance[sink]!
      for (let v = 0; v < n; v++) potential[v]! += Math.min(distance[v]!, limit)
      // Blocking flows on the admissible graph (residual > 0, reduced cost 0) until the sink is cut off.
      for (;;) {
        level.fill(-1)
        level[source] = 0
        let qHead = 0
        let qTail = 0
        queue[qTail++] = source
        while (qHead < qTail) {
          const v = queue[qHead++]!
          for (let k = start[v]!; k < start[v + 1]!; k++) {
            const a = order[k]!
            const w = head[a]!
            if (level[w] === -1 && this.residual[a]! > 0 && cost[a]! + potential[v]! - potential[w]! === 0) {
              level[w] = level[v]! + 1
              queue[qTail++] = w
            }
          }
        }
        if (level[sink] === -1) break
        cursor.set(start.subarray(0, n))
        for (;;) {
          const pushed = this.augment(source, sink, level, cursor, head, cost, potential)
          if (pushed === 0) break
          flow += pushed
        }
      }
    }
    for (let i = 0; i < m; i++) total += this.residual[2 * i + 1]! * this.costs[i]!
    return { flow, cost: total }
  }

  /** Dijkstra on reduced costs; false when the sink is unreachable. Distances of unreached vertices are Infinity. */
  private shortestDistances (source: number, sink: number, potential: Float64Array, head: Int32Array, cost: Float64Array, distance: Float64Array): boolean {
    distance.fill(Infinity)
    distance[source] = 0
    const heap = new VertexHeap()
    heap.push(source, 0)
    const start = this.arcStart
    const order = this.arcOrder
    const done = new Uint8Array(this.vertexCount)
    while (heap.size > 0) {
      const v = heap.pop()
      if (done[v] === 1) continue
      done[v] = 1
      const dv = distance[v]!
      for (let k = start[v]!; k < start[v + 1]!; k++) {
        const a = order[k]!
        if (this.residual[a]! <= 0) continue
        const w = head[a]!
        const d = dv + cost[a]! + potential[v]! - potential[w]!
        if (d < distance[w]!) {
          distance[w] = d
          heap.push(w, d)
        }
      }
    }
    return distance[sink]! < Infinity
  }

  /** Iterative DFS along level+1 admissible arcs; pushes one path's bottleneck. */
  private augment (source: number, sink: number, level: Int32Array, cursor: Int32Array, head: Int32Array, cost: Float64Array, potential: Float64Array): number {
    const start = this.arcStart
    const order = this.arcOrder
    const pathArcs: number[] = []
    let v = source
    for (;;) {
      if (v === sink) {
        let bottleneck = Infinity
        for (const a of pathArcs) bottleneck = Math.min(bottleneck, this.residual[a]!)
        for (const a of pathArcs) {
          this.residual[a]! -= bottleneck
          this.residual[a ^ 1]! += bottleneck
        }
        return bottleneck
      }
      let advanced = false
      for (; cursor[v]! < start[v + 1]!; cursor[v]!++) {
        const a = order[cursor[v]!]!
        const w = head[a]!
        if (this.residual[a]! > 0 && level[w] === level[v]! + 1 && cost[a]! + potential[v]! - potential[w]! === 0) {
          pathArcs.push(a)
          v = w
          advanced = true
          break
        }
      }
      if (advanced) continue
      // dead end: no path to the sink through v in this phase
      if (v === source) return 0
      level[v] = -1
      const back = pathArcs.pop()!
      v = head[back ^ 1]!
      cursor[v]!++
    }
  }
}
