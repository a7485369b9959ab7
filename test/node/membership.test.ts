/**
 * The membership is the only source of truth: the gater admits members only
 * (both directions), an envelope signed by a non-member is REJECTed at once
 * without any DHT query, and a federated node without a genesis says so.
 */
import test from 'ava'
import { PassThrough } from 'node:stream'
import { multiaddr } from '@multiformats/multiaddr'
import { FedmeshNode } from '../../src/node/node.ts'
import { parseConfig } from '../../src/config/load.ts'
import { createLogger } from '../../src/runtime/log.ts'
import { AGGREGATED_METRICS_CLASS, METRICS_REPORT_CONTENT_TYPE, METRICS_REPORT_SCHEMA_ID, encodeMetricsReport } from '../../src/services/aggregated-metrics/index.ts'
import { loadTestGenesis, testGenesis, testIdentity, type TestGenesis, type TestIdentity } from '../fixtures/federation.ts'

const FEDERATION = 'membership-net'

async function until (what: string, check: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

async function startNode (identity: TestIdentity, tag: string, bootstrap: string[], genesis?: TestGenesis, log?: FedmeshNode['log']): Promise<FedmeshNode> {
  const config = parseConfig({
    site_id: identity.site, jurisdiction: 'UK', listen: [`/memory/${tag}-${process.pid}-${identity.site}`],
    federation: { enabled: true, federation_id: FEDERATION, bootstrap, metrics_interval_seconds: 3600 }
  })
  const node = await FedmeshNode.create({ config, privateKey: identity.privateKey, signer: identity.signer, transport: 'memory', libp2pMetrics: false, gossipHeartbeatMs: 100, ...(log === undefined ? {} : { log }) })
  if (genesis !== undefined) await loadTestGenesis(node, genesis)
  await node.start()
  return node
}

/** Counts every query a node makes through its DHT component. */
function countDhtQueries (node: FedmeshNode): { count: number } {
  const counter = { count: 0 }
  const dht = node.libp2p.services.dht as unknown as Record<string, unknown>
  for (const method of ['get', 'put', 'findPeer', 'getClosestPeers', 'findProviders', 'provide']) {
    const original = dht[method] as (...args: unknown[]) => unknown
    dht[method] = (...args: unknown[]) => { counter.count++; return original.apply(dht, args) }
  }
  return counter
}

function metricsEnvelope (node: FedmeshNode, site: string): Uint8Array {
  const report = encodeMetricsReport({ node_id: node.peerId.toString(), site_id: site, peers: 1, messages_in: 0, messages_out: 0, uptime_seconds: 1, timestamp: Date.now() })
  return node.envelopes.seal(AGGREGATED_METRICS_CLASS, METRICS_REPORT_SCHEMA_ID, report, METRICS_REPORT_CONTENT_TYPE)
}

test('a node outside the membership cannot connect in either direction, and its envelope is REJECTed non_member without a DHT query', async (t) => {
  const [alpha, beta, outsider] = await Promise.all([
    testIdentity('gate/alpha', 'alpha'), testIdentity('gate/beta', 'beta'), testIdentity('gate/outsider', 'outsider')
  ])
  const genesis = testGenesis(FEDERATION, [alpha, beta])
  const a = await startNode(alpha, 'gate', [], genesis)
  t.teardown(async () => { await a.stop() })
  const b = await startNode(beta, 'gate', [a.multiaddrs()[0]], genesis)
  t.teardown(async () => { await b.stop() })
  // the outsider knows a as its bootstrap peer, so its own gater lets it try
  const o = await startNode(outsider, 'gate', [a.multiaddrs()[0]])
  t.teardown(async () => { await o.stop() })
  await until('the members to connect', () => a.libp2p.getPeers().some((p) => p.equals(b.peerId)))

  await t.throwsAsync(o.libp2p.dial(multiaddr(a.multiaddrs()[0])), undefined, 'a refuses the outsider\'s inbound connection')
  await t.throwsAsync(a.libp2p.dial(multiaddr(o.multiaddrs()[0])), undefined, 'a refuses to dial the outsider')
  t.false(a.libp2p.getPeers().some((p) => p.equals(o.peerId)))
  t.false(o.libp2p.getPeers().some((p) => p.equals(a.peerId)))

  const queries = countDhtQueries(a)
  const refused = await a.envelopes.receive(AGGREGATED_METRICS_CLASS, metricsEnvelope(o, 'outsider'))
  t.deepEqual(refused, { action: 'reject', code: 'non_member' })
  const accepted = await a.envelopes.receive(AGGREGATED_METRICS_CLASS, metricsEnvelope(b, 'beta'))
  t.is(accepted.action, 'accept', 'a member\'s envelope passes the same path')
  t.is(queries.count, 0, 'no DHT query was made for either source')
})

test('a federated node without a genesis starts, admits only its bootstrap peers, and says so in status and logs', async (t) => {
  const [alpha, lonely] = await Promise.all([testIdentity('nogenesis/alpha', 'alpha'), testIdentity('nogenesis/lonely', 'lonely')])
  const a = await startNode(alpha, 'nogenesis', [])
  t.teardown(async () => { await a.stop() })
  const lines: string[] = []
  const destination = new PassThrough()
  destination.on('data', (chunk: Buffer) => { lines.push(...chunk.toString().split('\n').filter((l) => l !== '')) })
  const node = await startNode(lonely, 'nogenesis', [a.multiaddrs()[0]], undefined, createLogger({ level: 'info', destination }))
  t.teardown(async () => { await node.stop() })

  const status = node.status()
  t.false(status.membership.loaded)
  t.regex(status.membership.note ?? '', /no genesis loaded/)
  await until('the warning to be logged', () => lines.some((l) => l.includes('no genesis loaded')))
  // neither has a genesis: a admits only its own bootstrap peers (none), so the lonely node's dial fails
  await t.throwsAsync(node.libp2p.dial(multiaddr(a.multiaddrs()[0])))
})
