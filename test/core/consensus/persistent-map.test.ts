import test from 'ava'
import fc from 'fast-check'
import { PersistentMap } from '../../../src/core/consensus/persistent-map.ts'

test('a persistent map behaves like a Map, and every old version stays as it was', (t) => {
  fc.assert(fc.property(
    fc.array(fc.tuple(fc.boolean(), fc.string({ maxLength: 4 }), fc.integer()), { maxLength: 200 }),
    (operations) => {
      let map = PersistentMap.empty<number>(8)
      const reference = new Map<string, number>()
      const versions: Array<[PersistentMap<number>, Map<string, number>]> = []
      for (const [isSet, key, value] of operations) {
        if (isSet) { map = map.set(key, value); reference.set(key, value) } else { map = map.delete(key); reference.delete(key) }
        versions.push([map, new Map(reference)])
      }
      return versions.every(([version, expected]) =>
        version.size === expected.size &&
        [...expected].every(([k, v]) => version.get(k) === v && version.has(k)) &&
        new Map(version.entries()).size === expected.size)
    }
  ), { numRuns: 500, seed: 6 })
  t.pass()
})

test('forEach, keys and values visit every entry once', (t) => {
  let map = PersistentMap.empty<number>(4)
  for (let i = 0; i < 50; i++) map = map.set(`k${i}`, i)
  const seen: number[] = []
  map.forEach((v) => { seen.push(v) })
  t.deepEqual(seen.sort((a, b) => a - b), Array.from({ length: 50 }, (_, i) => i))
  t.is([...map.keys()].length, 50)
  t.is([...map.values()].reduce((a, b) => a + b, 0), (49 * 50) / 2)
})
