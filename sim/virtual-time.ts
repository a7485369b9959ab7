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
 * then repeats: let every microtask and nextTick run (one real
 * setImmediate: the process is idle at the current instant once that drains,
 * because all I/O is in-process), then fire the earliest fake timer, which
 * moves the clock to its time only if nothing is due sooner.
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

/** The virtual clock starts here, whatever the host's date. */
export const VIRTUAL_EPOCH_MS = Date.UTC(2026, 0, 1)
/** Timer firings one run may take; past this the run is stuck in a timer loop. */
export const VIRTUAL_TIMER_FIRINGS_MAX = 100_000_000

/** Statistics of a virtual-time run (host figures, not part of the report). */
export interface VirtualTimeStats {
  timerFirings: number
  virtualMs: number
  wallMs: number
}

/** The run was left waiting with no timer and no runnable work: a deadlock in the sim. */
export class VirtualTimeStalledError extends Error {
  override readonly name = 'VirtualTimeStalledError'
}

type RandomFill = <T extends ArrayBufferView | null>(array: T) => T

/** Installs seeded randomness; returns the function that restores the host's. */
function seedRandomness (seed: number): () => void {
  const stream = seededRandom(new Uint8Array(crypto.createHash('sha256').update(`fedmesh-sim-virtual/${seed}`).digest()))
  const original = { random: Math.random, randomBytes: crypto.randomBytes, getRandomValues: globalThis.crypto.getRandomValues }
  Math.random = () => {
    const bytes = stream.bytes(6)
    let value = 0
    for (const byte of bytes) value = value * 256 + byte
    return value / 2 ** 48
  }
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

/** Runs `work` on a virtual clock with seeded library randomness; resolves to its result and the run's statistics. */
export async function inVirtualTime<T> (seed: number, work: () => Promise<T>): Promise<{ result: T, stats: VirtualTimeStats }> {
  const realSetImmediate = globalThis.setImmediate
  const wallStart = performance.now()
  const flush = async (): Promise<void> => { await new Promise<void>((resolve) => { realSetImmediate(resolve) }) }
  const restoreRandomness = seedRandomness(seed)
  const clock = FakeTimers.install({
    now: VIRTUAL_EPOCH_MS,
    toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'setImmediate', 'clearImmediate', 'Date', 'performance', 'hrtime'],
    loopLimit: VIRTUAL_TIMER_FIRINGS_MAX
  })
  const originalTimeout = AbortSignal.timeout
  AbortSignal.timeout = (ms: number): AbortSignal => {
    const controller = new AbortController()
    setTimeout(() => { controller.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError')) }, ms)
    return controller.signal
  }
  let settled = false
  let timerFirings = 0
  let virtualMs = 0
  const running = work().finally(() => { settled = true })
  running.catch(() => {})
  try {
    while (!settled) {
      await flush()
      if (settled) break
      if (clock.countTimers() === 0) {
        // nothing scheduled: give real I/O (if any) a few chances before calling it a deadlock
        for (let i = 0; i < 100 && !settled && clock.countTimers() === 0; i++) await flush()
        if (!settled && clock.countTimers() === 0) throw new VirtualTimeStalledError('virtual time stalled: the run waits, but no timer is pending')
        continue
      }
      clock.next()
      if (++timerFirings > VIRTUAL_TIMER_FIRINGS_MAX) throw new VirtualTimeStalledError(`more than ${VIRTUAL_TIMER_FIRINGS_MAX} timer firings`)
    }
    virtualMs = clock.now - VIRTUAL_EPOCH_MS
  } finally {
    AbortSignal.timeout = originalTimeout
    clock.uninstall()
    restoreRandomness()
  }
  const result = await running
  return { result, stats: { timerFirings, virtualMs, wallMs: performance.now() - wallStart } }
}
