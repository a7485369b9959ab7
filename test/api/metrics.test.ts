import test from 'ava'
// Its own file (so its own worker): @libp2p/prometheus-metrics keeps its metric objects in module
// state, so only the first libp2p node in a process exports libp2p metrics. The daemon runs one node.
import { apiFixture, API_TEST_TOKEN as token } from '../fixtures/api.ts'

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

