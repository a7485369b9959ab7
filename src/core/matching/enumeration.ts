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
  return new ChainSearch(instance, cap, limit).run()
}

/** The depth-first search behind `enumerateChains`: state for one enumeration. */
class ChainSearch {
  private readonly options: StepOption[]
  /** options by need category, each list in option order */
  private readonly byNeed: number[][]
  /** predecessors[v]: the categories some option leads from into v */
  private readonly predecessors: Array<Set<number>>
  private readonly identityUsed: Uint8Array
  private readonly optionUses: Int32Array
  /** hops[v] = fewest steps from category v back to `hopsTarget` (reverse BFS) */
  private readonly hops: Int32Array
  private hopsTarget = -1
  private readonly sequence: number[] = []
  private readonly chains: Chain[] = []
  private truncated = false

  constructor (private readonly instance: MatchingInstance, private readonly cap: number, private readonly limit: number) {
    this.options = stepOptions(instance)
    const categories = instance.taxonomy.size
    this.byNeed = Array.from({ length: categories }, () => [])
    this.predecessors = Array.from({ length: categories }, () => new Set())
    this.options.forEach((option, i) => {
      this.byNeed[option.need]!.push(i)
      this.predecessors[option.offer]!.add(option.need)
    })
    this.identityUsed = new Uint8Array(this.options.reduce((max, o) => Math.max(max, o.identity + 1), 0))
    this.optionUses = new Int32Array(this.options.length)
    this.hops = new Int32Array(categories)
  }

  run (): Enumeration {
    const { options, hops, cap } = this
    for (let first = 0; first < options.length && !this.truncated; first++) {
      const option = options[first]!
      if (option.need !== this.hopsTarget) this.computeHops(option.need)
      if (hops[option.offer] === -1 || hops[option.offer]! > cap - 1) continue
      this.push(first)
      this.extend(first, option.offer)
      this.pop()
    }
    return { chains: this.chains, truncated: this.truncated }
  }

  /** Tries every usable option out of category `at` that can still close the chain within the cap. */
  private extend (first: number, at: number): void {
    const { options, hops, sequence } = this
    const target = options[first]!.need
    for (const next of this.byNeed[at]!) {
      if (this.truncated) return
      if (next < first || !this.usable(next)) continue
      const offer = options[next]!.offer
      const remaining = this.cap - sequence.length - 1
      if (offer !== target && (hops[offer] === -1 || hops[offer]! > remaining)) continue
      this.push(next)
      if (offer === target && this.isLeastRotation()) {
        if (this.chains.length < this.limit) this.emit()
        else this.truncated = true
      }
      if (remaining > 0) this.extend(first, offer)
      this.pop()
    }
  }

  private computeHops (target: number): void {
    const { hops } = this
    this.hopsTarget = target
    hops.fill(-1)
    hops[target] = 0
    const queue = [target]
    for (let i = 0; i < queue.length; i++) {
      const v = queue[i]!
      for (const u of this.predecessors[v]!) {
        if (hops[u] === -1) {
          hops[u] = hops[v]! + 1
          queue.push(u)
        }
      }
    }
  }

  /** A repeated summary class can make rotations coincide; report each chain at its least rotation only. */
  private isLeastRotation (): boolean {
    const { sequence } = this
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

  private emit (): void {
    const { taxonomy } = this.instance
    const steps: ChainStep[] = this.sequence.map((i) => {
      const option = this.options[i]!
      const step: ChainStep = { node: option.node, need: taxonomy.slugAt(option.need), offer: taxonomy.slugAt(option.offer) }
      if (option.participant !== undefined) step.participant = option.participant
      return step
    })
    this.chains.push({ steps })
  }

  private push (i: number): void {
    this.sequence.push(i)
    this.optionUses[i]!++
    const identity = this.options[i]!.identity
    if (identity >= 0) this.identityUsed[identity] = 1
  }

  private pop (): void {
    const i = this.sequence.pop()!
    this.optionUses[i]!--
    const identity = this.options[i]!.identity
    if (identity >= 0) this.identityUsed[identity] = 0
  }

  private usable (i: number): boolean {
    const option = this.options[i]!
    return this.optionUses[i]! < option.multiplicity && (option.identity < 0 || this.identityUsed[option.identity] === 0)
  }
}
