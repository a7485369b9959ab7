/**
 * The aggregated category graph of an instance: one edge per (need → offer)
 * pair with the number of units (participants' entries and summary counts)
 * on it, and behind each edge its **pool** of units in binding order.
 *
 * Flat typed arrays rather than objects: a 1M-participant instance has about
 * a million units, and the clearing walks them in tight loops.
 */
import type { MatchingInstance } from './instance.ts'
import { entriesOf } from './participant.ts'

/** Largest category count² for which pair ids are looked up in a flat table rather than a Map. */
const DENSE_PAIR_TABLE_ENTRIES_MAX = 4 * 1024 * 1024

/**
 * A pool block: `count` interchangeable units on one edge, at one node.
 * A participant's entry is a block of 1 carrying its identity; a summary entry
 * is a block of `count` anonymous units.
 */
export interface CategoryGraph {
  /** category slugs by index (the taxonomy's order) */
  categories: readonly string[]
  categoryCount: number
  edgeCount: number
  /** edges sorted by (from, to); from = need, to = offer */
  edgeFrom: Int32Array
  edgeTo: Int32Array
  /** units on the edge */
  edgeCapacity: Float64Array
  /** out-edges of category v: outEdges[outStart[v] … outStart[v+1]) */
  outStart: Int32Array
  outEdges: Int32Array
  /** in-edges of category v: inEdges[inStart[v] … inStart[v+1]) */
  inStart: Int32Array
  inEdges: Int32Array
  /** blocks of edge e: blockStart[e] … blockStart[e+1], in binding order (weight desc, node, participant) */
  blockStart: Int32Array
  blockNode: Int32Array
  /** participant index, or -1 for summary units */
  blockParticipant: Int32Array
  blockCount: Int32Array
  blockWeight: Int32Array
  /** nodes, sorted by id (the instance's order) */
  nodes: string[]
  /** participants by index, with their node index */
  participantIds: string[]
  participantNode: Int32Array
  /** blocks of participant p: participantBlocks[participantBlockStart[p] … participantBlockStart[p+1]) */
  participantBlockStart: Int32Array
  participantBlocks: Int32Array
  /** true when some participant has more than one entry (the identity constraint binds) */
  sharedIdentities: boolean
  /** true when units carry different weights (the second objective matters) */
  weighted: boolean
  /** sum of all unit weights */
  totalWeight: number
}

/** Blocks in instance order (node, then participant), each with a provisional edge id per distinct pair. */
interface CollectedBlocks {
  /** pair key (need index × categories + offer index) of each provisional edge */
  tempKeys: number[]
  blockTemp: number[]
  blockNode: number[]
  blockParticipant: number[]
  blockCount: number[]
  blockWeight: number[]
  participantIds: string[]
  participantNode: number[]
  sharedIdentities: boolean
}

function collectBlocks (instance: MatchingInstance): CollectedBlocks {
  const { taxonomy } = instance
  const categoryCount = taxonomy.size
  // pair key → provisional edge id: a flat table while it stays small (4M entries = 16 MB), else a Map
  const dense = categoryCount * categoryCount <= DENSE_PAIR_TABLE_ENTRIES_MAX ? new Int32Array(categoryCount * categoryCount).fill(-1) : undefined
  const keyToTemp = new Map<number, number>()
  const collected: CollectedBlocks = {
    tempKeys: [], blockTemp: [], blockNode: [], blockParticipant: [], blockCount: [], blockWeight: [], participantIds: [], participantNode: [], sharedIdentities: false
  }
  const { tempKeys, blockTemp, blockNode, blockParticipant, blockCount, blockWeight, participantIds, participantNode } = collected
  const tempOf = (need: string, offer: string): number => {
    const key = taxonomy.indexOf(need) * categoryCount + taxonomy.indexOf(offer)
    let temp = dense === undefined ? (keyToTemp.get(key) ?? -1) : dense[key]!
    if (temp < 0) {
      temp = tempKeys.length
      if (dense === undefined) keyToTemp.set(key, temp)
      else dense[key] = temp
      tempKeys.push(key)
    }
    return temp
  }
  instance.nodes.forEach((node, nodeIndex) => {
    for (const participant of node.participants) {
      const p = participantIds.length
      participantIds.push(participant.id)
      participantNode.push(nodeIndex)
      // the common case, one need and one offer, skips building the cross product
      const entries = participant.needs.length === 1 && participant.offers.length === 1
        ? [{ need: participant.needs[0]!, offer: participant.offers[0]! }]
        : entriesOf(participant)
      if (entries.length > 1) collected.sharedIdentities = true
      for (const entry of entries) {
        blockTemp.push(tempOf(entry.need, entry.offer))
        blockNode.push(nodeIndex)
        blockParticipant.push(p)
        blockCount.push(1)
        blockWeight.push(participant.weight ?? node.weight)
      }
    }
    for (const entry of node.summary) {
      blockTemp.push(tempOf(entry.need, entry.offer))
      blockNode.push(nodeIndex)
      blockParticipant.push(-1)
      blockCount.push(entry.count)
      blockWeight.push(node.weight)
    }
  })
  return collected
}

