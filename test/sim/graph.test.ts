/**
 * The report's graph figures (sim/graph.ts): components, diameter and the distance histogram of a
 * mesh given as neighbour lists, links taken as undirected.
 */
import test from 'ava'
import { graphFigures } from '../../sim/graph.ts'

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
