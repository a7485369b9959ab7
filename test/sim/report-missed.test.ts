/**
 * The report names who missed what: every node's `missed` count (expected
 * deliveries it never got) in node_detail, and a summary line that names the
 * nodes that missed most. Built from a synthetic run record, so each count is
 * known: 4 nodes, 3 messages, node 2 gets none, node 3 misses one.
 */
import test from 'ava'
import { parseScenario } from '../../sim/scenario.ts'
import { makePlan } from '../../sim/plan.ts'
import { analyse } from '../../sim/report.ts'
import { summaryTable } from '../../sim/simulate.ts'
import type { PublishRecord, RunRecord } from '../../sim/run.ts'

const scenario = parseScenario({
  name: 'accounting-test',
  seed: 1,
  nodes: 4,
  bootstrap: 1,
  join: { rate_per_second: 10, timeout_seconds: 10, settle_seconds: 1 },
  load: { data_classes: ['incident_summary'], rate_per_second: 1, payload_bytes: 64 },
  duration_seconds: 3,
  drain_seconds: 1
})

function record (deliveredTo: (message: number, node: number) => boolean): RunRecord {
  const loadStartMs = 1000
  const publishes = new Map<number, PublishRecord>()
  const deliveries = new Map<number, Map<number, number>>()
  for (let message = 0; message < 3; message++) {
    const publishedAtMs = loadStartMs + message * 1000
    publishes.set(message, { message, node: 0, publishedAtMs, recipients: 3, envelopeId: `e${message}`, dataClass: 'incident_summary' })
    deliveries.set(message, new Map([1, 2, 3].filter((node) => deliveredTo(message, node)).map((node) => [node, publishedAtMs + 50])))
  }
  return {
    scenario,
    plan: makePlan(scenario),
    workers: 0,
    transport: 'memory',
    clock: 'virtual',
    startedAtMs: 0,
    rssBaselineBytes: 0,
    loadStartMs,
    loadEndMs: loadStartMs + 3000,
    finishedAtMs: loadStartMs + 5000,
    lives: new Map([0, 1, 2, 3].map((node) => [node, [{ startedAtMs: 0, joinedAtMs: 100 }]])),
    publishes,
    publishFailures: [],
    deliveries,
    duplicateDeliveries: 0,
    verdicts: {},
    series: [],
    lastNodes: [],
    partitions: [],
    topologyDials: { attempted: 0, failed: 0 }
  }
}

test('node_detail counts each node\'s missed messages, and the summary names the nodes that missed most', (t) => {
  const report = analyse(record((message, node) => node !== 2 && !(node === 3 && message === 1)))
  t.is(report.messages.expected_deliveries, 9)
  t.is(report.messages.delivered, 5)
  t.deepEqual(report.node_detail.map((n) => n.missed), [0, 0, 3, 1], 'the publisher expects nothing; node 2 missed all three, node 3 one')
  const bootstrap = (node: number): string => report.node_detail[node].bootstrap ? ' (bootstrap)' : ''
  t.true(summaryTable(report).includes(`nodes that missed messages              2; node 2${bootstrap(2)}: 3, node 3${bootstrap(3)}: 1`))
})

test('a run where every message arrived has no missed counts and no summary line', (t) => {
  const report = analyse(record(() => true))
  t.deepEqual(report.node_detail.map((n) => n.missed), [0, 0, 0, 0])
  t.notRegex(summaryTable(report), /missed/)
})
