/**
 * The report's graph figures (sim/graph.ts): components, diameter and the distance histogram of a
 * mesh given as neighbour lists, links taken as undirected.
 */
import test from 'ava'
import { graphFigures, weightedDiameter } from '../../sim/graph.ts'

test('a ring of 6 has diameter 3, one component, and 6 ordered pairs at each distance 1 and 2 (both ways) and 6 at 3', (t) => {
  // each node lists only its successor: the other direction comes from undirecting
  const ring = Array.from({ length: 6 }, (_, i) => [(i + 1) % 6])
  const figures = graphFigures(ring)
  t.is(figures.components, 1)
  t.is(figures.largest_component, 6)
  t.is(figures.diameter_hops, 3)
  t.deepEqual(figures.distance_histogram, [0, 12, 12, 6])
  t.deepEqual(figures.degree, { min: 2, mean: 2, max: 2 })
})

test('two components and an isolated node: the diameter is the longest within a component', (t) => {
  // 0-1-2 (a path), 3-4, 5 alone; an index out of range and a self-link are ignored
  const figures = graphFigures([[1], [2], [], [4, 3], [9], []])
  t.is(figures.components, 3)
  t.is(figures.largest_component, 3)
  t.is(figures.diameter_hops, 2)
  t.deepEqual(figures.distance_histogram, [0, 6, 2])
  t.deepEqual(figures.degree, { min: 0, mean: 1, max: 2 })
})

test('no links at all: diameter 0, every node its own component', (t) => {
  const figures = graphFigures([[], [], []])
  t.is(figures.components, 3)
  t.is(figures.diameter_hops, 0)
  t.deepEqual(figures.distance_histogram, [])
})

test('the weighted diameter: the longest shortest path, a heavy link bypassed when a lighter way round exists', (t) => {
  // a ring of 4: 0-1 weighs 100, the others 1. From 0 to 1 the way round (3 hops, 3 ms) beats the direct link
  const ring = [[1], [2], [3], [0]]
  const weight = (a: number, b: number): number => (Math.min(a, b) === 0 && Math.max(a, b) === 1) ? 100 : 1
  t.is(weightedDiameter(ring, weight), 3)
  // with every link 10 ms it is hops × 10: the unweighted diameter of the 6-ring (3) × 10
  t.is(weightedDiameter(Array.from({ length: 6 }, (_, i) => [(i + 1) % 6]), () => 10), 30)
  // a path 0-1-2 of 5 + 7 ms, and a far pair 3-4 of 40 ms in another component: the longest within a component is 40
  const byPair: Record<string, number> = { '0|1': 5, '1|2': 7, '3|4': 40 }
  t.is(weightedDiameter([[1], [2], [], [4], [], []], (a, b) => byPair[`${Math.min(a, b)}|${Math.max(a, b)}`]), 40)
  // weights are looked up for the undirected link, whichever side listed it
  t.is(weightedDiameter([[], [0], [1]], (a, b) => a + b), 4)
  t.is(weightedDiameter([[], [], []], () => 1), 0)
})

test('the weighted diameter agrees with hops × weight on a random graph with equal weights', (t) => {
  // a deterministic pseudo-random graph of 60 nodes, degree ~3
  let state = 12345
  const next = (): number => { state = (state * 1103515245 + 12345) % 2 ** 31; return state / 2 ** 31 }
  const neighbours = Array.from({ length: 60 }, () => Array.from({ length: 3 }, () => Math.floor(next() * 60)))
  t.is(weightedDiameter(neighbours, () => 7), graphFigures(neighbours).diameter_hops * 7)
})
