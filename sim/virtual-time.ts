/**
 * Virtual time for in-process runs (`--clock virtual`), after Shadow and
 * FoundationDB/TigerBeetle's deterministic simulation: every node in this
 * process runs the production code on one simulated clock, and time moves
 * only when nothing is runnable.
 *
 * How: @sinonjs/fake-timers replaces setTimeout/setInterval/setImmediate,
 * Date, performance.now and process.hrtime for all code in the process,
 * libp2p's included; AbortSignal.timeout (Node's own timer, which
 * fake-timers does not reach) is rebuilt on the fake setTimeout. The driver
 * then repeats: fire the earliest fake timer (which moves the clock to its
 * time), let every microtask and nextTick it caused run, and fire the next
 * timer due at the same instant, until none is left at that instant. The
 * firings of one instant are queued as a batch of real setImmediate callbacks
 * that Node runs in one turn of its event loop, draining microtasks and
 * nextTicks after each: the same order of events as one real event-loop round
 * per firing (so the same results for one seed), without the rounds. Since all
 * I/O is in-process, the process is idle at an instant once that drains.
 *
 * Library randomness decides control flow (gossipsub's mesh shuffles,
 * kad-dht's random-walk keys), so Math.random, crypto.randomBytes and
 * crypto.getRandomValues are replaced by streams from the seed for the run —
 * a sim-only deviation: noise keys are then predictable, which a sim does
 * not care about and production never does.
 */
import FakeTimers from '@sinonjs/fake-timers'
import crypto from 'node:crypto'
import { syncBuiltinESMExports } from 'node:module'
import { seededRandom } from '../src/runtime/random.ts'
import { withoutStackTraces } from './profile.ts'

/** The virtual clock starts here, whatever the host's date. */
export const VIRTUAL_EPOCH_MS = Date.UTC(2026, 0, 1)
/** Timer firings one run may take; past this the run is stuck in a timer loop. */
export const VIRTUAL_TIMER_FIRINGS_MAX = 100_000_000


/** Most real setImmediate callbacks queued for one batch of firings (a bound on the unused ones). */
const BATCH_MAX = 1024

/** Statistics of a virtual-time run (host figures, not part of the report). */
export interface VirtualTimeStats {
  timerFirings: number
  /** real event-loop turns the firings took (one per batch of firings due at one instant, or more for a big batch) */
  batches: number
  virtualMs: number
  wallMs: number
}

/** The run was left waiting with no timer and no runnable work: a deadlock in the sim. */
export class VirtualTimeStalledError extends Error {
  override readonly name = 'VirtualTimeStalledError'
}

type RandomFill = <T extends ArrayBufferView | null>(array: T) => T

/**
 * Math.random for a virtual run: xoshiro128** seeded from the run's seed, 53 bits per draw. Libraries call
 * it per queue job (it-queue's and @libp2p/utils' job ids) and per gossipsub shuffle; drawn from the HMAC
 * stream (one HMAC-SHA256 per ~5 calls) it was 3.8 % of a 50-node run's CPU. Not for secrets (nor is the
 * host's Math.random); crypto.randomBytes and getRandomValues keep the HMAC stream.
 */
export function mathRandom (seed: number): () => number {
  const digest = crypto.createHash('sha256').update(`fedmesh-sim-virtual/${seed}/math-random`).digest()
  // sha256 words are never all zero in practice; xoshiro's one forbidden state is guarded anyway
  let a = digest.readUInt32LE(0) | 1
  let b = digest.readUInt32LE(4)
  let c = digest.readUInt32LE(8)
  let d = digest.readUInt32LE(12)
  const next = (): number => {
    const result = Math.imul(rotl(Math.imul(b, 5), 7), 9) >>> 0
    const t = b << 9
    c ^= a
    d ^= b
    b ^= c
    a ^= d
    c ^= t
    d = rotl(d, 11)
    return result
  }
  return () => ((next() >>> 5) * 67108864 + (next() >>> 6)) / 9007199254740992
}

function rotl (x: number, k: number): number {
  return (x << k) | (x >>> (32 - k))
}

/** Installs seeded randomness; returns the function that restores the host's. */
function seedRandomness (seed: number): () => void {
  const stream = seededRandom(new Uint8Array(crypto.createHash('sha256').update(`fedmesh-sim-virtual/${seed}`).digest()))
  const original = { random: Math.random, randomBytes: crypto.randomBytes, getRandomValues: globalThis.crypto.getRandomValues }
  Math.random = mathRandom(seed)
  const fill: RandomFill = (array) => {
    if (array !== null) new Uint8Array(array.buffer, array.byteOffset, array.byteLength).set(stream.bytes(array.byteLength))
    return array
  }
  // randomBytes(size[, callback]); the async form is never used on the node paths, but keep its contract
  const randomBytes = ((size: number, callback?: (err: Error | null, buf: Buffer) => void) => {
    const buffer = Buffer.from(stream.bytes(size))
    if (callback !== undefined) { queueMicrotask(() => { callback(null, buffer) }); return undefined }
    return buffer
  }) as typeof crypto.randomBytes
  crypto.randomBytes = randomBytes
  Object.defineProperty(globalThis.crypto, 'getRandomValues', { value: fill, configurable: true, writable: true })
  syncBuiltinESMExports()
  return () => {
    Math.random = original.random
    crypto.randomBytes = original.randomBytes
    delete (globalThis.crypto as { getRandomValues?: unknown }).getRandomValues
    if (globalThis.crypto.getRandomValues !== original.getRandomValues) Object.defineProperty(globalThis.crypto, 'getRandomValues', { value: original.getRandomValues, configurable: true, writable: true })
    syncBuiltinESMExports()
  }
}

