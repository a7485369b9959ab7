/**
 * Attestations between real nodes: the gossip pipeline refuses a forged,
 * misattributed or foreign attestation and keeps only the latest per
 * participant; after two settled chains a node's reputation of another
 * reflects how accurate that node's attestation proved.
 */
import test from 'ava'
import { randomBytes } from 'node:crypto'
import { signAttestation, participantKeyId, trustTierOf, type Attestation, type SignedAttestation } from '../../../src/core/attestation/index.ts'
import { signEnvelope } from '../../../src/wire/envelope.ts'
import { gossipTopic } from '../../../src/net/gossip.ts'
import { encodeAttestation } from '../../../src/wire/chain.ts'
import { ATTESTATION_SCHEMA_ID } from '../../../src/services/attestations/index.ts'
import { AttestationRepository } from '../../../src/store/attestations.ts'
import type { HybridSigner } from '../../../src/core/signature.ts'
import type { FedmeshNode } from '../../../src/node/node.ts'
import { FEDERATION, federation, run, settle, until } from './federation.ts'

function attestationOf (issuer: FedmeshNode, participant: string, issuedAtMs: number, rate: number | null = 800): Attestation {
  const base = { exchanges_completed: 1, satisfaction_rate_permille: rate, partner_count: 2, member_since_ms: issuedAtMs - 1000, vouches_received: 0 }
  return {
    version: 1, federation_id: FEDERATION, issuing_node: issuer.peerId.toString(), participant, participant_key: participantKeyId(issuer.signer.publicKey),
    issued_at_ms: issuedAtMs, claims: { ...base, trust_tier: trustTierOf(base, issuedAtMs) }
  }
}

/** An envelope of the attestation class from `sender`, signed with its node key. */
function envelope (sender: FedmeshNode, signed: SignedAttestation, schemaId = ATTESTATION_SCHEMA_ID): Uint8Array {
  return signEnvelope({
    id: randomBytes(16), timestampMs: Date.now(), source: sender.peerId.toString(), destination: gossipTopic(FEDERATION, 'attestation'), federationId: FEDERATION,
    dataClass: 'attestation', schemaId, payload: encodeAttestation(signed)
  }, sender.signer)
}

async function verdict (node: FedmeshNode, bytes: Uint8Array): Promise<string> {
  const result = await node.envelopes.receive('attestation', bytes)
  return result.action === 'accept' ? 'accept' : `${result.action} ${result.code}`
}

test('received attestations: issuer must be the sender and the participant\'s home node, signature must verify, schema must match; the latest is kept', async (t) => {
  const fed = await federation('attest-check', [{ site: 'uk_north' }, { site: 'uk_south' }, { site: 'observer' }])
  t.teardown(fed.stop)
  const [a, b, c] = fed.nodes as [FedmeshNode, FedmeshNode, FedmeshNode]
  const now = Date.now()
  const bob = 'sep://bob@uk_south'
  const signer = (node: FedmeshNode): HybridSigner => node.signer

  const good = signAttestation(attestationOf(b, bob, now - 10_000), signer(b))
  t.is(await verdict(c, envelope(b, good)), 'accept')
  t.like((await new AttestationRepository(c.store).get(bob))?.attestation, { issuing_node: b.peerId.toString(), issued_at_ms: now - 10_000 })

  // relayed under another source: only the issuer publishes its attestations
  t.is(await verdict(c, envelope(a, good)), 'reject wrong_issuer')
  // A attests B's participant (signed by A, sent by A): not its home node
  t.is(await verdict(c, envelope(a, signAttestation(attestationOf(a, bob, now), signer(a)))), 'reject wrong_issuer')
  // B's attestation signed with A's key
  const forged = { attestation: attestationOf(b, bob, now), signature: signAttestation(attestationOf(a, 'sep://x@uk_north', now), signer(a)).signature }
  t.is(await verdict(c, envelope(b, forged)), 'reject bad_signature')
  // the wrong schema id, and an inconsistent tier
  t.is(await verdict(c, envelope(b, good, 'fedmesh.summary/1')), 'reject payload_schema')
  const badTier = attestationOf(b, bob, now)
  badTier.claims = { ...badTier.claims, trust_tier: 'anchor' }
  t.is(await verdict(c, envelope(b, { attestation: badTier, signature: good.signature })), 'reject payload_schema')
  // from the future beyond the skew
  t.is(await verdict(c, envelope(b, signAttestation(attestationOf(b, bob, now + 10 * 60_000), signer(b)))), 'ignore clock_skew')

  // an older one is accepted as seen but does not replace the newer
  t.is(await verdict(c, envelope(b, signAttestation(attestationOf(b, bob, now - 20_000, 100), signer(b)))), 'accept')
  t.is((await new AttestationRepository(c.store).get(bob))?.attestation.claims.satisfaction_rate_permille, 800)
  const newer = signAttestation(attestationOf(b, bob, now - 5000, 300), signer(b))
  t.is(await verdict(c, envelope(b, newer)), 'accept')
  t.is((await new AttestationRepository(c.store).get(bob))?.attestation.claims.satisfaction_rate_permille, 300)
  t.is((await run(c, 'attestations.list', {})).attestations.length, 1, 'nothing refused was stored')
})

