/**
 * The plan: everything a scenario leaves to chance, drawn from its one seed —
 * node keys (so peer ids), the bootstrap set, extra topology dials, which
 * node publishes each message, which nodes churn, and the event timeline.
 * Pure and deterministic: the same scenario and seed give the same plan in
 * the coordinator and in every worker process.
 */
import { createHash } from 'node:crypto'
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus'
import { uniformInt } from 'pure-rand/distribution/uniformInt'
import type { Scenario } from './scenario.ts'
import { groupIndices } from './scenario.ts'
import type { DataClass } from '../src/wire/envelope.ts'

/** One node's identity seeds and role. */
export interface NodeSpec {
  index: number
  /** 32-byte Ed25519 seed: the libp2p key, so the peer id */
  ed25519Seed: Uint8Array
  /** 32-byte ML-DSA seed: the other half of the node's hybrid key */
  mldsaSeed: Uint8Array
  /** 32-byte seed of the node's Random component (envelope ids): the same seed, the same envelopes */
  randomSeed: Uint8Array
  bootstrap: boolean
  /** the bootstrap nodes this node is told about (all of them unless the scenario sets bootstrap_known) */
  knows: number[]
}

export type PlannedEvent =
  | { atMs: number, kind: 'partition', partition: number, groupOf: number[] }
  | { atMs: number, kind: 'heal', partition: number }
  | { atMs: number, kind: 'leave', node: number }
  | { atMs: number, kind: 'join', node: number }
  | { atMs: number, kind: 'publish', message: number, node: number, dataClass: DataClass }

export interface Plan {
  seed: number
  nodes: NodeSpec[]
  /** bootstrap nodes first, then the rest in index order */
  startOrder: number[]
  /** [from, to]: dials the topology adds beyond the bootstrap set */
  dials: Array<[number, number]>
  /** the load phase's timeline, in time order; times from the start of the load phase */
  events: PlannedEvent[]
  /** byzantine members (never bootstrap nodes), ascending */
  byzantine: number[]
  /** consensus slots after the load phase, each with its honest proposer */
  slots: Array<{ slot: string, proposer: number }>
  /** the eclipse attack's victim (a node neither bootstrap nor byzantine), else null */
  victim: number | null
  /** attacker peers' Ed25519 seeds (sybil, eclipse): not nodes of the plan */
  attackerSeeds: Uint8Array[]
}

/** A 32-byte seed for one key of one node, from the scenario seed. */
function keySeed (seed: number, kind: string, index: number): Uint8Array {
  return new Uint8Array(createHash('sha256').update(`fedmesh-sim/${seed}/${kind}/${index}`).digest())
}

type Rng = ReturnType<typeof xoroshiro128plus>

/** A node that rejoins during the load is not drawn as a publisher for this long (its start is still under way). */
export const REJOINED_PUBLISHER_GRACE_MS = 5_000

/** `count` distinct values from `pool` (fewer when the pool is smaller), in draw order. */
function sample<T> (rng: Rng, pool: T[], count: number): T[] {
  const copy = [...pool]
  const picked: T[] = []
  while (picked.length < count && copy.length > 0) {
    const at = uniformInt(rng, 0, copy.length - 1)
    picked.push(copy[at])
    copy[at] = copy[copy.length - 1]
    copy.pop()
  }
  return picked
}

function topologyDials (scenario: Scenario, rng: Rng): Array<[number, number]> {
  const n = scenario.nodes
  const all = Array.from({ length: n }, (_, i) => i)
  const topology = scenario.topology
  switch (topology.kind) {
    case 'dht':
      return []
    case 'ring':
      return all.flatMap((i) => Array.from({ length: topology.neighbours }, (_, k): [number, number] => [i, (i + k + 1) % n]))
    case 'random':
      return all.flatMap((i) => sample(rng, all.filter((j) => j !== i), topology.degree).map((j): [number, number] => [i, j]))
    case 'clusters': {
      const clusterOf = (i: number): number => Math.floor(i * topology.count / n)
      return all.flatMap((i) => sample(rng, all.filter((j) => j !== i && clusterOf(j) === clusterOf(i)), topology.degree).map((j): [number, number] => [i, j]))
    }
  }
}

/** Every `intervalMs` from 0 until the end (none when the rate is 0). */
function ticks (perMinute: number, durationMs: number): number[] {
  if (perMinute <= 0) return []
  const intervalMs = 60_000 / perMinute
  const times: number[] = []
  for (let at = intervalMs; at < durationMs; at += intervalMs) times.push(at)
  return times
}

