/**
 * A network split in two and healed, with real connections cut and refused
 * across the halves. There is no sync protocol yet, so this test pins down
 * exactly what is lost: every (message, node) pair across the split, except
 * messages still in gossipsub's gossip window at the heal, which IHAVE/IWANT
 * can bring over once the halves reconnect.
 */
import test from 'ava'
import { parseScenario } from '../../sim/scenario.ts'
import { simulate } from '../../sim/simulate.ts'

const scenario = parseScenario({
  name: 'partition-test',
  seed: 42,
  nodes: 20,
  bootstrap: 4,
  connections_target: 8,
  join: { rate_per_second: 40, timeout_seconds: 30, settle_seconds: 2 },
  load: { data_classes: ['incident_summary'], rate_per_second: 4, payload_bytes: 128, expect_within_seconds: 2 },
  partitions: [{ groups: [['0-9'], ['10-19']], start_seconds: 3, heal_seconds: 9 }],
  duration_seconds: 15,
  drain_seconds: 3,
  sample_interval_seconds: 0.5
})

test('messages published during a split reach their own side; across it, all but the last gossip window are lost for good (no sync protocol yet)', async (t) => {
  const { report } = await simulate(scenario)
  t.is(report.partitions.length, 1)
  const [split] = report.partitions
  t.deepEqual(split.group_sizes, [10, 10])
  t.true(split.published_during_split >= 20, `${split.published_during_split} published during the split`)
  // within each side the network works
  t.true(split.within.expected > 0)
  t.is(split.within.delivered, split.within.expected, 'every node on the publisher\'s side got every split-time message')
  // across the split: every pair is counted, and what did cross came by gossip after the heal
  t.is(split.across.pairs, split.published_during_split * 10, 'each split-time message was due at the 10 nodes of the other half')
  t.is(split.across.lost, split.across.pairs - split.across.delivered)
  // messages older than gossipsub's gossip window at the heal are lost to the other side for good
  t.true(split.across_beyond_gossip_window.pairs >= 100, `${split.across_beyond_gossip_window.pairs} pairs beyond the window`)
  t.is(split.across_beyond_gossip_window.delivered, 0, 'no sync protocol: nothing older than the gossip window crosses after the heal')
  t.log(`across: ${split.across.delivered}/${split.across.pairs} recovered by IHAVE/IWANT after the heal (all younger than ${split.gossip_window_ms} ms at the heal)`)
})

// Not asserted: whether the halves merge again after the heal. Joining re-dials the bootstrap set only
// when a node has NO connection, and discovery fires only for peers never seen before, so two halves that
// keep their own connections re-merge only if a DHT walk happens to turn up a peer across — sometimes within
// seconds, sometimes not at all (report.partitions[].after_heal shows which; docs/sim.md, reported to the lead).
