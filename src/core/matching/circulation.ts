/**
 * The uncapped clearing: a maximum circulation on the category graph.
 *
 * Serving f_e ≤ c_e units on each edge e is feasible as chains exactly when f
 * is a circulation (at every category, units needing it = units offering it),
 * because every circulation splits into cycles. Maximising Σ f_e directly is a
 * min-cost circulation with negative costs; we solve the equivalent problem on
 * the units we DROP, g = c − f, where every cost is positive:
 *
 *   f conserves flow  ⇔  out_g(v) − in_g(v) = out_c(v) − in_c(v) =: b(v)
 *   maximise Σ f      ⇔  minimise Σ g
 *
 * so g is a min-cost flow from the categories with b > 0 (more units need
 * them than offer them) to those with b < 0, each dropped unit costing 1.
 * Min-cost flow is exact and polynomial, and integral on integral capacities,
 * so the optimum is a whole number of participants: the upper bound for any
 * clearing of the instance. With weights, a dropped unit of weight w costs
 * BIG + w with BIG > Σ all weights: first the fewest units dropped, then the
 * least weight among them (a lexicographic objective).
 */
import type { CategoryGraph } from './category-graph.ts'
import { MinCostFlow } from './min-cost-flow.ts'

/** The optimal circulation: units served per edge, their number and their weight. */
export interface Circulation {
  flow: Float64Array
  served: number
  weight: number
}

/** Solves the maximum (then heaviest) circulation of the category graph exactly. */
export function maxCirculation (graph: CategoryGraph): Circulation {
  const { categoryCount, edgeCount, edgeFrom, edgeTo, edgeCapacity } = graph
  const source = categoryCount
  const sink = categoryCount + 1
  const network = new MinCostFlow(categoryCount + 2)
  const balance = new Float64Array(categoryCount)
  const big = graph.totalWeight + 1
  // arcs[i] belongs to edge arcEdge[i] and carries units of weight arcWeight[i]
  const arcEdge: number[] = []
  const arcWeight: number[] = []
  const arcIds: number[] = []
  for (let e = 0; e < edgeCount; e++) {
    balance[edgeFrom[e]!]! += edgeCapacity[e]!
    balance[edgeTo[e]!]! -= edgeCapacity[e]!
    if (!graph.weighted) {
      arcIds.push(network.addArc(edgeFrom[e]!, edgeTo[e]!, edgeCapacity[e]!, 1))
      arcEdge.push(e)
      arcWeight.push(0)
      continue
    }
    // pools are sorted by weight, descending: one arc per run of equal weight
    const end = graph.blockStart[e + 1]!
    for (let b = graph.blockStart[e]!; b < end;) {
      const weight = graph.blockWeight[b]!
      let units = 0
      while (b < end && graph.blockWeight[b] === weight) units += graph.blockCount[b++]!
      arcIds.push(network.addArc(edgeFrom[e]!, edgeTo[e]!, units, big + weight))
      arcEdge.push(e)
      arcWeight.push(weight)
    }
  }
  let supply = 0
  for (let v = 0; v < categoryCount; v++) {
    if (balance[v]! > 0) {
      network.addArc(source, v, balance[v]!, 0)
      supply += balance[v]!
    } else if (balance[v]! < 0) {
      network.addArc(v, sink, -balance[v]!, 0)
    }
  }
  const { flow: dropped } = network.solve(source, sink)
  // dropping every unit balances every category, so the whole supply always flows
  if (dropped !== supply) throw new Error(`assertion failed: dropped ${dropped} of ${supply} excess units`)
  const flow = Float64Array.from(edgeCapacity)
  let served = 0
  let weight = 0
  for (let i = 0; i < arcIds.length; i++) {
    const g = network.flowOn(arcIds[i]!)
    flow[arcEdge[i]!]! -= g
  }
  for (let e = 0; e < edgeCount; e++) served += flow[e]!
  if (!graph.weighted) {
    weight = served * (graph.blockWeight[0] ?? 0)
  } else {
    for (let i = 0; i < arcIds.length; i++) {
      // capacity of the arc minus what was dropped from it
      weight += (arcCapacity(graph, arcEdge[i]!, arcWeight[i]!) - network.flowOn(arcIds[i]!)) * arcWeight[i]!
    }
  }
  return { flow, served, weight }
}

function arcCapacity (graph: CategoryGraph, edge: number, weight: number): number {
  let units = 0
  for (let b = graph.blockStart[edge]!; b < graph.blockStart[edge + 1]!; b++) {
    if (graph.blockWeight[b] === weight) units += graph.blockCount[b]!
  }
  return units
}
