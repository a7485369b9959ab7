// Live updates by polling: every page reads through `usePoll`, which loads at
// once, then every POLL_INTERVAL_MS, never two requests of one kind at a time.
import { useEffect, useRef, useState, useCallback } from 'preact/hooks'
import { signal } from '@preact/signals'

/** How often a page reloads what it shows (ms). */
export const POLL_INTERVAL_MS = 2_000

/** Bumped after every action (vote, consent, …) so every poller reloads now, not at its next tick. */
export const changed = signal(0)

/** Tells every page that something changed. */
export function refreshAll () {
  changed.value++
}

/**
 * Loads `load()` now and on every tick; returns { data, error, loaded, refresh }.
 * `data` keeps the last good value while a later load fails, so a hiccup does
 * not blank the page (the error is shown next to it).
 */
export function usePoll (load, intervalMs = POLL_INTERVAL_MS) {
  const [state, setState] = useState({ data: undefined, error: null, loaded: false })
  const loadRef = useRef(load)
  loadRef.current = load
  const running = useRef(false)
  const again = useRef(false)
  const alive = useRef(true)

  const refresh = useCallback(async () => {
    // a refresh asked for mid-load runs right after it: the load may predate the change
    if (running.current) { again.current = true; return }
    running.current = true
    try {
      do {
        again.current = false
        try {
          const data = await loadRef.current()
          if (alive.current) setState({ data, error: null, loaded: true })
        } catch (error) {
          if (alive.current) setState((previous) => ({ data: previous.data, error, loaded: true }))
        }
      } while (again.current && alive.current)
    } finally {
      running.current = false
    }
  }, [])

  const bump = changed.value
  useEffect(() => { void refresh() }, [bump])
  useEffect(() => {
    alive.current = true
    const timer = setInterval(() => { void refresh() }, intervalMs)
    return () => { alive.current = false; clearInterval(timer) }
  }, [intervalMs])

  return { ...state, refresh }
}

/**
 * Runs an action (a button's operation) once at a time; returns
 * [run, { busy, result, error }]. Every poller reloads after it.
 */
export function useAction (action) {
  const [state, setState] = useState({ busy: false, result: undefined, error: null })
  const run = useCallback(async (...args) => {
    setState({ busy: true, result: undefined, error: null })
    try {
      const result = await action(...args)
      setState({ busy: false, result, error: null })
      refreshAll()
      return result
    } catch (error) {
      setState({ busy: false, result: undefined, error })
      return undefined
    }
  }, [action])
  return [run, state]
}
