/**
 * The clock component: every service and the node read time through it, so
 * tests and the sim can drive time. `core/` never reads a clock: it takes
 * `now` as an argument.
 */

/** Wall-clock time in ms since the epoch. */
export interface Clock {
  now: () => number
}

/** The system clock (`Date.now`). */
export const systemClock: Clock = { now: () => Date.now() }

/** A clock from a `now` function (tests and the sim hand one in). */
export function clockFrom (now: () => number): Clock {
  return { now }
}
