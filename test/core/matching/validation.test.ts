import test from 'ava'
import {
  parseInstanceDocument, buildInstance, validateSummary, validateParticipants, validateCap, clear, enumerateChains, mergeSummaries,
  Taxonomy, parseTaxonomy, defaultTaxonomy,
  PARTICIPANTS_PER_NODE_MAX, SUMMARY_COUNT_MAX, SUMMARY_ENTRIES_MAX, CATEGORIES_MAX, CHAIN_LENGTH_MAX, CHAIN_LENGTH_MIN,
  OFFERS_PER_PARTICIPANT_MAX, NEEDS_PER_PARTICIPANT_MAX, WEIGHT_MAX, NODES_PER_INSTANCE_MAX, CATEGORY_LENGTH_MAX
} from '../../../src/core/matching/index.ts'

const categories = ['legal.contracts', 'food.catering', 'design']
const taxonomy = Taxonomy.of(categories)
const alice = { id: 'alice', offer: 'legal.contracts', need: 'food.catering' }

/** The `name` of the error `f` throws (undefined when it does not throw). */
function errorName (f: () => unknown): string | undefined {
  try {
    f()
    return undefined
  } catch (err) {
    return (err as Error).name
  }
}

const badInstances: Array<[string, unknown, string]> = [
  ['a participant offering an unknown category', { categories, nodes: [{ id: 'A', participants: [{ id: 'alice', offer: 'plumbing', need: 'design' }] }] }, 'UnknownCategoryError'],
  ['a participant needing an unknown category', { categories, nodes: [{ id: 'A', participants: [{ id: 'alice', offer: 'design', need: 'Legal' }] }] }, 'UnknownCategoryError'],
  ['a summary with an unknown category', { categories, nodes: [{ id: 'B', summary: [{ need: 'design', offer: 'water', count: 1 }] }] }, 'UnknownCategoryError'],
  ['the same participant twice on a node', { categories, nodes: [{ id: 'A', participants: [alice, { ...alice, need: 'design' }] }] }, 'DuplicateParticipantError'],
  ['the same participant on two nodes', { categories, nodes: [{ id: 'A', participants: [{ ...alice, id: 'sep://alice@A' }] }, { id: 'B', participants: [{ ...alice, id: 'sep://alice@A' }] }] }, 'DuplicateParticipantError'],
  ['a summary count below zero', { categories, nodes: [{ id: 'B', summary: [{ need: 'design', offer: 'food.catering', count: -1 }] }] }, 'InvalidSummaryError'],
  ['a summary count over SUMMARY_COUNT_MAX', { categories, nodes: [{ id: 'B', summary: [{ need: 'design', offer: 'food.catering', count: SUMMARY_COUNT_MAX + 1 }] }] }, 'InvalidSummaryError'],
  ['a fractional summary count', { categories, nodes: [{ id: 'B', summary: [{ need: 'design', offer: 'food.catering', count: 1.5 }] }] }, 'InvalidSummaryError'],
  ['a summary pair given twice', { categories, nodes: [{ id: 'B', summary: [{ need: 'design', offer: 'food.catering', count: 1 }, { need: 'design', offer: 'food.catering', count: 2 }] }] }, 'InvalidSummaryError'],
  ['a summary pairing a category with itself', { categories, nodes: [{ id: 'B', summary: [{ need: 'design', offer: 'design', count: 1 }] }] }, 'InvalidSummaryError'],
  ['a participant needing only what it offers', { categories, nodes: [{ id: 'A', participants: [{ id: 'x', need: 'design', offer: 'design' }] }] }, 'InvalidParticipantError'],
  ['a bad bare handle', { categories, nodes: [{ id: 'A', participants: [{ ...alice, id: 'Alice Smith' }] }] }, 'InvalidHandleError'],
  ['a bad handle in a full id', { categories, nodes: [{ id: 'A', participants: [{ ...alice, id: 'sep://Alice@A' }] }] }, 'InvalidHandleError'],
  ['a bad participant id', { categories, nodes: [{ id: 'A', participants: [{ ...alice, id: 'sep://alice' }] }] }, 'InvalidParticipantIdError'],
  ['the same node twice', { categories, nodes: [{ id: 'A', participants: [] }, { id: 'A', summary: [] }] }, 'DuplicateNodeError'],
  ['a node with participants and a summary', { categories, nodes: [{ id: 'A', participants: [alice], summary: [{ need: 'design', offer: 'food.catering', count: 1 }] }] }, 'InvalidInstanceError'],
  ['an unknown key', { categories, nodes: [{ id: 'A', participant: [] }] }, 'InvalidInstanceError'],
  ['no categories', { nodes: [] }, 'InvalidInstanceError'],
  ['a category that is not a slug', { categories: ['Legal Contracts'], nodes: [] }, 'InvalidTaxonomyError'],
  ['a weight over WEIGHT_MAX', { categories, nodes: [{ id: 'A', participants: [{ ...alice, weight: WEIGHT_MAX + 1 }] }] }, 'InvalidParticipantError'],
  ['a node weight below zero', { categories, nodes: [{ id: 'A', weight: -1, participants: [alice] }] }, 'InvalidParticipantError']
]

