/**
 * PeriodicTask: one run at a time, the next run only after the last ended,
 * errors reported and the schedule kept, stop() waits for the run in flight.
 * Time is @sinonjs/fake-timers'.
 */
import test from 'ava'
import FakeTimers from '@sinonjs/fake-timers'
import { PeriodicTask } from '../../src/runtime/periodic.ts'

interface Gate { promise: Promise<void>, open: () => void }
function gate (): Gate {
  let open = (): void => {}
  const promise = new Promise<void>((resolve) => { open = resolve })
  return { promise, open }
}

test.serial('runs every period, never two at once, and goes on after a failure', async (t) => {
  const clock = FakeTimers.install({ toFake: ['setTimeout', 'clearTimeout'] })
  try {
    let runs = 0
    let concurrent = 0
    let maxConcurrent = 0
    const errors: string[] = []
    let hold: Gate | undefined
    const task = new PeriodicTask({
      periodMs: 1000,
      onError: (err) => errors.push(err.message),
      run: async () => {
        runs++
        concurrent++
        maxConcurrent = Math.max(maxConcurrent, concurrent)
        try {
          if (hold !== undefined) await hold.promise
          if (runs === 2) throw new Error('second run failed')
        } finally {
          concurrent--
        }
      }
    })
    task.start()
    await clock.tickAsync(999)
    t.is(runs, 0, 'nothing before the first period')
    await clock.tickAsync(1)
    t.is(runs, 1)
    await clock.tickAsync(1000)
    t.is(runs, 2)
    t.deepEqual(errors, ['second run failed'])
    await clock.tickAsync(1000)
    t.is(runs, 3, 'the schedule survives a failed run')

    // a slow run: demands while it is in flight join it, and no timer starts a second one
    hold = gate()
    await clock.tickAsync(1000)
    t.is(runs, 4)
    const joined = task.runNow()
    await clock.tickAsync(5000)
    t.is(runs, 4, 'no run starts while one is in flight')
    hold.open()
    await joined
    t.is(maxConcurrent, 1)
    hold = undefined
    await clock.tickAsync(1000)
    t.is(runs, 5, 'the next run comes a period after the slow one ended')
    await task.stop()
    await clock.tickAsync(10_000)
    t.is(runs, 5, 'nothing runs after stop')
  } finally {
    clock.uninstall()
  }
})

test.serial('stop waits for the run in flight', async (t) => {
  const clock = FakeTimers.install({ toFake: ['setTimeout', 'clearTimeout'] })
  try {
    const hold = gate()
    let finished = false
    const task = new PeriodicTask({
      periodMs: 100,
      onError: () => {},
      run: async () => { await hold.promise; finished = true }
    })
    task.start()
    await clock.tickAsync(100)
    let stopped = false
    const stopping = task.stop().then(() => { stopped = true })
    await clock.tickAsync(1000)
    t.false(stopped, 'stop is still waiting for the run')
    hold.open()
    await stopping
    t.true(finished)
  } finally {
    clock.uninstall()
  }
})
