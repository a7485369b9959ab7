/**
 * Fuzz every decoder a peer's bytes reach: gossip envelopes through the
 * whole pipeline, chain stream messages and attestations, node records,
 * audit gossip payloads, and the sync and audit-consistency stream frames
 * (with the limits the services read them with). Seeded (the seed is printed;
 * FEDMESH_FUZZ_SEED replays it, FEDMESH_FUZZ_CASES sets the total), each
 * input is decoded or refused with a counted reason, and nothing crashes:
 * a crash is a thrown non-Error or a programming error (TypeError,
 * ReferenceError), and for fedmesh's own decoders also an untyped error (a
 * plain Error, RangeError or SyntaxError leaking from a library).
 */
import test from 'ava'
import { validateEnvelope, ReplayCache } from '../../src/wire/pipeline.ts'
import { EnvelopeError } from '../../src/wire/errors.ts'
import { DATA_CLASSES } from '../../src/wire/envelope.ts'
import { decodeAttestation, decodeChainMessage, encodeAttestation, encodeChainMessage } from '../../src/wire/chain.ts'
import { createNodeRecord, verifyNodeRecord } from '../../src/wire/node-record.ts'
import { decodeAuditPayload } from '../../src/services/audit/payload.ts'
import { signAttestation } from '../../src/core/attestation/attestation.ts'
import { signProposal } from '../../src/core/chain/proposal.ts'
import { SyncRequest, SyncResponse } from '../../protocols/sync.ts'
import { ConsistencyRequest, ConsistencyResponse } from '../../protocols/audit.ts'
import { chainContent, peerId } from '../core/chain/fixtures.ts'
import { contextFor, envelopeFrom, testNode, NOW_MS } from './fixtures.ts'

const CASES = Number(process.env.FEDMESH_FUZZ_CASES ?? 100_000)
/** The audit consistency response's proof bound, as consistency-stream.ts reads it. */
const PROOF_HASHES_MAX = 64

function prng (seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let x = state
    x = Math.imul(x ^ (x >>> 15), x | 1)
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61)
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296
  }
}

interface Target {
  name: string
  /** valid encodings to mutate */
  corpus: Uint8Array[]
  decode: (bytes: Uint8Array) => unknown
  /** fedmesh's own decoder: every refusal must be a typed (named) error */
  typed: boolean
}

const PROGRAMMING_ERRORS = new Set(['TypeError', 'ReferenceError'])
const UNTYPED = new Set(['Error', 'RangeError', 'SyntaxError', 'TypeError', 'ReferenceError'])

