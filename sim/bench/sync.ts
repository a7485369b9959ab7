/**
 * bench:sync — a node that missed MESSAGES envelopes from ORIGINS origins
 * catches up from one member over TCP loopback with /fedmesh/sync/1.0.0,
 * every envelope authenticated (hash links: the newest signature of each
 * fetched batch, `prev_hash` back through it; per-envelope signatures where a
 * link breaks) and committed through the envelope channel like gossip.
 *
 * Setup (not timed): the origins' logs are signed here and written straight
 * into the serving node's store (the origins run no node). The catching-up
 * node dials the server through a counting TCP proxy, so "bytes transferred"
 * is every byte on the wire both ways (noise, yamux, identify, gossipsub,
 * DHT and ping included), compared with the sum of the envelopes' sizes.
 * The serving node runs in a child process, the proxy in a thread of its own:
 * each side's CPU is its process's process.cpuUsage() (the proxy's thread
 * taken out), split by thread name from /proc (JS, GC helpers, LevelDB/libuv).
 *
 * Printed: wall time to the last envelope committed, CPU per side, the sync service's own
 * split (fetch wait / hash-link check / signature verify / commit), the
 * bytes ratio, and a per-envelope verification baseline measured in the same
 * run on the same envelopes (envelopes/s on this core, and what 100% per
 * envelope verification would cost). Goals (issue 16): ≤ 10 s, ≤ 1.1×
 * bytes. Reports; never fails on the figures.
 *
 *   npm run bench:sync [-- --messages 100000 --origins 20]
 */
