/**
 * Superseding classes (LogLimits.supersedes; audit_checkpoint): only the newest `retentionEntries`
 * seqs of an origin count, so a log that starts late or loses old entries to retention shows no gap,
 * no lost range and no unfillable range below that window, while an ordinary class with the same
 * history still reports its real gap.
 */
import test from 'ava'
import { LogBook, type LogLimits, type LogLink } from '../../../src/core/sync/log-book.ts'
import { logStatus } from '../../../src/services/sync/status.ts'
import type { LogFrontier } from '../../../protocols/sync.ts'

const K = 4
const link = (seq: number): LogLink => ({ hash: `h${seq}`, prev: seq === 1 ? '' : `h${seq - 1}` })
const limitsOf = (dataClass: string): LogLimits => dataClass === 'audit_checkpoint'
  ? { retentionEntries: K, heldEntriesMax: K, supersedes: true }
  : { retentionEntries: K, heldEntriesMax: K }
const frontier = (dataClass: string, low: number, high: number): LogFrontier => ({ dataClass, origin: 'o', low: BigInt(low), frontier: BigInt(high), high: BigInt(high) })

/** A joiner that, like sync, fetches what a peer still stores (low..high) and then hears one more entry live. */
function joiner (book: LogBook, dataClass: string, low: number, high: number): void {
  const log = book.log(dataClass, 'o')
  for (let seq = low; seq <= high; seq++) {
    if (log.check(seq, link(seq)) === 'new') log.append(seq, link(seq), book.limits(dataClass))
  }
}

test('a joiner after more than K entries per origin: no gap, no lost and no unfillable range in a superseding class; an ordinary class reports its real gap', (t) => {
  const book = new LogBook(limitsOf)
  // the peer retains 2K−1 entries at most (pruning runs in batches): it advertises 14..20 of 20
  const remote = new Map([['peer', new Map([['audit_checkpoint/o', frontier('audit_checkpoint', 14, 20)], ['vote/o', frontier('vote', 14, 20)]])]])
  // before fetching: the superseding log is one gap over its window only, fillable from the peer
  const before = logStatus({ positions: book.positions(), find: (c, o) => book.find(c, o), remote, fetching: new Map(), window: (c) => book.window(c) })
  t.deepEqual(before.find((row) => row.data_class === 'audit_checkpoint')?.gaps, [{ from: 17, to: 20, available_at: ['peer'], unfillable: false }])
  t.deepEqual(before.find((row) => row.data_class === 'vote')?.gaps, [{ from: 1, to: 20, available_at: [], unfillable: true }])

  joiner(book, 'audit_checkpoint', 14, 20)
  joiner(book, 'vote', 14, 20)
  const rows = logStatus({ positions: book.positions(), find: (c, o) => book.find(c, o), remote, fetching: new Map(), window: (c) => book.window(c) })
  const audit = rows.find((row) => row.data_class === 'audit_checkpoint')!
  t.like(audit, { frontier: 20, high: 20, known_high: 20 })
  t.deepEqual(audit.gaps, [], 'superseded checkpoints are no gap')
  t.deepEqual(audit.lost, [], 'nor lost')
  const vote = rows.find((row) => row.data_class === 'vote')!
  t.true(vote.gaps.some((gap) => gap.unfillable) || vote.lost.length > 0, 'the ordinary class still shows what it never got')
  t.true(vote.frontier < 20 || vote.lost.length > 0)
})

test('a superseding log skips what falls out of its window as entries arrive, and a later-arriving superseded entry is not new', (t) => {
  const book = new LogBook(limitsOf)
  const log = book.log('audit_checkpoint', 'o')
  log.append(1, link(1), book.limits('audit_checkpoint'))
  // a live entry far ahead: everything more than K below it is superseded; the window's gap stays fetchable
  log.append(10, link(10), book.limits('audit_checkpoint'))
  t.like(log.position(), { frontier: 6, high: 10 })
  t.deepEqual(log.gaps(10, 16), [{ from: 7, to: 9 }])
  for (const seq of [7, 8, 9]) log.append(seq, link(seq), book.limits('audit_checkpoint'))
  t.like(log.position(), { frontier: 10, high: 10 })
  t.deepEqual(log.gaps(10, 16), [])
  t.is(log.check(3, link(3)), 'stored', 'a superseded seq is settled (the channel finds no copy and drops it as a duplicate)')
  // a peer advertising a higher seq makes only the newest K of it a gap
  t.deepEqual(log.gaps(30, 16), [{ from: 27, to: 30 }])
  // an ordinary log keeps every gap
  const vote = book.log('vote', 'o')
  vote.append(1, link(1), book.limits('vote'))
  vote.append(10, link(10), book.limits('vote'))
  t.deepEqual(vote.gaps(10, 16), [{ from: 2, to: 9 }])
})

test('a superseding log rebuilt from its stored window (a restart) has no gap below it', (t) => {
  const book = new LogBook(limitsOf)
  for (const seq of [17, 18, 19, 20]) book.log('audit_checkpoint', 'o').load(seq, link(seq))
  t.like(book.find('audit_checkpoint', 'o')!.position(), { frontier: 20, low: 17, count: 4 })
  const [row] = logStatus({ positions: book.positions(), find: (c, o) => book.find(c, o), remote: new Map(), fetching: new Map(), window: (c) => book.window(c) })
  t.deepEqual(row.gaps, [])
})

test('peers that keep fewer than our window: what none of them keeps is superseded, not unfillable', (t) => {
  const book = new LogBook(limitsOf)
  const log = book.log('audit_checkpoint', 'o')
  for (const seq of [19, 20]) log.append(seq, link(seq), book.limits('audit_checkpoint'))
  const remote = new Map([['peer', new Map([['audit_checkpoint/o', frontier('audit_checkpoint', 19, 20)]])]])
  const [row] = logStatus({ positions: book.positions(), find: (c, o) => book.find(c, o), remote, fetching: new Map(), window: (c) => book.window(c) })
  t.deepEqual(row.gaps, [])
  // without the window (an ordinary class's status), 17..18 would be an unfillable gap
  const [plain] = logStatus({ positions: book.positions(), find: (c, o) => book.find(c, o), remote, fetching: new Map() })
  t.true(plain.gaps.some((gap) => gap.unfillable))
})
