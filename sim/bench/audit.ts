/**
 * bench:audit — the audit log on LevelDB (the production store) on one core:
 *   - appends/s with batched commits (BATCH records per store batch, the way a
 *     service stages a burst of inbound messages), while growing the log to
 *     LEAVES (10^6 by default; `--leaves N`), median over 10 segments;
 *   - group commit: IN_FLIGHT concurrent callers submitting one record each;
 *   - baseline in the same run: one record per batch (unbatched), median of RUNS;
 *   - checkpoints: head root + hybrid signature (Ed25519 + ML-DSA-65), median;
 *   - at LEAVES: inclusion and consistency proof generation and verification
 *     times (medians over PROOFS seeded random indices / sizes) and sizes;
 *   - verify: recomputing the whole tree from the stored leaves, once.
 * Goal: ≥ 20,000 appends/s batched, inclusion proof ≤ 1 ms at 10^6 leaves.
 * Append rates are given per wall-clock second and per CPU second of this
 * process (user + system, LevelDB's background compaction threads included):
 * on a shared machine the wall figure measures the neighbours too, while the
 * CPU figure is what one dedicated core would do.
 * Prints figures only; never fails on them.
 */
import { createHash } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus'
import { uniformInt } from 'pure-rand/distribution/uniformInt'
import { Store } from '../../src/store/store.ts'
import { AuditLog } from '../../src/store/audit-log.ts'
import type { AuditRecord } from '../../src/core/audit/record.ts'
import { checkpointMessage, signCheckpoint, verifySignedCheckpoint } from '../../src/core/audit/checkpoint.ts'
import { verifyConsistencyProof, verifyInclusionProof } from '../../src/core/audit/proof.ts'
import { hybridSignerFromSeeds, hybridVerifier, resolveMlDsaBackend } from '../../src/crypto/hybrid.ts'

const argument = (name: string, fallback: number): number => {
  const at = process.argv.indexOf(name)
  return at === -1 ? fallback : Number(process.argv[at + 1])
}
const LEAVES = argument('--leaves', 1_000_000)
const BATCH = argument('--batch', 256)
const SEGMENTS = 10
const UNBATCHED_APPENDS = 2_000
const RUNS = 5
const GROUP_APPENDS = 20_000
const IN_FLIGHT = 256
const PROOFS = 1_000
const CHECKPOINTS = 20
const GOAL_APPENDS_PER_SECOND = 20_000
const GOAL_INCLUSION_MS = 1

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]
const fmt = (n: number, digits = 0): string => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })
const out = (line: string): void => { process.stdout.write(`${line}\n`) }

/** A realistic record: an inbound summary from one of 50 peers (~230 bytes encoded). */
const record = (i: number): AuditRecord => ({
  kind: 'boundary',
  timestamp_ms: 1_764_000_000_000 + i,
  direction: i % 3 === 0 ? 'out' : 'in',
  data_class: 'summary',
  peer: `12D3KooWPeer${String(i % 50).padStart(40, '0')}`,
  verdict: 'accepted',
  message_id: createHash('sha256').update(String(i)).digest('hex').slice(0, 32),
  bytes: 1000 + (i % 3000)
})

async function withStore<T> (fn: (store: Store, dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'fedmesh-bench-audit-'))
  const store = await Store.open({ dataDir: dir })
  try { return await fn(store, dir) } finally { await store.close(); await rm(dir, { recursive: true, force: true }) }
}

/** Unbatched baseline: one record, one store batch. */
async function unbatchedRate (): Promise<{ wall: number, cpu: number }> {
  return await withStore(async (store) => {
    const log = await AuditLog.open(store)
    const start = performance.now()
    const cpuStart = process.cpuUsage()
    for (let i = 0; i < UNBATCHED_APPENDS; i++) await log.append([record(i)], store)
    return { wall: UNBATCHED_APPENDS / ((performance.now() - start) / 1000), cpu: UNBATCHED_APPENDS / cpuSeconds(cpuStart) }
  })
}

/** Group commit: IN_FLIGHT callers each submitting one record at a time (an inbound pipeline's shape). */
async function groupCommitRate (): Promise<{ wall: number, cpu: number }> {
  return await withStore(async (store) => {
    const log = await AuditLog.open(store)
    const start = performance.now()
    const cpuStart = process.cpuUsage()
    let next = 0
    const caller = async (): Promise<void> => {
      while (next < GROUP_APPENDS) await log.submit([record(next++)], store)
    }
    await Promise.all(Array.from({ length: IN_FLIGHT }, caller))
    return { wall: GROUP_APPENDS / ((performance.now() - start) / 1000), cpu: GROUP_APPENDS / cpuSeconds(cpuStart) }
  })
}

/** CPU seconds (user + system) this process used since `start`. */
function cpuSeconds (start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start)
  return (used.user + used.system) / 1e6
}

out(`audit bench: LevelDB store, batches of ${BATCH}, ${fmt(LEAVES)} leaves, node ${process.version}, ML-DSA backend ${resolveMlDsaBackend('native')}`)

const baselines: Array<{ wall: number, cpu: number }> = []
for (let run = 0; run < RUNS; run++) baselines.push(await unbatchedRate())
const groups: Array<{ wall: number, cpu: number }> = []
for (let run = 0; run < RUNS; run++) groups.push(await groupCommitRate())

