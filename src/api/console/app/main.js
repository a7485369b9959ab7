// The console: a login form, then a shell with one page per feature. Routes
// live in the URL's hash (#/members) so reloads keep the page; the token never
// goes into the URL.
import { render } from 'preact'
import { useEffect, useRef, useState } from 'preact/hooks'
import { signal } from '@preact/signals'
import { html } from './html.js'
import { api, token, logIn, logOut, loggedOutReason } from './api.js'
import { ErrorNotice } from './components.js'
import { usePoll } from './poll.js'
import { OverviewPage } from './pages/overview.js'
import { MembersPage } from './pages/members.js'
import { ConsensusPage } from './pages/consensus.js'
import { MatchingPage } from './pages/matching.js'
import { AuditPage } from './pages/audit.js'

/** The pages, in menu order; a feature adds its page here. */
const PAGES = [
  { id: 'overview', title: 'Overview', Page: OverviewPage },
  { id: 'members', title: 'Members', Page: MembersPage },
  { id: 'consensus', title: 'Consensus', Page: ConsensusPage },
  { id: 'matching', title: 'Matching', Page: MatchingPage },
  { id: 'audit', title: 'Audit', Page: AuditPage }
]

const pageFromHash = () => PAGES.find((p) => `#/${p.id}` === location.hash) ?? PAGES[0]
const route = signal(pageFromHash())
addEventListener('hashchange', () => { route.value = pageFromHash() })

function Login () {
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState(loggedOutReason.value)
  const input = useRef(null)
  useEffect(() => { input.current?.focus() }, [])
  const submit = async (event) => {
    event.preventDefault()
    const candidate = input.current.value.trim()
    if (candidate === '') return
    setBusy(true)
    setError(null)
    try {
      await api.check(candidate)
      logIn(candidate)
    } catch (err) {
      setError(err)
      setBusy(false)
      input.current?.select()
    }
  }
  return html`<main id="content" class="login">
    <h1>fedmesh console</h1>
    <form onSubmit=${submit} aria-describedby="login-help">
      <label for="token">API token</label>
      <input id="token" name="token" type="password" autocomplete="off" spellcheck="false" ref=${input} required />
      <button type="submit" disabled=${busy}>${busy ? 'Checking…' : 'Log in'}</button>
      <p id="login-help" class="muted">The token is in <code>${'<data dir>'}/api.token</code>. It is kept in this tab's session storage only.</p>
      <${ErrorNotice} error=${error} context="Login refused" />
    </form>
  </main>`
}

function Header () {
  const status = usePoll(api.status, 5_000)
  return html`<header class="top">
    <a class="skip" href="#content" onClick=${(e) => { e.preventDefault(); document.getElementById('page-title')?.focus() }}>Skip to content</a>
    <span class="brand">fedmesh</span>
    <span class="whoami" data-testid="whoami">${status.data === undefined ? '' : `${status.data.site_id} · ${status.data.federation.enabled ? status.data.federation.federation_id : 'air-gapped'}`}</span>
    <nav aria-label="Pages">
      <ul>
        ${PAGES.map((p) => html`<li><a href=${`#/${p.id}`} aria-current=${route.value.id === p.id ? 'page' : undefined}>${p.title}</a></li>`)}
      </ul>
    </nav>
    <button type="button" class="logout" onClick=${() => { logOut() }}>Log out</button>
  </header>`
}

function Shell () {
  const { id, title, Page } = route.value
  const heading = useRef(null)
  const first = useRef(true)
  useEffect(() => {
    document.title = `${title} · fedmesh console`
    // move focus to the new page's heading so keyboard and screen-reader users land on it
    if (!first.current) heading.current?.focus()
    first.current = false
  }, [id])
  return html`<${Header} />
    <main id="content" data-page=${id}>
      <h1 id="page-title" tabindex="-1" ref=${heading}>${title}</h1>
      <${Page} key=${id} />
    </main>`
}

function App () {
  return token.value === null ? html`<${Login} />` : html`<${Shell} />`
}

render(html`<${App} />`, document.getElementById('app'))
