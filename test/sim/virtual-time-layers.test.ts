/**
 * The virtual-time layers below a whole run (sim/virtual-time.ts): the seeded Math.random and the
 * quiet lock queues (mortice's it-queue queues arm their debounce timers only for listeners) and the
 * shared timeout timers. Serial: one virtual clock per process at a time.
 */
import test from 'ava'
import { inVirtualTime, mathRandom } from '../../sim/virtual-time.ts'

interface Lock { readLock: () => Promise<() => void>, writeLock: () => Promise<() => void>, finalize: () => void, queue: object }
const { default: mortice } = await import(import.meta.resolve('mortice')) as { default: (options: { name: string, singleProcess: boolean }) => Lock }

test('the virtual Math.random is a seeded stream in [0, 1)', (t) => {
  const first = Array.from({ length: 20_000 }, mathRandom(1))
  t.deepEqual(Array.from({ length: 20_000 }, mathRandom(1)), first, 'one seed, one stream')
  t.notDeepEqual(Array.from({ length: 20 }, mathRandom(2)), first.slice(0, 20), 'another seed, another stream')
  t.true(first.every((x) => x >= 0 && x < 1))
  t.is(new Set(first).size, first.length)
  const tenths = new Array<number>(10).fill(0)
  for (const x of first) tenths[Math.floor(x * 10)]!++
  // 2,000 expected per tenth; 4.5 standard deviations either side
  t.true(tenths.every((n) => n > 1800 && n < 2200), tenths.join(' '))
})

test.serial('under virtual time a peer-store lock still orders readers and writers, and arms one timer per read batch, not two per job', async (t) => {
  const rounds = 50
  const { result, stats } = await inVirtualTime(1, async () => {
    const lock = mortice({ name: `virtual-time-layers-${process.pid}`, singleProcess: true })
    const order: string[] = []
    for (let i = 0; i < rounds; i++) {
      const release = await lock.readLock()
      // the writer waits for the reader, then for the read queue's idle (mortice's onIdle: the one listener)
      const writing = lock.writeLock().then((releaseWrite) => { order.push('write'); releaseWrite() })
      order.push('read')
      release()
      await writing
    }
    lock.finalize()
    return order
  })
  t.deepEqual(result, Array.from({ length: rounds }, () => ['read', 'write']).flat())
  // each round's read queue fires its idle timer once; the patch-free queues armed emitEmpty and emitIdle after every job
  t.true(stats.timerFirings <= rounds + 2, `${stats.timerFirings} firings for ${rounds} rounds`)
  t.true(stats.timerFirings >= rounds, 'the read queue\'s idle still comes through its timer')
  // undone after the run: a queue made now debounces as the library does
  const after = mortice({ name: `virtual-time-layers-after-${process.pid}`, singleProcess: true })
  const proto = Object.getPrototypeOf(after.queue) as object
  t.is(typeof Object.getOwnPropertyDescriptor(proto, 'emitEmpty')?.value, 'function')
  t.false(Object.hasOwn(proto, 'safeDispatchEvent'))
  after.finalize()
})

test.serial('under virtual time, timeout signals due at one instant share one timer and each aborts at its own due time', async (t) => {
  const { result, stats } = await inVirtualTime(1, async () => {
    const start = Date.now()
    const abortedAt = (signal: AbortSignal): Promise<number> => new Promise((resolve) => { signal.addEventListener('abort', () => { resolve(Date.now() - start) }, { once: true }) })
    const same = Array.from({ length: 1000 }, () => AbortSignal.timeout(10))
    const later = AbortSignal.timeout(25)
    const zero = AbortSignal.timeout(0)
    const times = await Promise.all([...same, later, zero].map(abortedAt))
    return { times, reasons: [...same, later, zero].map((signal) => (signal.reason as DOMException).name) }
  })
  t.deepEqual(result.times.slice(0, 1000), new Array<number>(1000).fill(10))
  t.is(result.times[1000], 25)
  t.true(result.times[1001]! <= 1)
  t.true(result.reasons.every((name) => name === 'TimeoutError'))
  // three instants, three timers (not 1,002)
  t.true(stats.timerFirings <= 3, `${stats.timerFirings} firings`)
})

test.serial('under virtual time errors are built without stack frames, and the host\'s stack trace limit is back after the run', async (t) => {
  const before = Error.stackTraceLimit
  const { result } = await inVirtualTime(1, async () => {
    const err = new Error('inside')
    const aborted = new AbortController()
    aborted.abort()
    return { stack: err.stack, name: err.name, message: err.message, limit: Error.stackTraceLimit, abortName: (aborted.signal.reason as DOMException).name }
  })
  t.is(result.limit, 0)
  // the message and name stay: only the frames go
  t.is(result.stack, 'Error: inside')
  t.is(result.name, 'Error')
  t.is(result.abortName, 'AbortError')
  t.is(Error.stackTraceLimit, before)
  t.true((new Error('after').stack ?? '').includes('\n    at '), 'frames again after the run')
})