test('node reputation: an attestation that proves inaccurate lowers its issuer\'s accuracy, and its claims then weigh less', async (t) => {
  const fed = await federation('attest-rep', [{ site: 'uk_north' }, { site: 'uk_south' }])
  t.teardown(fed.stop)
  const [a, b] = fed.nodes as [FedmeshNode, FedmeshNode]
  await run(a, 'participant.add', { handle: 'alice', offers: ['legal.contracts'], needs: ['food.catering'] })
  await run(a, 'participant.add', { handle: 'carol', offers: ['design'], needs: ['legal.contracts'] })
  await run(b, 'participant.add', { handle: 'bob', offers: ['food.catering'], needs: ['design'] })
  await until('A to receive B\'s summary', async () => (await run(a, 'match', {})).chains.length === 1)

  // chain 1: alice rates bob's food 1.0; B attests bob at 1000 and A receives it
  await settle(a, b, { carol: 0.9, bob: 0.8, alice: 1 })
  await until('A to hold B\'s attestation of bob', async () => (await run(a, 'attestations.list', { participant: 'sep://bob@uk_south' })).attestations.length === 1)
  const first = (await run(a, 'reputation.list', {})).members.find((m: { site_id: string }) => m.site_id === 'uk_south')
  t.is(first.observations, 0, 'no attestation of bob before chain 1: nothing to compare')
  t.is(first.accuracy_permille, 500)

  // chain 2: B still claims 1000 for bob; alice now gives 0.2 → |1000 − 200| off
  await settle(a, b, { carol: 0.9, bob: 0.8, alice: 0.2 })
  await until('A to record the observation', async () => (await run(a, 'reputation.list', {})).members.find((m: { site_id: string }) => m.site_id === 'uk_south').observations === 1)
  const second = (await run(a, 'reputation.list', {})).members.find((m: { site_id: string }) => m.site_id === 'uk_south')
  t.is(second.accuracy_permille, Math.round((200 + 5 * 500) / 6), 'accuracy = (Σ(1000 − |attested − observed|) + 5 × 500) / (n + 5)')
  t.true(second.honoured >= 2 && second.on_time >= 2)
  const members = await run(a, 'consensus.members', {})
  t.is(members.members.find((m: { site_id: string }) => m.site_id === 'uk_south').reputation, second.score, 'fedmesh members shows the same score')

  // B re-attests bob (two exchanges, mean (1000 + 200) / 2 = 600); A weighs it by B's score
  await until('A to hold B\'s re-issued attestation', async () => (await run(a, 'attestations.list', { participant: 'sep://bob@uk_south' })).attestations[0]?.claims.exchanges_completed === 2)
  const [view] = (await run(a, 'attestations.list', { participant: 'sep://bob@uk_south' })).attestations
  t.is(view.claims.satisfaction_rate_permille, 600)
  t.is(view.issuer_reputation, second.score)
  t.is(view.weight_permille, second.score * 10)
  t.is(view.weighted_satisfaction_permille, Math.round((second.score * 10 * 600 + (1000 - second.score * 10) * 500) / 1000))
})
