/**
 * Enumeration of every candidate chain up to a length cap — what a node can
 * propose and explain, before the clearing picks a disjoint set.
 *
 * A step option is a local participant's entry (exact, with its identity) or
 * a remote node's summary class (node, need, offer) usable as many times as
 * its count. A candidate chain is a cyclic sequence of options where each
 * gives what the next needs, no participant appears twice and no class is
 * used more than its count; rotations of one sequence are one chain. Options
 * are totally ordered (need, offer, node, participant), and each chain is
 * reported once, starting at its lexicographically least rotation; chains come
 * in that order, so the output is deterministic.
 */
import type { MatchingInstance } from './instance.ts'
import type { Chain, ChainStep } from './chain.ts'
import { validateCap } from './chain.ts'
import { entriesOf } from './participant.ts'
import { compareText } from './taxonomy.ts'
import { CHAIN_LENGTH_DEFAULT, CHAINS_ENUMERATED_MAX } from './limits.ts'

export interface EnumerationOptions {
  /** longest chain; default CHAIN_LENGTH_DEFAULT */
  cap?: number
  /** stop after this many chains (default and maximum CHAINS_ENUMERATED_MAX) */
  limit?: number
}

export interface Enumeration {
  chains: Chain[]
  /** true when the limit stopped the enumeration before every chain was found */
  truncated: boolean
}

interface StepOption {
  need: number
  offer: number
  node: string
  participant: string | undefined
  /** index of the participant (identity) or -1 */
  identity: number
  /** how many times the option may appear in one chain */
  multiplicity: number
}

function stepOptions (instance: MatchingInstance): StepOption[] {
  const { taxonomy } = instance
  const options: StepOption[] = []
  let identity = 0
  for (const node of instance.nodes) {
    for (const participant of node.participants) {
      for (const entry of entriesOf(participant)) {
        options.push({ need: taxonomy.indexOf(entry.need), offer: taxonomy.indexOf(entry.offer), node: node.id, participant: participant.id, identity, multiplicity: 1 })
      }
      identity++
    }
    for (const entry of node.summary) {
      options.push({ need: taxonomy.indexOf(entry.need), offer: taxonomy.indexOf(entry.offer), node: node.id, participant: undefined, identity: -1, multiplicity: entry.count })
    }
  }
  return options.sort((a, b) => a.need - b.need || a.offer - b.offer || compareText(a.node, b.node) || compareText(a.participant ?? '', b.participant ?? ''))
}

/** Every candidate chain of at most `cap` steps (up to `limit`), in a deterministic order. */
export function enumerateChains (instance: MatchingInstance, options: EnumerationOptions = {}): Enumeration {
  const cap = validateCap(options.cap ?? CHAIN_LENGTH_DEFAULT)
  const limit = Math.max(0, Math.min(options.limit ?? CHAINS_ENUMERATED_MAX, CHAINS_ENUMERATED_MAX))
  const all = stepOptions(instance)
  const categories = instance.taxonomy.size
  // options by need category, each list in option order
  const byNeed: number[][] = Array.from({ length: categories }, () => [])
  all.forEach((option, i) => byNeed[option.need]!.push(i))
  const identities = all.reduce((max, o) => Math.max(max, o.identity + 1), 0)
  const identityUsed = new Uint8Array(identities)
  const optionUses = new Int32Array(all.length)
  const chains: Chain[] = []
  const sequence: number[] = []
  let truncated = false
  // hops[v] = fewest steps from category v back to the start's need (reverse BFS, per start category)
  const hops = new Int32Array(categories)
  let hopsTarget = -1

  // predecessors[v]: the categories some option leads from into v
  const predecessors: Array<Set<number>> = Array.from({ length: categories }, () => new Set())
  for (const option of all) predecessors[option.offer]!.add(option.need)
  const computeHops = (target: number): void => {
    hops.fill(-1)
    hops[target] = 0
    const queue = [target]
    for (let i = 0; i < queue.length; i++) {
      const v = queue[i]!
      for (const u of predecessors[v]!) {
        if (hops[u] === -1) {
          hops[u] = hops[v]! + 1
          queue.push(u)
        }
      }
    }
  }

  const isLeastRotation = (): boolean => {
    const n = sequence.length
    for (let r = 1; r < n; r++) {
      if (sequence[r] !== sequence[0]) continue
      for (let k = 0; k < n; k++) {
        const a = sequence[(r + k) % n]!
        const b = sequence[k]!
        if (a < b) return false
        if (a > b) break
      }
    }
    return true
  }

  const emit = (): void => {
    const steps: ChainStep[] = sequence.map((i) => {
      const option = all[i]!
      const step: ChainStep = { node: option.node, need: instance.taxonomy.slugAt(option.need), offer: instance.taxonomy.slugAt(option.offer) }
      if (option.participant !== undefined) step.participant = option.participant
      return step
    })
    chains.push({ steps })
  }

  const use = (i: number, delta: 1 | -1): void => {
    optionUses[i]! += delta
    const identity = all[i]!.identity
    if (identity >= 0) identityUsed[identity] = delta === 1 ? 1 : 0
  }

  const usable = (i: number): boolean => {
    const option = all[i]!
    return optionUses[i]! < option.multiplicity && (option.identity < 0 || identityUsed[option.identity] === 0)
  }

  const extend = (first: number, at: number): void => {
    const target = all[first]!.need
    for (const next of byNeed[at]!) {
      if (truncated) return
      if (next < first || !usable(next)) continue
      const offer = all[next]!.offer
      const remaining = cap - sequence.length - 1
      if (offer !== target && (hops[offer] === -1 || hops[offer]! > remaining)) continue
      sequence.push(next)
      use(next, 1)
      if (offer === target && isLeastRotation()) {
        if (chains.length < limit) emit()
        else truncated = true
      }
      if (remaining > 0) extend(first, offer)
      use(next, -1)
      sequence.pop()
    }
  }

  for (let first = 0; first < all.length && !truncated; first++) {
    const option = all[first]!
    if (option.need !== hopsTarget) {
      computeHops(option.need)
      hopsTarget = option.need
    }
    if (hops[option.offer] === -1 || hops[option.offer]! > cap - 1) continue
    sequence.push(first)
    use(first, 1)
    extend(first, option.offer)
    use(first, -1)
    sequence.pop()
  }
  return { chains, truncated }
}
