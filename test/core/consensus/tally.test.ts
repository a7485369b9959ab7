import test from 'ava'
import fc from 'fast-check'
import { tallyOutcome, type TallyStatus } from '../../../src/core/consensus/tally.ts'

const counts = (entries: Record<string, number>) => new Map(Object.entries(entries))

test('a hash with a quorum is decided', (t) => {
  t.deepEqual(tallyOutcome({ counts: counts({ a: 3, b: 1 }), undecided_voters: 0, quorum: 3 }), { status: 'decided', leading_hash: 'a', leading_votes: 3 })
})

test('a slot where some hash may still reach the quorum is pending', (t) => {
  t.is(tallyOutcome({ counts: counts({ a: 2, b: 1 }), undecided_voters: 1, quorum: 3 }).status, 'pending')
  t.is(tallyOutcome({ counts: counts({}), undecided_voters: 3, quorum: 3 }).status, 'pending')
})

test('a slot where no hash can reach the quorum any more has failed', (t) => {
  t.is(tallyOutcome({ counts: counts({ a: 2, b: 2 }), undecided_voters: 0, quorum: 3 }).status, 'failed')
  t.is(tallyOutcome({ counts: counts({}), undecided_voters: 2, quorum: 3 }).status, 'failed')
})

test('the leading hash is the one with most votes, then the lowest hash', (t) => {
  t.is(tallyOutcome({ counts: counts({ b: 2, a: 2, c: 1 }), undecided_voters: 5, quorum: 6 }).leading_hash, 'a')
})

/** Deliberately naive: try every way the undecided voters could still vote. */
function naiveStatus (votes: Array<string | null>, quorum: number, hashes: string[]): TallyStatus {
  const tally = (list: Array<string | null>): Map<string, number> => {
    const m = new Map<string, number>()
    for (const v of list) if (v !== null) m.set(v, (m.get(v) ?? 0) + 1)
    return m
  }
  if ([...tally(votes).values()].some((c) => c >= quorum)) return 'decided'
  const undecided = votes.filter((v) => v === null).length
  // could the undecided voters, all voting for one hash (a known one or a fresh one), make a quorum?
  for (const hash of [...hashes, 'fresh']) {
    if ((tally(votes).get(hash) ?? 0) + undecided >= quorum) return 'pending'
  }
  return 'failed'
}

test('the tally agrees with a naive tally over 50,000 random cases', (t) => {
  const hashes = ['a', 'b', 'c', 'd']
  fc.assert(fc.property(
    fc.array(fc.option(fc.constantFrom(...hashes), { nil: null }), { minLength: 1, maxLength: 12 }),
    fc.integer({ min: 1, max: 12 }),
    (votes, quorumRaw) => {
      // quorums are always more than half the membership
      const quorum = Math.max(Math.floor(votes.length / 2) + 1, Math.min(quorumRaw, votes.length + 1))
      const m = new Map<string, number>()
      for (const v of votes) if (v !== null) m.set(v, (m.get(v) ?? 0) + 1)
      const outcome = tallyOutcome({ counts: m, undecided_voters: votes.filter((v) => v === null).length, quorum })
      return outcome.status === naiveStatus(votes, quorum, hashes)
    }
  ), { numRuns: 50_000, seed: 6 })
  t.pass()
})
