/**
 * Chains in a transferable form: the worker sends typed arrays and string
 * tables (moved, not copied, across threads) instead of one object per step,
 * and the caller's thread builds the Chain objects. At 1M participants that
 * is ~1M step objects the structured clone would otherwise copy.
 */
import type { CategoryGraph } from '../core/matching/category-graph.ts'
import { blockEdges } from '../core/matching/category-graph.ts'
import type { BoundChains } from '../core/matching/pools.ts'
import type { Chain, ChainStep } from '../core/matching/chain.ts'

/** Chain i is steps chainStarts[i] … chainStarts[i+1]; per step, indexes into the string tables (participant −1 = a summary unit). */
export interface ChainTable {
  chainStarts: Int32Array
  stepNode: Int32Array
  stepNeed: Int32Array
  stepOffer: Int32Array
  stepParticipant: Int32Array
  nodes: string[]
  categories: string[]
  participantIds: string[]
}

/** Flattens bound chains of a graph into a table. */
export function chainTable (graph: CategoryGraph, bound: BoundChains): ChainTable {
  const edges = blockEdges(graph)
  const steps = bound.stepBlocks.length
  const table: ChainTable = {
    chainStarts: bound.chainStarts.slice(),
    stepNode: new Int32Array(steps),
    stepNeed: new Int32Array(steps),
    stepOffer: new Int32Array(steps),
    stepParticipant: new Int32Array(steps),
    nodes: graph.nodes,
    categories: [...graph.categories],
    participantIds: graph.participantIds
  }
  for (let k = 0; k < steps; k++) {
    const block = bound.stepBlocks[k]!
    table.stepNode[k] = graph.blockNode[block]!
    table.stepNeed[k] = graph.edgeFrom[edges[block]!]!
    table.stepOffer[k] = graph.edgeTo[edges[block]!]!
    table.stepParticipant[k] = graph.blockParticipant[block]!
  }
  return table
}

/** The typed arrays of a table, to move with postMessage. */
export function chainTableTransfer (table: ChainTable): ArrayBuffer[] {
  return [table.chainStarts, table.stepNode, table.stepNeed, table.stepOffer, table.stepParticipant].map((a) => a.buffer as ArrayBuffer)
}

/** Builds the Chain objects of a table (the same as materializeChains on the worker's graph). */
export function chainsFromTable (table: ChainTable): Chain[] {
  const chains: Chain[] = []
  for (let c = 0; c + 1 < table.chainStarts.length; c++) {
    const steps: ChainStep[] = []
    for (let k = table.chainStarts[c]!; k < table.chainStarts[c + 1]!; k++) {
      const step: ChainStep = { node: table.nodes[table.stepNode[k]!]!, need: table.categories[table.stepNeed[k]!]!, offer: table.categories[table.stepOffer[k]!]! }
      const p = table.stepParticipant[k]!
      if (p >= 0) step.participant = table.participantIds[p]!
      steps.push(step)
    }
    chains.push({ steps })
  }
  return chains
}
