/**
 * The sync status of one log from its entries and the frontiers peers
 * advertised: a gap shows where it is being fetched from and which peers
 * store it, and a gap no advertising peer stores any more (retention passed
 * everywhere) is reported as unfillable, never skipped.
 */
import test from 'ava'
import { OriginLog, type LogLink } from '../../../src/core/sync/origin-log.ts'
import { logStatus, rememberFrontiers } from '../../../src/services/sync/status.ts'
import type { LogFrontier } from '../../../protocols/sync.ts'

const limits = { retentionEntries: 1000, heldEntriesMax: 100 }
const link = (seq: number): LogLink => ({ hash: `h${seq}`, prev: seq === 1 ? '' : `h${seq - 1}` })
const frontier = (low: number, f: number, high: number): LogFrontier => ({ dataClass: 'vote', origin: 'o', low: BigInt(low), frontier: BigInt(f), high: BigInt(high) })

function logWith (seqs: number[]): OriginLog {
  const log = new OriginLog({ dataClass: 'vote', origin: 'o' })
  for (const seq of seqs) log.append(seq, link(seq), limits)
  return log
}

test('a gap lists the peers storing it and the peer fetching it; a gap no peer stores is unfillable', (t) => {
  const log = logWith([1, 2, 3, 8])
  const remote = new Map([
    ['peer-a', new Map([['vote/o', frontier(1, 20, 20)]])], // stores everything
    ['peer-b', new Map([['vote/o', frontier(6, 20, 20)]])] // pruned below 6
  ])
  const [row] = logStatus({ positions: [log.position()], find: () => log, remote, fetching: new Map([['vote/o', { peer: 'peer-a', range: { from: 4, to: 7 } }]]) })
  t.like(row, { frontier: 3, high: 8, known_high: 20 })
  t.deepEqual(row.gaps, [
    { from: 4, to: 7, fetching_from: 'peer-a', available_at: ['peer-a'], unfillable: false },
    { from: 9, to: 20, available_at: ['peer-a', 'peer-b'], unfillable: false }
  ])

  const onlyPruned = new Map([['peer-b', new Map([['vote/o', frontier(6, 20, 20)]])]])
  const [pruned] = logStatus({ positions: [log.position()], find: () => log, remote: onlyPruned, fetching: new Map() })
  t.deepEqual(pruned.gaps[0], { from: 4, to: 7, available_at: [], unfillable: true }, 'retention passed at every peer that advertised the log')
  t.false(pruned.gaps[1].unfillable)
})

test('a log only a peer has is one gap from seq 1; with no peer frontier known nothing is unfillable', (t) => {
  const remote = new Map([['peer-a', new Map([['vote/o', frontier(1, 5, 5)]])]])
  const [row] = logStatus({ positions: [], find: () => undefined, remote, fetching: new Map() })
  t.like(row, { data_class: 'vote', origin: 'o', frontier: 0, known_high: 5 })
  t.deepEqual(row.gaps, [{ from: 1, to: 5, available_at: ['peer-a'], unfillable: false }])
  const log = logWith([1, 3])
  const [alone] = logStatus({ positions: [log.position()], find: () => log, remote: new Map(), fetching: new Map() })
  t.deepEqual(alone.gaps, [{ from: 2, to: 2, available_at: [], unfillable: false }])
})

test('a node keeps the frontiers of its most recent sync peers only: past the bound the least recent is forgotten', (t) => {
  const remote = new Map<string, Map<string, LogFrontier>>()
  const frontiers = new Map([['vote/o', frontier(1, 5, 5)]])
  for (let i = 0; i < 20; i++) rememberFrontiers(remote, `peer-${i}`, frontiers, 16)
  t.is(remote.size, 16)
  t.deepEqual([...remote.keys()], Array.from({ length: 16 }, (_, i) => `peer-${i + 4}`), 'peers 0-3, the least recent, forgotten')
  // a round with a remembered peer makes it the most recent again: the next new peer displaces peer-5, not it
  rememberFrontiers(remote, 'peer-4', new Map([['vote/o', frontier(1, 9, 9)]]), 16)
  rememberFrontiers(remote, 'peer-20', frontiers, 16)
  t.false(remote.has('peer-5'))
  t.is(remote.get('peer-4')?.get('vote/o')?.high, 9n, 'its newest frontiers replace the old')
  t.is([...remote.keys()].at(-1), 'peer-20')
})
