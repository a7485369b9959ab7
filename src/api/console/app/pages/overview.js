// Overview: who this node is, its federation and membership, alerts, and the
// gossip message rates from its own /metrics.
import { useEffect, useRef } from 'preact/hooks'
import { signal } from '@preact/signals'
import uPlot from 'uplot'
import { html } from '../html.js'
import { api } from '../api.js'
import { usePoll } from '../poll.js'
import { ErrorNotice, Facts, Id, Loading, formatDuration } from '../components.js'
import { addReading, emptySeries, gossipTotals, parsePrometheus } from '../metrics.js'
import { memberAlerts } from './members.js'

/** The rate series survives page switches (the chart resumes with its history). */
const rates = signal(emptySeries())

async function sampleRates () {
  const text = await api.metrics()
  rates.value = addReading(rates.value, { at: Date.now(), ...gossipTotals(parsePrometheus(text)) })
  return text
}

function RateChart () {
  const box = useRef(null)
  const plot = useRef(null)
  const points = rates.value.points
  useEffect(() => {
    plot.current = new uPlot({
      width: Math.min(720, box.current.clientWidth || 720),
      height: 220,
      series: [{}, { label: 'in /s', stroke: '#1f6feb', width: 2 }, { label: 'out /s', stroke: '#d97706', width: 2 }],
      axes: [{}, { label: 'messages / s' }],
      scales: { x: { time: true } }
    }, [[], [], []], box.current)
    return () => { plot.current?.destroy(); plot.current = null }
  }, [])
  useEffect(() => {
    if (plot.current === null || points.length === 0) return
    plot.current.setData([points.map((p) => p.at / 1000), points.map((p) => p.in), points.map((p) => p.out)])
    // at least a minute wide, so the first points do not stretch over the whole axis
    const last = points.at(-1).at / 1000
    plot.current.setScale('x', { min: Math.min(points[0].at / 1000, last - 60), max: last })
  }, [points])
  const latest = points.at(-1)
  return html`<figure class="chart">
    <div ref=${box} role="img" aria-label="Gossip messages per second, in and out"></div>
    <figcaption data-testid="rates">${latest === undefined
      ? 'collecting message rates…'
      : `now: ${latest.in.toFixed(2)} in/s, ${latest.out.toFixed(2)} out/s (totals ${rates.value.last.in} in, ${rates.value.last.out} out)`}</figcaption>
  </figure>`
}

export function OverviewPage () {
  const status = usePoll(api.status)
  const members = usePoll(async () => await api.op('consensus.members'))
  const peers = usePoll(api.peers)
  const metrics = usePoll(sampleRates)
  const s = status.data
  const m = members.data
  const alerts = []
  if (s !== undefined && !s.federation.enabled) alerts.push({ level: 'info', text: 'Federation is disabled: this node is air-gapped (set federation.enabled in config.yaml).' })
  if (m !== undefined) {
    for (const warning of m.warnings) alerts.push({ level: 'warn', text: warning })
    if (s !== undefined && peers.data !== undefined) alerts.push(...memberAlerts({ members: m.members, self: s.node_id, peers: peers.data }))
  }
  return html`
    <${ErrorNotice} error=${status.error} context="Status" />
    <${Loading} poll=${status}>${s !== undefined && html`
      <section aria-labelledby="identity">
        <h2 id="identity">Node</h2>
        <${Facts} label="Node identity" items=${[
          ['Site', s.site_id],
          ['PeerId', html`<${Id} value=${s.node_id} />`],
          ['Jurisdiction', s.jurisdiction],
          ['Capabilities', s.capabilities.join(', ') || '—'],
          ['Federation', s.federation.enabled ? s.federation.federation_id : 'disabled (air-gapped)'],
          ['Uptime', formatDuration(s.uptime_seconds)],
          ['Connected peers', String(s.peers)],
          ['Listening', s.listen.join(' ') || '—'],
          ['Node record', s.node_record === undefined ? 'not published' : `seq ${s.node_record.seq}, ML-DSA-${s.node_record.mldsa_level}`]
        ]} />
      </section>`}
    <//>
    <section aria-labelledby="membership">
      <h2 id="membership">Membership</h2>
      <${ErrorNotice} error=${members.error} context="consensus.members" />
      ${m !== undefined && html`<${Facts} label="Membership" items=${[
        ['Federation', m.federation_id],
        ['Members', String(m.members.length)],
        ['Epoch', String(m.epoch)],
        ['Quorum', `${m.quorum} votes (${m.policy.threshold})`]
      ]} />`}
    </section>
    <section aria-labelledby="alerts">
      <h2 id="alerts">Alerts</h2>
      ${alerts.length === 0
        ? html`<p class="muted" data-testid="no-alerts">No alerts.</p>`
        : html`<ul class="alerts">${alerts.map((a) => html`<li class=${`alert ${a.level}`}>${a.text}</li>`)}</ul>`}
    </section>
    <section aria-labelledby="rates-title">
      <h2 id="rates-title">Gossip message rates</h2>
      <${ErrorNotice} error=${metrics.error} context="/metrics" />
      <${RateChart} />
    </section>`
}
