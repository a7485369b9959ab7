// Members: the federation's membership (consensus.members) joined with the
// live connections (/peers) and each member's latest aggregated_metrics
// (/status), with node reputation and the age of its latest summary; failing
// rows highlighted with the reason in words.
import { html } from '../html.js'
import { api } from '../api.js'
import { usePoll } from '../poll.js'
import { Ago, ErrorNotice, Id, Loading } from '../components.js'

/** Trust bands that flag a member (DESIGN: LOW is flagged, VERY_LOW excluded). */
const FAILING_BANDS = new Set(['LOW', 'VERY_LOW'])

/** Why a member's row is highlighted; empty when it is healthy. */
export function memberProblems ({ member, self, connected }) {
  const problems = []
  if (member.node_id !== self && !connected) problems.push('not connected')
  if (FAILING_BANDS.has(member.band)) problems.push(`${member.band === 'LOW' ? 'low' : 'very low'} trust (${member.score}, ${member.status})`)
  return problems
}

/** The Overview's alerts about members: each failing member, by site. */
export function memberAlerts ({ members, self, peers }) {
  const connected = new Set(peers.map((p) => p.peer_id))
  return members.flatMap((member) => {
    const problems = memberProblems({ member, self, connected: connected.has(member.node_id) })
    return problems.length === 0 ? [] : [{ level: 'warn', text: `${member.site_id ?? member.node_id}: ${problems.join(', ')}` }]
  })
}

function MemberRow ({ member, self, connected, heartbeat, now }) {
  const problems = memberProblems({ member, self, connected })
  const isSelf = member.node_id === self
  return html`<tr class=${problems.length > 0 ? 'failing' : ''} data-peer-id=${member.node_id}>
    <th scope="row">${member.site_id ?? '—'}${isSelf ? html` <span class="tag">this node</span>` : ''}</th>
    <td><${Id} value=${member.node_id} /></td>
    <td>${member.jurisdiction ?? '—'}</td>
    <td data-col="connected">${isSelf ? '—' : connected ? 'yes' : 'no'}</td>
    <td><span class=${`band band-${member.band}`}>${member.band}</span> ${member.score}</td>
    <td>${member.status}</td>
    <td data-col="reputation">${member.reputation}</td>
    <td data-col="summary-age">${isSelf ? '—' : html`<${Ago} at=${member.summary_received_at ?? undefined} now=${now} />`}</td>
    <td><${Ago} at=${heartbeat} now=${now} /></td>
    <td data-col="problems">${problems.join('; ') || html`<span class="muted">ok</span>`}</td>
  </tr>`
}

export function MembersPage () {
  const members = usePoll(async () => await api.op('consensus.members'))
  const peers = usePoll(api.peers)
  const status = usePoll(api.status)
  const self = status.data?.node_id
  const connected = new Set((peers.data ?? []).map((p) => p.peer_id))
  const heartbeats = new Map((status.data?.members ?? []).map((r) => [r.node_id, r.received_at]))
  const memberIds = new Set((members.data?.members ?? []).map((m) => m.node_id))
  const others = (peers.data ?? []).filter((p) => !memberIds.has(p.peer_id))
  const now = Date.now()
  return html`
    <${ErrorNotice} error=${members.error} context="consensus.members" />
    <${ErrorNotice} error=${peers.error} context="/peers" />
    <${Loading} poll=${members}>${members.data !== undefined && html`
      <p>${members.data.members.length} members of <strong>${members.data.federation_id}</strong>, epoch ${members.data.epoch}, quorum ${members.data.quorum}.</p>
      <table class="members" aria-label="Members">
        <thead><tr>
          <th scope="col">Site</th><th scope="col">PeerId</th><th scope="col">Jurisdiction</th><th scope="col">Connected</th>
          <th scope="col">Trust</th><th scope="col">Status</th><th scope="col">Reputation</th><th scope="col">Last summary</th><th scope="col">Last heartbeat</th><th scope="col">Problems</th>
        </tr></thead>
        <tbody>${members.data.members.map((member) => html`<${MemberRow} key=${member.node_id} member=${member} self=${self}
          connected=${connected.has(member.node_id)} heartbeat=${heartbeats.get(member.node_id)} now=${now} />`)}</tbody>
      </table>`}
    <//>
    <section aria-labelledby="other-peers">
      <h2 id="other-peers">Connected peers outside the membership</h2>
      ${others.length === 0
        ? html`<p class="muted">None.</p>`
        : html`<table aria-label="Other connected peers">
          <thead><tr><th scope="col">PeerId</th><th scope="col">Site (self-reported)</th><th scope="col">Direction</th><th scope="col">Addresses</th></tr></thead>
          <tbody>${others.map((p) => html`<tr data-peer-id=${p.peer_id}>
            <td><${Id} value=${p.peer_id} /></td><td>${p.site_id ?? '—'}</td><td>${p.direction}</td><td>${p.addrs.join(' ')}</td>
          </tr>`)}</tbody>
        </table>`}
    </section>`
}
