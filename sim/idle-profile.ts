/**
 * Opt-in records of the idle window only (the second half of the settle, the
 * window `cpu.fedmesh.idle_ms_per_s` is measured over), for finding where idle
 * CPU goes (docs/sim.md, "Idle CPU per node"):
 * - `SIM_IDLE_STREAMS=<file.json>`: outbound protocol streams every node opened
 *   in the window, by protocol (no profiler: the CPU figures stay undisturbed);
 * - `SIM_IDLE_CPUPROF=<file.cpuprofile>`: a V8 CPU profile of the window (1 ms
 *   sampling, which itself costs CPU), plus the streams in `<file>.streams.json`.
 *   Summarise it with `sim/bench/cpuprofile-top.ts`.
 * - `SIM_IDLE_HEAPPROF=<file.heapprofile>`: V8's sampling heap profiler over the
 *   window; after a full GC at its end the profile holds what was allocated in
 *   the window and is still live (what makes the heap grow with no load), by
 *   allocation stack. Summarise it with `sim/bench/heapprofile-top.ts`.
 * Absent all three variables nothing is started. In-process real-time runs only.
 */
import { Session } from 'node:inspector/promises'
import { writeFile } from 'node:fs/promises'
import { streamsOpened } from './byte-counter.ts'

export const IDLE_CPUPROF_ENV = 'SIM_IDLE_CPUPROF'
export const IDLE_STREAMS_ENV = 'SIM_IDLE_STREAMS'
export const IDLE_HEAPPROF_ENV = 'SIM_IDLE_HEAPPROF'
/** bytes between heap samples: 32 KiB (V8's default is 512 KiB; finer costs more) */
const HEAP_SAMPLING_INTERVAL_BYTES = 32 * 1024

export interface IdleProfiler { stop: () => Promise<void> }

export async function startIdleProfile (): Promise<IdleProfiler | undefined> {
  const profileFile = process.env[IDLE_CPUPROF_ENV] ?? ''
  const streamsFile = process.env[IDLE_STREAMS_ENV] ?? (profileFile === '' ? '' : `${profileFile}.streams.json`)
  const heapFile = process.env[IDLE_HEAPPROF_ENV] ?? ''
  if (profileFile === '' && streamsFile === '' && heapFile === '') return undefined
  let session: Session | undefined
  let heapSession: Session | undefined
  if (heapFile !== '') {
    heapSession = new Session()
    heapSession.connect()
    await heapSession.post('HeapProfiler.enable')
    await heapSession.post('HeapProfiler.collectGarbage')
    await heapSession.post('HeapProfiler.startSampling', { samplingInterval: HEAP_SAMPLING_INTERVAL_BYTES })
  }
  if (profileFile !== '') {
    session = new Session()
    session.connect()
    await session.post('Profiler.enable')
    await session.post('Profiler.setSamplingInterval', { interval: 1000 })
    await session.post('Profiler.start')
  }
  const streamsBefore = new Map(streamsOpened)
  return {
    stop: async () => {
      if (session !== undefined) {
        const { profile } = await session.post('Profiler.stop')
        session.disconnect()
        await writeFile(profileFile, JSON.stringify(profile))
        console.error(`sim: idle-window CPU profile written to ${profileFile}`)
      }
      if (heapSession !== undefined) {
        await heapSession.post('HeapProfiler.collectGarbage')
        const { profile } = await heapSession.post('HeapProfiler.stopSampling')
        heapSession.disconnect()
        await writeFile(heapFile, JSON.stringify(profile))
        console.error(`sim: idle-window heap profile (live allocations) written to ${heapFile}`)
      }
      if (streamsFile === '') return
      // outbound protocol streams the nodes opened in the window, most first
      const streams = [...streamsOpened].map(([protocol, n]) => [protocol, n - (streamsBefore.get(protocol) ?? 0)] as const).filter(([, n]) => n > 0).sort((a, b) => b[1] - a[1])
      await writeFile(streamsFile, JSON.stringify(Object.fromEntries(streams), null, 2))
      console.error(`sim: streams opened in the idle window written to ${streamsFile}`)
    }
  }
}

/** Frames that say nothing about who wanted a connection (the dial machinery itself). */
const PLUMBING = /node:internal|\/libp2p\/dist\/src\/(connection-manager|libp2p\.js)|p-queue|it-queue|race-signal|\/sim\/idle-profile\.ts|<anonymous>/

/**
 * With SIM_IDLE_STREAMS or SIM_IDLE_CPUPROF set: every new outbound connection of `libp2p` (its connection
 * manager's openConnection to a peer it is not connected to) is counted in `streamsOpened` as `dial from <first
 * frame outside the dial machinery>`, so the idle record names which code makes the new connections.
 */
export function attributeDials (libp2p: unknown): void {
  if ((process.env[IDLE_STREAMS_ENV] ?? '') === '' && (process.env[IDLE_CPUPROF_ENV] ?? '') === '') return
  const manager = (libp2p as { components?: { connectionManager?: { openConnection: (...args: any[]) => Promise<unknown>, getConnections: (peer?: unknown) => unknown[] } } }).components?.connectionManager
  if (manager === undefined) return
  const open = manager.openConnection.bind(manager)
  manager.openConnection = async (...args: any[]) => {
    const target = args[0]
    const connected = typeof target === 'object' && target !== null && 'toMultihash' in target && manager.getConnections(target).length > 0
    if (!connected) {
      const limit = Error.stackTraceLimit
      Error.stackTraceLimit = 40
      const frames = (new Error().stack ?? '').split('\n').slice(2).map((line) => line.trim())
      Error.stackTraceLimit = limit
      const caller = frames.find((line) => !PLUMBING.test(line)) ?? '(unknown)'
      const where = caller.replace(/^at /, '').replace(/\(?(file:\/\/)?\/[^ ]*\/(node_modules\/|wt-[a-z]+\/)/, '(').replace(/:\d+\)?$/, ')')
      const key = `dial from ${where}`
      streamsOpened.set(key, (streamsOpened.get(key) ?? 0) + 1)
      try {
        return await open(...args)
      } catch (err) {
        const failed = `dial failed (${(err as Error).name}) from ${where}`
        streamsOpened.set(failed, (streamsOpened.get(failed) ?? 0) + 1)
        throw err
      }
    }
    return await open(...args)
  }
}
