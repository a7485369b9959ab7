import test from 'ava'
import { KeyObjectCache, KEY_CACHE_ENTRIES_MAX } from '../../src/crypto/key-object-cache.ts'

test('the key cache holds at most its capacity and evicts the least recently used key', (t) => {
  const cache = new KeyObjectCache<number>(2)
  let loads = 0
  const load = (value: number) => () => { loads++; return value }
  t.is(cache.getOrLoad('a', load(1)), 1)
  t.is(cache.getOrLoad('b', load(2)), 2)
  t.is(cache.getOrLoad('a', load(99)), 1, 'a hit does not reload')
  t.is(cache.getOrLoad('c', load(3)), 3)
  t.is(cache.size, 2)
  t.true(cache.has('a'))
  t.false(cache.has('b'), 'b was least recently used')
  t.is(loads, 3)
})

test('a key cache needs a positive capacity', (t) => {
  t.throws(() => new KeyObjectCache(0))
  t.notThrows(() => new KeyObjectCache(1))
})

test('KEY_CACHE_ENTRIES_MAX: the default cache holds exactly that many keys, one more evicts one', (t) => {
  const cache = new KeyObjectCache<number>()
  for (let index = 0; index < KEY_CACHE_ENTRIES_MAX; index++) cache.getOrLoad(`k${index}`, () => index)
  t.is(cache.size, KEY_CACHE_ENTRIES_MAX)
  t.true(cache.has('k0'))
  cache.getOrLoad('one-more', () => -1)
  t.is(cache.size, KEY_CACHE_ENTRIES_MAX)
  t.false(cache.has('k0'))
})
