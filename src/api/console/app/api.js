// The local API as the page sees it: the same routes the CLI calls, with the
// bearer token from sessionStorage (never from the URL). Errors keep the API's
// stable error name so the page can show it.
import { signal } from '@preact/signals'

/** sessionStorage key of the token: gone when the tab closes. */
const TOKEN_KEY = 'fedmesh.console.token'
/** One request never waits longer than this; polling tries again. */
export const REQUEST_TIMEOUT_MS = 10_000

/** An API failure: `name` is the API's error name (or an HTTP/network name when it gave none). */
export class ApiError extends Error {
  constructor (name, message, status) {
    super(message)
    this.name = name
    this.status = status
  }
}

/** The token in use; null shows the login form. */
export const token = signal(sessionStorage.getItem(TOKEN_KEY))
/** Why the last session ended (a 401 while logged in), shown on the login form. */
export const loggedOutReason = signal(null)

/** Keeps a token that the node accepted. */
export function logIn (value) {
  sessionStorage.setItem(TOKEN_KEY, value)
  loggedOutReason.value = null
  token.value = value
}

/** Forgets the token (the Log out button, or the node refused it). */
export function logOut (reason = null) {
  sessionStorage.removeItem(TOKEN_KEY)
  loggedOutReason.value = reason
  token.value = null
}

async function request (method, path, { body, as = 'json', bearer = token.value } = {}) {
  let response
  try {
    response = await fetch(path, {
      method,
      headers: { authorization: `Bearer ${bearer}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      cache: 'no-store',
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS)
    })
  } catch (err) {
    throw new ApiError('NetworkError', `the node did not answer (${err.message}): is it running?`, 0)
  }
  const text = await response.text()
  if (response.ok) return as === 'text' ? text : JSON.parse(text)
  let payload = {}
  try { payload = JSON.parse(text) } catch { payload = { error: text } }
  if (response.status === 401) {
    // the API's 401 carries no error name; this one is the console's label for it
    throw new ApiError('UnauthorizedError', payload.error ?? 'wrong or missing token', 401)
  }
  throw new ApiError(payload.name ?? `HTTP${response.status}`, payload.error ?? response.statusText, response.status)
}

/** Like `request`, but a 401 during a session logs out (the token was changed or the node restarted with a new one). */
async function authed (method, path, options) {
  try {
    return await request(method, path, options)
  } catch (err) {
    if (err.status === 401) logOut(err)
    throw err
  }
}

/** The API calls the console makes: the CLI's routes and operations, nothing console-only. */
export const api = {
  /** Checks a candidate token against `/status` without keeping it. */
  check: async (candidate) => await request('GET', '/status', { bearer: candidate }),
  status: async () => await authed('GET', '/status'),
  peers: async () => await authed('GET', '/peers'),
  metrics: async () => await authed('GET', '/metrics', { as: 'text' }),
  /** `POST /ops/<name>`: an operation, as `fedmesh <command>` runs it. */
  op: async (name, args = {}) => await authed('POST', `/ops/${encodeURIComponent(name)}`, { body: args })
}
