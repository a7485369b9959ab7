/**
 * Sim profiles and the deviations from production they make.
 *
 * `production` (default): the node's own code and settings, except the
 * deviations every in-process run needs (listed by `deviations`). `lean`
 * adds what lets many nodes share one machine: a process-wide signature
 * verification cache (each envelope's hybrid signature is checked once per
 * process instead of once per node; hits and misses are counted and
 * reported), and through the host's sim-only options (src/net/host.ts
 * `SimHostOptions`, absent in production): plaintext "network-only"
 * connections instead of noise, libp2p's peer store in memory, no gossipsub
 * IDONTWANT; and V8 heap flags for many small nodes in one process (the sim
 * re-runs itself with them: `reexecWithV8Flags`). Every deviation is named
 * in the report (`profile.deviations`); the V8 flags listed are those the
 * process actually runs with.
 */
import { createHash } from 'node:crypto'
import type { HybridPublicKey, HybridSignature, SignatureVerifier } from '../src/core/signature.ts'
import { spawn } from 'node:child_process'
import type { SimHostOptions } from '../src/net/host.ts'
import { CONNECTION_GRACE_MS } from '../src/services/connection-limits/index.ts'
import type { Scenario } from './scenario.ts'

export const SIM_PROFILES = ['production', 'lean'] as const
export type SimProfile = typeof SIM_PROFILES[number]
/** Results the verification cache keeps (oldest dropped first). */
export const VERIFICATION_CACHE_ENTRIES_MAX = 200_000

/** A verifier shared by every node of a process that remembers each (key, message, signature) outcome. */
export class CachingVerifier implements SignatureVerifier {
  hits = 0
  misses = 0
  private readonly inner: SignatureVerifier
  private readonly results = new Map<string, boolean>()

  constructor (inner: SignatureVerifier) {
    this.inner = inner
  }

  verify = (publicKey: HybridPublicKey, message: Uint8Array, signature: HybridSignature): boolean => {
    let key: string
    try {
      key = createHash('sha256').update(publicKey.ed25519).update(publicKey.mldsa).update(String(publicKey.mldsaLevel)).update(message).update(signature.ed25519).update(signature.mldsa).digest('base64')
    } catch {
      // a malformed key or signature object: no cache, the inner verifier says no without throwing
      return this.inner.verify(publicKey, message, signature)
    }
    const known = this.results.get(key)
    if (known !== undefined) {
      this.hits++
      return known
    }
    this.misses++
    const result = this.inner.verify(publicKey, message, signature)
    if (this.results.size >= VERIFICATION_CACHE_ENTRIES_MAX) this.results.delete(this.results.keys().next().value as string)
    this.results.set(key, result)
    return result
  }
}

/** The lean profile's settings, defaults filled in (undefined for the production profile). */
export interface LeanSettings {
  encryption: 'noise' | 'plaintext'
  inMemoryPeerStore: boolean
  idontwant: boolean
  /** false: Error.stackTraceLimit is 0 while the run plays (withoutStackTraces) */
  stackTraces: boolean
  v8Flags: string[]
}

/**
 * The lean defaults. The young generation (semi-spaces) is one per process, so with many nodes it is
 * little per-node cost (64 MB semi-spaces: at most ~0.5 MB a node at 400 nodes). A small one (4 MB, the
 * earlier default) promoted the short-lived state of streams in flight to the old generation, whose
 * collections then paused every node at once: at 50 nodes in real time 64 MB gave p99 108 / 94 ms against
 * 338 / 429 ms, with idle CPU and RSS within the runs' spread (docs/sim.md, "Idle at 50–200 nodes").
 */
export const LEAN_DEFAULTS: LeanSettings = { encryption: 'plaintext', inMemoryPeerStore: true, idontwant: false, stackTraces: false, v8Flags: ['--max-semi-space-size=64'] }

export function leanSettings (scenario: Scenario): LeanSettings | undefined {
  if (scenario.profile !== 'lean') return undefined
  const own = scenario.lean ?? {}
  return {
    encryption: own.encryption ?? LEAN_DEFAULTS.encryption,
    inMemoryPeerStore: own.peer_store === undefined ? LEAN_DEFAULTS.inMemoryPeerStore : own.peer_store === 'memory',
    idontwant: own.idontwant ?? LEAN_DEFAULTS.idontwant,
    stackTraces: own.stack_traces ?? LEAN_DEFAULTS.stackTraces,
    v8Flags: own.v8_flags ?? LEAN_DEFAULTS.v8Flags
  }
}

/**
 * Runs `work` with errors built without stack frames, restoring the limit after. Libraries build errors as
 * control flow (an AbortError per lock-queue batch, per aborted signal, stream close and refused dial), and V8
 * captures 10 frames for each at construction: 4.7 % of the main thread's idle time at 50 real-time nodes was in
 * those constructors (docs/sim.md, "Idle at 50–200 nodes"). Nothing a run reports reads a stack.
 */
export async function withoutStackTraces<T> (work: () => Promise<T>): Promise<T> {
  const limit = Error.stackTraceLimit
  Error.stackTraceLimit = 0
  try {
    return await work()
  } finally {
    Error.stackTraceLimit = limit
  }
}

/** The host's sim-only options for this scenario's nodes (undefined: production's). */
export function simHostOptions (scenario: Scenario): SimHostOptions | undefined {
  const lean = leanSettings(scenario)
  if (lean === undefined) return undefined
  return { encryption: lean.encryption, inMemoryPeerStore: lean.inMemoryPeerStore, idontwant: lean.idontwant }
}

