import test from 'ava'
import { IngressQueue, ingressPolicy, VALIDATIONS_IN_FLIGHT_MAX } from '../../src/net/ingress-queue.ts'

/** A queue whose runs finish only when the test releases them. */
function harness (init: { inFlightMax?: number, entriesMax?: number, drop?: 'oldest' | 'newest', bytesMax?: number } = {}) {
  const started: string[] = []
  const dropped: string[] = []
  const releases: Array<() => void> = []
  let peakInFlight = 0
  const queue = new IngressQueue<string>({
    run: async (item) => {
      started.push(item)
      await new Promise<void>((resolve) => releases.push(resolve))
    },
    drop: (item) => { dropped.push(item) },
    inFlight: (count) => { peakInFlight = Math.max(peakInFlight, count) }
  }, {
    inFlightMax: init.inFlightMax ?? 2,
    policy: () => ({ entriesMax: init.entriesMax ?? 3, bytesMax: init.bytesMax ?? 1_000_000, drop: init.drop ?? 'oldest' })
  })
  const releaseAll = async (): Promise<void> => {
    while (releases.length > 0) {
      releases.shift()!()
      await new Promise((resolve) => setImmediate(resolve))
    }
  }
  return { queue, started, dropped, releaseAll, peak: () => peakInFlight }
}

test('never more validations in flight than the bound', async (t) => {
  const { queue, started, releaseAll, peak } = harness({ inFlightMax: 2, entriesMax: 100 })
  for (let i = 0; i < 20; i++) queue.offer('summary', `m${i}`, 10)
  t.is(started.length, 2)
  t.is(queue.depth('summary').entries, 18)
  await releaseAll()
  t.is(started.length, 20)
  t.is(peak(), 2)
  t.is(queue.inFlight, 0)
})

test('drop oldest: at the bound the oldest queued message goes, the newest stay', async (t) => {
  const { queue, started, dropped, releaseAll } = harness({ inFlightMax: 1, entriesMax: 3, drop: 'oldest' })
  for (let i = 0; i < 6; i++) queue.offer('aggregated_metrics', `m${i}`, 10)
  // m0 runs, m1..m5 arrive at a queue of 3: m1 and m2 are dropped
  t.deepEqual(dropped, ['m1', 'm2'])
  t.is(queue.dropped, 2)
  await releaseAll()
  t.deepEqual(started, ['m0', 'm3', 'm4', 'm5'])
})

test('drop newest (votes): nothing queued is dropped before the bound; arrivals at the bound are refused', async (t) => {
  const { queue, started, dropped, releaseAll } = harness({ inFlightMax: 1, entriesMax: 3, drop: 'newest' })
  for (let i = 0; i < 6; i++) queue.offer('vote', `v${i}`, 10)
  t.deepEqual(dropped, ['v4', 'v5'])
  await releaseAll()
  t.deepEqual(started, ['v0', 'v1', 'v2', 'v3'])
})

test('the byte bound holds as well as the entry bound', (t) => {
  const { queue, dropped } = harness({ inFlightMax: 1, entriesMax: 1000, bytesMax: 250, drop: 'oldest' })
  for (let i = 0; i < 10; i++) queue.offer('summary', `m${i}`, 100)
  t.true(queue.depth('summary').bytes <= 250)
  t.is(dropped.length, 10 - 1 - 2)
})

test('classes are served in turn: a flood on one class does not starve another', async (t) => {
  const { queue, started, releaseAll } = harness({ inFlightMax: 1, entriesMax: 1000 })
  for (let i = 0; i < 50; i++) queue.offer('aggregated_metrics', `junk${i}`, 10)
  queue.offer('vote', 'vote', 10)
  // release two runs: the first queued vote is served right after the message in flight
  const releases = started.length
  t.is(releases, 1)
  await releaseAll()
  t.true(started.indexOf('vote') <= 2, `vote started at ${started.indexOf('vote')}`)
})

test('votes never drop before their bound; metrics and summaries drop oldest', (t) => {
  t.is(ingressPolicy('vote').drop, 'newest')
  t.is(ingressPolicy('summary').drop, 'oldest')
  t.is(ingressPolicy('aggregated_metrics').drop, 'oldest')
  t.true(VALIDATIONS_IN_FLIGHT_MAX > 0)
})

test('a run hook that throws never stalls the queue', async (t) => {
  let runs = 0
  const queue = new IngressQueue<number>({ run: () => { runs++; throw new Error('bug') }, drop: () => {} }, { inFlightMax: 1 })
  for (let i = 0; i < 5; i++) queue.offer('summary', i, 1)
  for (let i = 0; i < 20 && runs < 5; i++) await new Promise((resolve) => setImmediate(resolve))
  t.is(runs, 5)
})
