/**
 * Clearing: choose disjoint chains that serve the most participants (then the
 * most weight).
 *
 * 1. The maximum circulation of the category graph (circulation.ts) is the
 *    exact optimum without a length cap, and an upper bound with one.
 * 2. It is split into cycles, shortest first through each category, and each
 *    cycle is bound to units (pools.ts); with a cap, only cycles ≤ cap.
 * 3. If that serves fewer than the bound (a cap cut long cycles, or a
 *    participant with several entries could be used once only), further
 *    shortest cycles are searched in the units still live.
 * The result says how far it is from the bound. Without a cap and with one
 * entry per participant, step 2 binds every unit of the circulation, so the
 * clearing IS the optimum (gap 0).
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

/** Clears an instance: deterministic, the same chains in the same order for the same instance. */
export function clear (instance: MatchingInstance, options: ClearingOptions = {}): Clearing {
  const cap = options.cap === undefined ? CHAIN_LENGTH_DEFAULT : options.cap === null ? null : validateCap(options.cap)
  const graph = buildCategoryGraph(instance)
  const { boundChains, ...totals } = clearGraph(graph, cap)
  return { chains: materializeChains(graph, boundChains), ...totals }
}

/** Clears a built category graph; the chains stay compact (see materializeChains). */
export function clearGraph (graph: CategoryGraph, cap: number | null): CompactClearing {
  const lengthMax = cap ?? graph.categoryCount
  const circulation = maxCirculation(graph)
  const pools = new Pools(graph)
  const residual = circulation.flow
  // Step 2: split the optimal circulation, shortest cycle through each category first.
  const finder = new CycleFinder(graph, residual)
  for (let start = 0; start < graph.categoryCount; start++) {
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
  // Step 3: more short cycles among the live units, when step 2 fell short of the bound.
  if (pools.served < circulation.served) {
    const finder = new CycleFinder(graph, pools.available)
    for (let start = 0; start < graph.categoryCount; start++) {
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
  return {
    boundChains: pools.result(),
    participantsServed: pools.served,
    bound: circulation.served,
    gap: circulation.served - pools.served,
    cap,
    weight: pools.weight,
    weightBound: circulation.weight
  }
}
