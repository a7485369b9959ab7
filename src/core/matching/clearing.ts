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
import { Pools } from './pools.ts'
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

/** Clears an instance: deterministic, the same chains in the same order for the same instance. */
export function clear (instance: MatchingInstance, options: ClearingOptions = {}): Clearing {
  const cap = options.cap === undefined ? CHAIN_LENGTH_DEFAULT : options.cap === null ? null : validateCap(options.cap)
  return clearGraph(buildCategoryGraph(instance), cap)
}

/** Clears a built category graph (the benchmark times this apart from building). */
export function clearGraph (graph: CategoryGraph, cap: number | null): Clearing {
  const lengthMax = cap ?? graph.categoryCount
  const circulation = maxCirculation(graph)
  const pools = new Pools(graph)
  const finder = new CycleFinder(graph)
  const chains: Chain[] = []
  const residual = circulation.flow
  // Step 2: split the optimal circulation, shortest cycle through each category first.
  for (let start = 0; start < graph.categoryCount; start++) {
    for (;;) {
      const edges = finder.shortestCycleThrough(start, residual, lengthMax)
      if (edges === undefined) break
      let times = Infinity
      for (const e of edges) times = Math.min(times, residual[e]!)
      for (const e of edges) residual[e]! -= times
      pools.bind(edges, times, chains)
    }
  }
  // Step 3: more short cycles among the live units, when step 2 fell short of the bound.
  if (pools.served < circulation.served) {
    for (let start = 0; start < graph.categoryCount; start++) {
      for (;;) {
        const edges = finder.shortestCycleThrough(start, pools.available, lengthMax)
        if (edges === undefined) break
        let times = Infinity
        for (const e of edges) times = Math.min(times, pools.available[e]!)
        // 0 bound: the only cycle here needs one participant twice; move on rather than loop
        if (pools.bind(edges, times, chains) === 0) break
      }
    }
  }
  return {
    chains,
    participantsServed: pools.served,
    bound: circulation.served,
    gap: circulation.served - pools.served,
    cap,
    weight: pools.weight,
    weightBound: circulation.weight
  }
}
