/**
 * bench:ingest — envelopes per second through the whole inbound path of one
 * node: the gossip registry's bounded queue → the envelope pipeline → the
 * commit (one store batch with the seen-id, in-memory store), for valid
 * traffic alone and for the same valid traffic mixed 1:10 with junk from
 * made-up senders (valid signatures' sizes, sources no membership holds).
 * The figure of merit is the valid-envelope rate in the mixed run over the
 * clean run, measured in the same process (goal ≥ 90 %), and the queue's
 * memory at its peak. Median of RUNS rounds. Prints figures; never fails on them.
 */
import { randomBytes } from 'node:crypto'
import { TopicValidatorResult } from '@libp2p/interface'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import type { GossipSub, GossipsubMessage } from '@chainsafe/libp2p-gossipsub'
import { hybridSignerFromSeeds, hybridVerifier } from '../../src/crypto/hybrid.ts'
import { createMembership } from '../../src/core/consensus/membership.ts'
import type { HybridSigner } from '../../src/core/signature.ts'
import { signEnvelope } from '../../src/wire/envelope.ts'
import { GossipRegistry, gossipTopic } from '../../src/net/gossip.ts'
import { envelopeChannel } from '../../src/services/envelopes/index.ts'
import { memberDirectory } from '../../src/services/members/index.ts'
import { Store } from '../../src/store/store.ts'
import { silentLogger } from '../../src/runtime/log.ts'
import { systemRandom } from '../../src/runtime/random.ts'
import { NodeMetrics } from '../../src/runtime/metrics.ts'

const RUNS = Number(process.env.INGEST_RUNS ?? 5)
const VALID = 600
const JUNK_PER_VALID = 10
const FEDERATION = 'ingest-bench'
const DATA_CLASS = 'incident_summary'

function median (values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]!
}

async function member (index: number): Promise<{ signer: HybridSigner, id: string }> {
  const seed = new Uint8Array(32).fill(index + 1)
  const signer = hybridSignerFromSeeds({ ed25519Seed: seed, mldsaSeed: seed })
  const { publicKeyFromRaw } = await import('@libp2p/crypto/keys')
  const { peerIdFromPublicKey } = await import('@libp2p/peer-id')
  return { signer, id: peerIdFromPublicKey(publicKeyFromRaw(signer.publicKey.ed25519)).toString() }
}

function seal (signer: HybridSigner, source: string, nowMs: number): Uint8Array {
  return signEnvelope({
    id: new Uint8Array(randomBytes(16)), timestampMs: nowMs, source, federationId: FEDERATION,
    destination: gossipTopic(FEDERATION, DATA_CLASS), dataClass: DATA_CLASS, schemaId: 'bench/1', payload: new Uint8Array(randomBytes(256))
  }, signer)
}

/** A gossipsub stand-in: the registry's events in, its reports out. */
class FakePubsub extends EventTarget {
  reports = 0
  accepted = 0
  score = { params: { topics: {} as Record<string, unknown> } }
  subscribe (): void {}
  reportMessageValidationResult (_id: string, _from: string, result: TopicValidatorResult): void {
    this.reports++
    if (result === TopicValidatorResult.Accept) this.accepted++
  }
}