/** What the lock-queue patch uses of it-queue's Queue (main-event's TypedEventEmitter underneath). */
interface LockQueue {
  listenerCount: (type: string) => number
  safeDispatchEvent: (type: string, detail?: unknown) => boolean
}

/**
 * Makes it-queue's queues, the ones inside mortice (the read/write lock @libp2p/peer-store takes on every
 * access to a peer, whatever the datastore), arm their 1 ms debounce timers and build their events only
 * for listeners. Each job ends with `tryToStartAnother`, which calls the debounced `emitEmpty` and
 * `emitIdle` (one fake timer each, cleared and re-armed per call) and each job dispatches `add`, `active`,
 * `next`, `success` as new CustomEvents; mortice listens to none of these but a read queue's `idle` (its
 * `onIdle`, whose listener is in place before the queue can go idle, so that timer is still armed). With
 * no listener, neither the timer's firing nor the event can do anything: skipping them changes no
 * outcome. In a 25-node run (seed 1) these timers were 91,802 of 138,860 firings. Sim-only (virtual
 * time, where each firing is a turn of the driver); returns the function that undoes it. The class is
 * reached through a mortice instance, so it is the one mortice uses; throws if its shape changed.
 */
async function quietLockQueues (): Promise<() => void> {
  const { default: mortice } = await import(import.meta.resolve('mortice')) as { default: (options: { name: string, singleProcess: boolean }) => { queue?: object, finalize: () => void } }
  const probe = mortice({ name: 'fedmesh-sim-lock-queue-probe', singleProcess: true })
  probe.finalize()
  const proto = probe.queue === undefined ? undefined : Object.getPrototypeOf(probe.queue) as Record<string, unknown> & LockQueue
  const original = { emitEmpty: proto?.emitEmpty, emitIdle: proto?.emitIdle, safeDispatchEvent: proto?.safeDispatchEvent }
  if (proto === undefined || typeof original.emitEmpty !== 'function' || typeof original.emitIdle !== 'function' || typeof proto.listenerCount !== 'function' || typeof original.safeDispatchEvent !== 'function' || Object.hasOwn(proto, 'safeDispatchEvent')) {
    throw new Error('mortice/it-queue changed: no Queue with emitEmpty/emitIdle/listenerCount/safeDispatchEvent (sim/virtual-time.ts quietLockQueues)')
  }
  const dispatch = original.safeDispatchEvent as LockQueue['safeDispatchEvent']
  proto.safeDispatchEvent = function (this: LockQueue, type: string, detail?: unknown): boolean {
    return this.listenerCount(type) === 0 ? true : dispatch.call(this, type, detail)
  }
  // the constructor does `this.emitX = debounce(this.emitX.bind(this), 1)`: the getter hands it the method,
  // the setter keeps the debounced function behind a listener check
  for (const [name, event] of [['emitEmpty', 'empty'], ['emitIdle', 'idle']] as const) {
    const method = original[name]
    Object.defineProperty(proto, name, {
      configurable: true,
      get () { return method },
      set (this: LockQueue, debounced: () => void) {
        Object.defineProperty(this, name, { configurable: true, writable: true, value: () => { if (this.listenerCount(event) > 0) debounced() } })
      }
    })
  }
  return () => {
    delete (proto as Partial<LockQueue>).safeDispatchEvent
    for (const name of ['emitEmpty', 'emitIdle'] as const) Object.defineProperty(proto, name, { configurable: true, writable: true, value: original[name] })
  }
}

/**
 * Runs `work` on a virtual clock with seeded library randomness; resolves to its result and the run's statistics.
 * Errors carry no stack trace during the run (withoutStackTraces): building the frames of errors that libraries
 * make as control flow was 4.4 % of a 200-node virtual run's CPU. A failed run still reports its error's name
 * and message.
 */
export async function inVirtualTime<T> (seed: number, work: () => Promise<T>): Promise<{ result: T, stats: VirtualTimeStats }> {
  return await withoutStackTraces(async () => await onVirtualClock(seed, work))
}

