import test from 'ava'
import { OriginLog, type LogLink } from '../../../src/core/sync/origin-log.ts'

const limits = { retentionEntries: 1000, heldEntriesMax: 100 }
const hashOf = (seq: number, fork = ''): string => `h${seq}${fork}`
const linkOf = (seq: number, fork = ''): LogLink => ({ hash: hashOf(seq, fork), prev: seq === 1 ? '' : hashOf(seq - 1) })
const fresh = (): OriginLog => new OriginLog({ dataClass: 'vote', origin: 'o' })

test('the frontier is the contiguous prefix; entries above a gap are held and the gap is reported', (t) => {
  const log = fresh()
  for (const seq of [1, 2, 4, 5, 8]) { t.is(log.check(seq, linkOf(seq)), 'new'); log.append(seq, linkOf(seq), limits) }
  t.like(log.position(), { frontier: 2, high: 8, count: 5, low: 1 })
  t.deepEqual(log.gaps(10, 10), [{ from: 3, to: 3 }, { from: 6, to: 7 }, { from: 9, to: 10 }])
  t.deepEqual(log.gaps(10, 2), [{ from: 3, to: 3 }, { from: 6, to: 7 }])
  log.append(3, linkOf(3), limits)
  t.is(log.position().frontier, 5, 'filling the gap moves the frontier over the held entries')
})

test('the same entry again is a duplicate; another envelope at a held seq, or one breaking a hash link, is a conflict', (t) => {
  const log = fresh()
  for (const seq of [1, 2, 3, 5]) log.append(seq, linkOf(seq), limits)
  t.is(log.check(3, linkOf(3)), 'duplicate')
  t.is(log.check(3, linkOf(3, 'x')), 'conflict', 'same seq, different body')
  t.is(log.check(5, linkOf(5, 'x')), 'conflict')
  t.is(log.check(4, { hash: hashOf(4), prev: 'elsewhere' }), 'conflict', 'links back to another seq 3')
  t.is(log.check(4, { hash: 'other', prev: hashOf(3) }), 'conflict', 'seq 5 links to a different seq 4')
  t.is(log.check(4, linkOf(4)), 'new')
  t.is(log.check(3, { hash: hashOf(3), prev: 'x' }), 'duplicate', 'at the frontier only the body hash counts')
  t.is(log.check(2, linkOf(2, 'y')), 'stored', 'below the frontier: the stored copy decides')
})

test('seq 1 must link to nothing', (t) => {
  t.is(fresh().check(1, { hash: 'a', prev: 'b' }), 'conflict')
})

test('retention: append says how many of the oldest go', (t) => {
  const log = fresh()
  let prune = 0
  for (let seq = 1; seq <= 12; seq++) prune = log.append(seq, linkOf(seq), { retentionEntries: 10, heldEntriesMax: 5 }).prune
  t.is(prune, 2)
  log.pruned(10, 3)
  t.like(log.position(), { frontier: 12, low: 3, count: 10 })
  t.is(log.check(1, linkOf(1)), 'stored')
})

test('a gap that stays open through heldEntriesMax later entries is given up, visibly, and the frontier moves on', (t) => {
  const log = fresh()
  log.append(1, linkOf(1), limits)
  let lost
  for (let seq = 5; seq <= 5 + 100; seq++) lost ??= log.append(seq, linkOf(seq), limits).lost
  t.deepEqual(lost, { from: 2, to: 4 })
  t.deepEqual(log.lost, [{ from: 2, to: 4 }])
  t.is(log.position().frontier, 105)
  t.deepEqual(log.gaps(105, 10), [])
})

test('a log rebuilt from its entries in any order has the same position (restart with the store)', (t) => {
  const seqs = [7, 1, 3, 2, 6, 9]
  const a = fresh()
  for (const seq of seqs) a.append(seq, linkOf(seq), limits)
  const b = fresh()
  for (const seq of [...seqs].reverse()) b.load(seq, linkOf(seq))
  t.deepEqual(b.position(), a.position())
  t.deepEqual(b.gaps(9, 10), a.gaps(9, 10))
  t.deepEqual(b.head(), { seq: 9, hash: hashOf(9) })
})

test('model check: for random arrival orders the frontier is the largest n with 1..n all appended', (t) => {
  let state = 12345
  const next = (): number => { state = (state * 1103515245 + 12345) % 2 ** 31; return state }
  for (let round = 0; round < 500; round++) {
    const log = fresh()
    const have = new Set<number>()
    for (let i = 0; i < 40; i++) {
      const seq = 1 + next() % 30
      if (log.check(seq, linkOf(seq)) !== 'new') { t.true(have.has(seq) || seq <= log.position().frontier); continue }
      log.append(seq, linkOf(seq), limits)
      have.add(seq)
      let frontier = 0
      while (have.has(frontier + 1)) frontier++
      if (log.position().frontier !== frontier) { t.fail(`round ${round}: frontier ${log.position().frontier} ≠ ${frontier}`); return }
    }
  }
  t.pass()
})
