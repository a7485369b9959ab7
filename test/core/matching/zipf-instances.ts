/**
 * Seeded random Zipf instances for the exact-mode tests (issue 18's shape:
 * 3–12 categories, 5–120 participants, caps 2–6), and an exact solver for them
 * that shares nothing with the production path: its own cycle listing over the
 * document, a cycle-formulation MIP written as CPLEX LP text, solved by
 * HiGHS's one-shot `solve` (production builds sparse arrays for a persistent
 * model).
 */
import { createRequire } from 'node:module'
import type { Highs } from 'highs'

const loadHighs = createRequire(import.meta.url)('highs') as (typeof import('highs'))['default']

/** mulberry32: the same seed gives the same instance. */
export function random32 (seed: number): () => number {
  let state = seed | 0
  return () => {
    state = (state + 0x6d2b79f5) | 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export interface ZipfDocument {
  categories: string[]
  nodes: Array<{ id: string, participants?: Array<{ id: string, need: string, offer: string }>, summary?: Array<{ need: string, offer: string, count: number }> }>
}

/** An instance document: node A's participants exactly, node B's as a summary; need and offer Zipf(s = 1), offer ≠ need. */
export function zipfDocument (seed: number, categories: number, participants: number): ZipfDocument {
  const random = random32(seed)
  const slugs = Array.from({ length: categories }, (_, i) => `c${String(i).padStart(2, '0')}`)
  const weights = slugs.map((_, i) => 1 / (i + 1))
  const total = weights.reduce((a, b) => a + b, 0)
  const zipf = (): number => {
    let u = random() * total
    for (let i = 0; i < categories; i++) if ((u -= weights[i]!) <= 0) return i
    return categories - 1
  }
  const local: Array<{ id: string, need: string, offer: string }> = []
  const counts = new Map<string, number>()
  for (let p = 0; p < participants; p++) {
    const need = zipf()
    let offer = zipf()
    while (offer === need) offer = zipf()
    if (random() < 0.5) local.push({ id: `p${p}`, need: slugs[need]!, offer: slugs[offer]! })
    else counts.set(`${slugs[need]!}>${slugs[offer]!}`, (counts.get(`${slugs[need]!}>${slugs[offer]!}`) ?? 0) + 1)
  }
  const summary = [...counts].map(([pair, count]) => ({ need: pair.split('>')[0]!, offer: pair.split('>')[1]!, count }))
  return { categories: slugs, nodes: [{ id: 'A', participants: local }, { id: 'B', summary }] }
}

let highs: Highs | undefined

/** The most participants any clearing with chains ≤ cap serves, by an independent cycle MIP (single-entry participants). */
export async function referenceOptimum (document: ZipfDocument, cap: number): Promise<number> {
  highs ??= await loadHighs()
  const units = new Map<string, number>()
  const add = (need: string, offer: string, count: number): void => { units.set(`${need}>${offer}`, (units.get(`${need}>${offer}`) ?? 0) + count) }
  for (const node of document.nodes) {
    for (const p of node.participants ?? []) add(p.need, p.offer, 1)
    for (const e of node.summary ?? []) add(e.need, e.offer, e.count)
  }
  const n = document.categories.length
  const cycles: number[][] = []
  // every simple cycle once, from its smallest category, as a list of categories
  const walk = (path: number[]): void => {
    const last = path[path.length - 1]!
    for (let next = path[0]!; next < n; next++) {
      if (!units.has(`${document.categories[last]!}>${document.categories[next]!}`)) continue
      if (next === path[0]!) {
        if (path.length >= 2) cycles.push([...path])
      } else if (!path.includes(next) && path.length < cap) {
        walk([...path, next])
      }
    }
  }
  for (let s = 0; s < n; s++) walk([s])
  if (cycles.length === 0) return 0
  const pair = (c: number[], i: number): string => `${document.categories[c[i]!]!}>${document.categories[c[(i + 1) % c.length]!]!}`
  const rows = new Map<string, string[]>()
  cycles.forEach((c, j) => c.forEach((_, i) => { rows.set(pair(c, i), [...(rows.get(pair(c, i)) ?? []), `x${j}`]) }))
  const lp = [
    'Maximize',
    ` obj: ${cycles.map((c, j) => `${c.length} x${j}`).join(' + ')}`,
    'Subject To',
    ...[...rows].map(([key, vars], r) => ` r${r}: ${vars.join(' + ')} <= ${units.get(key)!}`),
    'Generals',
    ` ${cycles.map((_, j) => `x${j}`).join(' ')}`,
    'End'
  ].join('\n')
  const result = highs.solve(lp, { output_flag: false, mip_rel_gap: 0, mip_abs_gap: 0.5 })
  if (result.Status !== 'Optimal') throw new Error(`reference MIP ended ${result.Status}`)
  return Math.round(result.ObjectiveValue)
}
