import test from 'ava'
import fc from 'fast-check'
import { DAY, HOUR } from './fixtures.ts'
import { checkSafety, committedChains, drain, run } from './random-run.ts'

test('no participant is ever in two committed chains, under random concurrent proposals and interleavings', (t) => {
  let committedTotal = 0
  let cancelledTotal = 0
  fc.assert(fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), fc.array(fc.nat(), { minLength: 20, maxLength: 160 }), (seed, actions) => {
    const { cluster } = run(seed, actions)
    const midRun = checkSafety(cluster)
    if (midRun !== null) throw new Error(midRun)
    // the consent deadlines pass everywhere while messages are still in flight (the hardest case for a
    // node that signed its commit), then everything is delivered, then the execution deadlines pass
    cluster.nowMs += HOUR
    cluster.tickAll()
    drain(cluster)
    cluster.nowMs += 3 * DAY
    cluster.tickAll()
    drain(cluster)
    const end = checkSafety(cluster)
    if (end !== null) throw new Error(end)
    committedTotal += committedChains(cluster).size
    for (const node of cluster.nodes.values()) {
      for (const record of node.state.chains.values()) if (record.phase === 'cancelled') cancelledTotal++
      if (node.state.reservations.size !== 0) throw new Error(`${node.id} still holds ${node.state.reservations.size} reservations`)
    }
  }), { numRuns: 300, seed: 20261124 })
  // the property is only meaningful if the runs commit and cancel chains
  t.log(`${committedTotal} chains committed, ${cancelledTotal} cancellations over the runs`)
  t.true(committedTotal > 20, `committed ${committedTotal}`)
  t.true(cancelledTotal > 20, `cancelled ${cancelledTotal}`)
})
