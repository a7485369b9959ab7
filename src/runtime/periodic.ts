/**
 * A task a service runs every `periodMs` and may also run on demand: one run
 * at a time (a demand while a run is in flight waits for that run), the next
 * run scheduled only after the previous one ended, a failure logged and the
 * schedule kept. `stop()` cancels the schedule and waits for a run in flight,
 * so a service can close its store after it.
 */

export interface PeriodicTaskInit {
  /** what one run does */
  run: () => Promise<void>
  periodMs: number
  /** called with a run's error; the schedule goes on */
  onError: (err: Error) => void
}

export class PeriodicTask {
  private timer: ReturnType<typeof setTimeout> | undefined
  private running = false
  private inFlight: Promise<void> | undefined

  constructor (private readonly init: PeriodicTaskInit) {}

  start (): void {
    this.running = true
    this.schedule()
  }

  async stop (): Promise<void> {
    this.running = false
    if (this.timer !== undefined) clearTimeout(this.timer)
    this.timer = undefined
    await this.inFlight?.catch(() => {})
  }

  /** Run now, or join the run in flight. */
  async runNow (): Promise<void> {
    if (this.inFlight !== undefined) return await this.inFlight
    this.inFlight = this.init.run().finally(() => { this.inFlight = undefined })
    return await this.inFlight
  }

  private schedule (): void {
    if (!this.running) return
    this.timer = setTimeout(() => {
      void this.runNow()
        .catch((err: Error) => { this.init.onError(err) })
        .finally(() => { this.schedule() })
    }, this.init.periodMs)
    this.timer.unref?.()
  }
}
