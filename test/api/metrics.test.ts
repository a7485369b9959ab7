import test from 'ava'
// Its own file (so its own worker): @libp2p/prometheus-metrics keeps its metric objects in module
// state, so only the first libp2p node in a process exports libp2p metrics. The daemon runs one node.
import { apiFixture, API_TEST_TOKEN as token } from '../fixtures/api.ts'

test.serial('/metrics parses as Prometheus text and carries fedmesh and libp2p metrics', async (t) => {
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


test.serial('/metrics exposes the ingress, consensus, membership, peer, age and store metrics under Prometheus names', async (t) => {
  const { node, api } = await apiFixture()
  t.teardown(async () => { await api.close(); await node.stop() })
  node.metrics.queueDepth('vote', 3, 300)
  node.metrics.queueDropped('aggregated_metrics')
  node.metrics.validated('summary', 0.002)
  const response = await api.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${token}` } })
  const body = response.body
  for (const family of [
    'fedmesh_ingress_queue_depth', 'fedmesh_ingress_queue_bytes', 'fedmesh_ingress_dropped_total', 'fedmesh_validations_in_flight',
    'fedmesh_validation_duration_seconds', 'fedmesh_peers_by_state', 'fedmesh_membership_members', 'fedmesh_membership_epoch',
    'fedmesh_consensus_slots', 'fedmesh_consensus_slots_completed_total', 'fedmesh_consensus_decision_duration_seconds',
    'fedmesh_last_accepted_age_seconds', 'fedmesh_store_size_bytes'
  ]) t.true(body.includes(`# TYPE ${family} `), `${family} is exposed`)
  t.regex(body, /fedmesh_ingress_queue_depth\{data_class="vote"\} 3/)
  t.regex(body, /fedmesh_ingress_dropped_total\{data_class="aggregated_metrics"\} 1/)
  t.regex(body, /fedmesh_validation_duration_seconds_count\{data_class="summary"\} 1/)
  t.regex(body, /fedmesh_peers_by_state\{state="member_connected"\} 0/)
  // the membership gauges read the node's membership at scrape time
  const membership = (node as unknown as { members: { current: () => { members: Map<string, unknown>, epoch: number } | undefined } }).members.current()
  t.regex(body, new RegExp(`fedmesh_membership_members ${membership?.members.size ?? 0}\\n`))
})
