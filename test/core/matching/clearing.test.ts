import test from 'ava'
import fc from 'fast-check'
import {
  parseInstanceDocument, clear, explainChain, buildSummary, buildInstance, enumerateChains, Taxonomy,
  type Clearing, type MatchingInstance, type InstanceNodeInput
} from '../../../src/core/matching/index.ts'
import { bruteForceOptimum, smallInstanceDocument, shuffledDocument, unitsOf } from './brute-force.ts'

const SEED = 20261124
const RUNS = 300

const seedDocument = {
  categories: ['legal.contracts', 'food.catering', 'design'],
  nodes: [
    { id: 'A', participants: [{ id: 'alice', offer: 'legal.contracts', need: 'food.catering' }, { id: 'carol', offer: 'design', need: 'legal.contracts' }] },
    { id: 'B', participants: [{ id: 'bob', offer: 'food.catering', need: 'design' }] }
  ]
}

test('the seed example: Alice and Carol at A with B\'s summary form one chain of three', (t) => {
  const full = parseInstanceDocument(seedDocument)
  // node A sees its own participants and only B's summary
  const summaryOfB = buildSummary('B', full.nodes.find((n) => n.id === 'B')!.participants)
  const seenFromA = buildInstance(full.taxonomy, [
    { id: 'A', participants: full.nodes.find((n) => n.id === 'A')!.participants },
    { id: 'B', summary: summaryOfB.entries }
  ])
  for (const cap of [null, 3, 6]) {
    const clearing = clear(seenFromA, { cap })
    t.is(clearing.chains.length, 1)
    t.is(clearing.participantsServed, 3)
    t.is(clearing.bound, 3)
    t.is(clearing.gap, 0)
    t.is(explainChain(clearing.chains[0]!),
      'a participant of B gives food.catering to alice@A, alice@A gives legal.contracts to carol@A, carol@A gives design to a participant of B')
  }
})

test('the seed example with every participant known names Bob', (t) => {
  const clearing = clear(parseInstanceDocument(seedDocument))
  t.is(explainChain(clearing.chains[0]!), 'bob@B gives food.catering to alice@A, alice@A gives legal.contracts to carol@A, carol@A gives design to bob@B')
})

test('a cap shorter than the only chain serves nobody and reports the gap', (t) => {
  const clearing = clear(parseInstanceDocument(seedDocument), { cap: 2 })
  t.is(clearing.participantsServed, 0)
  t.is(clearing.bound, 3)
  t.is(clearing.gap, 3)
})

/** Checks a clearing is a valid set of disjoint chains drawn from the instance's units. */
function assertValid (t: { true: (v: boolean, m?: string) => void, is: (a: unknown, b: unknown, m?: string) => void }, instance: MatchingInstance, clearing: Clearing): void {
  const available = new Map<string, number>()
  for (const u of unitsOf(instance)) {
    const key = `${u.node}|${u.need}|${u.offer}|${u.identity ?? ''}`
    available.set(key, (available.get(key) ?? 0) + 1)
  }
  const identities = new Set<string>()
  let steps = 0
  for (const chain of clearing.chains) {
    t.true(chain.steps.length >= 2, 'a chain has at least two steps')
    if (clearing.cap !== null) t.true(chain.steps.length <= clearing.cap, 'a chain respects the cap')
    chain.steps.forEach((step, i) => {
      const next = chain.steps[(i + 1) % chain.steps.length]!
      t.is(step.offer, next.need, 'each step gives what the next needs')
      const key = `${step.node}|${step.need}|${step.offer}|${step.participant ?? ''}`
      const left = available.get(key) ?? 0
      t.true(left > 0, `unit ${key} exists and is not used twice`)
      available.set(key, left - 1)
      if (step.participant !== undefined) {
        t.true(!identities.has(step.participant), `${step.participant} is in one chain only`)
        identities.add(step.participant)
      }
      steps++
    })
  }
  t.is(steps, clearing.participantsServed)
  t.is(clearing.gap, clearing.bound - clearing.participantsServed)
}

test('uncapped, one entry per participant: the clearing equals the brute-force optimum', (t) => {
  fc.assert(fc.property(smallInstanceDocument(), (document) => {
    const instance = parseInstanceDocument(document)
    const clearing = clear(instance, { cap: null })
    assertValid(t, instance, clearing)
    const best = bruteForceOptimum(instance, null)
    return clearing.participantsServed === best.served && clearing.bound === best.served && clearing.gap === 0
  }), { seed: SEED, numRuns: RUNS })
})

test('uncapped with weights: the most participants, then the most weight, as brute force finds', (t) => {
  fc.assert(fc.property(smallInstanceDocument({ weights: true }), (document) => {
    const instance = parseInstanceDocument(document)
    const clearing = clear(instance, { cap: null })
    assertValid(t, instance, clearing)
    const best = bruteForceOptimum(instance, null)
    return clearing.participantsServed === best.served && clearing.weight === best.weight && clearing.weightBound === best.weight
  }), { seed: SEED + 1, numRuns: RUNS })
})

test('with a cap, the clearing is valid and lies between the brute-force capped optimum less the gap and the bound', (t) => {
  let exactRuns = 0
  fc.assert(fc.property(smallInstanceDocument(), fc.integer({ min: 2, max: 4 }), (document, cap) => {
    const instance = parseInstanceDocument(document)
    const clearing = clear(instance, { cap })
    assertValid(t, instance, clearing)
    const capped = bruteForceOptimum(instance, cap).served
    const uncapped = bruteForceOptimum(instance, null).served
    if (clearing.participantsServed === capped) exactRuns++
    return clearing.bound === uncapped && clearing.participantsServed <= capped && capped <= clearing.bound
  }), { seed: SEED + 2, numRuns: RUNS })
  t.log(`capped clearing met the brute-force capped optimum in ${exactRuns} of ${RUNS} runs`)
})

