import test from 'ava'
import { InvalidParticipantIdError } from '../../../src/core/identity/participant-id.ts'
import fc from 'fast-check'
import {
  buildSummary, validateSummary, encodeSummary, decodeSummary, Taxonomy, SUMMARY_BYTES_MAX,
  formatParticipantId, parseParticipantId, type Summary
} from '../../../src/core/matching/index.ts'

const taxonomy = Taxonomy.of(['c0', 'c1', 'c2', 'c3', 'legal.contracts', 'food.catering'])

function errorName (f: () => unknown): string | undefined {
  try { f(); return undefined } catch (err) { return (err as Error).name }
}

const summaryArbitrary: fc.Arbitrary<Summary> = fc.record({
  node: fc.constantFrom('A', 'node-2', '12D3KooWDZsLhX29oTnM7yUGBJaUtFyDDaYALxJgauRMepGMVJnD'),
  entries: fc.uniqueArray(fc.record({
    pair: fc.tuple(fc.constantFrom(...taxonomy.categories), fc.constantFrom(...taxonomy.categories)).filter(([a, b]) => a !== b),
    count: fc.integer({ min: 0, max: 1_000_000 })
  }), { selector: (e) => e.pair.join('>'), maxLength: 20 }).map((list) => list.map((e) => ({ need: e.pair[0], offer: e.pair[1], count: e.count })))
}).map((s) => validateSummary(s, taxonomy))

test('a summary counts each participant entry per (need, offer) pair', (t) => {
  const summary = buildSummary('A', [
    { id: 'sep://alice@A', needs: ['food.catering'], offers: ['legal.contracts'] },
    { id: 'sep://dan@A', needs: ['food.catering'], offers: ['legal.contracts', 'c0'] }
  ])
  t.deepEqual(summary, { node: 'A', entries: [
    { need: 'food.catering', offer: 'c0', count: 1 },
    { need: 'food.catering', offer: 'legal.contracts', count: 2 }
  ] })
})

test('canonical bytes round-trip, and encoding ignores entry order', (t) => {
  fc.assert(fc.property(summaryArbitrary, (summary) => {
    const bytes = encodeSummary(summary)
    t.deepEqual(decodeSummary(bytes), summary)
    t.deepEqual(encodeSummary({ ...summary, entries: [...summary.entries].reverse() }), bytes)
    t.deepEqual(encodeSummary(decodeSummary(bytes)), bytes)
  }), { seed: 7, numRuns: 300 })
})

test('the seed summary encodes to known bytes', (t) => {
  const bytes = encodeSummary({ node: 'B', entries: [{ need: 'c0', offer: 'food.catering', count: 1 }] })
  // version 1 | node "B" | 2 categories "c0", "food.catering" | 1 entry: need 0, offer 1, count 1
  t.is(Buffer.from(bytes).toString('hex'), '01' + '0142' + '02' + '026330' + '0d' + Buffer.from('food.catering').toString('hex') + '01' + '000101')
})

const canonical = encodeSummary({ node: 'B', entries: [{ need: 'c0', offer: 'c1', count: 2 }, { need: 'c1', offer: 'c0', count: 1 }] })

const badBytes: Array<[string, Uint8Array]> = [
  ['an unknown version', Uint8Array.from([2, ...canonical.subarray(1)])],
  ['trailing bytes', Uint8Array.from([...canonical, 0])],
  ['truncated bytes', canonical.subarray(0, canonical.length - 1)],
  ['a zero count', Uint8Array.from([...canonical.subarray(0, canonical.length - 1), 0])],
  ['entries out of order', encodeRaw(['c0', 'c1'], [[1, 0, 1], [0, 1, 2]])],
  ['a category paired with itself', encodeRaw(['c0', 'c1'], [[0, 0, 1], [0, 1, 2]])],
  ['an unused category in the table', encodeRaw(['c0', 'c1', 'c2'], [[0, 1, 1]])],
  ['a non-minimal varint', Uint8Array.from([...canonical.subarray(0, canonical.length - 1), 0x81, 0x00])],
  ['more than SUMMARY_BYTES_MAX bytes', new Uint8Array(SUMMARY_BYTES_MAX + 1)]
]

/** Hand-built bytes with one-byte varints, for non-canonical cases the encoder refuses to produce. */
function encodeRaw (categories: string[], entries: Array<[number, number, number]>): Uint8Array {
  const text = (s: string): number[] => [s.length, ...Buffer.from(s)]
  return Uint8Array.from([1, ...text('B'), categories.length, ...categories.flatMap(text), entries.length, ...entries.flat()])
}

for (const [what, bytes] of badBytes) {
  test(`summary bytes with ${what} are rejected with InvalidSummaryError`, (t) => {
    t.is(errorName(() => decodeSummary(bytes)), 'InvalidSummaryError')
  })
}

test('participant ids format and parse as sep://handle@node', (t) => {
  t.is(formatParticipantId({ handle: 'alice', node: 'uk_north' }), 'sep://alice@uk_north')
  t.deepEqual(parseParticipantId('sep://alice@uk_north'), { handle: 'alice', node: 'uk_north' })
  // each refusal is an InvalidParticipantIdError (or a subclass naming the part at fault)
  for (const bad of ['alice@A', 'sep://alice', 'sep://@A', 'sep://alice@', 'sep://a@b@c', 'sep://Alice@A', `sep://${'a'.repeat(65)}@A`, `sep://a@${'N'.repeat(129)}`]) {
    t.throws(() => parseParticipantId(bad), { instanceOf: InvalidParticipantIdError }, bad)
  }
  t.notThrows(() => parseParticipantId(`sep://${'a'.repeat(64)}@${'N'.repeat(128)}`))
})