async function onVirtualClock<T> (seed: number, work: () => Promise<T>): Promise<{ result: T, stats: VirtualTimeStats }> {
  const realSetImmediate = globalThis.setImmediate
  const wallStart = performance.now()
  const flush = async (): Promise<void> => { await new Promise<void>((resolve) => { realSetImmediate(resolve) }) }
  const restoreLockQueues = await quietLockQueues()
  const restoreRandomness = seedRandomness(seed)
  const clock = FakeTimers.install({
    now: VIRTUAL_EPOCH_MS,
    toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'setImmediate', 'clearImmediate', 'Date', 'performance', 'hrtime'],
    loopLimit: VIRTUAL_TIMER_FIRINGS_MAX
  })
  const originalTimeout = AbortSignal.timeout
  // one reason for every timed-out signal: libraries arm thousands of these timeouts (kad-dht one per peer it
  // hears of) and most fire, and a DOMException per firing (with its stack) was a visible share of a run's CPU
  const timedOut = new DOMException('The operation was aborted due to timeout', 'TimeoutError')
  // Timeout signals due at one virtual instant share one fake timer, which aborts them in the order they were
  // made. libp2p and kad-dht arm one per stream, dial, query and contact and almost never clear them (nothing
  // can), so at 50 nodes 26-42 thousand were pending during the join, most 5-10 s out: every fake timer
  // operation is a heap operation on that many entries (fake-timers' heap removal was 6 % of a 100-node
  // profile). Shared, they are one entry per instant. Their aborts come at the same virtual instant as
  // before, grouped ahead of other timers of that instant made after the group's first signal.
  const timeoutGroups = new Map<number, AbortController[]>()
  AbortSignal.timeout = (ms: number): AbortSignal => {
    const controller = new AbortController()
    const delay = Number.isFinite(ms) && ms > 0 ? Math.floor(ms) : 0
    const due = clock.now + delay
    const group = timeoutGroups.get(due)
    if (group !== undefined) {
      group.push(controller)
    } else {
      const members = [controller]
      timeoutGroups.set(due, members)
      setTimeout(() => {
        if (timeoutGroups.get(due) === members) timeoutGroups.delete(due)
        for (const member of members) member.abort(timedOut)
      }, delay)
    }
    return controller.signal
  }
  let settled = false
  let timerFirings = 0
  let batches = 0
  let virtualMs = 0
  // fake-timers keeps pending timers in a heap it does not export; the batch peeks at its earliest timer
  const heap = (clock as unknown as { timerHeap?: { peek: () => { callAt: number } | undefined } })
  const dueAt = (instant: number): boolean => {
    const first = heap.timerHeap?.peek()
    return first !== undefined && first.callAt <= instant
  }
  /**
   * One turn of the event loop: `size` real setImmediate callbacks (Node runs every immediate queued before
   * the turn, with microtasks and nextTicks drained after each). The first fires the earliest timer, moving the
   * clock; the others each fire the next timer if it is due at that same instant. Resolves to the firings.
   */
  const batch = async (size: number): Promise<number> => await new Promise<number>((resolve, reject) => {
    let left = size
    let fired = 0
    let instant = Number.NaN
    let failed = false
    const fire = (): void => {
      if (!failed && !settled && (fired === 0 ? clock.countTimers() > 0 : dueAt(instant))) {
        try {
          clock.next()
        } catch (err) {
          // a timer callback threw (fake-timers rethrows it): the run fails as it would have with clock.next() in the loop
          failed = true
          reject(err)
        }
        instant = clock.now
        fired++
      }
      if (--left === 0 && !failed) resolve(fired)
    }
    for (let i = 0; i < size; i++) realSetImmediate(fire)
  })
  const running = work().finally(() => { settled = true })
  running.catch(() => {})
  try {
    let size = 1
    while (!settled) {
      if (clock.countTimers() === 0) {
        // nothing scheduled: give real I/O (if any) a few chances before calling it a deadlock
        for (let i = 0; i < 100 && !settled && clock.countTimers() === 0; i++) await flush()
        if (!settled && clock.countTimers() === 0) throw new VirtualTimeStalledError('virtual time stalled: the run waits, but no timer is pending')
        continue
      }
      // a batch that used every callback may have left timers at its instant: the next batch starts there
      // (its first firing is the earliest timer either way); the size follows the instants' load
      const fired = await batch(size)
      batches++
      timerFirings += fired
      size = fired === size ? Math.min(size * 2, BATCH_MAX) : Math.max(1, Math.ceil((size + fired) / 2))
      if (timerFirings > VIRTUAL_TIMER_FIRINGS_MAX) throw new VirtualTimeStalledError(`more than ${VIRTUAL_TIMER_FIRINGS_MAX} timer firings`)
    }
    virtualMs = clock.now - VIRTUAL_EPOCH_MS
  } finally {
    AbortSignal.timeout = originalTimeout
    clock.uninstall()
    restoreRandomness()
    restoreLockQueues()
  }
  const result = await running
  return { result, stats: { timerFirings, batches, virtualMs, wallMs: performance.now() - wallStart } }
}
