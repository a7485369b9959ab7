/** Shared test fixtures for the wire tests: deterministic member nodes and envelopes. */
import { publicKeyFromRaw } from '@libp2p/crypto/keys'
import { peerIdFromPublicKey } from '@libp2p/peer-id'
import { hybridSignerFromSeeds, hybridVerifier } from '../../src/crypto/hybrid.ts'
import type { HybridPublicKey, HybridSigner, MlDsaLevel } from '../../src/core/signature.ts'
import { signEnvelope, type EnvelopeFields } from '../../src/wire/envelope.ts'
import { ReplayCache, type PipelineContext } from '../../src/wire/pipeline.ts'

export const FEDERATION_ID = 'grid'
export const NOW_MS = 1_800_000_000_000

/** A node with a hybrid key made from fixed seeds, and its PeerId. */
export interface TestNode {
  signer: HybridSigner
  peerId: string
}

/** A deterministic test node; `index` picks the seeds. */
export function testNode (index: number, level: MlDsaLevel = 65): TestNode {
  const signer = hybridSignerFromSeeds({
    ed25519Seed: new Uint8Array(32).fill(index + 1),
    mldsaSeed: new Uint8Array(32).fill(index + 101),
    level
  })
  const peerId = peerIdFromPublicKey(publicKeyFromRaw(signer.publicKey.ed25519)).toString()
  return { signer, peerId }
}

/** Envelope fields from `node` with sensible values, overridable. */
export function fieldsFrom (node: TestNode, overrides: Partial<EnvelopeFields> = {}): EnvelopeFields {
  return {
    id: nextEnvelopeId(),
    timestampMs: NOW_MS,
    source: node.peerId,
    destination: `/fedmesh/${FEDERATION_ID}/aggregated_metrics/1`,
    federationId: FEDERATION_ID,
    dataClass: 'aggregated_metrics',
    schemaId: 'fedmesh.aggregated_metrics/1',
    payload: new TextEncoder().encode('{"peers":3}'),
    contentType: 'application/json',
    ...overrides
  }
}

let envelopeCounter = 0
/** A fresh 16-byte envelope id (a counter: tests need distinct ids, not secret ones). */
export function nextEnvelopeId (): Uint8Array {
  const id = new Uint8Array(16)
  new DataView(id.buffer).setUint32(12, ++envelopeCounter)
  return id
}

/** A signed envelope from `node`. */
export function envelopeFrom (node: TestNode, overrides: Partial<EnvelopeFields> = {}): Uint8Array {
  return signEnvelope(fieldsFrom(node, overrides), node.signer)
}

/** A pipeline context whose members are `members`, at NOW_MS unless told otherwise. */
export function contextFor (members: TestNode[], overrides: Partial<PipelineContext> = {}): PipelineContext {
  const keys = new Map<string, HybridPublicKey>(members.map((node) => [node.peerId, node.signer.publicKey]))
  return {
    federationId: FEDERATION_ID,
    now: () => NOW_MS,
    replay: new ReplayCache(),
    verifier: hybridVerifier(),
    memberKey: (nodeId) => keys.get(nodeId),
    ...overrides
  }
}
