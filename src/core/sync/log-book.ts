/**
 * Every (data class, origin) log a node knows, with the limits of each class.
 * Pure; the store layer loads and persists it (src/store/sync-logs.ts).
 * Origins are members whose signatures verified, so the number of logs is
 * bounded by membership × data classes.
 */
import { assert } from '../errors.ts'
import { OriginLog, type LogLimits, type LogPosition } from './origin-log.ts'

export { OriginLog }
export { firstCountedSeq } from './origin-log.ts'
export type { LogCheck, LogLink, LogLimits, LogPosition, SeqRange, AppendResult } from './origin-log.ts'

/** The key of one log. */
export function logKey (dataClass: string, origin: string): string {
  return `${dataClass}/${origin}`
}

/** All logs of a node. */
export class LogBook {
  readonly #logs = new Map<string, OriginLog>()
  readonly #limitsOf: (dataClass: string) => LogLimits

  /** `limitsOf` gives each class's retention (from config). */
  constructor (limitsOf: (dataClass: string) => LogLimits) {
    this.#limitsOf = limitsOf
  }

  /** The log of (dataClass, origin), created empty on first use. */
  log (dataClass: string, origin: string): OriginLog {
    const key = logKey(dataClass, origin)
    let log = this.#logs.get(key)
    if (log === undefined) {
      log = new OriginLog({ dataClass, origin })
      log.supersede(this.#windowOf(dataClass))
      this.#logs.set(key, log)
    }
    return log
  }

  /** Puts a loaded log in place (the store's load). */
  adopt (log: OriginLog): void {
    log.supersede(this.#windowOf(log.dataClass))
    this.#logs.set(logKey(log.dataClass, log.origin), log)
  }

  /** The limits of a class. */
  limits (dataClass: string): LogLimits {
    const limits = this.#limitsOf(dataClass)
    assert(limits.retentionEntries >= 1 && limits.heldEntriesMax >= 1 && limits.heldEntriesMax <= limits.retentionEntries, 'log limits: 1 ≤ held ≤ retention')
    return limits
  }

  /** For a superseding class (LogLimits.supersedes), how many of an origin's newest seqs count; undefined for the others. */
  window (dataClass: string): number | undefined {
    return this.#windowOf(dataClass)
  }

  #windowOf (dataClass: string): number | undefined {
    const limits = this.#limitsOf(dataClass)
    return limits.supersedes === true ? limits.retentionEntries : undefined
  }

  /** Every log's position, sorted by class then origin (stable output for status and frontier messages). */
  positions (): LogPosition[] {
    return [...this.#logs.values()].map((log) => log.position())
      .sort((a, b) => a.dataClass === b.dataClass ? (a.origin < b.origin ? -1 : a.origin > b.origin ? 1 : 0) : a.dataClass < b.dataClass ? -1 : 1)
  }

  /** A known log, or undefined. */
  find (dataClass: string, origin: string): OriginLog | undefined {
    return this.#logs.get(logKey(dataClass, origin))
  }
}
