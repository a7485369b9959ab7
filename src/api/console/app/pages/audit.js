// Audit: the newest entries of the hash-chained audit log (audit.tail) and a
// button that re-verifies the whole chain (audit.verify), as `fedmesh audit`.
import { html } from '../html.js'
import { api } from '../api.js'
import { usePoll, useAction } from '../poll.js'
import { ErrorNotice, Json, Loading } from '../components.js'

/** Entries shown. */
const TAIL_LIMIT = 50

/** The entries of an audit.tail result (a list, or { entries }). */
export function auditEntries (result) {
  if (result === undefined) return []
  return Array.isArray(result) ? result : result.entries ?? []
}

/** A cell: text as is, anything else as compact JSON. */
function cell (value) {
  if (value === null || value === undefined) return '—'
  return typeof value === 'object' ? JSON.stringify(value) : String(value)
}

/** Whether an audit.verify result says the chain holds (ok / valid / verified). */
export function auditVerified (result) {
  return result?.ok === true || result?.valid === true || result?.verified === true
}

function Verify () {
  const [verify, state] = useAction(async () => await api.op('audit.verify'))
  return html`<section aria-labelledby="verify-title">
    <h2 id="verify-title">Verify the log</h2>
    <button type="button" onClick=${() => verify()} disabled=${state.busy}>${state.busy ? 'Verifying…' : 'Verify the audit chain'}</button>
    ${state.result !== undefined && html`<div role="status" data-testid="verify-result">
      <p class=${auditVerified(state.result) ? 'good' : 'bad'}>${auditVerified(state.result) ? 'The audit chain verifies.' : 'The audit chain does NOT verify.'}</p>
      <${Json} value=${state.result} />
    </div>`}
    <${ErrorNotice} error=${state.error} context="audit.verify" />
  </section>`
}

function Tail () {
  const tail = usePoll(async () => await api.op('audit.tail', { limit: TAIL_LIMIT }))
  const entries = auditEntries(tail.data)
  const columns = [...new Set(entries.flatMap((e) => Object.keys(e)))]
  return html`<section aria-labelledby="tail-title">
    <h2 id="tail-title">Newest entries</h2>
    <${ErrorNotice} error=${tail.error} context="audit.tail" />
    <${Loading} poll=${tail}>${tail.data !== undefined && (entries.length === 0
      ? html`<p class="muted">The audit log is empty.</p>`
      : html`<table aria-label="Audit entries" class="audit">
        <thead><tr>${columns.map((c) => html`<th scope="col">${c}</th>`)}</tr></thead>
        <tbody>${entries.map((e) => html`<tr class=${e.result === 'reject' ? 'failing' : ''}>${columns.map((c) => html`<td>${cell(e[c])}</td>`)}</tr>`)}</tbody>
      </table>`)}<//>
  </section>`
}

export function AuditPage () {
  return html`<${Verify} /><${Tail} />`
}
