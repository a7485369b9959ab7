// Matching: this node's participants (participant.list), the current clearing
// over them and the received summaries (match), and the chains in the chain
// protocol (chains.list) grouped by state, with Consent / Refuse for this
// node's participants (chain.consent / chain.refuse).
import { html } from '../html.js'
import { api } from '../api.js'
import { usePoll, useAction } from '../poll.js'
import { ErrorNotice, Id, Json, Loading } from '../components.js'

/** Chain states after which nobody can consent or refuse any more. */
const FINAL_CHAIN_STATES = new Set(['committed', 'executing', 'executed', 'completed', 'refused', 'failed', 'aborted', 'expired', 'cancelled'])

/** The chains of a chains.list result (a list, or { chains }). */
export function chainsOf (result) {
  if (result === undefined) return []
  return Array.isArray(result) ? result : result.chains ?? []
}

/** Chains grouped by state, states in first-seen order. */
export function chainsByState (chains) {
  const groups = new Map()
  for (const chain of chains) {
    const state = chain.state ?? 'unknown'
    groups.set(state, [...(groups.get(state) ?? []), chain])
  }
  return [...groups.entries()]
}

function Participants () {
  const participants = usePoll(async () => await api.op('participant.list'))
  return html`<section aria-labelledby="participants-title">
    <h2 id="participants-title">Participants on this node</h2>
    <${ErrorNotice} error=${participants.error} context="participant.list" />
    <${Loading} poll=${participants}>${participants.data !== undefined && (participants.data.length === 0
      ? html`<p class="muted">No participants (add some with <code>fedmesh participant add</code>).</p>`
      : html`<table aria-label="Participants">
        <thead><tr><th scope="col">Participant</th><th scope="col">Offers</th><th scope="col">Needs</th><th scope="col">Weight</th></tr></thead>
        <tbody>${participants.data.map((p) => html`<tr data-participant=${p.id}>
          <th scope="row"><code>${p.id}</code></th><td>${p.offers.join(', ')}</td><td>${p.needs.join(', ')}</td><td>${p.weight ?? '—'}</td>
        </tr>`)}</tbody>
      </table>`)}<//>
  </section>`
}

function Clearing () {
  const clearing = usePoll(async () => await api.op('match', {}), 5_000)
  const c = clearing.data
  return html`<section aria-labelledby="clearing-title">
    <h2 id="clearing-title">Current clearing</h2>
    <${ErrorNotice} error=${clearing.error} context="match" />
    <${Loading} poll=${clearing}>${c !== undefined && html`
      <p data-testid="clearing-summary">${c.participants_served} participants served in ${c.chains.length} chains
        (${c.gap === 0 ? `optimal, bound ${c.bound}` : `bound ${c.bound}, gap ${c.gap}`}; cap ${c.cap ?? 'none'}),
        over ${c.nodes.length} node${c.nodes.length === 1 ? '' : 's'}: ${c.nodes.join(', ')}.</p>
      ${c.chains.length === 0 ? html`<p class="muted">No chains.</p>` : html`<ol class="chains">
        ${c.chains.map((chain) => html`<li>${chain.explanation}</li>`)}</ol>`}
      ${c.skipped_summaries.length + c.skipped_participants.length > 0 && html`<ul class="alerts">
        ${c.skipped_summaries.map((s) => html`<li class="alert warn">summary of ${s.node} skipped: ${s.reason}</li>`)}
        ${c.skipped_participants.map((s) => html`<li class="alert warn">participant ${s.participant} skipped: ${s.reason}</li>`)}
      </ul>`}`}<//>
  </section>`
}

function ChainStepRow ({ chain, step, local }) {
  const chainId = chain.chain_id ?? chain.id
  const args = { chain_id: chainId, participant: step.participant }
  const [consent, consenting] = useAction(async () => await api.op('chain.consent', args))
  const [refuse, refusing] = useAction(async () => await api.op('chain.refuse', args))
  const open = local && step.participant !== undefined && !FINAL_CHAIN_STATES.has(chain.state) &&
    (step.consent === undefined || step.consent === 'pending')
  const busy = consenting.busy || refusing.busy
  return html`<tr>
    <td>${step.participant === undefined ? html`<span class="muted">a participant of ${step.node}</span>` : html`<code>${step.participant}</code>`}</td>
    <td>${step.need}</td><td>${step.offer}</td><td>${step.consent ?? '—'}</td>
    <td>${open && html`
      <button type="button" disabled=${busy} onClick=${() => consent()}>Consent</button>
      <button type="button" disabled=${busy} onClick=${() => refuse()}>Refuse</button>`}
      <${ErrorNotice} error=${consenting.error} context="chain.consent" />
      <${ErrorNotice} error=${refusing.error} context="chain.refuse" /></td>
  </tr>`
}

function Chains () {
  const chains = usePoll(async () => await api.op('chains.list'))
  const status = usePoll(api.status, 10_000)
  const site = status.data?.site_id
  const groups = chainsByState(chainsOf(chains.data))
  return html`<section aria-labelledby="chains-title" data-testid="chains">
    <h2 id="chains-title">Chains</h2>
    <${ErrorNotice} error=${chains.error} context="chains.list" />
    <${Loading} poll=${chains}>${chains.data !== undefined && (groups.length === 0
      ? html`<p class="muted">No chains in progress.</p>`
      : groups.map(([state, list]) => html`<div class="chain-group" data-state=${state}>
        <h3>${state} (${list.length})</h3>
        ${list.map((chain) => html`<article class="chain" data-chain-id=${chain.chain_id ?? chain.id}>
          <p>chain <${Id} value=${chain.chain_id ?? chain.id} />${chain.explanation === undefined ? '' : ` — ${chain.explanation}`}</p>
          ${Array.isArray(chain.steps)
            ? html`<table aria-label=${`Steps of chain ${chain.chain_id ?? chain.id}`}>
              <thead><tr><th scope="col">Participant</th><th scope="col">Receives</th><th scope="col">Gives</th><th scope="col">Consent</th><th scope="col"><span class="sr-only">Action</span></th></tr></thead>
              <tbody>${chain.steps.map((step) => html`<${ChainStepRow} chain=${chain} step=${step} local=${step.node === site} />`)}</tbody>
            </table>`
            : html`<${Json} value=${chain} />`}
        </article>`)}
      </div>`))}<//>
  </section>`
}

export function MatchingPage () {
  return html`<${Participants} /><${Clearing} /><${Chains} />`
}
