/**
 * Deliberately naive reference solvers and a small-instance generator for the
 * property tests (after etcd raft's quick_test: check the real thing against
 * the obvious, exponential version).
 */
import fc from 'fast-check'
import { parseInstanceDocument, entriesOf, type MatchingInstance, type Chain } from '../../../src/core/matching/index.ts'

/** One unit: a participant's entry (with identity) or one unit of a summary count. */
export interface Unit {
  need: string
  offer: string
  node: string
  identity: string | undefined
  weight: number
}

/** Every unit of an instance. */
export function unitsOf (instance: MatchingInstance): Unit[] {
  const units: Unit[] = []
  for (const node of instance.nodes) {
    for (const p of node.participants) {
      for (const e of entriesOf(p)) units.push({ need: e.need, offer: e.offer, node: node.id, identity: p.id, weight: p.weight ?? node.weight })
    }
    for (const e of node.summary) {
      for (let i = 0; i < e.count; i++) units.push({ need: e.need, offer: e.offer, node: node.id, identity: undefined, weight: node.weight })
    }
  }
  return units
}

function balanced (units: Unit[]): boolean {
  const balance = new Map<string, number>()
  for (const u of units) {
    balance.set(u.need, (balance.get(u.need) ?? 0) + 1)
    balance.set(u.offer, (balance.get(u.offer) ?? 0) - 1)
  }
  return [...balance.values()].every((b) => b === 0)
}

/** True when the units split into cycles of at most `cap` units each. */
function splitsIntoShortCycles (units: Unit[], cap: number): boolean {
  if (units.length === 0) return true
  const [first, ...rest] = units
  const search = (path: Unit[], left: Unit[]): boolean => {
    const last = path[path.length - 1]!
    if (last.offer === first!.need && splitsIntoShortCycles(left, cap)) return true
    if (path.length >= cap) return false
    for (let i = 0; i < left.length; i++) {
      if (left[i]!.need === last.offer) {
        if (search([...path, left[i]!], [...left.slice(0, i), ...left.slice(i + 1)])) return true
      }
    }
    return false
  }
  return search([first!], rest)
}

/** The most units (then the most weight) any valid clearing serves: tries every subset. */
export function bruteForceOptimum (instance: MatchingInstance, cap: number | null): { served: number, weight: number } {
  const units = unitsOf(instance)
  let best = { served: 0, weight: 0 }
  for (let mask = 1; mask < 1 << units.length; mask++) {
    const chosen = units.filter((_, i) => (mask >> i) & 1)
    const identities = chosen.flatMap((u) => u.identity === undefined ? [] : [u.identity])
    if (new Set(identities).size !== identities.length) continue
    if (chosen.length < best.served) continue
    const weight = chosen.reduce((s, u) => s + u.weight, 0)
    if (chosen.length === best.served && weight <= best.weight) continue
    if (!balanced(chosen)) continue
    if (cap !== null && !splitsIntoShortCycles(chosen, cap)) continue
    best = { served: chosen.length, weight }
  }
  return best
}

/** A chain's canonical key: its least rotation of "need>offer@node#participant" steps. */
export function chainKey (chain: Chain): string {
  const steps = chain.steps.map((s) => `${s.need}>${s.offer}@${s.node}#${s.participant ?? ''}`)
  let best: string | undefined
  for (let r = 0; r < steps.length; r++) {
    const key = [...steps.slice(r), ...steps.slice(0, r)].join(' | ')
    if (best === undefined || key < best) best = key
  }
  return best!
}

/** Every chain of at most `cap` steps, by trying every sequence of step options. */
export function bruteForceChains (instance: MatchingInstance, cap: number): Set<string> {
  interface Option { need: string, offer: string, node: string, participant: string | undefined, multiplicity: number }
  const options: Option[] = []
  for (const node of instance.nodes) {
    for (const p of node.participants) for (const e of entriesOf(p)) options.push({ ...e, node: node.id, participant: p.id, multiplicity: 1 })
    for (const e of node.summary) options.push({ need: e.need, offer: e.offer, node: node.id, participant: undefined, multiplicity: e.count })
  }
  const keys = new Set<string>()
  const walk = (sequence: number[]): void => {
    if (sequence.length >= 2) {
      const first = options[sequence[0]!]!
      const last = options[sequence[sequence.length - 1]!]!
      if (last.offer === first.need) {
        const uses = new Map<number, number>()
        for (const i of sequence) uses.set(i, (uses.get(i) ?? 0) + 1)
        const ids = sequence.flatMap((i) => options[i]!.participant === undefined ? [] : [options[i]!.participant!])
        if ([...uses].every(([i, n]) => n <= options[i]!.multiplicity) && new Set(ids).size === ids.length) {
          keys.add(chainKey({ steps: sequence.map((i) => ({ need: options[i]!.need, offer: options[i]!.offer, node: options[i]!.node, ...(options[i]!.participant === undefined ? {} : { participant: options[i]!.participant }) })) }))
        }
      }
    }
    if (sequence.length >= cap) return
    for (let i = 0; i < options.length; i++) {
      if (sequence.length === 0 || options[sequence[sequence.length - 1]!]!.offer === options[i]!.need) walk([...sequence, i])
    }
  }
  walk([])
  return keys
}