test('fuzz: ≥ 100,000 seeded malformed inputs over every inbound decoder, each decoded or refused with a counted reason, no crash', (t) => {
  const seed = Number(process.env.FEDMESH_FUZZ_SEED ?? Date.now() % 2 ** 32)
  t.log(`seed ${seed}, ${CASES} cases (replay with FEDMESH_FUZZ_SEED=${seed} FEDMESH_FUZZ_CASES=${CASES})`)
  const random = prng(seed)
  const int = (below: number): number => Math.floor(random() * below)
  const bytesOf = (length: number): Uint8Array => Uint8Array.from({ length }, () => int(256))
  const pick = <T>(items: readonly T[]): T => items[int(items.length)]!
  const text = (value: string): Uint8Array => new TextEncoder().encode(value)

  const members = [testNode(0), testNode(1, 44)]
  const cheapSigner = { publicKey: { ed25519: new Uint8Array(32), mldsa: new Uint8Array(0), mldsaLevel: 65 as const }, sign: () => ({ ed25519: new Uint8Array(64).fill(7), mldsa: new Uint8Array(3) }) }
  const a = peerId('A')
  const steps = (n: number): Parameters<typeof chainContent>[1] => Array.from({ length: n }, (_, i) => ({ node: a, site: 's', need: `c${i}`, offer: `c${(i + 1) % n}` }))
  let context = contextFor(members, { replay: new ReplayCache({ entriesMax: 64 }) })

  const targets: Target[] = [
    {
      name: 'envelope',
      corpus: Array.from({ length: 24 }, (_, i) => envelopeFrom(members[i % 2]!, { dataClass: pick(DATA_CLASSES), timestampMs: NOW_MS, payload: bytesOf(int(200)) })),
      decode: (bytes) => validateEnvelope(bytes, context),
      typed: true
    },
    {
      name: 'chain_message',
      corpus: [2, 3, 5, 12].map((n) => encodeChainMessage({ kind: 'proposal', proposal: signProposal(chainContent(a, steps(n), NOW_MS), cheapSigner) })),
      decode: decodeChainMessage,
      typed: true
    },
    {
      name: 'attestation',
      corpus: [null, 0, 875].map((rate) => encodeAttestation(signAttestation({
        version: 1, federation_id: 'fedmesh-test', issuing_node: a, participant: `sep://ada@${a}`, participant_key: 'ab'.repeat(32), issued_at_ms: NOW_MS,
        claims: { exchanges_completed: 2, satisfaction_rate_permille: rate, partner_count: 3, member_since_ms: NOW_MS - 1000, vouches_received: 1, trust_tier: 'probationary' }
      }, cheapSigner))),
      decode: decodeAttestation,
      typed: true
    },
    {
      name: 'node_record',
      corpus: [0, 1].map((i) => createNodeRecord({
        peerId: members[i]!.peerId, seq: 1, timestampMs: NOW_MS, siteId: 'uk_north', jurisdiction: 'UK', capabilities: ['water'], federationEnabled: true, addrs: ['/ip4/10.0.0.1/tcp/4001']
      }, members[i]!.signer)),
      decode: (bytes) => verifyNodeRecord(bytes),
      typed: true
    },
    {
      name: 'audit_payload',
      corpus: [
        text(JSON.stringify({ kind: 'checkpoint', checkpoint: { origin: a, size: 3, root: 'ab'.repeat(32), timestamp_ms: NOW_MS, signature: { ed25519: 'aa', mldsa: 'bb' } } })),
        text(JSON.stringify({ kind: 'evidence', evidence: { a: 1 } })),
        text('{"kind":"cosignature","checkpoint":{},"cosignature":{}}')
      ],
      decode: decodeAuditPayload,
      typed: true
    },
    {
      name: 'sync_request_frame',
      corpus: [SyncRequest.encode({ frontiers: true }), SyncRequest.encode({ frontiers: false, fetch: { dataClass: 'vote', origin: a, fromSeq: 1n, toSeq: 9n, countMax: 64 } })],
      decode: (bytes) => SyncRequest.decode(bytes),
      typed: false
    },
    {
      name: 'sync_response_frame',
      corpus: [SyncResponse.encode({ frontiers: [{ dataClass: 'vote', origin: a, low: 1n, frontier: 5n, high: 7n }], envelopes: [bytesOf(40), bytesOf(10)], nextSeq: 8n })],
      decode: (bytes) => SyncResponse.decode(bytes),
      typed: false
    },
    {
      name: 'audit_consistency_request_frame',
      corpus: [ConsistencyRequest.encode({ oldSize: 3n, newSize: 9n })],
      decode: (bytes) => ConsistencyRequest.decode(bytes),
      typed: false
    },
    {
      name: 'audit_consistency_response_frame',
      corpus: [ConsistencyResponse.encode({ oldRoot: bytesOf(32), proof: [bytesOf(32), bytesOf(32), bytesOf(32)], error: '' })],
      decode: (bytes) => ConsistencyResponse.decode(bytes, { limits: { proof: PROOF_HASHES_MAX } }),
      typed: false
    }
  ]

  const mutate = (input: Uint8Array): Uint8Array => {
    const bytes = input.slice()
    switch (int(8)) {
      case 0: { const flips = 1 + int(4); for (let i = 0; i < flips; i++) bytes[int(bytes.length)]! ^= 1 << int(8); return bytes }
      case 1: return bytes.subarray(0, int(bytes.length))
      case 2: return Uint8Array.from([...bytes, ...bytesOf(1 + int(16))])
      case 3: { const at = int(bytes.length); bytes.set(bytesOf(Math.min(8, bytes.length - at)), at); return bytes }
      case 4: return bytesOf(int(512))
      case 5: { const at = int(bytes.length); return Uint8Array.from([...bytes.subarray(0, at), ...bytesOf(1 + int(4)), ...bytes.subarray(at)]) }
      case 6: { const at = int(bytes.length); bytes[at] = pick([0x00, 0x7f, 0x80, 0xff]); return bytes } // varint edges
      default: return bytes
    }
  }

  const reasons = new Map<string, number>()
  const perTarget = new Map<string, number>()
  let crashes = 0
  for (let index = 0; index < CASES; index++) {
    const target = targets[index % targets.length]!
    if (target.name === 'envelope' && index % 5000 === 0) context = contextFor(members, { replay: new ReplayCache({ entriesMax: 64 }) })
    const bytes = mutate(pick(target.corpus))
    let reason: string
    try {
      target.decode(bytes)
      reason = 'decoded'
    } catch (err) {
      const name = err instanceof Error ? err.name : undefined
      const crash = name === undefined || PROGRAMMING_ERRORS.has(name) || (target.typed && UNTYPED.has(name))
      if (crash) {
        crashes++
        if (crashes <= 5) t.log(`crash in ${target.name} at case ${index}: ${String(err)} (input ${Buffer.from(bytes).toString('hex').slice(0, 200)})`)
        reason = 'CRASH'
      } else {
        reason = target.name === 'envelope' && err instanceof EnvelopeError ? err.code : name
      }
    }
    const key = `${target.name}: ${reason}`
    reasons.set(key, (reasons.get(key) ?? 0) + 1)
    perTarget.set(target.name, (perTarget.get(target.name) ?? 0) + 1)
  }
  t.log([...reasons].sort().map(([key, count]) => `${key} ${count}`).join('\n'))
  t.is(crashes, 0, `seed ${seed}`)
  t.true(CASES < 100_000 || [...reasons.values()].reduce((sum, n) => sum + n, 0) >= 100_000)
  // every target got its share and was refused for some reason beyond "decoded"
  for (const target of targets) {
    t.true((perTarget.get(target.name) ?? 0) >= Math.floor(CASES / targets.length))
    t.true([...reasons.keys()].some((key) => key.startsWith(`${target.name}: `) && !key.endsWith(': decoded')), `${target.name} refuses some inputs`)
  }
})
