/**
 * The position-indexed edge formulation (PIEF; Dickerson, Manlove, Plaut,
 * Sandholm and Trimble, "Position-indexed formulations for kidney exchange",
 * 2016) of the capped clearing, as an LP: its size grows with edges × cap ×
 * categories rather than with the number of cycles, so it gives a bound where
 * the cycles are too many to list.
 *
 * Categories are ranked (popular first, so that the copies of the many rare
 * categories stay small). Copy s holds the categories ranked after s. A
 * variable x(s, e, k) is the units of edge e = (u → v) used as the k-th step of
 * a cycle whose first-ranked category is s: e leaves s when k = 1, and u must
 * be reachable from s in k − 1 steps and s from v in cap − k steps, inside the
 * copy. Rows: at each (s, v ≠ s, k), units arriving at step k leave at step
 * k + 1; per edge, Σ_{s,k} x(s, e, k) ≤ units of e. Every clearing maps to a
 * feasible integer point (each chain, split into simple cycles, starts at its
 * first-ranked category), so the LP optimum bounds it; the capacity rows'
 * duals are prices certified by certificate.ts.
 */
import type { CategoryGraph } from './category-graph.ts'
import type { LinearProgram } from './linear-program.ts'

/** A PIEF LP and, per capacity row, its edge. */
export interface PiefProgram {
  program: LinearProgram
  /** row r < rowEdge.length is the capacity row of edge rowEdge[r] */
  rowEdge: Int32Array
}

/** Builds the PIEF LP over edges with capacity > 0, or returns null when it would exceed columnsMax columns. */
export function buildPiefProgram (graph: CategoryGraph, capacity: Float64Array, lengthMax: number, rank: Int32Array, columnsMax: number): PiefProgram | null {
  const n = graph.categoryCount
  const capacityRow = new Int32Array(graph.edgeCount).fill(-1)
  const rowEdge: number[] = []
  for (let e = 0; e < graph.edgeCount; e++) {
    if (capacity[e]! > 0) {
      capacityRow[e] = rowEdge.length
      rowEdge.push(e)
    }
  }
  let rowCount = rowEdge.length
  const starts: number[] = [0]
  const indices: number[] = []
  const values: number[] = []
  const colUpper: number[] = []
  const forward = new Int32Array(n)
  const back = new Int32Array(n)
  const flowRow = new Int32Array(n * (lengthMax + 1))
  const addEntry = (row: number, value: number): void => {
    indices.push(row)
    values.push(value)
  }
  for (let s = 0; s < n; s++) {
    distances(capacity, rank, s, lengthMax, graph.outStart, graph.outEdges, graph.edgeTo, forward)
    distances(capacity, rank, s, lengthMax, graph.inStart, graph.inEdges, graph.edgeFrom, back)
    flowRow.fill(-1)
    // the row of (v, k): units arriving at v as step k leave as step k + 1
    const rowOf = (v: number, k: number): number => {
      const key = v * (lengthMax + 1) + k
      if (flowRow[key]! < 0) flowRow[key] = rowCount++
      return flowRow[key]!
    }
    for (let e = 0; e < graph.edgeCount; e++) {
      if (capacity[e]! <= 0) continue
      const u = graph.edgeFrom[e]!
      const v = graph.edgeTo[e]!
      if (forward[u]! > lengthMax || back[v]! > lengthMax) continue
      const first = u === s ? 1 : Math.max(2, forward[u]! + 1)
      const last = u === s ? 1 : lengthMax - back[v]!
      for (let k = first; k <= last; k++) {
        if (v === s && k < 2) continue
        if (starts.length > columnsMax) return null
        // rows ascending within a column: capacity rows come first, flow rows are numbered after them
        const entries: Array<[number, number]> = [[capacityRow[e]!, 1]]
        if (u !== s) entries.push([rowOf(u, k - 1), -1])
        if (v !== s) entries.push([rowOf(v, k), 1])
        entries.sort((a, b) => a[0] - b[0])
        for (const [row, value] of entries) addEntry(row, value)
        starts.push(indices.length)
        colUpper.push(capacity[e]!)
      }
    }
  }
  const numCols = colUpper.length
  const rowUpper = new Float64Array(rowCount)
  const rowLower = new Float64Array(rowCount)
  for (let r = 0; r < rowEdge.length; r++) {
    rowUpper[r] = capacity[rowEdge[r]!]!
    rowLower[r] = -Infinity
  }
  return {
    program: {
      numCols,
      numRows: rowCount,
      colCost: new Float64Array(numCols).fill(1),
      colLower: new Float64Array(numCols),
      colUpper: Float64Array.from(colUpper),
      rowLower,
      rowUpper,
      matrixStarts: Int32Array.from(starts),
      matrixIndices: Int32Array.from(indices),
      matrixValues: Float64Array.from(values),
      integer: false
    },
    rowEdge: Int32Array.from(rowEdge)
  }
}

/** BFS from s along (start, list, end) adjacency through categories ranked ≥ s; distance lengthMax + 1 = unreachable. */
function distances (capacity: Float64Array, rank: Int32Array, s: number, lengthMax: number,
  start: Int32Array, list: Int32Array, end: Int32Array, distance: Int32Array): void {
  distance.fill(lengthMax + 1)
  distance[s] = 0
  const queue = [s]
  for (let head = 0; head < queue.length; head++) {
    const v = queue[head]!
    if (distance[v]! >= lengthMax) continue
    for (let i = start[v]!; i < start[v + 1]!; i++) {
      const e = list[i]!
      const w = end[e]!
      if (rank[w]! < rank[s]! || capacity[e]! <= 0 || distance[w]! <= lengthMax) continue
      distance[w] = distance[v]! + 1
      queue.push(w)
    }
  }
}
