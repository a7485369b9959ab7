// Consensus: the open slots (consensus.pending) with a Vote button per event
// hash, a vote-by-hash form (as `fedmesh consensus vote`), a proposal form
// (as `fedmesh consensus propose`), and the history with each QC re-verified
// (consensus.check).
import { useEffect, useState } from 'preact/hooks'
import { html } from '../html.js'
import { api } from '../api.js'
import { usePoll, useAction } from '../poll.js'
import { Ago, ErrorNotice, Id, Json, Loading, ShortHash } from '../components.js'

/** The event types a proposal may have (core/consensus/event.ts EVENT_TYPES). */
const EVENT_TYPES = ['governance_proposal', 'membership_add', 'membership_remove', 'policy_change', 'epoch_checkpoint']
/** History records shown. */
const HISTORY_LIMIT = 20

/**
 * The rows of a pending slot (consensus.pending): one per known event, then
 * one per hash that has votes waiting for their event (no Vote button: this
 * node signs only what it has seen).
 */
export function slotRows (slot) {
  const rows = (slot.events ?? []).map((e) => ({ event_hash: e.event_hash, votes: e.votes, event: e }))
  for (const [hash, held] of Object.entries(slot.awaiting_event ?? {})) rows.push({ event_hash: hash, votes: 0, held })
  return rows
}

function EventBody ({ event }) {
  const text = event.type === 'governance_proposal' ? event.body?.text : undefined
  if (typeof text === 'string') return text === '' ? '' : html`<p class="body">${text}</p>`
  return html`<${Json} value=${event.body} />`
}

function PendingSlot ({ slot }) {
  const [vote, voting] = useAction(async (eventHash) => await api.op('consensus.vote', { slot: slot.slot, event_hash: eventHash }))
  const events = slot.events ?? []
  const heading = events.length === 1 ? events[0].title : `Slot ${slot.slot}: ${events.length} events`
  return html`<article class="slot" data-slot=${slot.slot} aria-labelledby=${`slot-${slot.slot}`}>
    <h3 id=${`slot-${slot.slot}`}>${heading}</h3>
    <p class="muted">slot <code>${slot.slot}</code> · quorum ${slot.quorum} of ${slot.membership_size} · deadline <${Ago} at=${slot.deadline} /></p>
    ${events.map((e) => html`<section class="event" data-event-hash=${e.event_hash} aria-label=${`Event ${e.event_hash.slice(0, 8)}`}>
      ${events.length > 1 ? html`<h4>${e.title}</h4>` : ''}
      <p class="muted">${e.type} · proposed by ${e.proposer.site_id ?? '(no site)'} (<${Id} value=${e.proposer.peer_id} />) <${Ago} at=${e.initiated_at} /></p>
      <${EventBody} event=${e} />
    </section>`)}
    <table aria-label=${`Votes in ${slot.slot}`}>
      <thead><tr><th scope="col">Event hash</th><th scope="col">Votes</th><th scope="col"><span class="sr-only">Action</span></th></tr></thead>
      <tbody>${slotRows(slot).map((r) => html`<tr>
        <td><${ShortHash} value=${r.event_hash} /></td>
        <td>${r.event === undefined ? `${r.held} waiting for the event` : r.votes}</td>
        <td>${r.event === undefined
          ? html`<span class="muted">event not received</span>`
          : html`<button type="button" disabled=${voting.busy || slot.voted != null}
            onClick=${() => vote(r.event_hash)}>Vote for ${r.event_hash.slice(0, 8)}</button>`}</td>
      </tr>`)}</tbody>
    </table>
    ${slot.voted != null ? html`<p class="muted">This node voted for <${ShortHash} value=${slot.voted} />.</p>` : ''}
    ${voting.result !== undefined ? html`<p class="ok" role="status">Voted: ${voting.result.status}</p>` : ''}
    <${ErrorNotice} error=${voting.error} context="consensus.vote" />
  </article>`
}

function PendingSlots () {
  const pending = usePoll(async () => await api.op('consensus.pending'))
  const slots = pending.data?.slots ?? []
  return html`<section aria-labelledby="pending-title" data-testid="pending">
    <h2 id="pending-title">Pending slots</h2>
    <${ErrorNotice} error=${pending.error} context="consensus.pending" />
    <${Loading} poll=${pending}>${pending.data !== undefined && (slots.length === 0
      ? html`<p class="muted">No open slots.</p>`
      : slots.map((slot) => html`<${PendingSlot} key=${slot.slot} slot=${slot} />`))}<//>
  </section>`
}

function VoteForm () {
  const [vote, state] = useAction(async (args) => await api.op('consensus.vote', args))
  const submit = (event) => {
    event.preventDefault()
    const form = new FormData(event.currentTarget)
    void vote({ slot: String(form.get('slot')).trim(), event_hash: String(form.get('event_hash')).trim() })
  }
  return html`<form class="inline" onSubmit=${submit} aria-labelledby="vote-title">
    <h3 id="vote-title">Vote for an event hash</h3>
    <label for="vote-slot">Slot</label> <input id="vote-slot" name="slot" required />
    <label for="vote-hash">Event hash</label> <input id="vote-hash" name="event_hash" required size="66" spellcheck="false" />
    <button type="submit" disabled=${state.busy}>Vote</button>
    ${state.result !== undefined ? html`<p class="ok" role="status" data-testid="vote-result">Voted in ${state.result.slot}: ${state.result.status}</p>` : ''}
    <${ErrorNotice} error=${state.error} context="consensus.vote" />
  </form>`
}