for (const [what, document, name] of badInstances) {
  test(`${what} is rejected with ${name}`, (t) => {
    t.is(errorName(() => parseInstanceDocument(document)), name)
  })
}

test('caps outside CHAIN_LENGTH_MIN…CHAIN_LENGTH_MAX are rejected with CapOutOfRangeError, the ends are accepted', (t) => {
  const instance = parseInstanceDocument({ categories, nodes: [{ id: 'A', participants: [alice] }] })
  for (const cap of [CHAIN_LENGTH_MIN - 1, CHAIN_LENGTH_MAX + 1, 2.5, Number.NaN, 0, -3]) {
    t.is(errorName(() => clear(instance, { cap })), 'CapOutOfRangeError', `clear cap ${cap}`)
    t.is(errorName(() => enumerateChains(instance, { cap })), 'CapOutOfRangeError', `enumerate cap ${cap}`)
  }
  for (const cap of [CHAIN_LENGTH_MIN, CHAIN_LENGTH_MAX]) {
    t.is(validateCap(cap), cap)
    t.notThrows(() => clear(instance, { cap }))
  }
})

test('a summary count of exactly SUMMARY_COUNT_MAX is accepted, zero counts are dropped', (t) => {
  const summary = validateSummary({ node: 'B', entries: [{ need: 'design', offer: 'food.catering', count: SUMMARY_COUNT_MAX }, { need: 'food.catering', offer: 'design', count: 0 }] }, taxonomy)
  t.deepEqual(summary.entries, [{ need: 'design', offer: 'food.catering', count: SUMMARY_COUNT_MAX }])
})

test('a summary of SUMMARY_ENTRIES_MAX entries is accepted and one more is rejected', (t) => {
  const many = Taxonomy.of(Array.from({ length: 520 }, (_, i) => `k${i}`))
  const entries: Array<{ need: string, offer: string, count: number }> = []
  for (let a = 0; a < 520 && entries.length <= SUMMARY_ENTRIES_MAX; a++) {
    for (let b = 0; b < 520 && entries.length <= SUMMARY_ENTRIES_MAX; b++) {
      if (a !== b) entries.push({ need: `k${a}`, offer: `k${b}`, count: 1 })
    }
  }
  t.is(validateSummary({ node: 'B', entries: entries.slice(0, SUMMARY_ENTRIES_MAX) }, many).entries.length, SUMMARY_ENTRIES_MAX)
  t.is(errorName(() => validateSummary({ node: 'B', entries }, many)), 'InvalidSummaryError')
})

test('PARTICIPANTS_PER_NODE_MAX participants on a node are accepted and one more is rejected', (t) => {
  const participants = Array.from({ length: PARTICIPANTS_PER_NODE_MAX }, (_, i) => ({ id: `sep://p${i}@A`, needs: ['design'], offers: ['legal.contracts'] }))
  t.is(validateParticipants(participants, taxonomy, 'A').length, PARTICIPANTS_PER_NODE_MAX)
  participants.push({ id: 'sep://extra@A', needs: ['design'], offers: ['legal.contracts'] })
  t.is(errorName(() => validateParticipants(participants, taxonomy, 'A')), 'TooManyParticipantsError')
})

