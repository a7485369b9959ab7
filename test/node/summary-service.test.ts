/**
 * Summaries on the network: node B gossips the counts of its participants
 * (no identities); node A stores them and `match` finds the cross-node chain
 * of the seed example (Alice and Carol on A, Bob on B).
 */
import test from 'ava'
import { FedmeshNode } from '../../src/node/node.ts'
import { parseConfig } from '../../src/config/load.ts'
import { SummaryRepository } from '../../src/store/matching-summaries.ts'
import { encodeSummary } from '../../src/core/matching/summary-codec.ts'
import { AGGREGATED_METRICS_CLASS, METRICS_REPORT_CONTENT_TYPE, METRICS_REPORT_SCHEMA_ID, encodeMetricsReport } from '../../src/services/aggregated-metrics/index.ts'
import { testGenesis, testIdentity, loadTestGenesis } from '../fixtures/federation.ts'
import { SUMMARY_CLASS, SUMMARY_SCHEMA_ID, SUMMARY_CONTENT_TYPE } from '../../src/services/summaries/index.ts'

// operation results are plain JSON; the tests read fields of several shapes
const run = async (node: FedmeshNode, name: string, args: unknown): Promise<any> => await node.operations.run(name, args)

async function until (what: string, check: () => Promise<boolean> | boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

/** Members of one genesis (site_a, site_b, …), started and meshed on the summary topic. */
async function federation (tag: string, sites: string[] = ['site_a', 'site_b']): Promise<FedmeshNode[]> {
  const identities = await Promise.all(sites.map(async (site) => await testIdentity(`${tag}/${site}`, site)))
  const genesis = testGenesis('summaries', identities)
  const nodes: FedmeshNode[] = []
  for (const identity of identities) {
    const config = parseConfig({
      site_id: identity.site, jurisdiction: 'UK', listen: [`/memory/${tag}-${process.pid}-${identity.site}`],
      federation: { enabled: true, federation_id: 'summaries', bootstrap: nodes.length === 0 ? [] : [nodes[0].multiaddrs()[0]], metrics_interval_seconds: 3600 }
    })
    const node = await FedmeshNode.create({ config, privateKey: identity.privateKey, signer: identity.signer, transport: 'memory', libp2pMetrics: false, gossipHeartbeatMs: 100 })
    await loadTestGenesis(node, genesis)
    await node.start()
    nodes.push(node)
  }
  const topic = '/fedmesh/summaries/summary/1'
  await until('the summary mesh', () => nodes.every((node) => node.libp2p.services.pubsub.getSubscribers(topic).length >= nodes.length - 1))
  return nodes
}

async function pair (tag: string): Promise<{ a: FedmeshNode, b: FedmeshNode }> {
  const [a, b] = await federation(tag)
  return { a, b }
}

test('a gossiped summary lets a node find the cross-node chain; only counts cross the wire', async (t) => {
  const { a, b } = await pair('seed')
  t.teardown(async () => { await b.stop(); await a.stop() })
  await run(a, 'participant.add', { handle: 'alice', offers: ['legal.contracts'], needs: ['food.catering'] })
  await run(a, 'participant.add', { handle: 'carol', offers: ['design'], needs: ['legal.contracts'] })
  await run(b, 'participant.add', { handle: 'bob', offers: ['food.catering'], needs: ['design'] })

  const summaries = new SummaryRepository(a.store)
  const bId = b.peerId.toString()
  await until('a to store b\'s summary', async () => (await summaries.get(bId)) !== undefined)
  const stored = (await summaries.get(bId))!
  t.is(stored.node, 'site_b', 'labelled with the membership\'s site id')
  t.deepEqual(stored.entries, [{ need: 'design', offer: 'food.catering', count: 1 }])
  t.false(JSON.stringify(stored).includes('bob'), 'no participant identity crossed the boundary')

  const report = await run(a, 'match', { cap: 6 })
  t.is(report.participants_served, 3)
  t.is(report.chains.length, 1)
  t.is(report.chains[0].length, 3)
})

test('a summary labelled with another site than the membership gives its sender is rejected', async (t) => {
  const { a, b } = await pair('spoof')
  t.teardown(async () => { await b.stop(); await a.stop() })
  // b signs a summary claiming to be site_x
  const spoof = encodeSummary({ node: 'site_x', entries: [{ need: 'design', offer: 'food.catering', count: 5 }] })
  await b.envelopes.publish(SUMMARY_CLASS, b.envelopes.seal(SUMMARY_CLASS, SUMMARY_SCHEMA_ID, spoof, SUMMARY_CONTENT_TYPE))
  await until('a to reject it', async () => (await a.metrics.exposition()).includes('data_class="summary",direction="in",result="reject",reason="wrong_site"} 1'))
  t.is(await new SummaryRepository(a.store).get(b.peerId.toString()), undefined)
})

test('a member claiming another member\'s site id is refused (summary and metrics), and the real site\'s summary stays', async (t) => {
  const [a, b, c] = await federation('impersonate', ['site_a', 'site_b', 'site_c'])
  t.teardown(async () => { await Promise.all([a, b, c].map(async (node) => { await node.stop() })) })
  await run(a, 'participant.add', { handle: 'alice', offers: ['legal.contracts'], needs: ['food.catering'] })
  const summaries = new SummaryRepository(b.store)
  const aId = a.peerId.toString()
  await until('b to store a\'s real summary', async () => (await summaries.get(aId)) !== undefined)
  const before = await summaries.get(aId)

  // c, a member, signs a summary and a metrics report labelled site_a
  const spoof = encodeSummary({ node: 'site_a', entries: [{ need: 'design', offer: 'food.catering', count: 999 }] })
  await c.envelopes.publish(SUMMARY_CLASS, c.envelopes.seal(SUMMARY_CLASS, SUMMARY_SCHEMA_ID, spoof, SUMMARY_CONTENT_TYPE))
  const report = encodeMetricsReport({ node_id: c.peerId.toString(), site_id: 'site_a', peers: 999_999, messages_in: 0, messages_out: 0, uptime_seconds: 1, timestamp: Date.now() })
  await c.envelopes.publish(AGGREGATED_METRICS_CLASS, c.envelopes.seal(AGGREGATED_METRICS_CLASS, METRICS_REPORT_SCHEMA_ID, report, METRICS_REPORT_CONTENT_TYPE))
  await until('b to reject both', async () => {
    const text = await b.metrics.exposition()
    return text.includes('data_class="summary",direction="in",result="reject",reason="wrong_site"} 1') &&
      text.includes('data_class="aggregated_metrics",direction="in",result="reject",reason="wrong_site"} 1')
  })
  t.deepEqual(await summaries.get(aId), before, 'the real site_a summary is unchanged')
  t.is(await summaries.get(c.peerId.toString()), undefined, 'nothing stored for the impersonator')
  t.false(b.status().members.some((m) => m.node_id === c.peerId.toString() && m.site_id === 'site_a'), 'status never shows the claimed label')
  // matching reads only the stored summaries: the forged counts are nowhere among them
  t.false((await summaries.list()).some((record) => record.entries.some((entry) => entry.count === 999)))
})
