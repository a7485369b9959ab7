/** Limits and defaults of the solver worker (src/solver/). */

/** Time budget of the exact mode when the caller gives none: a few seconds, so `match` answers promptly. */
export const SOLVER_TIME_LIMIT_MS_DEFAULT = 5_000
/** Longest budget a caller may ask for (the bench's largest runs take 60 s; beyond that, use a batch job). */
export const SOLVER_TIME_LIMIT_MS_MAX = 600_000
/**
 * Share of the time left that the worker hands to HiGHS: the rest covers
 * binding, building the answer and posting it before the caller's hard stop
 * at the deadline (which terminates the worker).
 */
export const SOLVER_DEADLINE_SHARE = 0.85