test('CATEGORIES_MAX categories make a taxonomy and one more is rejected', (t) => {
  const slugs = Array.from({ length: CATEGORIES_MAX + 1 }, (_, i) => `c${i}`)
  t.is(Taxonomy.of(slugs.slice(0, CATEGORIES_MAX)).size, CATEGORIES_MAX)
  t.is(errorName(() => Taxonomy.of(slugs)), 'InvalidTaxonomyError')
})

test('a category of CATEGORY_LENGTH_MAX characters is accepted and one longer is rejected', (t) => {
  t.notThrows(() => Taxonomy.of(['a'.repeat(CATEGORY_LENGTH_MAX)]))
  t.is(errorName(() => Taxonomy.of(['a'.repeat(CATEGORY_LENGTH_MAX + 1)])), 'InvalidTaxonomyError')
})

test('OFFERS_PER_PARTICIPANT_MAX offers and NEEDS_PER_PARTICIPANT_MAX needs are accepted, one more of either is rejected', (t) => {
  const slugs = Array.from({ length: 20 }, (_, i) => `c${i}`)
  const wide = Taxonomy.of(slugs)
  const ok = { id: 'sep://p@A', offers: slugs.slice(0, OFFERS_PER_PARTICIPANT_MAX), needs: slugs.slice(10, 10 + NEEDS_PER_PARTICIPANT_MAX) }
  t.notThrows(() => validateParticipants([ok], wide, 'A'))
  t.is(errorName(() => validateParticipants([{ ...ok, offers: slugs.slice(0, OFFERS_PER_PARTICIPANT_MAX + 1) }], wide, 'A')), 'InvalidParticipantError')
  t.is(errorName(() => validateParticipants([{ ...ok, needs: slugs.slice(10, 11 + NEEDS_PER_PARTICIPANT_MAX) }], wide, 'A')), 'InvalidParticipantError')
})

test('a weight of WEIGHT_MAX is accepted', (t) => {
  t.notThrows(() => parseInstanceDocument({ categories, nodes: [{ id: 'A', participants: [{ ...alice, weight: WEIGHT_MAX }] }] }))
})

test('NODES_PER_INSTANCE_MAX nodes make an instance and one more is rejected', (t) => {
  const nodes = Array.from({ length: NODES_PER_INSTANCE_MAX + 1 }, (_, i) => ({ id: `n${i}` }))
  t.is(buildInstance(taxonomy, nodes.slice(0, NODES_PER_INSTANCE_MAX)).nodes.length, NODES_PER_INSTANCE_MAX)
  t.is(errorName(() => buildInstance(taxonomy, nodes)), 'InvalidInstanceError')
})

test('merging summaries adds counts per pair and refuses a node twice', (t) => {
  const merged = mergeSummaries([
    { node: 'B', entries: [{ need: 'design', offer: 'food.catering', count: 2 }] },
    { node: 'A', entries: [{ need: 'design', offer: 'food.catering', count: 3 }, { need: 'food.catering', offer: 'design', count: 1 }] }
  ])
  t.deepEqual(merged, { nodes: ['A', 'B'], entries: [{ need: 'design', offer: 'food.catering', count: 5 }, { need: 'food.catering', offer: 'design', count: 1 }] })
  t.is(errorName(() => mergeSummaries([{ node: 'A', entries: [] }, { node: 'A', entries: [] }])), 'DuplicateNodeError')
})

test('a taxonomy document is a list or a mapping with categories; the default taxonomy is valid', (t) => {
  t.deepEqual(parseTaxonomy({ categories: ['b', 'a', 'a'] }).categories, ['a', 'b'])
  t.deepEqual(parseTaxonomy(['x']).categories, ['x'])
  t.is(errorName(() => parseTaxonomy({ cats: [] })), 'InvalidTaxonomyError')
  t.is(errorName(() => parseTaxonomy([])), 'InvalidTaxonomyError')
  t.true(defaultTaxonomy().has('legal.contracts'))
  t.is(errorName(() => defaultTaxonomy().indexOf('unknown.thing')), 'UnknownCategoryError')
})
