import test from 'ava'
import fc from 'fast-check'
import { checkRangeByLinks, type RangeEntry } from '../../../src/core/sync/range-check.ts'

const chain = (from: number, to: number): RangeEntry[] =>
  Array.from({ length: to - from + 1 }, (_, i) => ({ seq: from + i, hash: `h${from + i}`, prev: from + i === 1 ? '' : `h${from + i - 1}` }))

test('an intact range costs one signature: the newest; every older entry is proved by the link from the one after it', (t) => {
  const checked: number[] = []
  const result = checkRangeByLinks(chain(1, 50), (i) => { checked.push(i); return true })
  t.deepEqual(checked, [49])
  t.is(result.signaturesChecked, 1)
  t.is(result.breaks, 0)
  t.deepEqual(result.proofs, [...Array(49).fill('link'), 'signature'])
})

test('a forged body breaks the link: it is checked on its own signature (fails), and the entry below anchors again', (t) => {
  const entries = chain(1, 10)
  entries[4] = { ...entries[4], hash: 'forged' } // seq 5's body changed: seq 6's prev no longer matches
  const result = checkRangeByLinks(entries, (i) => i !== 4)
  t.deepEqual(result.proofs, ['link', 'link', 'link', 'signature', 'none', 'link', 'link', 'link', 'link', 'signature'])
  t.is(result.signaturesChecked, 3)
  t.is(result.breaks, 2)
})

test('a bad newest signature proves nothing by itself; the entries below fall back to their own signatures', (t) => {
  const result = checkRangeByLinks(chain(1, 4), (i) => i !== 3)
  t.deepEqual(result.proofs, ['link', 'link', 'signature', 'none'])
})

test('a hole in the range is a break: the entry below it needs its own signature', (t) => {
  const entries = [...chain(1, 3), ...chain(6, 8)]
  const result = checkRangeByLinks(entries, () => true)
  t.deepEqual(result.proofs, ['link', 'link', 'signature', 'link', 'link', 'signature'])
  t.is(result.breaks, 1)
})

test('property: an entry is proved only by its own good signature or an unbroken link chain up to a good signature', (t) => {
  fc.assert(fc.property(fc.array(fc.record({ seq: fc.integer({ min: 1, max: 30 }), hash: fc.constantFrom('a', 'b', 'c'), prev: fc.constantFrom('a', 'b', 'c', '') }), { maxLength: 20 }), fc.array(fc.boolean(), { minLength: 20, maxLength: 20 }), (entries, good) => {
    const result = checkRangeByLinks(entries, (i) => good[i])
    for (let i = entries.length - 1; i >= 0; i--) {
      const proof = result.proofs[i]
      if (proof === 'signature') t.true(good[i])
      if (proof === 'link') {
        const after = entries[i + 1]
        t.true(after !== undefined && result.proofs[i + 1] !== 'none' && after.seq === entries[i].seq + 1 && after.prev === entries[i].hash)
      }
    }
  }))
})