test('participants with several entries: each is in one chain at most, and the bound holds', (t) => {
  let exactRuns = 0
  fc.assert(fc.property(smallInstanceDocument({ sharedIdentities: true }), (document) => {
    const instance = parseInstanceDocument(document)
    const clearing = clear(instance, { cap: null })
    assertValid(t, instance, clearing)
    const best = bruteForceOptimum(instance, null).served
    if (clearing.participantsServed === best) exactRuns++
    return clearing.participantsServed <= best && best <= clearing.bound
  }), { seed: SEED + 3, numRuns: RUNS })
  t.log(`multi-entry clearing met the brute-force optimum in ${exactRuns} of ${RUNS} runs`)
})

test('the clearing is identical across runs and input orderings', (t) => {
  fc.assert(fc.property(smallInstanceDocument({ sharedIdentities: true, weights: true }), fc.integer({ min: 1, max: 2 ** 31 - 1 }), fc.constantFrom(null, 2, 3, 6), (document, seed, cap) => {
    const first = clear(parseInstanceDocument(document), { cap })
    const again = clear(parseInstanceDocument(document), { cap })
    const shuffled = clear(parseInstanceDocument(shuffledDocument(document, seed)), { cap })
    t.deepEqual(again, first)
    t.deepEqual(shuffled, first)
  }), { seed: SEED + 4, numRuns: RUNS })
})

test('a larger seeded instance: uncapped optimum is exact and every chain is valid', (t) => {
  // 60 categories, 4 nodes (two with participants, two summaries): beyond brute force, checked for validity and gap 0
  const categories = Array.from({ length: 60 }, (_, i) => `k${String(i).padStart(2, '0')}`)
  const rng = fc.sample(fc.array(fc.tuple(fc.nat(59), fc.nat(59)), { minLength: 2000, maxLength: 2000 }), { seed: SEED, numRuns: 1 })[0]!
  const pairs = rng.filter(([a, b]) => a !== b)
  const taxonomy = Taxonomy.of(categories)
  const participants = pairs.slice(0, 600).map(([a, b], i) => ({ id: `sep://u${i}@A`, needs: [categories[a]!], offers: [categories[b]!] }))
  const others = pairs.slice(600, 900).map(([a, b], i) => ({ id: `sep://v${i}@C`, needs: [categories[a]!], offers: [categories[b]!] }))
  const summaryB = buildSummary('B', pairs.slice(900).map(([a, b], i) => ({ id: `sep://w${i}@B`, needs: [categories[a]!], offers: [categories[b]!] })))
  const instance = buildInstance(taxonomy, [{ id: 'A', participants }, { id: 'B', summary: summaryB.entries }, { id: 'C', participants: others }])
  const uncapped = clear(instance, { cap: null })
  assertValid(t, instance, uncapped)
  t.is(uncapped.gap, 0)
  const capped = clear(instance, { cap: 6 })
  assertValid(t, instance, capped)
  t.is(capped.bound, uncapped.bound)
  t.true(capped.participantsServed <= capped.bound)
})

/** The instance of the units a clearing left unused (one entry per participant assumed). */
function leftover (instance: MatchingInstance, clearing: Clearing): MatchingInstance {
  const usedParticipants = new Set<string>()
  const usedSummaryUnits = new Map<string, number>()
  for (const chain of clearing.chains) {
    for (const step of chain.steps) {
      if (step.participant !== undefined) usedParticipants.add(step.participant)
      else usedSummaryUnits.set(`${step.node}|${step.need}|${step.offer}`, (usedSummaryUnits.get(`${step.node}|${step.need}|${step.offer}`) ?? 0) + 1)
    }
  }
  const nodes: InstanceNodeInput[] = instance.nodes.map((node) => ({
    id: node.id,
    participants: node.participants.filter((p) => !usedParticipants.has(p.id)),
    summary: node.summary.map((e) => ({ ...e, count: e.count - (usedSummaryUnits.get(`${node.id}|${e.need}|${e.offer}`) ?? 0) }))
  }))
  return buildInstance(instance.taxonomy, nodes)
}

test('a capped clearing is maximal: no chain within the cap can be formed from the units it left', (t) => {
  fc.assert(fc.property(smallInstanceDocument(), fc.integer({ min: 2, max: 4 }), (document, cap) => {
    const instance = parseInstanceDocument(document)
    const clearing = clear(instance, { cap })
    t.deepEqual(enumerateChains(leftover(instance, clearing), { cap }).chains, [])
  }), { seed: SEED + 5, numRuns: RUNS })
})

test('on a larger seeded instance the capped clearing is maximal too', (t) => {
  const categories = Array.from({ length: 40 }, (_, i) => `k${String(i).padStart(2, '0')}`)
  const pairs = fc.sample(fc.tuple(fc.nat(39), fc.nat(39)).filter(([a, b]) => a !== b), { seed: SEED + 6, numRuns: 800 })
  const participants = pairs.slice(0, 300).map(([a, b], i) => ({ id: `sep://u${i}@A`, needs: [categories[a]!], offers: [categories[b]!] }))
  const summaryB = buildSummary('B', pairs.slice(300).map(([a, b], i) => ({ id: `sep://w${i}@B`, needs: [categories[a]!], offers: [categories[b]!] })))
  const instance = buildInstance(Taxonomy.of(categories), [{ id: 'A', participants }, { id: 'B', summary: summaryB.entries }])
  for (const cap of [2, 3, 6]) {
    const clearing = clear(instance, { cap })
    assertValid(t, instance, clearing)
    t.deepEqual(enumerateChains(leftover(instance, clearing), { cap, limit: 1 }).chains, [], `cap ${cap}`)
  }
})