const CATEGORIES = ['c0', 'c1', 'c2', 'c3']

/** Instance documents small enough for the brute force (≤ 9 units), optionally with multi-entry participants and weights. */
export function smallInstanceDocument (options: { sharedIdentities?: boolean, weights?: boolean } = {}): fc.Arbitrary<Record<string, unknown>> {
  const category = fc.constantFrom(...CATEGORIES)
  const pair = fc.tuple(category, category).filter(([a, b]) => a !== b)
  const weight = options.weights === true ? fc.integer({ min: 0, max: 3 }) : fc.constant(undefined)
  const participant: fc.Arbitrary<Record<string, unknown>> = options.sharedIdentities === true
    ? fc.record({ needs: fc.uniqueArray(category, { minLength: 1, maxLength: 2 }), offers: fc.uniqueArray(category, { minLength: 1, maxLength: 2 }), weight })
      .filter((p) => p.needs.some((n) => p.offers.some((o) => o !== n)))
      .map((p) => ({ needs: p.needs, offers: p.offers, ...(p.weight === undefined ? {} : { weight: p.weight }) }))
    : fc.record({ pair, weight }).map(({ pair: [need, offer], weight: w }) => ({ need, offer, ...(w === undefined ? {} : { weight: w }) }))
  const participantsNode = fc.array(participant, { minLength: 0, maxLength: 4 })
    .map((list) => ({ participants: list.map((p, i) => ({ id: `p${i}`, ...p })) }))
  const summaryNode = fc.uniqueArray(fc.record({ pair, count: fc.integer({ min: 1, max: 2 }) }), { maxLength: 3, selector: (e) => e.pair.join('>') })
    .map((entries) => ({ summary: entries.map((e) => ({ need: e.pair[0], offer: e.pair[1], count: e.count })) }))
  const node = fc.record({ body: fc.oneof(participantsNode, summaryNode), weight })
  return fc.array(node, { minLength: 1, maxLength: 3 })
    .map((nodes) => ({
      categories: CATEGORIES,
      nodes: nodes.map((n, i) => ({ id: `n${i}`, ...n.body, ...(n.weight === undefined ? {} : { weight: n.weight }) }))
    }))
    .filter((doc) => unitsOf(parseInstanceDocument(doc)).length <= 9)
}

/** Shuffles a document's lists (nodes, participants, summary entries, categories, offers/needs) with a seed. */
export function shuffledDocument (document: Record<string, unknown>, seed: number): Record<string, unknown> {
  let state = seed >>> 0 || 1
  const random = (): number => {
    state ^= state << 13; state >>>= 0
    state ^= state >>> 17
    state ^= state << 5; state >>>= 0
    return state / 2 ** 32
  }
  const shuffle = <T>(list: T[]): T[] => {
    const copy = [...list]
    for (let i = copy.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1))
      ;[copy[i], copy[j]] = [copy[j]!, copy[i]!]
    }
    return copy
  }
  const clone = structuredClone(document) as { categories: string[], nodes: Array<{ participants?: Array<Record<string, unknown>>, summary?: unknown[] }> }
  clone.categories = shuffle(clone.categories)
  clone.nodes = shuffle(clone.nodes).map((n) => ({
    ...n,
    ...(n.participants === undefined ? {} : { participants: shuffle(n.participants).map((p) => ({ ...p, ...(Array.isArray(p.needs) ? { needs: shuffle(p.needs as string[]) } : {}), ...(Array.isArray(p.offers) ? { offers: shuffle(p.offers as string[]) } : {}) })) }),
    ...(n.summary === undefined ? {} : { summary: shuffle(n.summary) })
  }))
  return clone
}
