/**
 * Random settlement runs for the safety property: several nodes propose
 * overlapping chains concurrently; messages interleave, repeat, arrive late
 * or are rejected; clocks advance. Deterministic for a seed and action list.
 */
import { Cluster, DAY, MINUTE, chainContent, type InFlight } from './fixtures.ts'
import { InputError } from '../../../src/core/errors.ts'
import { certificateOf, type ChainRecord } from '../../../src/core/chain/state.ts'
import type { ChainStepSpec } from '../../../src/core/chain/proposal.ts'

const CATEGORIES = ['a', 'b', 'c']

/** A small random run: several nodes propose overlapping chains concurrently; messages interleave, repeat and arrive late. */
export function run (seed: number, actions: number[]): { cluster: Cluster, rejected: number } {
  let state = seed >>> 0
  const rand = (n: number): number => { state = (Math.imul(state, 1664525) + 1013904223) >>> 0; return state % n }
  const cluster = new Cluster('digest')
  const nodes = ['N0', 'N1', 'N2', 'N3'].map((label) => cluster.addNode(label))
  for (const node of nodes) {
    for (let i = 0; i < 4; i++) {
      const need = CATEGORIES[rand(3)]!
      const offer = CATEGORIES.filter((c) => c !== need)[rand(2)]!
      cluster.addParticipant(node, `p${i}`, [offer], [need])
    }
  }
  const delivered: InFlight[] = []
  let rejected = 0
  const attempt = (fn: () => void): void => {
    try { fn() } catch (err) { if (!(err instanceof InputError)) throw err; rejected++ }
  }
  for (const action of actions) {
    // 1 in 10 proposes, 4 deliver, 1 replays, 3 consent or refuse, 1 advances a clock
    const kind = [0, 1, 2, 3, 4, 5, 6, 6, 6, 7][action % 10]!
    if (kind === 0) {
      const length = 2 + rand(2)
      const cycle: string[] = [CATEGORIES[rand(3)]!]
      while (cycle.length < length) cycle.push(CATEGORIES.filter((c) => c !== cycle[cycle.length - 1])[rand(2)]!)
      if (cycle[0] === cycle[length - 1]) continue
      const steps: ChainStepSpec[] = cycle.map((offer, i) => {
        const need = cycle[(i + length - 1) % length]!
        // mostly a node that has (or had) such a participant, as its summary said; sometimes any node (a stale summary)
        const hosts = nodes.filter((n) => n.participants.some((p) => p.needs[0] === need && p.offers[0] === offer))
        const node = hosts.length > 0 && rand(5) > 0 ? hosts[rand(hosts.length)]! : nodes[rand(nodes.length)]!
        return { node: node.id, site: 's', need, offer }
      })
      const proposer = cluster.node(steps[0]!.node)
      const named = proposer.participants.filter((p) => p.needs[0] === steps[0]!.need && p.offers[0] === steps[0]!.offer)
      if (named.length > 0 && rand(2) === 0) steps[0]!.participant = named[rand(named.length)]!.id
      attempt(() => cluster.step(proposer.id, { type: 'propose', content: chainContent(proposer.id, steps, cluster.nowMs, { consentMs: 10 * MINUTE, executionMs: DAY }) }))
    } else if (kind <= 4 && cluster.queue.length > 0) {
      const index = rand(cluster.queue.length)
      const item = cluster.queue[index]!
      // a rejected message is dropped (deliver removed it); a deferred one goes back to the queue
      attempt(() => { if (cluster.deliver(index).outcome !== 'deferred') delivered.push(item) })
    } else if (kind === 5 && delivered.length > 0) {
      const item = delivered[rand(delivered.length)]!
      attempt(() => {
        const result = cluster.step(item.to, { type: 'receive', from: item.from, message: item.message })
        if (result.outcome === 'applied') throw new Error('a replayed message had an effect')
      })
    } else if (kind === 6) {
      const node = nodes[rand(nodes.length)]!
      const open = [...node.state.chains.values()].filter((r) => r.phase === 'validating' || r.phase === 'consenting')
      if (open.length === 0) continue
      const record = open[rand(open.length)]!
      const mine = record.bindings.filter((b) => b !== null && record.proposal.content.steps[b.index]!.node === node.id && record.consents[b.index] === null)
      if (mine.length === 0) continue
      const binding = mine[rand(mine.length)]!
      attempt(() => cluster.participantSays(binding.participant, rand(10) === 0 ? 'chain.refusal' : 'chain.consent', { chain: record.id, index: binding.index }))
    } else if (kind === 7) {
      cluster.nowMs += rand(4) * MINUTE
      const node = nodes[rand(nodes.length)]!
      cluster.step(node.id, { type: 'tick' })
    }
  }
  return { cluster, rejected }
}

/** Delivers what is left (bounded: a message deferred many times is dropped, as a sender gives up at its deadline). */
export function drain (cluster: Cluster): void {
  for (let i = 0; i < 5000 && cluster.queue.length > 0; i++) {
    const item = cluster.queue.shift()!
    try {
      const result = cluster.step(item.to, { type: 'receive', from: item.from, message: item.message })
      if (result.outcome === 'deferred' && i < 4000) cluster.queue.push(item)
    } catch (err) {
      if (!(err instanceof InputError)) throw err
    }
  }
}

export function committedChains (cluster: Cluster): Map<string, ChainRecord> {
  const committed = new Map<string, ChainRecord>()
  for (const node of cluster.nodes.values()) {
    for (const record of node.state.chains.values()) if (certificateOf(record) !== null) committed.set(record.id, record)
  }
  return committed
}

export function checkSafety (cluster: Cluster): string | null {
  const committed = committedChains(cluster)
  const seen = new Map<string, string>()
  for (const record of committed.values()) {
    for (const binding of record.bindings) {
      const other = seen.get(binding!.participant)
      if (other !== undefined) return `${binding!.participant} is in committed chains ${other} and ${record.id}`
      seen.set(binding!.participant, record.id)
    }
  }
  for (const node of cluster.nodes.values()) {
    for (const record of node.state.chains.values()) {
      if (committed.has(record.id) && record.phase === 'cancelled') return `chain ${record.id} is committed elsewhere but cancelled on ${node.id}`
    }
  }
  return null
}

