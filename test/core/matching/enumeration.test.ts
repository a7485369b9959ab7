import test from 'ava'
import fc from 'fast-check'
import { parseInstanceDocument, enumerateChains, explainChain, CHAINS_ENUMERATED_MAX, CHAIN_LENGTH_MAX } from '../../../src/core/matching/index.ts'
import { bruteForceChains, chainKey, smallInstanceDocument, shuffledDocument } from './brute-force.ts'

const SEED = 20261125

test('the seed example: one candidate chain from A\'s participants and B\'s summary', (t) => {
  const instance = parseInstanceDocument({
    categories: ['legal.contracts', 'food.catering', 'design'],
    nodes: [
      { id: 'A', participants: [{ id: 'alice', offer: 'legal.contracts', need: 'food.catering' }, { id: 'carol', offer: 'design', need: 'legal.contracts' }] },
      { id: 'B', summary: [{ need: 'design', offer: 'food.catering', count: 1 }] }
    ]
  })
  const { chains, truncated } = enumerateChains(instance)
  t.false(truncated)
  t.deepEqual(chains.map(explainChain), ['a participant of B gives food.catering to alice@A, alice@A gives legal.contracts to carol@A, carol@A gives design to a participant of B'])
  t.deepEqual(chains[0]!.steps.map((s) => [s.node, s.participant]), [['B', undefined], ['A', 'sep://alice@A'], ['A', 'sep://carol@A']])
})

test('enumeration finds exactly the brute-force set of chains up to the cap, each once', (t) => {
  fc.assert(fc.property(smallInstanceDocument({ sharedIdentities: true }), fc.integer({ min: 2, max: 4 }), (document, cap) => {
    const instance = parseInstanceDocument(document)
    const { chains, truncated } = enumerateChains(instance, { cap })
    const keys = chains.map(chainKey)
    t.false(truncated)
    t.is(new Set(keys).size, keys.length, 'no chain is reported twice')
    t.deepEqual([...keys].sort(), [...bruteForceChains(instance, cap)].sort())
    for (const chain of chains) t.true(chain.steps.length <= cap)
  }), { seed: SEED, numRuns: 200 })
})

test('enumeration is identical across runs and input orderings', (t) => {
  fc.assert(fc.property(smallInstanceDocument({ sharedIdentities: true }), fc.integer({ min: 1, max: 2 ** 31 - 1 }), (document, seed) => {
    const first = enumerateChains(parseInstanceDocument(document), { cap: 4 })
    t.deepEqual(enumerateChains(parseInstanceDocument(document), { cap: 4 }), first)
    t.deepEqual(enumerateChains(parseInstanceDocument(shuffledDocument(document, seed)), { cap: 4 }), first)
  }), { seed: SEED + 1, numRuns: 200 })
})

/** n participants trading a → b with m trading b → a: n × m chains of two. */
function pairsInstance (n: number, m: number): ReturnType<typeof parseInstanceDocument> {
  return parseInstanceDocument({
    categories: ['a', 'b'],
    nodes: [{
      id: 'N',
      participants: [
        ...Array.from({ length: n }, (_, i) => ({ id: `x${i}`, need: 'a', offer: 'b' })),
        ...Array.from({ length: m }, (_, i) => ({ id: `y${i}`, need: 'b', offer: 'a' }))
      ]
    }]
  })
}

test('exactly CHAINS_ENUMERATED_MAX chains are all reported, not truncated', (t) => {
  t.is(CHAINS_ENUMERATED_MAX, 100 * 100)
  const { chains, truncated } = enumerateChains(pairsInstance(100, 100), { cap: 2 })
  t.is(chains.length, CHAINS_ENUMERATED_MAX)
  t.false(truncated)
})

test('one chain beyond CHAINS_ENUMERATED_MAX truncates the enumeration at the limit', (t) => {
  const { chains, truncated } = enumerateChains(pairsInstance(100, 101), { cap: 2 })
  t.is(chains.length, CHAINS_ENUMERATED_MAX)
  t.true(truncated)
})

test('a smaller limit stops early and says so', (t) => {
  const { chains, truncated } = enumerateChains(pairsInstance(3, 3), { cap: 2, limit: 4 })
  t.is(chains.length, 4)
  t.true(truncated)
})

test('the longest cap, CHAIN_LENGTH_MAX, finds a ring of that many participants', (t) => {
  const categories = Array.from({ length: CHAIN_LENGTH_MAX }, (_, i) => `c${String(i).padStart(2, '0')}`)
  const participants = categories.map((c, i) => ({ id: `p${i}`, need: c, offer: categories[(i + 1) % categories.length]! }))
  const instance = parseInstanceDocument({ categories, nodes: [{ id: 'N', participants }] })
  t.is(enumerateChains(instance, { cap: CHAIN_LENGTH_MAX }).chains[0]!.steps.length, CHAIN_LENGTH_MAX)
  t.is(enumerateChains(instance, { cap: CHAIN_LENGTH_MAX - 1 }).chains.length, 0)
})
