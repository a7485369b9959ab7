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
import { AuditLog } from '../src/store/audit-log.ts'

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
  const audited = streamsFile === '' ? undefined : countAuditRecords()
  return {
    stop: async () => {
      const auditRecords = audited?.stop()
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
      await writeFile(streamsFile, JSON.stringify({ opened: Object.fromEntries(streams), open_at_window_end: openStreams(), audit_records: auditRecords }, null, 2))
      console.error(`sim: streams opened in the idle window written to ${streamsFile}`)
    }
  }
}

/**
 * Audit records every node wrote in the window, by kind (and, for crossings, data class; for relation changes,
 * reason): which activity keeps an idle federation's logs growing, and so its checkpoints due (protocols/audit.md,
 * "Checkpoint cadence"). Counts records staged, committed or not.
 */
function countAuditRecords (): { stop: () => Record<string, number> } {
  const counts = new Map<string, number>()
  const stage = AuditLog.prototype.stage
  AuditLog.prototype.stage = async function (this: AuditLog, ...args: Parameters<AuditLog['stage']>) {
    for (const record of args[0]) {
      const detail = record as { kind: string, data_class?: unknown, reason?: unknown }
      const key = [detail.kind, detail.data_class ?? detail.reason].filter((part) => part !== undefined).join(' ')
      counts.set(key, (counts.get(key) ?? 0) + 1)
    }
    return await stage.apply(this, args)
  }
  return {
    stop: () => {
      AuditLog.prototype.stage = stage
      return Object.fromEntries([...counts].sort((a, b) => b[1] - a[1]))
    }
  }
}

interface LiveStream { protocol?: string, direction: string, status?: string, timeline: { open: number } }
interface LiveConnection { direction: string, status: string, streams: LiveStream[], timeline: { open: number } }
/** the libp2p nodes `attributeDials` saw (only with an idle record asked for) */
const watched: Array<{ getConnections: () => LiveConnection[] }> = []

/** What is open at the window's end over every watched node: connections, and streams by protocol, direction and age. */
function openStreams (): Record<string, unknown> {
  const now = Date.now()
  const byProtocol = new Map<string, { count: number, older_than_60s: number, not_open: number }>()
  let connections = 0
  let streams = 0
  for (const node of watched) {
    for (const connection of node.getConnections()) {
      connections++
      for (const stream of connection.streams) {
        streams++
        const key = `${stream.protocol ?? '(negotiating)'} ${stream.direction}`
        const entry = byProtocol.get(key) ?? { count: 0, older_than_60s: 0, not_open: 0 }
        entry.count++
        if (now - stream.timeline.open > 60_000) entry.older_than_60s++
        if (stream.status !== undefined && stream.status !== 'open') entry.not_open++
        byProtocol.set(key, entry)
      }
    }
  }
  return { nodes: watched.length, connections, streams, by_protocol: Object.fromEntries([...byProtocol].sort((a, b) => b[1].count - a[1].count)) }
}

/** The first frame of the current stack that `skip` does not match, shortened to `function (package/file)`. */
function callerOutside (skip: RegExp): string {
  const limit = Error.stackTraceLimit
  Error.stackTraceLimit = 40
  const frames = (new Error().stack ?? '').split('\n').slice(3).map((line) => line.trim())
  Error.stackTraceLimit = limit
  const caller = frames.find((line) => !skip.test(line)) ?? '(unknown)'
  return caller.replace(/^at /, '').replace(/\(?(file:\/\/)?\/[^ ]*\/(node_modules\/|wt-[a-z0-9]+\/)/, '(').replace(/:\d+\)?$/, ')')
}

/** kad-dht's own query machinery: a frame here says nothing about who wanted the query. */
const DHT_PLUMBING = /kad-dht\/(dist\/)?src\/(query\/|peer-routing\/|content-routing|content-fetching|kad-dht\.[jt]s)|\/libp2p\/(dist\/)?src\/(connection-manager|libp2p\.[jt]s|peer-routing\.[jt]s)|\/sim\/idle-profile\.ts|<anonymous>|node:internal/

/** Every DHT query a node starts (its query manager's run) is counted as `dht query from <first frame outside kad-dht's query code>`. */
function attributeDhtQueries (libp2p: unknown): void {
  const manager = (libp2p as { services?: { dht?: { queryManager?: { run: (...args: any[]) => AsyncGenerator<unknown> } } } }).services?.dht?.queryManager
  if (manager === undefined) return
  const run = manager.run.bind(manager)
  manager.run = (...args: any[]) => {
    const key = `dht query from ${callerOutside(DHT_PLUMBING)}`
    streamsOpened.set(key, (streamsOpened.get(key) ?? 0) + 1)
    return run(...args)
  }
}

/** Frames that say nothing about who wanted a connection (the dial machinery itself). */
const PLUMBING = /node:internal|\/libp2p\/(dist\/)?src\/(connection-manager|libp2p\.[jt]s)|p-queue|it-queue|race-signal|\/sim\/idle-profile\.ts|<anonymous>/

/**
 * With SIM_IDLE_STREAMS or SIM_IDLE_CPUPROF set: every new outbound connection of `libp2p` (its connection
 * manager's openConnection to a peer it is not connected to) is counted in `streamsOpened` as `dial from <first
 * frame outside the dial machinery>`, so the idle record names which code makes the new connections.
 */
export function attributeDials (libp2p: unknown): void {
  if ((process.env[IDLE_STREAMS_ENV] ?? '') === '' && (process.env[IDLE_CPUPROF_ENV] ?? '') === '') return
  watched.push(libp2p as { getConnections: () => LiveConnection[] })
  attributeDhtQueries(libp2p)
  const manager = (libp2p as { components?: { connectionManager?: { openConnection: (...args: any[]) => Promise<unknown>, getConnections: (peer?: unknown) => unknown[] } } }).components?.connectionManager
  if (manager === undefined) return
  const open = manager.openConnection.bind(manager)
  manager.openConnection = async (...args: any[]) => {
    const target = args[0]
    const connected = typeof target === 'object' && target !== null && 'toMultihash' in target && manager.getConnections(target).length > 0
    if (!connected) {
      const where = callerOutside(PLUMBING)
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
