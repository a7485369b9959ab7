/**
 * Sim profiles and the deviations from production they make.
 *
 * `production` (default): the node's own code and settings, except the
 * deviations every in-process run needs (listed by `deviations`). `lean`
 * adds what lets many nodes share one machine: a process-wide signature
 * verification cache (each envelope's hybrid signature is checked once per
 * process instead of once per node; hits and misses are counted and
 * reported). Every deviation is named in the report (`profile.deviations`).
 *
 * Not in the lean profile (they would need production-code hooks, kept out
 * of this branch): plaintext connections instead of noise, an in-memory peer
 * store, gossipsub IDONTWANT off, V8 heap tuning per node.
 */
import { createHash } from 'node:crypto'
import type { HybridPublicKey, HybridSignature, SignatureVerifier } from '../src/core/signature.ts'
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

/** Every way a run of this scenario differs from production nodes, in words (the report's profile.deviations). */
export function deviations (scenario: Scenario, mode: { workers: number, clock: 'real' | 'virtual' }): string[] {
  const list = [
    `${mode.workers === 0 ? 'all nodes in one process on the in-memory transport (@libp2p/memory)' : `${mode.workers} worker processes, nodes on TCP loopback`}`,
    'in-memory store (memory-level) per node instead of LevelDB',
    'a byte counter instead of the Prometheus registry for libp2p metrics',
    'one in-memory membership object shared by all in-process nodes (no signed genesis in each store, no 1024-member bound)' + (scenario.federation.genesis ? '; a sim genesis is also loaded into each store for consensus' : ''),
    `aggregated metrics gossip every ${scenario.federation.metrics_interval_seconds} s`,
    'every data class allowed on gossip (bilateral classes included)',
    `connections: discovery target ${scenario.connections_target}, high water ${scenario.connections_max} (production 32 / 64)`
  ]
  if (scenario.gossip_heartbeat_ms !== 1000) list.push(`gossipsub heartbeat ${scenario.gossip_heartbeat_ms} ms (production: gossipsub's default 1000 ms)`)
  if (scenario.sync_interval_ms !== 10_000) list.push(`sync round every ${scenario.sync_interval_ms} ms (production 10000 ms)`)
  if (mode.workers > 0) list.push('TCP mode: 127.0.0.1 whitelisted for gossipsub\'s IP colocation penalty')
  if (mode.clock === 'virtual') list.push('virtual time: fake timers, Math.random / crypto.randomBytes / getRandomValues seeded (noise keys predictable), every link delayed by a fixed latency')
  if (scenario.profile === 'lean') list.push('lean: one signature verification cache per process (each distinct signature verified once, hits counted)')
  return list
}
