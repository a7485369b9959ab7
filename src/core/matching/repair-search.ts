/**
 * Destroy-and-repair local search over category-cycle counts (a large
 * neighbourhood search with a neighbourhood of one chain): take one chain out,
 * close the longest cycles ≤ cap through each of its freed units with the
 * units nobody uses, and keep the change when it serves more.
 *
 * Why it helps: after the clearing the units nobody uses close no cycle ≤ cap
 * among themselves (the leftover search leaves none), but many of them — a
 * rare category's units on Zipf data — need only one hub unit to close one.
 * The heuristic and LP-round spend hub units in short chains; giving up one
 * such chain frees k hub units, each of which can anchor a longer chain with
 * free peripheral units: a three-chain a → b → c → a traded for
 * a → b → x → a, b → c → y → b and c → a → z → c serves 9 instead of 3. The
 * two-for-three swaps (local-search.ts) are the case of a two-chain; this is
 * every chain, every length ≤ cap.
 *
 * The repair first closes each freed unit with units that are free and not
 * freed by this move (so one repair cycle per freed unit, each anchored on
 * it), then lets the rest use the other freed units. A repair cycle is a
 * closed walk (longest first) split into simple cycles (equal units served).
 *
 * Deterministic: cycles in the given order, out-edges in graph order, and a
 * work limit in edge visits; `remainingSeconds` only ever stops it earlier.
 * Never serves fewer: a move is kept only when it serves strictly more, or,
 * in a plateau pass (REPAIR_PLATEAU_PASSES), exactly as many.
 */
import { findEdge, type CategoryGraph } from './category-graph.ts'
import type { CategoryCycles } from './category-cycles.ts'
import { canonicalCycle, simpleCycles } from './pricing.ts'

export interface RepairSearchOptions {
  cap: number
  /** edge visits the search may spend (a work limit: deterministic) */
  workMax: number
  /** seconds left in the caller's budget; the search stops when ≤ 0 */
  remainingSeconds: () => number
  /** passes that also take moves serving as many as before (plateau moves) once a pass gains nothing; default REPAIR_PLATEAU_PASSES */
  plateauPasses?: number
}

/**
 * Plateau passes: when a pass gains nothing, a pass that also keeps moves
 * serving exactly as many (a chain traded for different chains) leads the
 * search out of the local optimum; strict gains then resume. 1,000 categories
 * / 100k / cap 3, from the heuristic's chains: 93,634 with none, 94,075 with
 * 2, 94,120 with 4 (4.2 s of CPU when let run), 94,124 with 6.
 */
export const REPAIR_PLATEAU_PASSES = 4

/** Improves cycle counts by destroy-and-repair moves; returns cycles (the given ones, then the added ones) with their counts. */
export function repairSearch (graph: CategoryGraph, cycles: CategoryCycles, counts: Float64Array, options: RepairSearchOptions): { cycles: CategoryCycles, counts: Float64Array, gained: number, work: number } {
  const { cap } = options
  const residual = Float64Array.from(graph.edgeCapacity)
  // every cycle type once, by key, with its count; the given order first
  const list: Int32Array[] = []
  const count: number[] = []
  const index = new Map<string, number>()
  const add = (edges: Int32Array, times: number): void => {
    const key = edges.join(',')
    const at = index.get(key)
    if (at !== undefined) {
      count[at]! += times
      return
    }
    index.set(key, list.length)
    list.push(edges)
    count.push(times)
  }
  for (let c = 0; c < cycles.count; c++) {
    const edges = cycles.edges.slice(cycles.starts[c]!, cycles.starts[c + 1]!)
    const times = Math.max(0, Math.round(counts[c]!))
    add(edges, times)
    for (const e of edges) residual[e]! -= times
  }
  const search = new WalkSearch(graph, cap, residual)
  const release = (e: number): void => search.release(e)
  const reserve = new Float64Array(graph.edgeCount)
  let gained = 0
  let improved = true
  let plateauLeft = options.plateauPasses ?? REPAIR_PLATEAU_PASSES
  while ((improved || plateauLeft > 0) && search.work < options.workMax && options.remainingSeconds() > 0) {
    // a pass after one that gained nothing takes plateau moves too
    const plateau = !improved
    if (plateau) plateauLeft--
    improved = false
    for (let c = 0; c < list.length && search.work < options.workMax; c++) {
      if ((c & 63) === 0 && options.remainingSeconds() <= 0) break
      while (count[c]! > 0 && search.work < options.workMax) {
        const removed = list[c]!
        for (const e of removed) {
          release(e)
          reserve[e]!++
        }
        const repaired: Int32Array[] = []
        let served = 0
        // anchored repairs first (other freed units held back), then any freed unit left with everything
        for (const pass of [true, false]) {
          for (const f of removed) {
            if (reserve[f]! <= 0) continue
            if (!pass) reserve[f] = 0
            else reserve[f]!--
            const walk = search.longestThrough(f, pass ? reserve : null)
            if (walk === null) {
              if (pass) reserve[f]!++
              continue
            }
            for (const e of walk) residual[e]!--
            repaired.push(walk)
            served += walk.length
          }
        }
        for (const e of removed) reserve[e] = 0
        const gain = served - removed.length
        // a plateau move must change something: not the removed chain put back as it was
        const changes = gain > 0 || (plateau && gain === 0 && (repaired.length !== 1 || repaired[0]!.join(',') !== removed.join(',')))
        if (changes) {
          count[c]!--
          for (const walk of repaired) for (const cycle of simpleCycles(graph, walk)) add(cycle, 1)
          gained += gain
          if (gain > 0) {
            improved = true
            continue
          }
          // one plateau move per chain type and pass: the search cannot circle within a pass
          break
        }
        // no gain: undo
        for (const walk of repaired) for (const e of walk) release(e)
        for (const e of removed) residual[e]!--
        break
      }
    }
  }
  const starts = new Int32Array(list.length + 1)
  list.forEach((edges, c) => { starts[c + 1] = starts[c]! + edges.length })
  const edges = new Int32Array(starts[list.length]!)
  list.forEach((cycle, c) => edges.set(cycle, starts[c]!))
  return { cycles: { edges, starts, count: list.length, truncated: cycles.truncated }, counts: Float64Array.from(count), gained, work: search.work }
}

