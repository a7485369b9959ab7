/**
 * The pure parts of bilateral log sync (src/core/bilateral/log.ts): the
 * receiver's position survives a persist/restore round trip with its held
 * entries and links, what a sender pruned is recorded lost, batches are
 * bounded and skip what the receiver has, pruning keeps pending entries and
 * the retention; and the operator's line shows queued, gaps and losses.
 */
import test from 'ava'
import { InboundLog, planBatch, prunable, type OutboundLink } from '../../../src/core/bilateral/log.ts'
import { formatBilateralLogs } from '../../../src/cli/commands/relations.ts'

const h = (n: number): string => n.toString(16).padStart(64, '0')
const link = (seq: number): { hash: string, prev: string } => ({ hash: h(seq), prev: seq === 1 ? '' : h(seq - 1) })

test('a receiver\'s position: contiguous frontier, held above a gap, links checked, restored from its state', (t) => {
  const log = new InboundLog('peer')
  t.is(log.check(1, link(1)), 'new')
  log.settle(1, link(1))
  t.is(log.check(1, link(1)), 'duplicate')
  t.is(log.check(2, { hash: h(99), prev: h(98) }), 'conflict', 'seq 2 must link to seq 1')
  t.is(log.check(3, link(3)), 'new', 'above a gap: nothing to link to yet')
  log.settle(3, link(3))
  t.deepEqual(log.frontier(), { seq: 1, hash: h(1) })
  t.deepEqual(log.heldSeqs(10), [3])

  const restored = new InboundLog('peer', JSON.parse(JSON.stringify(log.state())))
  t.deepEqual(restored.state(), log.state())
  t.is(restored.check(2, { hash: h(2), prev: h(7) }), 'conflict', 'the restored frontier hash still guards the next link')
  t.is(restored.check(2, { hash: h(5), prev: h(1) }), 'conflict', 'and so does the held entry above')
  restored.settle(2, link(2))
  t.deepEqual(restored.frontier(), { seq: 3, hash: h(3) })
  t.is(restored.check(2, link(2)), 'stored', 'settled: a resend is never taken twice')
})

test('what the sender no longer holds is recorded lost; nothing moves for a low at or under the frontier', (t) => {
  const log = new InboundLog('peer')
  t.is(log.settleBelow(1), undefined)
  log.settle(6, link(6))
  t.deepEqual(log.settleBelow(5), { from: 1, to: 4 })
  t.deepEqual(log.state().lost, [{ from: 1, to: 4 }])
  t.is(log.frontier().seq, 4)
  t.is(log.check(5, link(5)), 'new', 'no hash known under the loss: the next entry links to nothing we hold')
  log.settle(5, link(5))
  t.is(log.frontier().seq, 6)
  t.is(log.settleBelow(3), undefined)
  t.deepEqual(log.state().lost, [{ from: 1, to: 4 }])
})

test('batches: above the frontier, not what is held, bounded by entries and bytes, withdrawn ones as links', (t) => {
  const entries: OutboundLink[] = [1, 2, 3, 4, 5, 6].map((seq) => ({ seq, ...link(seq), state: seq === 4 ? 'withdrawn' : seq <= 2 ? 'acked' : 'pending', bytes: 100 }))
  const plan = planBatch(entries, { frontier: 1, held: new Set([3]) }, { entriesMax: 2, bytesMax: 1000 })
  t.deepEqual(plan.envelopes.map((e) => e.seq), [2, 5], 'an acknowledged entry the receiver lacks goes again')
  t.deepEqual(plan.withdrawn.map((e) => e.seq), [4])
  t.deepEqual(planBatch(entries, { frontier: 1, held: new Set() }, { entriesMax: 10, bytesMax: 150 }).envelopes.map((e) => e.seq), [2], 'bytes bound')
  t.deepEqual(planBatch(entries, { frontier: 0, held: new Set() }, { entriesMax: 10, bytesMax: 1 }).envelopes.map((e) => e.seq), [1], 'one envelope always goes')
  t.deepEqual(planBatch(entries, { frontier: 6, held: new Set() }, { entriesMax: 10, bytesMax: 1000 }), { envelopes: [], withdrawn: [] })
})

test('pruning: only settled entries at or under the receiver\'s frontier, keeping the newest retainedMax', (t) => {
  const entries: OutboundLink[] = [1, 2, 3, 4, 5].map((seq) => ({ seq, ...link(seq), state: seq === 5 ? 'pending' : 'acked', bytes: 1 }))
  t.deepEqual(prunable(entries, 5, 2), [1, 2])
  t.deepEqual(prunable(entries, 2, 1), [1])
  t.deepEqual(prunable(entries, 0, 1), [], 'nothing the receiver has not confirmed in this session')
  t.throws(() => prunable(entries, 5, 0))
})

test('the operator\'s line shows what is queued, gaps and losses', (t) => {
  const line = formatBilateralLogs({
    peer: 'p', site: 'site_b', out: { head: 9, peer_frontier: 7, queued: 2, withdrawn: 1, low: 4, retained: 6 }, in: { frontier: 3, held: 2, lost: [{ from: 1, to: 2 }] }
  })
  t.regex(line, /^site_b .*queued 2 withdrawn 1 peer frontier 7 held 4\.\.9; in frontier 3 \(\+2 above a gap\) lost 1\.\.2$/)
  t.regex(formatBilateralLogs({ peer: 'p', site: null, out: null, in: null }), /^p .*out -; in -$/)
})