/** Builds the category graph and its pools from a validated instance. */
export function buildCategoryGraph (instance: MatchingInstance): CategoryGraph {
  const categoryCount = instance.taxonomy.size
  const collected = collectBlocks(instance)
  const { tempKeys, blockTemp } = collected
  // Final edge ids: pairs sorted by (need, offer) index.
  const edgeCount = tempKeys.length
  const order = Int32Array.from({ length: edgeCount }, (_, i) => i).sort((a, b) => tempKeys[a]! - tempKeys[b]!)
  const tempToEdge = new Int32Array(edgeCount)
  const edgeFrom = new Int32Array(edgeCount)
  const edgeTo = new Int32Array(edgeCount)
  order.forEach((temp, edge) => {
    tempToEdge[temp] = edge
    edgeFrom[edge] = Math.floor(tempKeys[temp]! / categoryCount)
    edgeTo[edge] = tempKeys[temp]! % categoryCount
  })
  const blocks = blockTemp.length
  const graph: CategoryGraph = {
    categories: instance.taxonomy.categories,
    categoryCount,
    edgeCount,
    edgeFrom,
    edgeTo,
    edgeCapacity: new Float64Array(edgeCount),
    outStart: new Int32Array(categoryCount + 1),
    outEdges: new Int32Array(edgeCount),
    inStart: new Int32Array(categoryCount + 1),
    inEdges: new Int32Array(edgeCount),
    blockStart: new Int32Array(edgeCount + 1),
    blockNode: new Int32Array(blocks),
    blockParticipant: new Int32Array(blocks),
    blockCount: new Int32Array(blocks),
    blockWeight: new Int32Array(blocks),
    nodes: instance.nodes.map((n) => n.id),
    participantIds: collected.participantIds,
    participantNode: Int32Array.from(collected.participantNode),
    participantBlockStart: new Int32Array(collected.participantIds.length + 1),
    participantBlocks: new Int32Array(0),
    sharedIdentities: collected.sharedIdentities,
    weighted: false,
    totalWeight: 0
  }
  layOutPools(graph, collected, tempToEdge)
  if (graph.weighted) sortPoolsByWeight(graph)
  indexAdjacency(graph)
  indexParticipantBlocks(graph)
  return graph
}

/** Places blocks edge by edge: a stable counting sort, so each pool keeps (node, participant) order. */
function layOutPools (graph: CategoryGraph, collected: CollectedBlocks, tempToEdge: Int32Array): void {
  const { blockTemp, blockNode, blockParticipant, blockCount, blockWeight } = collected
  const { blockStart, edgeCount } = graph
  const blocks = blockTemp.length
  for (let b = 0; b < blocks; b++) blockStart[tempToEdge[blockTemp[b]!]! + 1]!++
  for (let e = 0; e < edgeCount; e++) blockStart[e + 1]! += blockStart[e]!
  const fill = blockStart.slice(0, edgeCount)
  let firstWeight: number | undefined
  for (let b = 0; b < blocks; b++) {
    const edge = tempToEdge[blockTemp[b]!]!
    const at = fill[edge]!++
    graph.blockNode[at] = blockNode[b]!
    graph.blockParticipant[at] = blockParticipant[b]!
    graph.blockCount[at] = blockCount[b]!
    graph.blockWeight[at] = blockWeight[b]!
    graph.edgeCapacity[edge]! += blockCount[b]!
    graph.totalWeight += blockWeight[b]! * blockCount[b]!
    firstWeight ??= blockWeight[b]!
    if (blockWeight[b] !== firstWeight) graph.weighted = true
  }
}