/**
 * The longest closed walk ≤ cap through a given edge f = (a → b) in the
 * units available: f, then a walk b ⇝ a of exactly j edges for the largest
 * j ≤ cap − 1 that has one, found by levels (vertex sets reachable in j
 * steps, with the edge each was first reached by). It keeps, per category,
 * the out-edges that may have a unit left (a superset: an edge is dropped
 * when a scan finds it empty, and added back by `release`), so a scan costs
 * the free edges, not the category's degree: after a clearing most units are
 * used.
 */
class WalkSearch {
  /** edge visits so far */
  work = 0
  private readonly level: Int32Array[]
  private readonly levelSize: Int32Array
  private readonly parent: Int32Array
  private readonly mark: Int32Array
  private stamp = 0
  /** free[v]: out-edges of v that may have units left; listed[e]: e is in its list */
  private readonly free: number[][]
  private readonly listed: Uint8Array

  constructor (private readonly graph: CategoryGraph, private readonly cap: number, private readonly residual: Float64Array) {
    const n = graph.categoryCount
    this.level = Array.from({ length: cap }, () => new Int32Array(n))
    this.levelSize = new Int32Array(cap)
    this.parent = new Int32Array(cap * n)
    this.mark = new Int32Array(cap * n)
    this.free = Array.from({ length: n }, () => [])
    this.listed = new Uint8Array(graph.edgeCount)
    for (let i = 0; i < graph.outEdges.length; i++) {
      const e = graph.outEdges[i]!
      if (residual[e]! > 0) this.list(e)
    }
  }

  /** One unit of e back to the free units. */
  release (e: number): void {
    this.residual[e]!++
    if (this.listed[e] === 0) this.list(e)
  }

  private list (e: number): void {
    this.listed[e] = 1
    this.free[this.graph.edgeFrom[e]!]!.push(e)
  }

  /** The walk's edges starting with f, or null when none; `held` units per edge are not available (null: none held). */
  longestThrough (f: number, held: Float64Array | null): Int32Array | null {
    const { graph, cap, residual } = this
    const n = graph.categoryCount
    const available = (e: number): number => residual[e]! - (held === null ? 0 : held[e]!)
    if (available(f) < 1) return null
    const a = graph.edgeFrom[f]!
    const b = graph.edgeTo[f]!
    const stamp = ++this.stamp
    this.level[0]![0] = b
    this.levelSize[0] = 1
    this.mark[b] = stamp
    let deepest = 0
    // levels 1 … cap − 2 are expanded; the last one (cap − 1) is only checked for an edge into a
    for (let j = 1; j <= cap - 2; j++) {
      let size = 0
      const into = this.level[j]!
      const from = this.level[j - 1]!
      for (let i = 0; i < this.levelSize[j - 1]!; i++) {
        const v = from[i]!
        const edges = this.free[v]!
        this.work += edges.length
        for (let k = 0; k < edges.length; k++) {
          const e = edges[k]!
          if (residual[e]! <= 0) {
            // empty: dropped from the list (swap with the last), re-listed when a unit comes back
            edges[k--] = edges[edges.length - 1]!
            edges.pop()
            this.listed[e] = 0
            continue
          }
          if (available(e) < 1) continue
          const w = graph.edgeTo[e]!
          const key = j * n + w
          if (this.mark[key] === stamp) continue
          this.mark[key] = stamp
          this.parent[key] = e
          into[size++] = w
        }
      }
      this.levelSize[j] = size
      if (size === 0) break
      deepest = j
    }
    // the longest first: a walk of j + 1 edges back to a, j = deepest … 0
    for (let j = Math.min(deepest, cap - 2); j >= 0; j--) {
      const from = this.level[j]!
      for (let i = 0; i < this.levelSize[j]!; i++) {
        const v = from[i]!
        const last = findEdge(graph, v, a)
        this.work++
        if (last < 0 || available(last) < 1) continue
        const walk = new Int32Array(j + 2)
        walk[0] = f
        walk[j + 1] = last
        let w = v
        for (let k = j; k >= 1; k--) {
          const e = this.parent[k * n + w]!
          walk[k] = e
          w = graph.edgeFrom[e]!
        }
        if (fits(walk, available)) return canonicalCycle(graph, walk)
      }
    }
    return null
  }
}

/** Whether every edge of a walk has as many units available as the walk uses (an edge may repeat). */
function fits (walk: Int32Array, available: (e: number) => number): boolean {
  const sorted = Int32Array.from(walk).sort()
  for (let i = 0; i < sorted.length;) {
    let j = i
    while (j < sorted.length && sorted[j] === sorted[i]) j++
    if (available(sorted[i]!) < j - i) return false
    i = j
  }
  return true
}
