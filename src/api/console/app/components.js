// Small view parts every page uses: error notices with the API's error name,
// ages and times, identifiers, a key/value list.
import { html } from './html.js'

/** An API error as the operator sees it: its stable name first, then the message. */
export function ErrorNotice ({ error, context }) {
  if (error === null || error === undefined) return null
  return html`<p class="error" role="alert" data-error-name=${error.name}>
    ${context === undefined ? '' : `${context}: `}<strong class="error-name">${error.name}</strong> ${error.message}
  </p>`
}

/** "loading…" until the first load finished. */
export function Loading ({ poll, children }) {
  if (!poll.loaded) return html`<p class="muted" aria-busy="true">loading…</p>`
  return children
}

/** Seconds as "3 d 4 h", "5 min 2 s", "12 s". */
export function formatDuration (seconds) {
  const s = Math.max(0, Math.floor(seconds))
  if (s < 60) return `${s} s`
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`
  if (s < 86400) return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`
  return `${Math.floor(s / 86400)} d ${Math.floor((s % 86400) / 3600)} h`
}

/** A past time (ms since the epoch) as "12 s ago", with the exact time on hover. */
export function Ago ({ at, now = Date.now() }) {
  if (at === undefined || at === null) return html`<span class="muted">never</span>`
  const exact = new Date(at).toISOString()
  const seconds = (now - at) / 1000
  const text = seconds >= 0 ? `${formatDuration(seconds)} ago` : `in ${formatDuration(-seconds)}`
  return html`<time datetime=${exact} title=${exact}>${text}</time>`
}

/** A long id (PeerId, hash) in full, monospace, breakable. */
export function Id ({ value }) {
  return html`<code class="id">${value}</code>`
}

/** A hash shortened to its first 12 characters, the full one on hover and for screen readers. */
export function ShortHash ({ value }) {
  if (value === null || value === undefined) return html`<span class="muted">—</span>`
  return html`<code class="hash" title=${value} aria-label=${value}>${value.slice(0, 12)}…</code>`
}

/** A definition list from [label, value] pairs. */
export function Facts ({ items, label }) {
  return html`<dl class="facts" aria-label=${label}>
    ${items.map(([term, value]) => html`<div><dt>${term}</dt><dd>${value}</dd></div>`)}
  </dl>`
}

/** A value of unknown shape (an operation's result the console has no special view for). */
export function Json ({ value }) {
  return html`<pre class="json">${JSON.stringify(value, null, 2)}</pre>`
}