import { createServer, connect, type Server } from 'node:net'
import { readdirSync, readFileSync } from 'node:fs'
import { cp, mkdtemp, rm, stat, writeFile } from 'node:fs/promises'
import { cpus, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads'
import { fork } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { generateKeyPairFromSeed } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import type { PrivateKey } from '@libp2p/interface'
import { FedmeshNode } from '../../src/node/node.ts'
import { parseConfig } from '../../src/config/load.ts'
import { hybridSignerFromSeeds, hybridVerifier } from '../../src/crypto/hybrid.ts'
import type { HybridSigner } from '../../src/core/signature.ts'
import { createMembership } from '../../src/core/consensus/membership.ts'
import { DATA_CLASSES, decodeEnvelope, signEnvelope, type DataClass } from '../../src/wire/envelope.ts'
import { gossipTopic } from '../../src/net/gossip.ts'
import { Store } from '../../src/store/store.ts'
import { AUDIT_ENTRIES_LIMIT_MAX, AuditLog } from '../../src/store/audit-log.ts'
import { SYNC_SEGMENTS_DIR, SyncLogRepository } from '../../src/store/sync-logs.ts'
import { linkOf } from '../../src/services/envelopes/origin-logs.ts'
import { LOAD_CONTENT_TYPE, LOAD_SCHEMA_ID, decodeLoadPayload, encodeLoadPayload } from '../load.ts'

const { values: options } = parseArgs({
  options: {
    messages: { type: 'string', default: '100000' },
    origins: { type: 'string', default: '20' },
    payload: { type: 'string', default: '256' },
    baseline: { type: 'string', default: '2000' },
    repeat: { type: 'string', default: '3' },
    mode: { type: 'string', default: 'both' }
  }
})
const REPEAT = Number(options.repeat)
/** group: the class commits in groups (one store batch + one audit append per fetched batch); single: one per envelope; both: alternating, same run */
const MODES: Array<'group' | 'single'> = options.mode === 'both' ? ['single', 'group'] : [options.mode as 'group' | 'single']
const MESSAGES = Number(options.messages)
const ORIGINS = Number(options.origins)
const PAYLOAD_BYTES = Number(options.payload)
const BASELINE_MESSAGES = Math.min(MESSAGES, Number(options.baseline))
const FEDERATION = 'bench-sync'
const CLASS: DataClass = 'incident_summary'
const PER_ORIGIN = Math.ceil(MESSAGES / ORIGINS)
/** set in the serving node's child process: the store directory it serves */
const SERVE_ENV = 'FEDMESH_BENCH_SYNC_SERVE_DIR'

interface Member { key: PrivateKey, id: string, signer: HybridSigner }

function member (index: number, key: PrivateKey): Member {
  const seed = (n: number): Uint8Array => new Uint8Array(32).fill(n)
  return { key, id: peerIdFromPrivateKey(key).toString(), signer: hybridSignerFromSeeds({ ed25519Seed: key.raw.subarray(0, 32), mldsaSeed: seed(index + 100) }) }
}

async function members (count: number, first: number): Promise<Member[]> {
  return await Promise.all(Array.from({ length: count }, async (_, i) => member(first + i, await generateKeyPairFromSeed('Ed25519', new Uint8Array(32).fill(first + i + 1)))))
}

/**
 * CPU seconds of every thread of this process by thread name (Linux /proc; empty elsewhere): LevelDB's write and
 * compaction threads, libuv's pool, V8's GC helpers, the nodes' JS threads. Keyed by `<tid> <name>`.
 */
function threadCpu (): Map<string, number> {
  const out = new Map<string, number>()
  let tids: string[]
  try { tids = readdirSync('/proc/self/task') } catch { return out }
  for (const tid of tids) {
    try {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8')
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'))
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      out.set(`${tid} ${name}`, (Number(fields[11]) + Number(fields[12])) / 100) // utime + stime, clock ticks (USER_HZ 100)
    } catch { /* the thread ended meanwhile */ }
  }
  return out
}

/** CPU seconds per thread name spent between two threadCpu snapshots (threads that ended meanwhile are lost: snapshot before stopping). */
function threadCpuSpent (before: Map<string, number>, after: Map<string, number>): Map<string, number> {
  const out = new Map<string, number>()
  for (const [key, seconds] of after) {
    const name = key.slice(key.indexOf(' ') + 1)
    out.set(name, (out.get(name) ?? 0) + seconds - (before.get(key) ?? 0))
  }
  return out
}

/**
 * A TCP proxy that counts bytes both ways. Both of its sockets turn Nagle's
 * algorithm off, as libp2p's TCP transport does on its own (`noDelay`): with it
 * on, a small write (a fetch request, a yamux window update) waited for the
 * ACK of the previous one, up to the peer's 40 ms delayed-ACK timer, and the
 * proxy, not the protocol, set the pace of the catch-up.
 */
async function countingProxy (target: { host: string, port: number }): Promise<{ server: Server, port: number, bytes: () => number }> {
  let bytes = 0
  const server = createServer({ noDelay: true }, (client) => {
    const upstream = connect({ port: target.port, host: target.host, noDelay: true })
    client.on('data', (chunk) => { bytes += chunk.length })
    upstream.on('data', (chunk) => { bytes += chunk.length })
    client.pipe(upstream)
    upstream.pipe(client)
    client.on('error', () => upstream.destroy())
    upstream.on('error', () => client.destroy())
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('proxy has no port')
  return { server, port: address.port, bytes: () => bytes }
}

function config (siteId: string, bootstrap: string[]): ReturnType<typeof parseConfig> {
  return parseConfig({
    site_id: siteId, jurisdiction: 'UK', listen: ['/ip4/127.0.0.1/tcp/0'], log: { level: 'silent' },
    federation: { enabled: true, federation_id: FEDERATION, bootstrap, metrics_interval_seconds: 3600, default_allowed_data: [...DATA_CLASSES] },
    sync: { retention: { default: PER_ORIGIN * 2 } }
  })
}

async function main (): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'fedmesh-bench-sync-'))
  try {
    const origins = await members(ORIGINS, 0)
    const [server, catcher] = await members(2, ORIGINS)
    const everyone = [...origins, server, catcher]
    const membership = createMembership(FEDERATION, everyone.map((m) => ({ node_id: m.id, public_key: m.signer.publicKey, joined_at: 0 })), 0)

    // setup: sign every origin's log into a store kept between runs (keys come from fixed seeds, so it is the same every run)
    // the store format is in the name: a cache written by an older layout is never served from
    const prepared = join(tmpdir(), `fedmesh-bench-sync-${PER_ORIGIN}x${ORIGINS}-${PAYLOAD_BYTES}-${SYNC_SEGMENTS_DIR}`)
    const setupStarted = performance.now()
    if (!await stat(join(prepared, 'READY')).then(() => true, () => false)) {
      process.stdout.write(`bench:sync — signing ${PER_ORIGIN * ORIGINS} envelopes of ${ORIGINS} origins into ${prepared} (setup, once, not timed)…\n`)
      await rm(prepared, { recursive: true, force: true })
      const store = await Store.open({ dataDir: prepared })
      const repository = new SyncLogRepository(store)
      const baseTime = Date.now() - 3_600_000
      for (const [o, origin] of origins.entries()) {
        let prevHash = new Uint8Array(0)
        let operations: Parameters<Store['batch']>[0] = []
        for (let seq = 1; seq <= PER_ORIGIN; seq++) {
          const id = new Uint8Array(16)
          new DataView(id.buffer).setUint32(8, o)
          new DataView(id.buffer).setUint32(12, seq)
          const bytes = signEnvelope({
            id, timestampMs: baseTime + seq, source: origin.id, destination: gossipTopic(FEDERATION, CLASS), federationId: FEDERATION, dataClass: CLASS,
            schemaId: LOAD_SCHEMA_ID, contentType: LOAD_CONTENT_TYPE, payload: encodeLoadPayload(o * PER_ORIGIN + seq, baseTime + seq, PAYLOAD_BYTES), originSeq: seq, prevHash
          }, origin.signer)
          const link = linkOf(decodeEnvelope(bytes))
          prevHash = Buffer.from(link.hash, 'hex')
          operations.push(...repository.appendOperations(CLASS, origin.id, seq, bytes, link))
          if (operations.length >= 2000) { await store.batch(operations); operations = [] }
        }
        await store.batch(operations)
      }
      await store.close()
      await writeFile(join(prepared, 'READY'), 'ok\n')
    }
    const serverDir = join(dir, 'server')
    await cp(prepared, serverDir, { recursive: true })
    const sample: Uint8Array[] = []
    let messageBytes = 0
    {
      const store = await Store.open({ dataDir: serverDir })
      const repository = new SyncLogRepository(store)
      for (const origin of origins) {
        for (let from = 1; from <= PER_ORIGIN;) {
          const read = await repository.read({ dataClass: CLASS, origin: origin.id, from, to: PER_ORIGIN, countMax: 1000, bytesMax: 8 * 1024 * 1024 })
          for (const { seq, bytes } of read.envelopes) {
            messageBytes += bytes.length
            if (sample.length < BASELINE_MESSAGES && seq <= Math.ceil(BASELINE_MESSAGES / ORIGINS)) sample.push(bytes)
          }
          from = read.next
        }
      }
      await store.close()
    }
    const total = PER_ORIGIN * ORIGINS
    process.stdout.write(`setup: ${((performance.now() - setupStarted) / 1000).toFixed(1)} s; ${total} envelopes, ${(messageBytes / 1e6).toFixed(1)} MB (${Math.round(messageBytes / total)} B each)\n`)

    // baseline in the same run: per-envelope hybrid verification of the same envelopes
    const verifier = hybridVerifier()
    const decodedSample = sample.map((bytes) => decodeEnvelope(bytes))
    const keyOf = new Map(origins.map((o) => [o.id, o.signer.publicKey]))
    for (const d of decodedSample.slice(0, 100)) verifier.verify(keyOf.get(d.envelope.source)!, d.signedBytes, d.signature)
    const verifyStarted = performance.now()
    for (const d of decodedSample) if (!verifier.verify(keyOf.get(d.envelope.source)!, d.signedBytes, d.signature)) throw new Error('baseline: a signature does not verify')
    const baselineRate = decodedSample.length / ((performance.now() - verifyStarted) / 1000)

    interface Run {
      mode: 'group' | 'single'
      seconds: number
      /** the catching-up node: its JS thread, and its whole process (store, GC and pool threads) without the proxy's thread */
      cpuSeconds: number
      catcherProcessCpuSeconds: number
      /** the serving node: its JS thread, and its whole process */
      serverCpuSeconds: number
      serverProcessCpuSeconds: number
      proxyCpuSeconds: number
      catcherThreads: Map<string, number>
      serverThreads: Map<string, number>
      status: ReturnType<FedmeshNode['sync']['status']>
      wire: number
      audited: number
      /** accepted envelopes the audit log names */
      auditNamed: number
    }
    const catchUp = async (mode: 'group' | 'single', run: number): Promise<Run> => {
      // the serving member runs in a process of its own (as on its own machine), so each side's CPU (its JS thread,
      // its LevelDB, GC and pool threads) is measured apart: process.cpuUsage() of each process
      const child = fork(fileURLToPath(import.meta.url), process.argv.slice(2), { execArgv: process.execArgv, env: { ...process.env, [SERVE_ENV]: serverDir } })
      const port = await new Promise<number>((resolve, reject) => {
        child.once('message', (message: { port: number }) => { resolve(message.port) })
        child.once('error', reject)
        child.once('exit', (code) => { reject(new Error(`the serving node's process exited (${String(code)}) before it listened`)) })
      })
      const serverReport = async (request: 'cpu' | 'stop'): Promise<{ threadCpuSeconds: number, processCpuSeconds: number, threads: Array<[string, number]> }> => await new Promise((resolve) => {
        child.once('message', resolve)
        child.send(request)
      })
      // the byte-counting proxy runs in a thread of its own, so its copying is not charged to either node (its CPU is
      // taken out of this process's)
      const proxyWorker = new Worker(new URL(import.meta.url), { workerData: { role: 'proxy', target: port }, argv: process.argv.slice(2) })
      const proxyPort = await new Promise<number>((resolve, reject) => {
        proxyWorker.once('message', (message: { port: number }) => { resolve(message.port) })
        proxyWorker.once('error', reject)
      })
      const proxy = {
        port: proxyPort,
        bytes: async (): Promise<{ bytes: number, cpuSeconds: number }> => await new Promise((resolve) => {
          proxyWorker.once('message', resolve)
          proxyWorker.postMessage('bytes')
        })
      }
      const proxyAtStart = await proxy.bytes()

      const catcherNode = await FedmeshNode.create({
        config: config('catcher', [`/ip4/127.0.0.1/tcp/${proxy.port}/p2p/${server.id}`]), privateKey: catcher.key, signer: catcher.signer, transport: 'tcp', libp2pMetrics: false,
        syncIntervalMs: 1_000, preloadedMembership: membership, dataDir: join(dir, `catcher-${mode}-${run}`)
      })
      let committed = 0
      let finished = 0
      let resolveDone: () => void = () => {}
      const done = new Promise<void>((resolve) => { resolveDone = resolve })
      const cpuStarted = process.threadCpuUsage()
      const processCpuStarted = process.cpuUsage()
      const threadsStarted = threadCpu()
      const started = performance.now()
      await catcherNode.start()
      catcherNode.envelopes.register({
        dataClass: CLASS,
        decodePayload: decodeLoadPayload,
        // the load class keeps no state but a counter: its step never reads back what an earlier envelope wrote
        groupCommit: mode === 'group',
        commit: async (_payload, _envelope, persist) => {
          await persist([])
          if (++committed === total) { finished = performance.now(); resolveDone() }
          return undefined
        }
      })
      const timeout = setTimeout(() => { process.stdout.write(`timed out after 900 s with ${committed} of ${total} committed\n`); process.exit(1) }, 900_000)
      await done
      clearTimeout(timeout)
      const cpu = process.threadCpuUsage(cpuStarted)
      const processCpu = process.cpuUsage(processCpuStarted)
      const threads = threadCpuSpent(threadsStarted, threadCpu())
      const serverCpu = await serverReport('cpu')
      const seconds = (finished - started) / 1000
      // the last group's log entries are taken once its batch is durable (after its commits ran): wait for them, bounded
      const settling = performance.now()
      while (!catcherNode.sync.status().complete && performance.now() - settling < 30_000) await new Promise((resolve) => setTimeout(resolve, 100))
      await new Promise((resolve) => setTimeout(resolve, 200)) // the last batch's counters
      const status = catcherNode.sync.status()
      const proxyAtEnd = await proxy.bytes()
      const proxyCpuSeconds = proxyAtEnd.cpuSeconds - proxyAtStart.cpuSeconds
      // the proxy's thread is the one WorkerThread of this process
      threads.set('WorkerThread', (threads.get('WorkerThread') ?? 0) - proxyCpuSeconds)
      await catcherNode.stop()
      await serverReport('stop')
      await new Promise((resolve) => { child.once('exit', resolve) })
      await proxyWorker.terminate()
      // the catcher's audit log: every accepted envelope is named, by its own `boundary` record (per-envelope commit)
      // or in a `boundary_batch` record (group commit: up to 90 ids a leaf)
      const store = await Store.open({ dataDir: join(dir, `catcher-${mode}-${run}`) })
      const auditLog = await AuditLog.open(store)
      const audited = auditLog.head().size
      let auditNamed = 0
      for (let since = 0; since < audited; since += AUDIT_ENTRIES_LIMIT_MAX) {
        for (const { record } of await auditLog.entries({ since, limit: AUDIT_ENTRIES_LIMIT_MAX })) {
          // only the bench's class (the serving node's own gossip, e.g. an audit checkpoint, has records too)
          if ((record as { data_class?: string }).data_class !== CLASS) continue
          if (record.kind === 'boundary_batch') auditNamed += (record as { message_ids: string[] }).message_ids.length
          else if (record.kind === 'boundary' && (record as { direction: string }).direction === 'in' && (record as { verdict: string }).verdict === 'accepted') auditNamed++
        }
      }
      await store.close()
      return {
        mode,
        seconds,
        cpuSeconds: (cpu.user + cpu.system) / 1e6,
        catcherProcessCpuSeconds: (processCpu.user + processCpu.system) / 1e6 - proxyCpuSeconds,
        serverCpuSeconds: serverCpu.threadCpuSeconds,
        serverProcessCpuSeconds: serverCpu.processCpuSeconds,
        proxyCpuSeconds,
        catcherThreads: threads,
        serverThreads: new Map(serverCpu.threads),
        status,
        wire: proxyAtEnd.bytes,
        audited,
        auditNamed
      }
    }

    const runs: Run[] = []
    for (let run = 0; run < REPEAT; run++) {
      for (const mode of MODES) {
        const result = await catchUp(mode, run)
        runs.push(result)
        process.stdout.write(`run ${run + 1}/${REPEAT} ${mode.padEnd(6)}: ${result.seconds.toFixed(2)} s wall; CPU: catching-up node ${result.catcherProcessCpuSeconds.toFixed(2)} s (JS thread ${result.cpuSeconds.toFixed(2)} s), serving node ${result.serverProcessCpuSeconds.toFixed(2)} s (JS thread ${result.serverCpuSeconds.toFixed(2)} s), both ${(result.catcherProcessCpuSeconds + result.serverProcessCpuSeconds).toFixed(2)} s; complete ${String(result.status.complete)}, audit leaves ${result.audited} naming ${result.auditNamed} accepted envelopes\n`)
      }
    }
    const median = (values: number[]): number => { const sorted = [...values].sort((a, b) => a - b); const mid = Math.floor(sorted.length / 2); return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2 }
    const lines: string[] = ['']
    const medians = new Map<string, { wall: number, cpu: number, both: number }>()
    for (const mode of MODES) {
      const mine = runs.filter((r) => r.mode === mode)
      const wall = median(mine.map((r) => r.seconds))
      const cpu = median(mine.map((r) => r.cpuSeconds))
      const serverCpu = median(mine.map((r) => r.serverCpuSeconds))
      const catcherProcessCpu = median(mine.map((r) => r.catcherProcessCpuSeconds))
      const serverProcessCpu = median(mine.map((r) => r.serverProcessCpuSeconds))
      const bothCpu = median(mine.map((r) => r.catcherProcessCpuSeconds + r.serverProcessCpuSeconds))
      medians.set(mode, { wall, cpu, both: bothCpu })
      const last = mine[mine.length - 1]
      const t = last.status.timings
      const line = (label: string, ms: number): string => `  ${label.padEnd(34)} ${(ms / 1000).toFixed(2).padStart(7)} s  ${((ms / (last.seconds * 1000)) * 100).toFixed(0).padStart(3)}%`
      const byThread = (threads: Map<string, number>): string => [...threads].filter(([, s]) => s >= 0.05).sort((a, b) => b[1] - a[1]).map(([name, s]) => `${name} ${s.toFixed(2)} s`).join(', ')
      lines.push(
        `[${mode === 'group' ? 'group commit: one store batch + one audit append per fetched batch' : 'per-envelope commit: one store batch + one audit append per envelope'}]`,
        `catch-up of ${total} envelopes from ${ORIGINS} origins over TCP loopback, medians of ${mine.length} runs: ${wall.toFixed(2)} s wall ${mode === 'group' ? `(goal ≤ 10 s: ${wall <= 10 ? 'met' : 'NOT met'})` : '(for comparison: a class that commits one envelope at a time; the goal is for group commit, which a bulk class like this one uses)'} → ${Math.round(total / wall)} envelopes/s;`,
        `  CPU (process.cpuUsage of each side's process; medians): catching-up node ${catcherProcessCpu.toFixed(2)} s (its JS thread ${cpu.toFixed(2)} s), serving node ${serverProcessCpu.toFixed(2)} s (its JS thread ${serverCpu.toFixed(2)} s); both ${bothCpu.toFixed(2)} s → ${(bothCpu / cpus().length).toFixed(2)} s wall at best on ${cpus().length} cores`,
        `  CPU by thread name in the last run (Linux /proc): catching-up node: ${byThread(last.catcherThreads)}; serving node: ${byThread(last.serverThreads)}`,
        `  (MainThread: the node's JS; V8Worker: garbage collection and compilation helpers; libuv-worker: LevelDB reads, writes and compactions); the byte-counting proxy's thread, left out: ${median(mine.map((r) => r.proxyCpuSeconds)).toFixed(2)} s`,
        `  last run: complete ${String(last.status.complete)}, rounds ok ${last.status.rounds.ok} failed ${last.status.rounds.failed}, rejected ${last.status.rejected}, audit leaves ${last.audited} naming ${last.auditNamed} accepted envelopes (each exactly once: ${String(last.auditNamed === total)})`,
        '  where the time goes in the last run (sync service, Clock component ms):',
        line('fetch (waiting for responses)', t.fetch_ms),
        line('hash-link check (decode + SHA-256)', t.link_ms),
        line(`signature verify (${t.signatures} anchors)`, t.verify_ms),
        line('commit (channel receive + store)', t.commit_ms),
        `  entries proved by a hash link: ${t.links}, by their own signature: ${t.signatures}, broken links: ${t.breaks}`,
        `  bytes on the wire (both ways): ${(last.wire / 1e6).toFixed(1)} MB vs envelopes ${(messageBytes / 1e6).toFixed(1)} MB → ${(last.wire / messageBytes).toFixed(3)}× (goal ≤ 1.1×)`
      )
    }
    const single = medians.get('single')
    const group = medians.get('group')
    if (single !== undefined && group !== undefined) lines.push(`group vs per-envelope commit (medians, same run): ${(single.wall / group.wall).toFixed(1)}× faster wall, ${(single.cpu / group.cpu).toFixed(1)}× less CPU in the catching-up node's JS thread, ${(single.both / group.both).toFixed(1)}× less CPU in both nodes' processes`)
    lines.push(`baseline (same run): per-envelope hybrid verification ${Math.round(baselineRate)} envelopes/s on one core → ${(total / baselineRate).toFixed(1)} s for the signatures alone of ${total}`, `load average at the end: ${loadavg().map((l) => l.toFixed(1)).join(' ')} on ${cpus().length} cores (wall time depends on it; CPU time much less)`, '')
    process.stdout.write(lines.join('\n'))
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

/** The serving member, in a child process: starts on the prepared store, reports its port; on 'cpu' and on 'stop' (then stops and exits) reports its CPU since it listened. */
async function serve (serverDir: string): Promise<void> {
  const origins = await members(ORIGINS, 0)
  const [server, catcher] = await members(2, ORIGINS)
  const everyone = [...origins, server, catcher]
  const membership = createMembership(FEDERATION, everyone.map((m) => ({ node_id: m.id, public_key: m.signer.publicKey, joined_at: 0 })), 0)
  const serverNode = await FedmeshNode.create({
    config: config('server', []), privateKey: server.key, signer: server.signer, transport: 'tcp', libp2pMetrics: false,
    syncIntervalMs: 3_600_000, preloadedMembership: membership, dataDir: serverDir
  })
  await serverNode.start()
  const tcp = serverNode.multiaddrs().find((a) => a.includes('/tcp/'))
  const threadStarted = process.threadCpuUsage()
  const processStarted = process.cpuUsage()
  const threadsStarted = threadCpu()
  const report = (): { threadCpuSeconds: number, processCpuSeconds: number, threads: Array<[string, number]> } => {
    const thread = process.threadCpuUsage(threadStarted)
    const whole = process.cpuUsage(processStarted)
    return { threadCpuSeconds: (thread.user + thread.system) / 1e6, processCpuSeconds: (whole.user + whole.system) / 1e6, threads: [...threadCpuSpent(threadsStarted, threadCpu())] }
  }
  process.on('message', (message) => {
    const answer = report()
    if (message !== 'stop') { process.send?.(answer); return }
    void serverNode.stop().then(() => { process.send?.(answer, () => { process.exit(0) }) })
  })
  process.send?.({ port: Number(tcp?.split('/tcp/')[1]?.split('/')[0]) })
}

// a bench reports what went wrong and where instead of dying without a stack (both threads)
process.on('unhandledRejection', (err) => { process.stderr.write(`bench:sync (${process.env[SERVE_ENV] !== undefined ? 'serving node' : isMainThread ? 'catching-up node' : 'proxy'}): unhandled rejection: ${(err as Error)?.stack ?? String(err)}\n`) })

/** The counting proxy, in a worker thread: reports its port; on any message, the bytes counted and its thread's CPU. */
async function proxyThread (target: number): Promise<void> {
  const started = process.threadCpuUsage()
  const proxy = await countingProxy({ host: '127.0.0.1', port: target })
  parentPort?.on('message', () => {
    const cpu = process.threadCpuUsage(started)
    parentPort?.postMessage({ bytes: proxy.bytes(), cpuSeconds: (cpu.user + cpu.system) / 1e6 })
  })
  parentPort?.postMessage({ port: proxy.port })
}

const serveDir = process.env[SERVE_ENV]
if (!isMainThread) await proxyThread((workerData as { target: number }).target)
else if (serveDir !== undefined) await serve(serveDir)
else await main()