await withStore(async (store) => {
  const log = await AuditLog.open(store)
  const segmentRates: number[] = []
  const segmentCpuRates: number[] = []
  const segment = Math.ceil(LEAVES / SEGMENTS)
  const buildStart = performance.now()
  for (let at = 0; at < LEAVES;) {
    const segmentStart = performance.now()
    const cpuStart = process.cpuUsage()
    const end = Math.min(LEAVES, at + segment)
    const segmentFirst = at
    while (at < end) {
      const records: AuditRecord[] = []
      for (const stop = Math.min(end, at + BATCH); at < stop; at++) records.push(record(at))
      await log.append(records, store)
    }
    segmentRates.push((end - segmentFirst) / ((performance.now() - segmentStart) / 1000))
    segmentCpuRates.push((end - segmentFirst) / cpuSeconds(cpuStart))
  }
  const buildSeconds = (performance.now() - buildStart) / 1000
  const batched = median(segmentRates)
  const batchedCpu = median(segmentCpuRates)
  const baseline = median(baselines.map((b) => b.wall))
  const baselineCpu = median(baselines.map((b) => b.cpu))
  out(`appends batched (${BATCH}/batch):     median ${fmt(batched)}/s wall, ${fmt(batchedCpu)}/CPU-s over ${SEGMENTS} segments (wall min ${fmt(Math.min(...segmentRates))}, max ${fmt(Math.max(...segmentRates))}); ${fmt(LEAVES)} leaves in ${fmt(buildSeconds, 1)} s — goal ≥ ${fmt(GOAL_APPENDS_PER_SECOND)} on one core ${batchedCpu >= GOAL_APPENDS_PER_SECOND ? '✓' : '✗'}`)
  out(`group commit (${IN_FLIGHT} callers × 1 record): median ${fmt(median(groups.map((g) => g.wall)))}/s wall, ${fmt(median(groups.map((g) => g.cpu)))}/CPU-s of ${RUNS} runs × ${fmt(GROUP_APPENDS)}`)
  out(`appends unbatched (baseline):      median ${fmt(baseline)}/s wall, ${fmt(baselineCpu)}/CPU-s of ${RUNS} runs × ${fmt(UNBATCHED_APPENDS)} → batching ×${fmt(batched / baseline, 1)} wall, ×${fmt(batchedCpu / baselineCpu, 1)} CPU`)

  const signer = hybridSignerFromSeeds({ ed25519Seed: new Uint8Array(32).fill(1), mldsaSeed: new Uint8Array(32).fill(2), backend: 'native' })
  const verifier = hybridVerifier('native')
  const checkpointTimes: number[] = []
  let checkpointBytes = 0
  for (let i = 0; i < CHECKPOINTS; i++) {
    const start = performance.now()
    const head = log.head()
    const signed = signCheckpoint(signer, { origin: 'fedmesh/bench/node', size: head.size, root: head.root })
    await log.saveCheckpoint(signed)
    checkpointTimes.push(performance.now() - start)
    verifySignedCheckpoint(signed, signer.publicKey, verifier)
    checkpointBytes = checkpointMessage(signed).length + signed.signature.ed25519.length + signed.signature.mldsa.length
  }
  out(`checkpoint (head + hybrid sign + save): median ${fmt(median(checkpointTimes), 2)} ms; ${checkpointBytes} bytes signed text + signatures`)

  const rng = xoroshiro128plus(9162)
  const head = log.head()
  const inclusionTimes: number[] = []
  const inclusionVerifyTimes: number[] = []
  let inclusionHashes = 0
  for (let i = 0; i < PROOFS; i++) {
    const index = uniformInt(rng, 0, head.size - 1)
    const start = performance.now()
    const p = await log.inclusionProof(index)
    inclusionTimes.push(performance.now() - start)
    const verifyStart = performance.now()
    verifyInclusionProof({ index, size: head.size, leafHash: p.leafHash, proof: p.proof, root: head.root })
    inclusionVerifyTimes.push(performance.now() - verifyStart)
    inclusionHashes = Math.max(inclusionHashes, p.proof.length)
  }
  const inclusionMs = median(inclusionTimes)
  out(`inclusion proof at ${fmt(head.size)}:    median ${fmt(inclusionMs, 3)} ms (p99 ${fmt([...inclusionTimes].sort((a, b) => a - b)[Math.floor(PROOFS * 0.99)], 3)} ms), verify ${fmt(median(inclusionVerifyTimes), 3)} ms; ≤ ${inclusionHashes} hashes = ${inclusionHashes * 32} bytes — goal ≤ ${GOAL_INCLUSION_MS} ms ${inclusionMs <= GOAL_INCLUSION_MS ? '✓' : '✗'}`)

  const consistencyTimes: number[] = []
  const consistencyVerifyTimes: number[] = []
  let consistencyHashes = 0
  for (let i = 0; i < PROOFS; i++) {
    const oldSize = uniformInt(rng, 1, head.size)
    const start = performance.now()
    const p = await log.consistencyProof(oldSize)
    consistencyTimes.push(performance.now() - start)
    const verifyStart = performance.now()
    verifyConsistencyProof(p)
    consistencyVerifyTimes.push(performance.now() - verifyStart)
    consistencyHashes = Math.max(consistencyHashes, p.proof.length)
  }
  out(`consistency proof to ${fmt(head.size)}:  median ${fmt(median(consistencyTimes), 3)} ms, verify ${fmt(median(consistencyVerifyTimes), 3)} ms; ≤ ${consistencyHashes} hashes = ${consistencyHashes * 32} bytes`)

  const verifyStart = performance.now()
  const report = await log.verify()
  const verifySeconds = (performance.now() - verifyStart) / 1000
  out(`verify (recompute from leaves):    ${fmt(verifySeconds, 1)} s for ${fmt(head.size)} leaves (${fmt(head.size / verifySeconds)} leaves/s), ${report.ok ? 'ok' : `FAILED: ${report.detail}`}`)
})
