/**
 * Summaries on the network: node B gossips the counts of its participants
 * (no identities); node A stores them and `match` finds the cross-node chain
 * of the seed example (Alice and Carol on A, Bob on B).
 */
import test from 'ava'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { FedmeshNode } from '../../src/node/node.ts'
import { parseConfig } from '../../src/config/load.ts'
import { SummaryRepository } from '../../src/store/matching-summaries.ts'
import { encodeSummary } from '../../src/core/matching/summary-codec.ts'
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

async function pair (tag: string): Promise<{ a: FedmeshNode, b: FedmeshNode }> {
  const configOf = (site: string, bootstrap: string[]) => parseConfig({
    site_id: site, jurisdiction: 'UK', listen: [`/memory/${tag}-${process.pid}-${site}`],
    federation: { enabled: true, federation_id: 'summaries', bootstrap, metrics_interval_seconds: 3600 }
  })
  const a = await FedmeshNode.create({ config: configOf('site_a', []), privateKey: await generateKeyPair('Ed25519'), transport: 'memory', libp2pMetrics: false, gossipHeartbeatMs: 100 })
  await a.start()
  const b = await FedmeshNode.create({ config: configOf('site_b', [a.multiaddrs()[0]]), privateKey: await generateKeyPair('Ed25519'), transport: 'memory', libp2pMetrics: false, gossipHeartbeatMs: 100 })
  await b.start()
  await until('the summary mesh', () => a.libp2p.services.pubsub.getSubscribers('/fedmesh/summaries/summary/1').some((p) => p.equals(b.peerId)) &&
    b.libp2p.services.pubsub.getSubscribers('/fedmesh/summaries/summary/1').some((p) => p.equals(a.peerId)))
  return { a, b }
}

test('a gossiped summary lets a node find the cross-node chain; only counts cross the wire', async (t) => {
  const { a, b } = await pair('seed')
  t.teardown(async () => { await b.stop(); await a.stop() })
  await run(a, 'participant.add', { handle: 'alice', offers: ['legal.contracts'], needs: ['food.catering'] })
  await run(a, 'participant.add', { handle: 'carol', offers: ['design'], needs: ['legal.contracts'] })
  await run(b, 'participant.add', { handle: 'bob', offers: ['food.catering'], needs: ['design'] })

  const summaries = new SummaryRepository(a.store)
  await until('a to store b\'s summary', async () => (await summaries.get('site_b')) !== undefined)
  const stored = (await summaries.get('site_b'))!
  t.deepEqual(stored.entries, [{ need: 'design', offer: 'food.catering', count: 1 }])
  t.false(JSON.stringify(stored).includes('bob'), 'no participant identity crossed the boundary')

  const report = await run(a, 'match', { cap: 6 })
  t.is(report.participants_served, 3)
  t.is(report.chains.length, 1)
  t.is(report.chains[0].length, 3)
})

test('a summary labelled with another site than the sender\'s node record is rejected', async (t) => {
  const { a, b } = await pair('spoof')
  t.teardown(async () => { await b.stop(); await a.stop() })
  // b signs a summary claiming to be site_x
  const spoof = encodeSummary({ node: 'site_x', entries: [{ need: 'design', offer: 'food.catering', count: 5 }] })
  await b.envelopes.publish(SUMMARY_CLASS, b.envelopes.seal(SUMMARY_CLASS, SUMMARY_SCHEMA_ID, spoof, SUMMARY_CONTENT_TYPE))
  await until('a to reject it', async () => (await a.metrics.exposition()).includes('data_class="summary",direction="in",result="reject",reason="wrong_site"} 1'))
  t.is(await new SummaryRepository(a.store).get('site_x'), undefined)
})