/** V8 flags this process runs with, of those the scenario asks for. */
export function v8FlagsInEffect (wanted: string[], execArgv: string[] = process.execArgv): string[] {
  return wanted.filter((flag) => execArgv.includes(flag))
}

/** Env variable set on the re-run, so a process that still lacks a flag (refused by V8) never loops. */
const REEXEC_ENV = 'FEDMESH_SIM_V8_REEXEC'

/**
 * V8's heap flags only take effect at start: when this process lacks some of `flags`, runs this
 * same command again in a child with them (stdio inherited) and resolves to its exit code; resolves
 * to undefined when there is nothing to do (the flags are in effect, or this is already the re-run).
 */
export async function reexecWithV8Flags (flags: string[]): Promise<number | undefined> {
  const missing = flags.filter((flag) => !process.execArgv.includes(flag))
  if (missing.length === 0 || process.env[REEXEC_ENV] === '1') return undefined
  const child = spawn(process.execPath, [...process.execArgv, ...missing, ...process.argv.slice(1)], { stdio: 'inherit', env: { ...process.env, [REEXEC_ENV]: '1' } })
  return await new Promise((resolve, reject) => {
    child.on('error', reject)
    child.on('exit', (code, signal) => { resolve(code ?? (signal === null ? 1 : 128)) })
  })
}

/** Every way a run of this scenario differs from production nodes, in words (the report's profile.deviations). */
export function deviations (scenario: Scenario, mode: { workers: number, transport?: string, clock: 'real' | 'virtual' }): string[] {
  const thread = mode.workers > 0 && mode.transport === 'thread'
  const list = [
    mode.workers === 0
      ? 'all nodes in one process on the in-memory transport (@libp2p/memory)'
      : thread
        ? `${mode.workers} worker threads of one process, nodes on a cross-thread in-memory transport (sim/thread-transport.ts: in memory within a thread, batched MessagePort messages between threads)`
        : `${mode.workers} worker processes, nodes on TCP loopback`,
    'in-memory store (memory-level) per node instead of LevelDB',
    'a byte counter instead of the Prometheus registry for libp2p metrics',
    'one in-memory membership object shared by all in-process nodes (no signed genesis in each store, no 1024-member bound)' + (scenario.federation.genesis ? '; a sim genesis is also loaded into each store for consensus' : ''),
    `aggregated metrics gossip every ${scenario.federation.metrics_interval_seconds} s`,
    'every data class allowed on gossip (bilateral classes included)',
    `connections: discovery target ${scenario.connections_target}, high water ${scenario.connections_max} (production 32 / 64)`
  ]
  if (scenario.connection_grace_ms !== undefined) list.push(`connection trimmer grace ${scenario.connection_grace_ms} ms for new connections (production ${CONNECTION_GRACE_MS} ms); a first relation handshake only with a peer connected that long (production: on connect)`)
  if (scenario.audit_checkpoint_interval_seconds !== undefined) list.push(`audit checkpoint every ${scenario.audit_checkpoint_interval_seconds} s (production 60 s)`)
  if (scenario.audit_checkpoint_spacing_ms_per_member !== undefined) list.push(`audit checkpoints spaced ${scenario.audit_checkpoint_spacing_ms_per_member} ms per member (production 1000 ms)`)
  if (scenario.audit_checkpoints_retained !== undefined) list.push(`audit: ${scenario.audit_checkpoints_retained} checkpoints kept per origin in the in-memory store (production audit.checkpoints_retained 16, on disk)`)
  if (scenario.gossip_heartbeat_ms !== 1000) list.push(`gossipsub heartbeat ${scenario.gossip_heartbeat_ms} ms (production: gossipsub's default 1000 ms)`)
  if (scenario.sync_interval_ms !== 10_000) list.push(`sync round every ${scenario.sync_interval_ms} ms (production 10000 ms)`)
  if (mode.workers > 0 && !thread) list.push('TCP mode: 127.0.0.1 whitelisted for gossipsub\'s IP colocation penalty')
  if (mode.clock === 'virtual') list.push('virtual time: fake timers, Math.random / crypto.randomBytes / getRandomValues seeded (noise keys predictable), every link delayed by a fixed latency, errors built without stack traces')
  const lean = leanSettings(scenario)
  if (lean !== undefined) {
    list.push(mode.workers === 0 ? 'lean: one signature verification cache per process (each distinct signature verified once, hits counted)' : `lean: one signature verification cache per worker ${thread ? 'thread' : 'process'} (each distinct signature verified once per worker, hits summed over the workers)`)
    if (lean.encryption === 'plaintext') list.push('lean: plaintext "network-only" connections (@libp2p/plaintext: no noise, bytes neither encrypted nor authenticated); noise\'s cost is measured beside it with --baseline (cpu.baseline_noise)')
    if (lean.inMemoryPeerStore) list.push('lean: libp2p\'s peer store in a MemoryDatastore of its own, not in the node\'s store')
    if (!lean.idontwant) list.push('lean: gossipsub sends no IDONTWANT')
    if (!lean.stackTraces && mode.clock === 'real') list.push('lean: errors built without stack traces while the run plays (the raw-libp2p baseline measured in the same process too)')
    const flags = v8FlagsInEffect(lean.v8Flags)
    if (flags.length > 0) list.push(`lean: V8 heap flags in effect for the sim process${thread ? ' and its threads' : mode.workers > 0 ? ' and its workers' : ''}: ${flags.join(' ')}`)
    const missing = lean.v8Flags.filter((flag) => !flags.includes(flag))
    if (missing.length > 0) list.push(`lean: V8 heap flags asked for but not in effect (the process was not started with them): ${missing.join(' ')}`)
  }
  return list
}