/** The load phase's events: partitions, churn and publishes, with their nodes drawn in time order. */
function timeline (scenario: Scenario, rng: Rng, bootstrap: Set<number>): PlannedEvent[] {
  const durationMs = scenario.duration_seconds * 1000
  type Draft = { atMs: number, order: number, make: () => PlannedEvent | undefined }
  const drafts: Draft[] = []
  const up = new Set(Array.from({ length: scenario.nodes }, (_, i) => i))
  /** a rejoined node publishes only once it has had time to start */
  const publisherFrom = new Map<number, number>()
  scenario.partitions.forEach((partition, p) => {
    const groupOf = new Array<number>(scenario.nodes).fill(0)
    partition.groups.forEach((group, g) => { for (const i of groupIndices(group)) groupOf[i] = g })
    drafts.push({ atMs: partition.start_seconds * 1000, order: 0, make: () => ({ atMs: partition.start_seconds * 1000, kind: 'partition', partition: p, groupOf }) })
    if (partition.heal_seconds !== undefined && partition.heal_seconds < scenario.duration_seconds) {
      const atMs = partition.heal_seconds * 1000
      drafts.push({ atMs, order: 1, make: () => ({ atMs, kind: 'heal', partition: p }) })
    }
  })
  for (const atMs of ticks(scenario.churn.leave_per_minute, durationMs)) {
    drafts.push({
      atMs,
      order: 2,
      make: () => {
        // bootstrap nodes stay: a joining node knows no one else
        const [node] = sample(rng, [...up].filter((i) => !bootstrap.has(i)), 1)
        if (node === undefined) return undefined
        up.delete(node)
        return { atMs, kind: 'leave', node }
      }
    })
  }
  for (const atMs of ticks(scenario.churn.join_per_minute, durationMs)) {
    drafts.push({
      atMs,
      order: 3,
      make: () => {
        const [node] = sample(rng, Array.from({ length: scenario.nodes }, (_, i) => i).filter((i) => !up.has(i)), 1)
        if (node === undefined) return undefined
        up.add(node)
        publisherFrom.set(node, atMs + REJOINED_PUBLISHER_GRACE_MS)
        return { atMs, kind: 'join', node }
      }
    })
  }
  if (scenario.load.rate_per_second > 0) {
    const intervalMs = 1000 / scenario.load.rate_per_second
    let message = 0
    for (let atMs = 0; atMs < durationMs; atMs += intervalMs) {
      const at = atMs
      drafts.push({
        atMs: at,
        order: 4,
        make: () => {
          const [node] = sample(rng, [...up].filter((i) => (publisherFrom.get(i) ?? 0) <= at), 1)
          if (node === undefined) return undefined
          const dataClass = scenario.load.data_classes[message % scenario.load.data_classes.length]
          return { atMs: at, kind: 'publish', message: message++, node, dataClass }
        }
      })
    }
  }
  drafts.sort((a, b) => a.atMs - b.atMs || a.order - b.order)
  return drafts.map((draft) => draft.make()).filter((event): event is PlannedEvent => event !== undefined)
}

/** Derives the whole plan of a scenario from its seed. */
export function makePlan (scenario: Scenario): Plan {
  const rng = xoroshiro128plus(scenario.seed)
  const order = sample(rng, Array.from({ length: scenario.nodes }, (_, i) => i), scenario.nodes)
  const bootstrap = new Set(order.slice(0, scenario.bootstrap))
  const nodes = Array.from({ length: scenario.nodes }, (_, index): NodeSpec => ({
    index,
    ed25519Seed: keySeed(scenario.seed, 'ed25519', index),
    mldsaSeed: keySeed(scenario.seed, 'mldsa', index),
    randomSeed: keySeed(scenario.seed, 'random', index),
    bootstrap: bootstrap.has(index),
    knows: [...bootstrap]
  }))
  const startOrder = [...bootstrap, ...nodes.map((n) => n.index).filter((i) => !bootstrap.has(i))]
  const dials = topologyDials(scenario, rng)
  const events = timeline(scenario, rng, bootstrap)
  const known = scenario.bootstrap_known
  if (known !== undefined) {
    for (const node of nodes) if (!node.bootstrap) node.knows = sample(rng, [...bootstrap], known)
  }
  // drawn last, so scenarios without consensus keep the plans they had
  const byzantine = sample(rng, nodes.filter((n) => !n.bootstrap).map((n) => n.index), scenario.byzantine.count).sort((a, b) => a - b)
  const honest = nodes.map((n) => n.index).filter((i) => !byzantine.includes(i))
  const slots = Array.from({ length: scenario.consensus.slots }, (_, s) => ({ slot: `sim/${s + 1}`, proposer: honest[uniformInt(rng, 0, honest.length - 1)] }))
  // the attack is drawn after everything else, so scenarios without one keep the plans they had
  const attack = scenario.attack
  const victims = honest.filter((i) => !bootstrap.has(i))
  const victim = attack?.kind === 'eclipse' && victims.length > 0 ? victims[uniformInt(rng, 0, victims.length - 1)] : null
  const attackerSeeds = attack === undefined || attack.kind === 'covert_flash' ? [] : Array.from({ length: attack.count }, (_, i) => keySeed(scenario.seed, 'attacker-ed25519', i))
  return { seed: scenario.seed, nodes, startOrder, dials, events, byzantine, slots, victim, attackerSeeds }
}
