/**
 * bench:verify — verified envelopes per second on one core through the whole
 * validation pipeline, native ML-DSA (node:crypto) vs noble, next to the bare
 * primitives (one Ed25519 verify + one ML-DSA verify with pre-imported keys)
 * measured in the same run as the baseline. Also sign/s and envelope bytes per
 * data class. Medians of RUNS runs. Goals: pipeline ≥ 85% of the bare
 * primitives, native pipeline ≥ 6× noble. Prints figures; never fails on them.
 */
import { createPublicKey, verify as nodeVerify } from 'node:crypto'
import { ml_dsa65 } from '@noble/post-quantum/ml-dsa.js'
import { publicKeyFromRaw } from '@libp2p/crypto/keys'
import { peerIdFromPublicKey } from '@libp2p/peer-id'
import { hybridSignerFromSeeds, hybridVerifier, type MlDsaBackendName } from '../../src/crypto/hybrid.ts'
import { decodeEnvelope, signEnvelope, DATA_CLASSES, type EnvelopeFields } from '../../src/wire/envelope.ts'
import { validateEnvelope, ReplayCache, type PipelineContext } from '../../src/wire/pipeline.ts'
import type { HybridSigner, MlDsaLevel } from '../../src/core/signature.ts'

const RUNS = 7
const NATIVE_MESSAGES = 1500
const NOBLE_MESSAGES = 150
const PAYLOAD_BYTES = 256
const NOW_MS = 1_800_000_000_000
const FEDERATION_ID = 'grid'

function median (values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]!
}

function node (index: number, level: MlDsaLevel = 65, backend?: MlDsaBackendName): { signer: HybridSigner, peerId: string } {
  const signer = hybridSignerFromSeeds({ ed25519Seed: new Uint8Array(32).fill(index + 1), mldsaSeed: new Uint8Array(32).fill(index + 51), level, ...(backend === undefined ? {} : { backend }) })
  return { signer, peerId: peerIdFromPublicKey(publicKeyFromRaw(signer.publicKey.ed25519)).toString() }
}

function fields (peerId: string, dataClass: EnvelopeFields['dataClass'], index: number): EnvelopeFields {
  const id = new Uint8Array(16)
  new DataView(id.buffer).setUint32(12, index)
  return {
    id,
    timestampMs: NOW_MS + index,
    source: peerId,
    destination: `/fedmesh/${FEDERATION_ID}/${dataClass}/1`,
    federationId: FEDERATION_ID,
    dataClass,
    schemaId: `fedmesh.${dataClass}/1`,
    payload: new Uint8Array(PAYLOAD_BYTES).fill(index & 0xff)
  }
}

/** Operations per second of one pass of `work` over `count` items. */
function passRate (count: number, work: (index: number) => void): number {
  const started = performance.now()
  for (let index = 0; index < count; index++) work(index)
  return count / ((performance.now() - started) / 1000)
}

/** Runs `work` over `count` items RUNS times (after one warm-up pass); median operations per second. */
function rate (count: number, work: (index: number) => void): number {
  passRate(count, work)
  return median(Array.from({ length: RUNS }, () => passRate(count, work)))
}

interface Workload { count: number, work: (index: number) => void }

/**
 * Interleaves the workloads run by run (the machine is shared: load changes
 * between runs, not within one), returning each one's median rate and the
 * median of the per-run ratios against the first.
 */
function compare (workloads: Workload[]): Array<{ perSecond: number, ratio: number }> {
  for (const { count, work } of workloads) passRate(count, work)
  const runs = Array.from({ length: RUNS }, () => workloads.map(({ count, work }) => passRate(count, work)))
  return workloads.map((_, index) => ({
    perSecond: median(runs.map((run) => run[index]!)),
    ratio: median(runs.map((run) => run[index]! / run[0]!))
  }))
}

const members = [node(0), node(1), node(2)]
const sender = members[0]!
const keys = new Map(members.map((member) => [member.peerId, member.signer.publicKey]))

console.log(`bench:verify — Node ${process.versions.node}, OpenSSL ${process.versions.openssl}, ML-DSA-65, ${PAYLOAD_BYTES}-byte payloads, median of ${RUNS} runs\n`)

// envelopes are distinct (ids, timestamps), so each pass is a fresh replay cache and no envelope is a duplicate
const envelopes = Array.from({ length: NATIVE_MESSAGES }, (_, index) => signEnvelope(fields(sender.peerId, 'aggregated_metrics', index), sender.signer))
const decoded = envelopes.map((bytes) => decodeEnvelope(bytes))

