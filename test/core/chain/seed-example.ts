/**
 * The seed example (Alice and Carol on node A, Bob on node B: Alice gives
 * legal help to Carol, Carol gives design to Bob, Bob gives catering to
 * Alice), brought to a given phase for the tests that start from there.
 */
import { Cluster, HOUR, chainContent } from './fixtures.ts'
import type { ChainContent } from '../../../src/core/chain/proposal.ts'
import type { ChainRecord } from '../../../src/core/chain/state.ts'

export interface SeedExample {
  cluster: Cluster
  a: string
  b: string
  alice: string
  carol: string
  bob: string
  content: ChainContent
  id: string
  record: (node: string) => ChainRecord
}

/** Proposed by A, all messages delivered: consenting on both nodes. */
export function proposedSeedExample (cluster: Cluster = new Cluster('real')): SeedExample {
  const A = cluster.addNode('A')
  const B = cluster.addNode('B')
  const alice = cluster.addParticipant(A, 'alice', ['legal.contracts'], ['food.catering'])
  const carol = cluster.addParticipant(A, 'carol', ['design'], ['legal.contracts'])
  const bob = cluster.addParticipant(B, 'bob', ['food.catering'], ['design'])
  const content = chainContent(A.id, [
    { node: A.id, site: 'uk_north', need: 'food.catering', offer: 'legal.contracts', participant: alice },
    { node: A.id, site: 'uk_north', need: 'legal.contracts', offer: 'design', participant: carol },
    { node: B.id, site: 'uk_south', need: 'design', offer: 'food.catering' }
  ], cluster.nowMs, { startMs: HOUR })
  cluster.step(A.id, { type: 'propose', content })
  const id = [...A.state.chains.keys()][0]!
  cluster.deliverAll()
  return { cluster, a: A.id, b: B.id, alice, carol, bob, content, id, record: (node) => cluster.node(node).state.chains.get(id)! }
}

/** …then all three consent: committed on both nodes. */
export function committedSeedExample (cluster?: Cluster): SeedExample {
  const seed = proposedSeedExample(cluster)
  const { alice, carol, bob, id } = seed
  seed.cluster.participantSays(alice, 'chain.consent', { chain: id, index: 0 })
  seed.cluster.participantSays(carol, 'chain.consent', { chain: id, index: 1 })
  seed.cluster.participantSays(bob, 'chain.consent', { chain: id, index: 2 })
  seed.cluster.deliverAll()
  return seed
}