function ProposeForm () {
  const [propose, state] = useAction(async (args) => await api.op('consensus.propose', args))
  const submit = (event) => {
    event.preventDefault()
    const form = new FormData(event.currentTarget)
    void propose({ type: form.get('type'), slot: String(form.get('slot')).trim(), body: { title: String(form.get('title')), text: String(form.get('text')) } })
  }
  return html`<form class="inline" onSubmit=${submit} aria-labelledby="propose-title">
    <h3 id="propose-title">Propose an event</h3>
    <label for="propose-type">Type</label>
    <select id="propose-type" name="type">${EVENT_TYPES.map((t) => html`<option value=${t}>${t}</option>`)}</select>
    <label for="propose-slot">Slot</label> <input id="propose-slot" name="slot" required placeholder="gov/1" />
    <label for="propose-title-input">Title</label> <input id="propose-title-input" name="title" required />
    <label for="propose-text">Text</label> <textarea id="propose-text" name="text" rows="2"></textarea>
    <button type="submit" disabled=${state.busy}>Propose</button>
    ${state.result !== undefined ? html`<p class="ok" role="status">Proposed in ${state.result.slot}: <${ShortHash} value=${state.result.event_hash} /></p>` : ''}
    <${ErrorNotice} error=${state.error} context="consensus.propose" />
  </form>`
}

/** QC verification results by "slot hash"; a decided slot's QC does not change, so each is checked once. */
const qcChecks = new Map()

function useQcChecks (records) {
  const [, setVersion] = useState(0)
  useEffect(() => {
    for (const record of records ?? []) {
      const key = `${record.slot} ${record.consensus_hash}`
      if (!record.consensus_achieved || qcChecks.has(key)) continue
      qcChecks.set(key, { pending: true })
      api.op('consensus.check', { event_hash: record.consensus_hash })
        .then((check) => check.slots.find((s) => s.record.slot === record.slot)?.qc ?? null)
        .then((qc) => { qcChecks.set(key, { qc }) }, (error) => { qcChecks.set(key, { error }) })
        .finally(() => { setVersion((v) => v + 1) })
    }
  }, [records])
  return (record) => qcChecks.get(`${record.slot} ${record.consensus_hash}`)
}

function QcStatus ({ record, check }) {
  if (!record.consensus_achieved) return html`<span class="muted">no QC</span>`
  if (check === undefined || check.pending) return html`<span class="muted">checking…</span>`
  if (check.error !== undefined) return html`<${ErrorNotice} error=${check.error} />`
  if (check.qc === null) return html`<span class="bad">no QC stored</span>`
  return check.qc.verified
    ? html`<span class="good" data-qc="verified">verified (${check.qc.votes} votes)</span>`
    : html`<span class="bad" data-qc="failed">fails: ${check.qc.error}</span>`
}

function History () {
  const history = usePoll(async () => await api.op('consensus.history', { limit: HISTORY_LIMIT }))
  const qcOf = useQcChecks(history.data?.records)
  const stats = history.data?.statistics
  return html`<section aria-labelledby="history-title">
    <h2 id="history-title">History</h2>
    <${ErrorNotice} error=${history.error} context="consensus.history" />
    <${Loading} poll=${history}>${history.data !== undefined && html`
      <p>${stats.decisions} decisions: ${stats.agreements} with a quorum, ${stats.disagreements} without, ${stats.needs_review} needing review.</p>
      <table aria-label="Decisions" class="history">
        <thead><tr><th scope="col">Slot</th><th scope="col">Type</th><th scope="col">Result</th><th scope="col">Hash</th>
          <th scope="col">Agreement</th><th scope="col">Votes / quorum</th><th scope="col">QC</th><th scope="col">Completed</th></tr></thead>
        <tbody>${history.data.records.map((r) => html`<tr data-slot=${r.slot} class=${r.needs_review ? 'failing' : ''}>
          <th scope="row"><code>${r.slot}</code></th>
          <td>${r.event_type ?? '—'}</td>
          <td data-col="result">${r.consensus_achieved ? 'decided' : r.needs_review ? 'needs review' : `no consensus (${r.resolution})`}</td>
          <td><${ShortHash} value=${r.consensus_hash} /></td>
          <td>${r.agreement_percentage} %</td>
          <td>${r.participating_nodes.length} / ${r.quorum} of ${r.membership_size}</td>
          <td data-col="qc"><${QcStatus} record=${r} check=${qcOf(r)} /></td>
          <td><${Ago} at=${r.completed_at} /></td>
        </tr>`)}</tbody>
      </table>`}<//>
  </section>`
}

export function ConsensusPage () {
  return html`<${PendingSlots} />
    <section aria-labelledby="act-title">
      <h2 id="act-title">Act</h2>
      <${VoteForm} />
      <${ProposeForm} />
    </section>
    <${History} />`
}
