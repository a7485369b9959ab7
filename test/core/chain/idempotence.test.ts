import test from 'ava'
import { Cluster, type InFlight } from './fixtures.ts'
import { proposedSeedExample } from './seed-example.ts'
import type { ChainEvent } from '../../../src/core/chain/state.ts'

test('replaying any message, at once or much later, gives the same state and no new effects', (t) => {
  const cluster = new Cluster('real')
  const delivered: InFlight[] = []
  const originalDeliver = cluster.deliver.bind(cluster)
  // every delivery is immediately retried, as a sender that missed the acknowledgement would
  cluster.deliver = (index = 0) => {
    const item = cluster.queue[index]!
    const result = originalDeliver(index)
    if (result.outcome !== 'deferred') {
      delivered.push(item)
      const before = cluster.node(item.to).state
      const again = cluster.step(item.to, { type: 'receive', from: item.from, message: item.message })
      // a message that came too late to matter (a delivery after completion) stays ignored
      t.is(again.outcome, result.outcome === 'ignored' ? 'ignored' : 'duplicate', `${item.message.kind} replayed`)
      t.is(cluster.node(item.to).state, before)
      t.deepEqual([again.writes, again.outbound], [[], []])
    }
    return result
  }
  const seed = proposedSeedExample(cluster)
  const { alice, carol, bob, id, content } = seed
  const says: Array<[string, string, Record<string, number>]> = [[alice, 'chain.consent', { index: 0 }], [carol, 'chain.consent', { index: 1 }], [bob, 'chain.consent', { index: 2 }]]
  for (const [who, kind, claims] of says) cluster.participantSays(who, kind, { chain: id, ...claims })
  cluster.deliverAll()
  cluster.nowMs = content.timeline.execution_start_ms
  cluster.tickAll()
  const tickAgain = cluster.step(seed.a, { type: 'tick' })
  t.is(tickAgain.outcome, 'duplicate', 'a second tick at the same time does nothing')
  for (const [edge, provider, recipient] of [[0, alice, carol], [1, carol, bob], [2, bob, alice]] as const) {
    cluster.participantSays(provider, 'chain.delivery', { chain: id, index: edge })
    cluster.participantSays(recipient, 'chain.confirmation', { chain: id, index: edge, satisfaction_permille: 750 })
  }
  cluster.deliverAll()
  t.is(seed.record(seed.a).phase, 'complete')
  // much later: every message of the whole settlement again, and the proposer's own propose event
  for (const item of delivered) {
    const before = cluster.node(item.to).state
    const again = cluster.step(item.to, { type: 'receive', from: item.from, message: item.message })
    t.true(again.outcome === 'duplicate' || again.outcome === 'ignored', `${item.message.kind}: ${again.outcome}`)
    t.is(cluster.node(item.to).state, before)
    t.is(again.writes.length + again.outbound.length, 0)
  }
  const propose: ChainEvent = { type: 'propose', content }
  t.is(cluster.step(seed.a, propose).outcome, 'duplicate')
  t.true(delivered.length >= 10)
})
