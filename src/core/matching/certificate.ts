/**
 * Certified upper bounds on the capped clearing from LP duals.
 *
 * The cycle formulation's LP, max Σ_c |c|·x_c s.t. Σ_{c ∋ e} x_c ≤ u_e, x ≥ 0,
 * has the dual min Σ_e u_e·y_e s.t. Σ_{e ∈ c} y_e ≥ |c| for every cycle c of
 * ≤ cap edges, y ≥ 0. By weak duality ANY such y bounds the LP, hence every
 * clearing. A solver's duals are floating point and within tolerances, so
 * they are not trusted: one pricing pass finds the most violated cycle (the
 * least Σ (y_e − 1) over closed walks of ≤ cap edges, a superset of the
 * cycles), and every y_e is raised by half the violation (each cycle has ≥ 2
 * edges) plus a margin far above rounding error. The result is feasible by
 * construction, whatever the solver returned. The position-indexed
 * formulation's capacity duals satisfy the same constraints (its dual rows
 * telescope along a cycle), so they are checked the same way.
 */
import type { CategoryGraph } from './category-graph.ts'
import { priceWalks } from './pricing.ts'

/** Added to every price after repair: a cycle's sum then clears |c| by ≥ 2e-9, far above float64 rounding of ≤ 12 terms. */
const PRICE_MARGIN = 1e-9
/** Scaling margin of the multiplicative repair: covers the rounding of ρ (≤ 12 terms, relative error ~1e-15). */
const SCALE_MARGIN = 1e-9
/** Relative margin on the bound's sum: float64 rounding of ≤ 16.7M positive terms stays below 2e-9 relative. */
const SUM_MARGIN = 1e-8
/** Slack before flooring the bound: errs upwards (a larger bound is still a bound), never below the certified value. */
const FLOOR_SLACK = 1e-6

/** The least Σ (price_e − 1) over closed walks of 2…lengthMax edges with capacity > 0 (≥ 0 when the prices are dual feasible). */
export function leastCycleSlack (graph: CategoryGraph, capacity: Float64Array, price: Float64Array, lengthMax: number): number {
  const n = graph.categoryCount
  const { outStart, outEdges, edgeTo } = graph
  let current = new Float64Array(n).fill(Infinity)
  let next = new Float64Array(n).fill(Infinity)
  let least = Infinity
  const active: number[] = []
  const touched: number[] = []
  for (let s = 0; s < n; s++) {
    // walks from s through categories ≥ s: each closed walk is checked from its smallest category
    active.length = 0
    current[s] = 0
    active.push(s)
    for (let k = 1; k <= lengthMax && active.length > 0; k++) {
      touched.length = 0
      for (const v of active) {
        const here = current[v]!
        for (let i = outStart[v]!; i < outStart[v + 1]!; i++) {
          const e = outEdges[i]!
          const w = edgeTo[e]!
          if (w < s || capacity[e]! <= 0) continue
          const weight = here + price[e]! - 1
          if (w === s) {
            if (k >= 2 && weight < least) least = weight
            continue
          }
          if (k === lengthMax) continue
          if (next[w] === Infinity) touched.push(w)
          if (weight < next[w]!) next[w] = weight
        }
        current[v] = Infinity
      }
      const swap = current
      current = next
      next = swap
      active.length = 0
      for (const w of touched) active.push(w)
    }
    for (const v of active) current[v] = Infinity
  }
  return least
}

/** A bound on every clearing within the cap, from any per-edge prices (negative or NaN prices count as 0); repaired to dual feasibility first. */
export function certifiedBound (graph: CategoryGraph, capacity: Float64Array, prices: Float64Array, lengthMax: number): number {
  const price = sanitizePrices(prices, graph.edgeCount)
  return boundFromPricing(graph, capacity, price, priceWalks(graph, capacity, price, lengthMax).leastByLength)
}

/** Prices as the certificate reads them: negative, NaN and infinite values count as 0. */
export function sanitizePrices (prices: Float64Array, edgeCount: number): Float64Array {
  const price = new Float64Array(edgeCount)
  for (let e = 0; e < edgeCount; e++) {
    const p = prices[e]!
    price[e] = Number.isFinite(p) && p > 0 ? p : 0
  }
  return price
}

/**
 * The certified bound of sanitized prices whose pricing pass (pricing.ts) gave
 * `leastByLength` (least Σ (y_e − 1) over closed walks of each length L).
 * Two repairs, each feasible by construction, and the smaller bound is kept:
 * - additive: y_e + r with r = max_L (−least_L / L), so every walk of L edges
 *   gains L·r ≥ −least_L;
 * - multiplicative: y / ρ with ρ = min_L (least_L + L) / L (the least Σ y per
 *   edge of any closed walk), when ρ > 0: every walk's Σ y / ρ ≥ L.
 * Near-optimal duals lose almost nothing to the multiplicative repair, where
 * the additive one charges the raise on every unit of the instance.
 */
export function boundFromPricing (graph: CategoryGraph, capacity: Float64Array, price: Float64Array, leastByLength: Float64Array): number {
  let raise = 0
  let ratio = Infinity
  let walks = false
  for (let length = 2; length < leastByLength.length; length++) {
    const least = leastByLength[length]!
    if (least === Infinity) continue
    walks = true
    raise = Math.max(raise, -least / length)
    ratio = Math.min(ratio, (least + length) / length)
  }
  // no closed walk within the cap: no chain exists at all
  if (!walks) return 0
  let total = 0
  let units = 0
  for (let e = 0; e < graph.edgeCount; e++) {
    if (capacity[e]! <= 0) continue
    total += capacity[e]! * price[e]!
    units += capacity[e]!
  }
  const additive = total + units * (raise + PRICE_MARGIN)
  const multiplicative = ratio > 0 ? total / Math.min(1, ratio) * (1 + SCALE_MARGIN) : Infinity
  return Math.floor(Math.min(additive, multiplicative) * (1 + SUM_MARGIN) + FLOOR_SLACK)
}
