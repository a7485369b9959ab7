/**
 * Clearing: choose disjoint chains that serve the most participants (then the
 * most weight).
 *
 * 1. The maximum circulation of the category graph (circulation.ts) is the
 *    exact optimum without a length cap, and an upper bound with one.
 * 2. It is split into cycles, shortest first through each category, the
 *    rarest category first, and each cycle is bound to units (pools.ts); with
 *    a cap, only cycles ≤ cap.
 * 3. If that serves fewer than the bound (a cap cut long cycles, or a
 *    participant with several entries could be used once only), further
 *    shortest cycles are searched in the units still live, rarest first.
 * The result says how far it is from the bound. Without a cap and with one
 * entry per participant, step 2 binds every unit of the circulation, so the
 * clearing IS the optimum (gap 0). With a cap, a result that reaches the
 * bound is optimal too; the exact mode (exact.ts) proves or closes the rest.
 */
import type { MatchingInstance } from './instance.ts'
import type { Chain } from './chain.ts'
import { validateCap } from './chain.ts'
import { buildCategoryGraph, type CategoryGraph } from './category-graph.ts'
import { maxCirculation } from './circulation.ts'
import { CycleFinder } from './cycle-finder.ts'
import { Pools, materializeChains, type BoundChains } from './pools.ts'
import { CHAIN_LENGTH_DEFAULT } from './limits.ts'

export interface ClearingOptions {
  /** longest chain allowed; null = no cap; default CHAIN_LENGTH_DEFAULT */
  cap?: number | null
}

/** A clearing: the chosen chains and how they compare with the optimum. */
export interface Clearing {
  chains: Chain[]
  /** participants in the chosen chains */
  participantsServed: number
  /** the uncapped circulation optimum: no clearing serves more */
  bound: number
  /** bound − participantsServed */
  gap: number
  /** true when participantsServed reaches the bound: no clearing can serve more */
  optimal: boolean
  /** the cap used, null when uncapped */
  cap: number | null
  /** weight of the served units, and the circulation's weight (equal when gap is 0 and the instance is exact) */
  weight: number
  weightBound: number
}

/** A clearing with its chains as blocks of the category graph (what `clearGraph` computes before any object is made per step). */
export interface CompactClearing extends Omit<Clearing, 'chains'> {
  boundChains: BoundChains
}

/** Resolves the cap option: undefined → CHAIN_LENGTH_DEFAULT, null → no cap; throws CapOutOfRangeError. */
export function resolveCap (cap: number | null | undefined): number | null {
  return cap === undefined ? CHAIN_LENGTH_DEFAULT : cap === null ? null : validateCap(cap)
}

/** Clears an instance: deterministic, the same chains in the same order for the same instance. */
export function clear (instance: MatchingInstance, options: ClearingOptions = {}): Clearing {
  const cap = resolveCap(options.cap)
  const graph = buildCategoryGraph(instance)
  const { boundChains, ...totals } = clearGraph(graph, cap)
  return { chains: materializeChains(graph, boundChains), ...totals }
}

/** Clears a built category graph; the chains stay compact (see materializeChains). */
export function clearGraph (graph: CategoryGraph, cap: number | null): CompactClearing {
  const lengthMax = cap ?? graph.categoryCount
  const circulation = maxCirculation(graph)
  const pools = new Pools(graph)
  const order = rarestFirst(graph)
  splitCirculation(graph, pools, circulation.flow, order, lengthMax)
  // Step 3: more short cycles among the live units, when step 2 fell short of the bound.
  if (pools.served < circulation.served) searchLeftover(graph, pools, order, lengthMax)
  return compactClearing(pools, circulation.served, circulation.weight, cap)
}

/** The totals of a clearing bound in `pools`, against an upper bound. */
export function compactClearing (pools: Pools, bound: number, weightBound: number, cap: number | null): CompactClearing {
  return {
    boundChains: pools.result(),
    participantsServed: pools.served,
    bound,
    gap: bound - pools.served,
    optimal: pools.served === bound,
    cap,
    weight: pools.weight,
    weightBound
  }
}

/** Step 2: splits a circulation (consumed in place) into shortest cycles ≤ lengthMax through each category in `order`, bound with multiplicity. */
export function splitCirculation (graph: CategoryGraph, pools: Pools, residual: Float64Array, order: Int32Array, lengthMax: number): void {
  const finder = new CycleFinder(graph, residual)
  for (const start of order) {
    for (;;) {
      const length = finder.shortestCycleThrough(start, lengthMax)
      if (length === 0) break
      const edges = finder.cycle.subarray(0, length)
      let times = Infinity
      for (let i = 0; i < length; i++) times = Math.min(times, residual[edges[i]!]!)
      for (let i = 0; i < length; i++) residual[edges[i]!]! -= times
      pools.bind(edges, times)
    }
  }
}

/** Step 3: binds shortest cycles ≤ lengthMax among the live units, through each category in `order`; leaves no such cycle behind. */
export function searchLeftover (graph: CategoryGraph, pools: Pools, order: Int32Array, lengthMax: number): void {
  const finder = new CycleFinder(graph, pools.available)
  for (const start of order) {
    for (;;) {
      const length = finder.shortestCycleThrough(start, lengthMax)
      if (length === 0) break
      const edges = finder.cycle.subarray(0, length)
      let times = Infinity
      for (let i = 0; i < length; i++) times = Math.min(times, pools.available[edges[i]!]!)
      // 0 bound: the only cycle here needs one participant twice; move on rather than loop
      if (pools.bind(edges, times) === 0) break
    }
  }
}

/**
 * Categories by ascending units (on edges into and out of them), ties by
 * index. Starting the split at the rarest category spends its few units in
 * the short cycles they close before a popular hub's units are used up by
 * hub ↔ x two-chains: on Zipf data index order is popularity order, and it
 * left capped clearings up to 26 % below the optimum (docs/matching.md).
 */
export function rarestFirst (graph: CategoryGraph): Int32Array {
  const units = new Float64Array(graph.categoryCount)
  for (let e = 0; e < graph.edgeCount; e++) {
    units[graph.edgeFrom[e]!]! += graph.edgeCapacity[e]!
    units[graph.edgeTo[e]!]! += graph.edgeCapacity[e]!
  }
  return Int32Array.from({ length: graph.categoryCount }, (_, v) => v).sort((a, b) => units[a]! - units[b]! || a - b)
}