/** Heavier units first inside each pool, so binding serves the weights the circulation chose. */
function sortPoolsByWeight (graph: CategoryGraph): void {
  for (let e = 0; e < graph.edgeCount; e++) {
    const from = graph.blockStart[e]!
    const to = graph.blockStart[e + 1]!
    if (to - from < 2) continue
    const ids = Array.from({ length: to - from }, (_, i) => from + i)
    // ids are in (node, participant) order already: a stable sort by weight keeps it as the tie-break
    ids.sort((a, b) => graph.blockWeight[b]! - graph.blockWeight[a]!)
    for (const array of [graph.blockNode, graph.blockParticipant, graph.blockCount, graph.blockWeight]) {
      const copy = ids.map((id) => array[id]!)
      array.set(copy, from)
    }
  }
}

function indexAdjacency (graph: CategoryGraph): void {
  const { edgeCount, categoryCount, edgeFrom, edgeTo, outStart, inStart } = graph
  for (let e = 0; e < edgeCount; e++) {
    outStart[edgeFrom[e]! + 1]!++
    inStart[edgeTo[e]! + 1]!++
  }
  for (let v = 0; v < categoryCount; v++) {
    outStart[v + 1]! += outStart[v]!
    inStart[v + 1]! += inStart[v]!
  }
  const outFill = outStart.slice(0, categoryCount)
  const inFill = inStart.slice(0, categoryCount)
  // edges are sorted by (from, to), so each out-list comes out sorted by head and each in-list by tail
  for (let e = 0; e < edgeCount; e++) {
    graph.outEdges[outFill[edgeFrom[e]!]!++] = e
    graph.inEdges[inFill[edgeTo[e]!]!++] = e
  }
}

function indexParticipantBlocks (graph: CategoryGraph): void {
  const participants = graph.participantIds.length
  const start = graph.participantBlockStart
  const blocks = graph.blockParticipant.length
  for (let b = 0; b < blocks; b++) {
    const p = graph.blockParticipant[b]!
    if (p >= 0) start[p + 1]!++
  }
  for (let p = 0; p < participants; p++) start[p + 1]! += start[p]!
  graph.participantBlocks = new Int32Array(start[participants]!)
  const fill = start.slice(0, participants)
  for (let b = 0; b < blocks; b++) {
    const p = graph.blockParticipant[b]!
    if (p >= 0) graph.participantBlocks[fill[p]!++] = b
  }
}

/** The block each unit-edge maps to lives in `blockStart`; this is the edge a block belongs to. */
export function blockEdges (graph: CategoryGraph): Int32Array {
  const edges = new Int32Array(graph.blockNode.length)
  for (let e = 0; e < graph.edgeCount; e++) edges.fill(e, graph.blockStart[e]!, graph.blockStart[e + 1]!)
  return edges
}

/** The edge u → v, or −1 (out-edges are sorted by target). */
export function findEdge (graph: CategoryGraph, u: number, v: number): number {
  let lo = graph.outStart[u]!
  let hi = graph.outStart[u + 1]!
  while (lo < hi) {
    const mid = (lo + hi) >> 1
    if (graph.edgeTo[graph.outEdges[mid]!]! < v) lo = mid + 1
    else hi = mid
  }
  return lo < graph.outStart[u + 1]! && graph.edgeTo[graph.outEdges[lo]!] === v ? graph.outEdges[lo]! : -1
}
