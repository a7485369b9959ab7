import test from 'ava'
// Its own file (so its own worker): @libp2p/prometheus-metrics keeps its metric objects in module
// state, so only the first libp2p node in a process exports libp2p metrics. The daemon runs one node.
import { generateKeyPair } from '@libp2p/crypto/keys'
import { FedmeshNode } from '../../src/node/node.ts'
import { parseConfig } from '../../src/config/load.ts'
import { createApiServer } from '../../src/api/server.ts'
import { OperationRegistry, OperationArgumentError } from '../../src/node/operations.ts'

const token = 'test-token-123'

async function apiFixture (): Promise<{ node: FedmeshNode, api: ReturnType<typeof createApiServer> }> {
  const config = parseConfig({ site_id: 'api_test', jurisdiction: 'DE', listen: ['/ip4/127.0.0.1/tcp/0'] })
  const node = await FedmeshNode.create({ config, privateKey: await generateKeyPair('Ed25519') })
  await node.start()
  const operations = new OperationRegistry()
  operations.register({ name: 'echo', run: async (_context, args: { say?: string }) => {
    if (typeof args.say !== 'string') throw new OperationArgumentError('say must be a string')
    return { said: args.say }
  } })
  const api = createApiServer({ node, token, operations, dataDir: undefined })
  return { node, api }
}

test('/metrics parses as Prometheus text and carries fedmesh and libp2p metrics', async (t) => {
  const { node, api } = await apiFixture()
  t.teardown(async () => { await api.close(); await node.stop() })
  node.metrics.message('aggregated_metrics', 'in', 'reject', 'schema')
  const response = await api.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${token}` } })
  t.regex(String(response.headers['content-type']), /^text\/plain/)
  const families = new Set<string>()
  for (const line of response.body.split('\n')) {
    if (line === '') continue
    if (line.startsWith('# HELP ') || line.startsWith('# TYPE ')) { families.add(line.split(' ')[2]); continue }
    // a sample: name{labels} value
    t.regex(line, /^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[^}]*\})? -?[0-9.e+-]+|NaN|[+-]Inf$/, line)
  }
  t.true(families.has('fedmesh_gossip_messages_total'))
  t.true([...families].some((name) => name.startsWith('libp2p_')), 'libp2p metrics are exported')
  t.regex(response.body, /fedmesh_gossip_messages_total\{data_class="aggregated_metrics",direction="in",result="reject",reason="schema"\} 1/)
})

