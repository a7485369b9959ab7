import test from 'ava'
import {
  REPUTATION_IGNORE_BELOW, accuracyPermille, adherencePermille, applyAdherence, applyObservation, attestationWeightPermille, initialReputation, reputationScore,
  weightedSatisfactionPermille, reputationOf, REPUTATION_SCORE_INITIAL, type NodeReputation
} from '../../../src/core/reputation/reputation.ts'

function after (observations: Array<[number | null, number]>, facts: Array<'on_time' | 'late' | 'honoured' | 'broken'> = []): NodeReputation {
  let r = initialReputation('n')
  for (const [attested, observed] of observations) r = applyObservation(r, attested, observed)
  for (const fact of facts) r = applyAdherence(r, fact)
  return r
}

test('a node nothing is known about scores 50', (t) => {
  t.is(reputationScore(initialReputation('n')), 50)
})

test('accurate attestations and kept commitments raise the score; inflated ones and broken commitments lower it', (t) => {
  const honest = after(Array.from({ length: 20 }, () => [800, 800]), Array.from({ length: 20 }, () => 'honoured'))
  const inflated = after(Array.from({ length: 20 }, () => [1000, 200]), Array.from({ length: 20 }, () => 'broken'))
  t.is(accuracyPermille(honest), Math.round((20 * 1000 + 5 * 500) / 25))
  t.is(adherencePermille(inflated), Math.round((5 * 500) / 25))
  t.true(reputationScore(honest) > 85, String(reputationScore(honest)))
  t.true(reputationScore(inflated) < REPUTATION_IGNORE_BELOW, String(reputationScore(inflated)))
  // the formula, by hand, for a mixed record
  const mixed = after([[900, 700], [600, 600], [null, 100]], ['on_time', 'late', 'honoured'])
  t.is(mixed.accuracy_count, 2, 'no attestation, nothing to compare')
  const accuracy = Math.round((800 + 1000 + 2500) / 7)
  const adherence = Math.round((2 * 1000 + 2500) / 8)
  t.is(reputationScore(mixed), Math.round((600 * accuracy + 400 * adherence) / 10_000))
})

test('attestation weight follows the score, zero below the floor, and shrinks claims towards neutral', (t) => {
  t.is(attestationWeightPermille(REPUTATION_IGNORE_BELOW - 1), 0)
  t.is(attestationWeightPermille(REPUTATION_IGNORE_BELOW), 250)
  t.is(attestationWeightPermille(100), 1000)
  t.is(weightedSatisfactionPermille(900, 100), 900)
  t.is(weightedSatisfactionPermille(900, 50), 700)
  t.is(weightedSatisfactionPermille(900, 10), 500, 'a distrusted node\'s claim counts for nothing')
  t.is(weightedSatisfactionPermille(null, 100), 500)
})

test('reputation updates return new values and never mutate', (t) => {
  const r = initialReputation('n')
  const next = applyAdherence(applyObservation(r, 500, 500), 'on_time')
  t.deepEqual(r, initialReputation('n'))
  t.is(next.on_time, 1)
})

test('reputationOf folds observations and adherence facts; a member nothing is known about scores REPUTATION_SCORE_INITIAL', (t) => {
  t.is(reputationScore(reputationOf('n', [], [])), REPUTATION_SCORE_INITIAL)
  const r = reputationOf('n', [{ attested_permille: 1000, observed_permille: 200 }, { attested_permille: null, observed_permille: 900 }], ['on_time', 'honoured', 'broken'])
  t.deepEqual(r, { node: 'n', accuracy_sum: 200, accuracy_count: 1, on_time: 1, late: 0, honoured: 1, broken: 1 })
  t.is(accuracyPermille(r), Math.round((200 + 2500) / 6))
  t.is(adherencePermille(r), Math.round((2000 + 2500) / 8))
  t.deepEqual(reputationOf('n', [], ['broken', 'on_time', 'honoured']), { ...r, accuracy_sum: 0, accuracy_count: 0 }, 'order of facts does not matter')
})
