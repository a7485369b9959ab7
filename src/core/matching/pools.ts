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
    while (this.cursor[edge]! < end && !this.live(this.cursor[edge]!)) this.cursor[edge]!++
    const block = this.cursor[edge]!
    if (block >= end) return -1
    this.remaining[block]!--
    this.available[edge]!--
    const p = this.graph.blockParticipant[block]!
    if (p >= 0) {
      this.used[p] = 1
      this.forSiblings(p, block, (sibling) => { this.available[this.blockEdge[sibling]!]!-- })
    }
    return block
  }

  private release (block: number): void {
    const edge = this.blockEdge[block]!
    const p = this.graph.blockParticipant[block]!
    if (p >= 0) {
      this.used[p] = 0
      this.forSiblings(p, block, (sibling) => {
        const siblingEdge = this.blockEdge[sibling]!
        this.available[siblingEdge]!++
        if (sibling < this.cursor[siblingEdge]!) this.cursor[siblingEdge] = sibling
      })
    }
    this.remaining[block]!++
    this.available[edge]!++
    if (block < this.cursor[edge]!) this.cursor[edge] = block
  }

  /** Calls `f` for each other live entry of participant p. */
  private forSiblings (p: number, block: number, f: (sibling: number) => void): void {
    const { participantBlockStart, participantBlocks } = this.graph
    for (let k = participantBlockStart[p]!; k < participantBlockStart[p + 1]!; k++) {
      const sibling = participantBlocks[k]!
      if (sibling !== block && this.remaining[sibling]! > 0) f(sibling)
    }
  }

  /**
   * Binds up to `times` chains along the cycle `edges`; appends them to
   * `chains` and returns how many were bound (fewer when a pool runs dry or a
   * participant would appear twice).
   */
  bind (edges: readonly number[], times: number, chains: Chain[]): number {
    const blocks = new Array<number>(edges.length)
    for (let t = 0; t < times; t++) {
      for (let i = 0; i < edges.length; i++) {
        const block = this.take(edges[i]!)
        if (block < 0) {
          for (let j = 0; j < i; j++) this.release(blocks[j]!)
          return t
        }
        blocks[i] = block
      }
      chains.push(this.chainOf(edges, blocks))
    }
    return times
  }

  private chainOf (edges: readonly number[], blocks: readonly number[]): Chain {
    const { graph } = this
    // start at the smallest need so a chain reads the same whichever way it was found
    let first = 0
    for (let i = 1; i < edges.length; i++) if (graph.edgeFrom[edges[i]!]! < graph.edgeFrom[edges[first]!]!) first = i
    const steps: ChainStep[] = []
    for (let k = 0; k < edges.length; k++) {
      const i = (first + k) % edges.length
      const block = blocks[i]!
      const p = graph.blockParticipant[block]!
      const step: ChainStep = {
        node: graph.nodes[graph.blockNode[block]!]!,
        need: graph.categories[graph.edgeFrom[edges[i]!]!]!,
        offer: graph.categories[graph.edgeTo[edges[i]!]!]!
      }
      if (p >= 0) step.participant = graph.participantIds[p]!
      steps.push(step)
      this.weight += graph.blockWeight[block]!
    }
    this.served += edges.length
    return { steps }
  }
}
