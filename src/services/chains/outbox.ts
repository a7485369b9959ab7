/**
 * The outbox: every chain message waits here, persisted, until its
 * destination answers with anything but DEFERRED (protocols/chain.md). One
 * pump per destination sends its entries in key order; a failed dial backs
 * the whole destination off, a DEFERRED answer backs off that entry only.
 * Entries survive restarts (they are written in the step's batch) and are
 * dropped once their chain's execution end plus a grace has passed.
 */
import type { Clock } from '../../runtime/clock.ts'
import type { Logger } from '../../runtime/log.ts'
import { outboxKey, type ChainRepository, type OutboxEntry } from '../../store/chains.ts'

/** How a destination answered one message. */
export type SendOutcome = 'APPLIED' | 'DUPLICATE' | 'DEFERRED' | 'IGNORED' | 'REJECTED'

export interface OutboxComponents {
  /** where entries live (the chain outbox; the disputes service passes its own) */
  chainStore: Pick<ChainRepository, 'outboxEntries' | 'outboxPut' | 'outboxDelete' | 'batch'>
  clock: Clock
  logger: Logger
  /** sends one encoded message and returns the answer; throws when the destination cannot be reached */
  send: (to: string, message: Uint8Array) => Promise<{ outcome: SendOutcome, error: string }>
}

export interface OutboxInit {
  retryMsMin: number
  retryMsMax: number
  /** what the messages are, in log lines; default 'chain' (the disputes service passes 'dispute') */
  label?: string
}

interface Destination {
  entries: Map<string, OutboxEntry>
  busy: boolean
  /** consecutive failed dials */
  failures: number
  timer: NodeJS.Timeout | undefined
  /** earliest time the destination may be dialled again */
  notBeforeMs: number
}

export class Outbox {
  private readonly destinations = new Map<string, Destination>()
  private sequence = 0
  private stopped = false

  constructor (private readonly components: OutboxComponents, private readonly init: OutboxInit) {}

  /** Loads the stored entries and starts sending them. */
  async start (): Promise<void> {
    this.stopped = false
    for (const entry of await this.components.chainStore.outboxEntries()) {
      this.destination(entry.to).entries.set(entry.key, entry)
      this.sequence = Math.max(this.sequence, Number(entry.key.slice(entry.key.lastIndexOf('!') + 1)) + 1)
    }
    for (const to of this.destinations.keys()) this.wake(to)
  }

  stop (): void {
    this.stopped = true
    for (const d of this.destinations.values()) if (d.timer !== undefined) clearTimeout(d.timer)
  }

  /** New entries for a step's messages (not yet stored: the caller writes them in the step's batch). */
  entries (to: readonly string[], chain: string, message: Uint8Array, expiresAtMs: number): OutboxEntry[] {
    const text = Buffer.from(message).toString('base64')
    return to.map((destination) => ({ key: outboxKey(destination, this.sequence++), to: destination, chain, message: text, expires_at_ms: expiresAtMs, attempts: 0, next_at_ms: 0 }))
  }

  /** Entries now on disk: send them. */
  added (entries: readonly OutboxEntry[]): void {
    for (const entry of entries) this.destination(entry.to).entries.set(entry.key, entry)
    for (const to of new Set(entries.map((e) => e.to))) this.wake(to)
  }

  /** Sends what is due for `to` now (e.g. it just connected: forget its backoff). */
  retryNow (to?: string): void {
    for (const [id, d] of this.destinations) {
      if (to !== undefined && id !== to) continue
      d.failures = 0
      d.notBeforeMs = 0
      for (const entry of d.entries.values()) entry.next_at_ms = 0
      this.wake(id)
    }
  }

  /** Entries waiting, per destination. */
  pending (): Record<string, number> {
    const out: Record<string, number> = {}
    for (const [to, d] of this.destinations) if (d.entries.size > 0) out[to] = d.entries.size
    return out
  }

  size (): number {
    let n = 0
    for (const d of this.destinations.values()) n += d.entries.size
    return n
  }

  private destination (to: string): Destination {
    let d = this.destinations.get(to)
    if (d === undefined) {
      d = { entries: new Map(), busy: false, failures: 0, timer: undefined, notBeforeMs: 0 }
      this.destinations.set(to, d)
    }
    return d
  }

  private backoffMs (attempts: number): number {
    return Math.min(this.init.retryMsMax, this.init.retryMsMin * 2 ** Math.min(attempts, 20))
  }

  private wake (to: string): void {
    const d = this.destination(to)
    if (d.timer !== undefined) { clearTimeout(d.timer); d.timer = undefined }
    if (!d.busy && !this.stopped) void this.pump(to, d)
  }

  /** One pass over the destination's due entries, in key order; then a timer for the next due one. */
  private async pump (to: string, d: Destination): Promise<void> {
    d.busy = true
    try {
      const now = this.components.clock.now()
      if (now < d.notBeforeMs) return
      const keys = [...d.entries.keys()].sort()
      for (const key of keys) {
        if (this.stopped) return
        const entry = d.entries.get(key)
        if (entry === undefined || entry.next_at_ms > this.components.clock.now()) continue
        if (this.components.clock.now() > entry.expires_at_ms) {
          await this.drop(d, [key], 'expired')
          continue
        }
        let answer: { outcome: SendOutcome, error: string }
        try {
          answer = await this.components.send(to, Buffer.from(entry.message, 'base64'))
        } catch (err) {
          d.failures++
          d.notBeforeMs = this.components.clock.now() + this.backoffMs(d.failures - 1)
          this.components.logger.debug({ err, to, failures: d.failures }, `${this.init.label ?? 'chain'} message not delivered; retrying later`)
          return
        }
        d.failures = 0
        if (answer.outcome === 'DEFERRED') {
          const next = { ...entry, attempts: entry.attempts + 1, next_at_ms: this.components.clock.now() + this.backoffMs(entry.attempts) }
          d.entries.set(key, next)
          await this.components.chainStore.batch([this.components.chainStore.outboxPut(next)])
          continue
        }
        if (answer.outcome === 'REJECTED') this.components.logger.warn({ to, chain: entry.chain, error: answer.error }, `a peer rejected a ${this.init.label ?? 'chain'} message`)
        await this.drop(d, [key], answer.outcome)
      }
    } catch (err) {
      this.components.logger.warn({ err, to }, `${this.init.label ?? 'chain'} outbox pass failed`)
    } finally {
      d.busy = false
      this.schedule(to, d)
    }
  }

  private async drop (d: Destination, keys: string[], why: string): Promise<void> {
    await this.components.chainStore.outboxDelete(keys)
    for (const key of keys) d.entries.delete(key)
    if (why === 'expired') this.components.logger.warn({ keys }, `${this.init.label ?? 'chain'} messages expired unanswered`)
  }

  private schedule (to: string, d: Destination): void {
    if (this.stopped || d.entries.size === 0) return
    let due = d.notBeforeMs
    let earliest = Infinity
    for (const entry of d.entries.values()) earliest = Math.min(earliest, entry.next_at_ms)
    due = Math.max(due, earliest)
    const delay = Math.min(Math.max(0, due - this.components.clock.now()), this.init.retryMsMax)
    if (d.timer !== undefined) clearTimeout(d.timer)
    d.timer = setTimeout(() => { d.timer = undefined; this.wake(to) }, Math.max(delay, 10))
    d.timer.unref()
  }
}
