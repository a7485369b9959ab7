import test from 'ava'
import { quorumSize, quorumWarnings, faultTolerance, unsafeMembershipSizes, ThresholdOutOfRangeError, DEFAULT_POLICY } from '../../../src/core/consensus/threshold.ts'

const fraction = (threshold: number, min = 2) => ({ threshold, min_participating_nodes: min })

test('bft needs ⌊2n/3⌋+1 votes', (t) => {
  const cases: Array<[number, number]> = [[1, 2], [2, 2], [3, 3], [4, 3], [5, 4], [6, 5], [7, 5], [10, 7], [50, 34], [100, 67]]
  for (const [n, q] of cases) t.is(quorumSize(DEFAULT_POLICY, n), q, `n = ${n}`)
})

test('a fraction needs ⌈fraction·n⌉ votes, despite floating point', (t) => {
  t.is(quorumSize(fraction(0.66), 3), 2)
  t.is(quorumSize(fraction(0.66), 5), 4)
  t.is(quorumSize(fraction(0.66), 50), 33)
  t.is(quorumSize(fraction(0.66), 100), 66)
  t.is(quorumSize(fraction(1), 7), 7)
})

test('min_participating_nodes raises a small quorum', (t) => {
  t.is(quorumSize(fraction(0.66, 2), 2), 2)
  t.is(quorumSize(fraction(0.66, 4), 3), 4)
  t.is(quorumSize({ threshold: 'bft', min_participating_nodes: 1 }, 1), 1)
})

test('fractions at or below one half, or above one, are refused', (t) => {
  t.throws(() => quorumSize(fraction(0.5), 10), { instanceOf: ThresholdOutOfRangeError })
  t.throws(() => quorumSize(fraction(1.01), 10), { instanceOf: ThresholdOutOfRangeError })
  t.notThrows(() => quorumSize(fraction(0.5000001), 10))
})

test('f = ⌊(n−1)/3⌋', (t) => {
  t.deepEqual([1, 3, 4, 6, 7, 50, 100].map(faultTolerance), [0, 0, 1, 1, 2, 16, 33])
})

test('0.66 warns at n = 50 and n = 100, naming n', (t) => {
  for (const n of [50, 100]) {
    const warnings = quorumWarnings(fraction(0.66), n)
    t.is(warnings.length, 1)
    t.regex(warnings[0]!.message, new RegExp(`^n = ${n}:`))
    t.true(warnings[0]!.intersection <= warnings[0]!.fault_tolerance)
  }
  t.deepEqual(quorumWarnings(fraction(0.66), 3), [])
  t.deepEqual(quorumWarnings(fraction(0.66), 5), [])
})

test('bft never breaks quorum intersection, from 2 to 1024 members', (t) => {
  t.deepEqual(unsafeMembershipSizes(DEFAULT_POLICY, 2, 1024), [])
})

test('0.66 is unsafe exactly where 2⌈0.66n⌉ − n ≤ ⌊(n−1)/3⌋', (t) => {
  const unsafe = unsafeMembershipSizes(fraction(0.66), 2, 200)
  t.true(unsafe.includes(50))
  t.true(unsafe.includes(100))
  for (const n of unsafe) t.true(2 * Math.ceil(0.66 * n - 1e-9) - n <= Math.floor((n - 1) / 3))
})

test('a quorum larger than the membership warns that nothing can be decided', (t) => {
  const warnings = quorumWarnings(DEFAULT_POLICY, 1)
  t.is(warnings.length, 1)
  t.regex(warnings[0]!.message, /nothing can be decided/)
})
