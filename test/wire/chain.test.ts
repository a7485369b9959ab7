import test from 'ava'
import { Cluster, chainContent, peerId } from '../core/chain/fixtures.ts'
import { proposedSeedExample } from '../core/chain/seed-example.ts'
import { CHAIN_MESSAGE_BYTES_MAX, decodeAttestation, decodeChainMessage, encodeAttestation, encodeChainMessage } from '../../src/wire/chain.ts'
import { MalformedChainMessageError } from '../../src/core/chain/errors.ts'
import { signProposal } from '../../src/core/chain/proposal.ts'
import { signAttestation } from '../../src/core/attestation/attestation.ts'
import { ChainMessage } from '../../protocols/chain.ts'

test('the seed example settles to complete when every message crosses the wire encoding', (t) => {
  const cluster = new Cluster('real')
  const originalStep = cluster.step.bind(cluster)
  let encoded = 0
  cluster.step = (node, event) => {
    if (event.type !== 'receive') return originalStep(node, event)
    const bytes = encodeChainMessage(event.message)
    t.true(bytes.length <= CHAIN_MESSAGE_BYTES_MAX)
    encoded++
    return originalStep(node, { ...event, message: decodeChainMessage(bytes) })
  }
  const seed = proposedSeedExample(cluster)
  const { alice, carol, bob, id, content } = seed
  cluster.participantSays(alice, 'chain.consent', { chain: id, index: 0 })
  cluster.participantSays(carol, 'chain.consent', { chain: id, index: 1 })
  cluster.participantSays(bob, 'chain.consent', { chain: id, index: 2 })
  cluster.deliverAll()
  cluster.nowMs = content.timeline.execution_start_ms
  for (const [edge, provider, recipient] of [[0, alice, carol], [1, carol, bob], [2, bob, alice]] as const) {
    cluster.participantSays(provider, 'chain.delivery', { chain: id, index: edge })
    cluster.participantSays(recipient, 'chain.confirmation', { chain: id, index: edge, satisfaction_permille: 600, comment: 'ok' })
  }
  cluster.deliverAll()
  t.is(seed.record(seed.a).phase, 'complete')
  t.is(seed.record(seed.b).phase, 'complete')
  t.true(encoded >= 10)
})

test('decoding refuses oversized bytes, too many steps, and zero or two bodies', (t) => {
  const signer = { publicKey: { ed25519: new Uint8Array(32), mldsa: new Uint8Array(0), mldsaLevel: 65 as const }, sign: () => ({ ed25519: new Uint8Array(64), mldsa: new Uint8Array(0) }) }
  const a = peerId('A')
  const steps = (n: number): Parameters<typeof chainContent>[1] => Array.from({ length: n }, (_, i) => ({ node: a, site: 's', need: `c${i}`, offer: `c${(i + 1) % n}` }))
  const twelve = encodeChainMessage({ kind: 'proposal', proposal: signProposal(chainContent(a, steps(12), 1_800_000_000_000), signer) })
  t.is(decodeChainMessage(twelve).kind, 'proposal')
  // 13 steps cannot be signed as a valid chain, so build the bytes directly
  const content13 = { version: 1, federationId: 'f', proposer: a, proposedAtMs: 1n, steps: steps(13).map((s) => ({ ...s })), edges: [], timeline: { consentDeadlineMs: 2n, executionStartMs: 3n, executionEndMs: 4n } }
  t.throws(() => decodeChainMessage(ChainMessage.encode({ proposal: { content: content13, signature: { ed25519: new Uint8Array(0), mldsa: new Uint8Array(0) } } })), { instanceOf: MalformedChainMessageError })
  t.throws(() => decodeChainMessage(new Uint8Array(CHAIN_MESSAGE_BYTES_MAX + 1)), { instanceOf: MalformedChainMessageError })
  t.throws(() => decodeChainMessage(ChainMessage.encode({})), { instanceOf: MalformedChainMessageError })
  const commit = { chainId: new Uint8Array(32), node: a, signature: { ed25519: new Uint8Array(64), mldsa: new Uint8Array(0) } }
  t.throws(() => decodeChainMessage(ChainMessage.encode({ commit, abort: { kind: 'chain.abort', node: a, subject: new Uint8Array(32), issuedAtMs: 1n, claimsJson: '{}' } })), { instanceOf: MalformedChainMessageError })
  t.throws(() => decodeChainMessage(ChainMessage.encode({ commit: { ...commit, chainId: new Uint8Array(31) } })), { instanceOf: MalformedChainMessageError })
  t.throws(() => decodeChainMessage(new Uint8Array([0xff, 0xff, 0xff])), { instanceOf: MalformedChainMessageError })
})

test('an attestation survives its wire encoding, with and without a satisfaction rate', (t) => {
  const signer = { publicKey: { ed25519: new Uint8Array(32), mldsa: new Uint8Array(0), mldsaLevel: 65 as const }, sign: () => ({ ed25519: new Uint8Array(64).fill(7), mldsa: new Uint8Array(3) }) }
  const node = peerId('A')
  for (const rate of [null, 0, 875]) {
    const signed = signAttestation({
      version: 1, federation_id: 'fedmesh-test', issuing_node: node, participant: `sep://ada@${node}`, participant_key: 'ab'.repeat(32), issued_at_ms: 1_800_000_000_000,
      claims: { exchanges_completed: rate === null ? 0 : 2, satisfaction_rate_permille: rate, partner_count: rate === null ? 0 : 3, member_since_ms: 1_700_000_000_000, vouches_received: 1, trust_tier: 'probationary' }
    }, signer)
    t.deepEqual(decodeAttestation(encodeAttestation(signed)), signed)
  }
})