// bare primitives: keys imported once, nothing but the two verifications
const edKey = createPublicKey({ key: Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), sender.signer.publicKey.ed25519]), format: 'der', type: 'spki' })
const mlKey = createPublicKey({ key: { kty: 'AKP', alg: 'ML-DSA-65', pub: Buffer.from(sender.signer.publicKey.mldsa).toString('base64url') }, format: 'jwk' })
const bareNative: Workload = {
  count: NATIVE_MESSAGES,
  work: (index) => {
    const { signedBytes, signature } = decoded[index]!
    if (!nodeVerify(null, signedBytes, edKey, signature.ed25519) || !nodeVerify(null, signedBytes, mlKey, signature.mldsa)) throw new Error('bare verify failed')
  }
}
const bareNoble: Workload = {
  count: NOBLE_MESSAGES,
  work: (index) => {
    const { signedBytes, signature } = decoded[index]!
    if (!nodeVerify(null, signedBytes, edKey, signature.ed25519) || !ml_dsa65.verify(signature.mldsa, signedBytes, sender.signer.publicKey.mldsa)) throw new Error('bare verify failed')
  }
}

function pipeline (backend: MlDsaBackendName, count: number): Workload {
  const verifier = hybridVerifier(backend)
  let context: PipelineContext | undefined
  return {
    count,
    work: (index) => {
      if (index === 0) context = { federationId: FEDERATION_ID, now: () => NOW_MS, replay: new ReplayCache(), verifier, memberKey: (id) => keys.get(id), expectedDataClass: 'aggregated_metrics' }
      validateEnvelope(envelopes[index]!, context!)
    }
  }
}
const [native, nativePipeline] = compare([bareNative, pipeline('native', NATIVE_MESSAGES)])
const [noble, noblePipeline] = compare([bareNoble, pipeline('noble', NOBLE_MESSAGES)])
// the native/noble ratio interleaves whole passes of equal duration's worth of work
const [nobleAgain, nativeAgain] = compare([pipeline('noble', NOBLE_MESSAGES), pipeline('native', NATIVE_MESSAGES / 5)])

const row = (name: string, perSecond: number, note = ''): void => {
  console.log(`  ${name.padEnd(44)} ${perSecond.toFixed(0).padStart(7)} /s  ${(1000 / perSecond).toFixed(3).padStart(7)} ms${note}`)
}
console.log('verification, one core (bare and pipeline interleaved run by run; ratios are medians of per-run ratios)')
row('bare primitives, native (Ed25519 + ML-DSA)', native!.perSecond)
row('pipeline, native', nativePipeline!.perSecond, `   ${(100 * nativePipeline!.ratio).toFixed(1)}% of bare (goal ≥ 85%)`)
row('bare primitives, Ed25519 + noble ML-DSA', noble!.perSecond)
row('pipeline, noble', noblePipeline!.perSecond, `   ${(100 * noblePipeline!.ratio).toFixed(1)}% of bare`)
console.log(`  native pipeline / noble pipeline: ${nativeAgain!.ratio.toFixed(1)}× (goal ≥ 6×; ${nativeAgain!.perSecond.toFixed(0)} vs ${nobleAgain!.perSecond.toFixed(0)} /s)\n`)

console.log('signing, one core (whole envelope: encode + Ed25519 + ML-DSA)')
for (const backend of ['native', 'noble'] as const) {
  const signer = node(0, 65, backend)
  const count = backend === 'native' ? 500 : 60
  row(`sign, ${backend}`, rate(count, (index) => signEnvelope(fields(signer.peerId, 'summary', index), signer.signer)))
}

console.log(`\nenvelope bytes per data class (payload ${PAYLOAD_BYTES} B; topic destination; schema fedmesh.<class>/1)`)
const levels: MlDsaLevel[] = [44, 65, 87]
const byLevel = levels.map((level) => node(7, level))
console.log(`  ${'data class'.padEnd(22)} ${levels.map((level) => `ML-DSA-${level}`.padStart(10)).join('')}   header+signatures at 65`)
for (const dataClass of DATA_CLASSES) {
  const sizes = byLevel.map(({ signer, peerId }) => signEnvelope(fields(peerId, dataClass, 0), signer).length)
  console.log(`  ${dataClass.padEnd(22)} ${sizes.map((size) => String(size).padStart(10)).join('')}   ${sizes[1]! - PAYLOAD_BYTES}`)
}
