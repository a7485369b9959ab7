/**
 * Binding cycles of the category graph to units: each step of a chain takes
 * the next live unit from its edge's pool. This is where the identity
 * constraint is enforced: once a participant is in a chain, every other entry
 * of it is dead for the rest of the clearing.
 */
import type { CategoryGraph } from './category-graph.ts'
import { blockEdges } from './category-graph.ts'
import type { Chain, ChainStep } from './chain.ts'

/** The units not yet in a chain, per edge and per block. */
export class Pools {
  private readonly graph: CategoryGraph
  private readonly remaining: Int32Array
  private readonly used: Uint8Array
  private readonly cursor: Int32Array
  private readonly blockEdge: Int32Array
  /** live units per edge: not in a chain and not an entry of a participant already in one */
  readonly available: Float64Array
  served = 0
  weight = 0

  constructor (graph: CategoryGraph) {
    this.graph = graph
    this.remaining = Int32Array.from(graph.blockCount)
    this.used = new Uint8Array(graph.participantIds.length)
    this.cursor = graph.blockStart.slice(0, graph.edgeCount)
    this.blockEdge = blockEdges(graph)
    this.available = Float64Array.from(graph.edgeCapacity)
  }

  private live (block: number): boolean {
    if (this.remaining[block] === 0) return false
    const p = this.graph.blockParticipant[block]!
    return p < 0 || this.used[p] === 0
  }

  /** Takes the next live unit of an edge; returns its block or -1. */
  private take (edge: number): number {
    const end = this.graph.blockStart[edge + 1]!
    // dead blocks before the cursor stay dead until a release moves the cursor back
    let block = this.cursor[edge]!
    while (block < end && !this.live(block)) block++
    this.cursor[edge] = block
    if (block >= end) return -1
    this.remaining[block]!--
    this.available[edge]!--
    const p = this.graph.blockParticipant[block]!
    if (p >= 0) {
      this.used[p] = 1
      if (this.graph.sharedIdentities) this.updateSiblings(p, block, -1)
    }
    return block
  }

  private release (block: number): void {
    const edge = this.blockEdge[block]!
    const p = this.graph.blockParticipant[block]!
    if (p >= 0) {
      this.used[p] = 0
      if (this.graph.sharedIdentities) this.updateSiblings(p, block, 1)
    }
    this.remaining[block]!++
    this.available[edge]!++
    if (block < this.cursor[edge]!) this.cursor[edge] = block
  }

  /**
   * A participant entered (delta -1) or left (delta +1) a chain: its other
   * entries that still have units become dead (or live again) on their edges.
   */
  private updateSiblings (p: number, block: number, delta: -1 | 1): void {
    const { participantBlockStart, participantBlocks } = this.graph
    for (let k = participantBlockStart[p]!; k < participantBlockStart[p + 1]!; k++) {
      const sibling = participantBlocks[k]!
      if (sibling === block || this.remaining[sibling] === 0) continue
      const siblingEdge = this.blockEdge[sibling]!
      this.available[siblingEdge]! += delta
      if (delta === 1 && sibling < this.cursor[siblingEdge]!) this.cursor[siblingEdge] = sibling
    }
  }

  /** blocks of the bound chains' steps, chain after chain (each rotated to start at its smallest need) */
  private steps = new Int32Array(1024)
  private stepCount = 0
  /** chain i is steps[starts[i] … starts[i+1]) */
  private readonly starts: number[] = [0]

  /**
   * Binds up to `times` chains along the cycle `edges` and returns how many
   * were bound (fewer when a pool runs dry or a participant would appear twice).
   */
  bind (edges: Int32Array, times: number): number {
    const length = edges.length
    const { edgeFrom } = this.graph
    // start at the smallest need so a chain reads the same whichever way it was found
    let first = 0
    for (let i = 1; i < length; i++) if (edgeFrom[edges[i]!]! < edgeFrom[edges[first]!]!) first = i
    for (let t = 0; t < times; t++) {
      if (this.stepCount + length > this.steps.length) {
        const grown = new Int32Array(this.steps.length * 2 + length)
        grown.set(this.steps.subarray(0, this.stepCount))
        this.steps = grown
      }
      for (let k = 0; k < length; k++) {
        const block = this.take(edges[(first + k) % length]!)
        if (block < 0) {
          for (let j = 0; j < k; j++) this.release(this.steps[this.stepCount + j]!)
          return t
        }
        this.steps[this.stepCount + k] = block
      }
      for (let k = 0; k < length; k++) this.weight += this.graph.blockWeight[this.steps[this.stepCount + k]!]!
      this.stepCount += length
      this.starts.push(this.stepCount)
      this.served += length
    }
    return times
  }

  /** The bound chains in compact form. */
  result (): BoundChains {
    return { stepBlocks: this.steps.slice(0, this.stepCount), chainStarts: Int32Array.from(this.starts) }
  }
}

/** Chains as blocks: chain i's steps are stepBlocks[chainStarts[i] … chainStarts[i+1]). */
export interface BoundChains {
  stepBlocks: Int32Array
  chainStarts: Int32Array
}

/** Turns bound chains into Chain objects (node, categories, participant id per step). */
export function materializeChains (graph: CategoryGraph, bound: BoundChains): Chain[] {
  const edges = blockEdges(graph)
  const chains: Chain[] = []
  for (let c = 0; c + 1 < bound.chainStarts.length; c++) {
    const steps: ChainStep[] = []
    for (let k = bound.chainStarts[c]!; k < bound.chainStarts[c + 1]!; k++) {
      const block = bound.stepBlocks[k]!
      const edge = edges[block]!
      const step: ChainStep = { node: graph.nodes[graph.blockNode[block]!]!, need: graph.categories[graph.edgeFrom[edge]!]!, offer: graph.categories[graph.edgeTo[edge]!]! }
      const p = graph.blockParticipant[block]!
      if (p >= 0) step.participant = graph.participantIds[p]!
      steps.push(step)
    }
    chains.push({ steps })
  }
  return chains
}