async function round (messages: Uint8Array[], members: Array<{ signer: HybridSigner, id: string }>, validCount: number): Promise<{ validPerSecond: number, peakQueueBytes: number }> {
  const store = await Store.open()
  const logger = silentLogger()
  const members_ = memberDirectory()({ logger })
  members_.setMembership(createMembership(FEDERATION, members.map((m) => ({ node_id: m.id, public_key: m.signer.publicKey, joined_at: 0 })), 0))
  const pubsub = new FakePubsub()
  const gossip = new GossipRegistry({ pubsub: pubsub as unknown as GossipSub, federationId: FEDERATION, counters: new NodeMetrics(), log: logger })
  const channel = envelopeChannel({ federationId: FEDERATION })({
    gossip, store, signer: members[0]!.signer, verifier: hybridVerifier(), members: members_, clock: { now: () => Date.now() } as never, random: systemRandom, logger, nodeId: members[0]!.id
  })
  await channel.start()
  channel.register({ dataClass: DATA_CLASS, decodePayload: (payload) => payload, commit: async (_value, _envelope, persist) => { await persist([]); return undefined } })
  const from = peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
  const topic = gossipTopic(FEDERATION, DATA_CLASS)
  let peakQueueBytes = 0
  const startedAt = performance.now()
  for (const [index, data] of messages.entries()) {
    const detail: GossipsubMessage = { propagationSource: from, msgId: String(index), msg: { type: 'unsigned', topic, data } } as GossipsubMessage
    pubsub.dispatchEvent(new CustomEvent('gossipsub:message', { detail }))
    peakQueueBytes = Math.max(peakQueueBytes, gossip.queue.queuedBytes)
    // hand the event loop over now and then, as a socket would
    if (index % 64 === 63) await new Promise((resolve) => setImmediate(resolve))
  }
  while (pubsub.reports < messages.length) await new Promise((resolve) => setImmediate(resolve))
  const seconds = (performance.now() - startedAt) / 1000
  if (pubsub.accepted !== validCount) throw new Error(`accepted ${pubsub.accepted} of ${validCount} valid envelopes`)
  gossip.stop()
  await store.close()
  return { validPerSecond: validCount / seconds, peakQueueBytes }
}

const members = await Promise.all([0, 1, 2, 3].map(member))
const junkSigner: HybridSigner = { publicKey: members[0]!.signer.publicKey, sign: () => ({ ed25519: new Uint8Array(randomBytes(64)), mldsa: new Uint8Array(randomBytes(3309)) }) as never }
const madeUp = await Promise.all(Array.from({ length: 200 }, async () => peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString()))
const clean: number[] = []
const mixed: number[] = []
let peakBytes = 0
for (let run = 0; run < RUNS; run++) {
  const nowMs = Date.now()
  const valid = Array.from({ length: VALID }, (_, i) => seal(members[1 + (i % 3)]!.signer, members[1 + (i % 3)]!.id, nowMs))
  const junk = Array.from({ length: VALID * JUNK_PER_VALID }, (_, i) => seal(junkSigner, madeUp[i % madeUp.length]!, nowMs))
  const validAgain = valid.map((_, i) => seal(members[1 + (i % 3)]!.signer, members[1 + (i % 3)]!.id, nowMs))
  const interleaved: Uint8Array[] = []
  for (const [i, bytes] of validAgain.entries()) interleaved.push(bytes, ...junk.slice(i * JUNK_PER_VALID, (i + 1) * JUNK_PER_VALID))
  const a = await round(valid, members, VALID)
  const b = await round(interleaved, members, VALID)
  clean.push(a.validPerSecond)
  mixed.push(b.validPerSecond)
  peakBytes = Math.max(peakBytes, a.peakQueueBytes, b.peakQueueBytes)
}
const cleanRate = median(clean)
const mixedRate = median(mixed)
console.log(`ingest (${RUNS} rounds, ${VALID} valid envelopes each; mixed = 1 valid : ${JUNK_PER_VALID} junk from made-up senders)`)
console.log(`  clean: ${cleanRate.toFixed(0)} valid envelopes/s (median)`)
console.log(`  mixed: ${mixedRate.toFixed(0)} valid envelopes/s (median), ${(mixedRate * (1 + JUNK_PER_VALID)).toFixed(0)} envelopes/s in all`)
console.log(`  ratio: ${(100 * mixedRate / cleanRate).toFixed(1)} % (goal ≥ 90 %)`)
console.log(`  queue memory at peak: ${(peakBytes / 1024).toFixed(0)} KiB (bounded per class by INGRESS_POLICIES)`)
