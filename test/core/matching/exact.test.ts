import test from 'ava'
import { parseInstanceDocument } from '../../../src/core/matching/index.ts'
import { buildCategoryGraph } from '../../../src/core/matching/category-graph.ts'
import { clearGraph } from '../../../src/core/matching/clearing.ts'
import { improveClearing } from '../../../src/core/matching/exact.ts'
import { materializeChains } from '../../../src/core/matching/pools.ts'
import { certifiedBound } from '../../../src/core/matching/certificate.ts'
import { loadHighsSolver } from '../../../src/solver/highs-solver.ts'
import { random32, referenceOptimum, zipfDocument } from './zipf-instances.ts'

const SEED = 20261202
const INSTANCES = 300

test(`on ${INSTANCES} seeded Zipf instances the exact mode serves the optimum and its bound is never below it`, async (t) => {
  const solver = await loadHighsSolver()
  const random = random32(SEED)
  const tally = { heuristicOptimal: 0, improved: 0, byMethod: new Map<string, number>() }
  for (let i = 0; i < INSTANCES; i++) {
    const categories = 3 + Math.floor(random() * 10)
    const participants = 5 + Math.floor(random() * 116)
    const cap = 2 + Math.floor(random() * 5)
    const document = zipfDocument(SEED + i, categories, participants)
    const graph = buildCategoryGraph(parseInstanceDocument(document))
    const heuristic = clearGraph(graph, cap)
    // a budget no test machine reaches on these sizes: the answer must not depend on speed
    const exact = improveClearing(graph, heuristic, { solver, remainingSeconds: () => 600 })
    const optimum = await referenceOptimum(document, cap)
    const where = `instance ${i}: ${categories} categories, ${participants} participants, cap ${cap}`
    t.is(exact.participantsServed, optimum, where)
    t.true(exact.bound >= optimum, `${where}: bound ${exact.bound} ≥ optimum ${optimum}`)
    t.true(exact.participantsServed >= heuristic.participantsServed, `${where}: never worse than the heuristic`)
    t.is(exact.gap, exact.bound - exact.participantsServed)
    t.true(exact.optimal, `${where}: proved optimal`)
    // the chains are real: as many steps as served, each within the cap
    const chains = materializeChains(graph, exact.boundChains)
    t.is(chains.reduce((sum, chain) => sum + chain.steps.length, 0), optimum)
    t.true(chains.every((chain) => chain.steps.length <= cap && chain.steps.every((step, k) => step.offer === chain.steps[(k + 1) % chain.steps.length]!.need)))
    // any prices, however wrong, are repaired into a valid bound: the certificate does not trust the solver
    const garbage = Float64Array.from({ length: graph.edgeCount }, () => random() * 3 - 1)
    t.true(certifiedBound(graph, graph.edgeCapacity, garbage, cap) >= optimum, `${where}: repaired prices still bound the optimum`)
    if (heuristic.participantsServed === optimum) tally.heuristicOptimal++
    if (exact.participantsServed > heuristic.participantsServed) tally.improved++
    tally.byMethod.set(`${exact.method}/${exact.boundMethod}`, (tally.byMethod.get(`${exact.method}/${exact.boundMethod}`) ?? 0) + 1)
  }
  t.log(`rarest-first heuristic optimal in ${tally.heuristicOptimal} of ${INSTANCES}; the solver improved ${tally.improved}; methods ${JSON.stringify([...tally.byMethod])}`)
})
