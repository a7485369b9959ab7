/**
 * The naive baseline the matching benchmark compares against: build the
 * participant graph (p → q when p offers what q needs), enumerate every simple
 * cycle of at most `cap` participants (each from its smallest participant),
 * then greedily keep cycles whose participants are all still free, longest
 * first. Exponential in the cap; bounded by a time budget so the bench always
 * finishes.
 */
import { performance } from 'node:perf_hooks'
import type { Participant } from '../../src/core/matching/participant.ts'

export interface NaiveResult {
  ms: number
  finished: boolean
  cycles: number
  served: number
}

/** Runs the baseline on single-entry participants; stops enumerating after `budgetMs`. */
export function naiveClearing (participants: readonly Participant[], cap: number, budgetMs: number): NaiveResult {
  const started = performance.now()
  const n = participants.length
  const byNeed = new Map<string, number[]>()
  participants.forEach((p, i) => {
    const list = byNeed.get(p.needs[0]!) ?? []
    list.push(i)
    byNeed.set(p.needs[0]!, list)
  })
  const next: number[][] = participants.map((p) => byNeed.get(p.offers[0]!) ?? [])
  const cycles: Int32Array[] = []
  const onPath = new Uint8Array(n)
  const path: number[] = []
  let finished = true
  let checks = 0
  const outOfTime = (): boolean => {
    if (++checks % 4096 !== 0) return false
    return performance.now() - started > budgetMs
  }
  const extend = (start: number, v: number): boolean => {
    for (const w of next[v]!) {
      if (outOfTime()) return false
      if (w === start) {
        if (path.length >= 2) cycles.push(Int32Array.from(path))
        continue
      }
      if (w < start || onPath[w] === 1 || path.length >= cap) continue
      onPath[w] = 1
      path.push(w)
      const ok = extend(start, w)
      path.pop()
      onPath[w] = 0
      if (!ok) return false
    }
    return true
  }
  for (let start = 0; start < n && finished; start++) {
    onPath[start] = 1
    path.push(start)
    finished = extend(start, start)
    path.pop()
    onPath[start] = 0
  }
  cycles.sort((a, b) => b.length - a.length)
  const used = new Uint8Array(n)
  let served = 0
  for (const cycle of cycles) {
    if (cycle.some((p) => used[p] === 1)) continue
    for (const p of cycle) used[p] = 1
    served += cycle.length
  }
  return { ms: performance.now() - started, finished, cycles: cycles.length, served }
}
