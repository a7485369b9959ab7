/**
 * Following redirects, one hop at a time (the caller fetches each hop's
 * records from the DHT; this decides), and the rules of a move: the cooldown
 * and the next redirect's seq and prev.
 */
import { REDIRECT_HOPS_MAX } from './constants.ts'
import { MoveCooldownError, RedirectError, RedirectHopsExceededError, RedirectLoopError } from './errors.ts'
import { redirectHash, type Redirect } from './redirect.ts'

/** Where resolution stands. */
export interface Resolution {
  /** the id asked for */
  start: string
  /** where it points now */
  current: string
  /** each redirect followed, in order */
  hops: Redirect[]
}

export type ResolutionStep = { done: true, resolution: Resolution } | { done: false, resolution: Resolution }

/** Starts resolving `id`. */
export function startResolution (id: string): Resolution {
  return { start: id, current: id, hops: [] }
}

/**
 * One hop: `redirect` is the winning valid redirect found for `resolution.current`
 * (undefined: none, so `current` is the home). Moves of one participant have
 * strictly increasing seqs, so a redirect whose seq is below the hop that led
 * here is stale (the participant came back here since): `current` is the home.
 * One with the same seq pointing back into the path is a loop of conflicting
 * records: RedirectLoopError. Beyond `hopsMax` hops: RedirectHopsExceededError.
 */
export function resolutionStep (resolution: Resolution, redirect: Redirect | undefined, hopsMax = REDIRECT_HOPS_MAX): ResolutionStep {
  if (redirect === undefined) return { done: true, resolution }
  if (redirect.from !== resolution.current) throw new RedirectError(`a redirect of ${redirect.from} was given for ${resolution.current}`)
  const first = resolution.hops[0]
  if (first !== undefined && first.key !== redirect.key) throw new RedirectError(`the redirect of ${redirect.from} belongs to another participant key than the first hop's`)
  const last = resolution.hops[resolution.hops.length - 1]
  if (last !== undefined && redirect.seq <= last.seq) {
    const visited = new Set([resolution.start, ...resolution.hops.map((hop) => hop.to)])
    if (redirect.seq === last.seq && visited.has(redirect.to)) {
      throw new RedirectLoopError(`redirect loop: ${[resolution.start, ...resolution.hops.map((h) => h.to), redirect.to].join(' → ')} (seq ${redirect.seq} twice)`)
    }
    return { done: true, resolution }
  }
  if (resolution.hops.length >= hopsMax) throw new RedirectHopsExceededError(`more than ${hopsMax} redirects from ${resolution.start}`)
  return { done: false, resolution: { start: resolution.start, current: redirect.to, hops: [...resolution.hops, redirect] } }
}

/** Refuses a move within `cooldownMs` of the participant's previous move (issued at `lastMoveAtMs`). */
export function checkMoveCooldown (input: { lastMoveAtMs: number | undefined, nowMs: number, cooldownMs: number }): void {
  if (input.lastMoveAtMs === undefined) return
  const next = input.lastMoveAtMs + input.cooldownMs
  if (input.nowMs < next) {
    throw new MoveCooldownError(`the previous move was ${Math.round((input.nowMs - input.lastMoveAtMs) / 60_000)} min ago; the next is allowed from ${new Date(next).toISOString()}`)
  }
}

/** The seq and prev of the redirect after `previous` (the move that brought the participant here), or of a first move. */
export function nextRedirectLink (previous: Redirect | undefined): { seq: number, prev: string | null } {
  return previous === undefined ? { seq: 1, prev: null } : { seq: previous.seq + 1, prev: redirectHash(previous) }
}
