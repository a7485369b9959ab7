import test from 'ava'
import { Cluster, DAY, HOUR, chainContent, peerId, realNodeSigner, realVerifier } from './fixtures.ts'
import { certificateOf, reservedParticipants, type ChainRecord, type ExchangeRecord } from '../../../src/core/chain/state.ts'
import { verifyCertificate } from '../../../src/core/chain/certificate.ts'
import { computeClaims } from '../../../src/core/attestation/claims.ts'
import { latestPerParticipant, participantKeyId, signAttestation, validateAttestation, type SignedAttestation } from '../../../src/core/attestation/attestation.ts'

/** The seed example: Alice and Carol on node A, Bob on node B. */
function seedExample (): { cluster: Cluster, a: string, b: string, alice: string, carol: string, bob: string } {
  const cluster = new Cluster('real')
  const A = cluster.addNode('A')
  const B = cluster.addNode('B')
  const alice = cluster.addParticipant(A, 'alice', ['legal.contracts'], ['food.catering'])
  const carol = cluster.addParticipant(A, 'carol', ['design'], ['legal.contracts'])
  const bob = cluster.addParticipant(B, 'bob', ['food.catering'], ['design'])
  return { cluster, a: A.id, b: B.id, alice, carol, bob }
}

function recordOn (cluster: Cluster, node: string, id: string): ChainRecord {
  return cluster.node(node).state.chains.get(id)!
}

test('the seed example settles through every state to complete, and attestations follow', (t) => {
  const { cluster, a, b, alice, carol, bob } = seedExample()
  // Alice gives legal help to Carol, Carol gives design to Bob, Bob gives catering to Alice
  const content = chainContent(a, [
    { node: a, site: 'uk_north', need: 'food.catering', offer: 'legal.contracts', participant: alice },
    { node: a, site: 'uk_north', need: 'legal.contracts', offer: 'design', participant: carol },
    { node: b, site: 'uk_south', need: 'design', offer: 'food.catering' }
  ], cluster.nowMs, { startMs: HOUR })
  const proposed = cluster.step(a, { type: 'propose', content })
  const id = [...cluster.node(a).state.chains.keys()][0]!
  t.is(recordOn(cluster, a, id).phase, 'validating')
  t.deepEqual(proposed.writes.filter((w) => w.kind === 'reserve').map((w) => w.kind === 'reserve' && w.participant), [alice, carol])
  t.deepEqual(proposed.outbound.map((o) => o.message.kind), ['proposal', 'validation'])

  cluster.deliverAll()
  for (const node of [a, b]) t.is(recordOn(cluster, node, id).phase, 'consenting')
  t.is(recordOn(cluster, a, id).bindings[2]!.participant, bob, 'B bound its real participant')
  t.deepEqual([...reservedParticipants(cluster.node(b).state)], [bob])

  cluster.participantSays(alice, 'chain.consent', { chain: id, index: 0 })
  cluster.participantSays(carol, 'chain.consent', { chain: id, index: 1 })
  cluster.deliverAll()
  t.is(recordOn(cluster, a, id).phase, 'consenting')
  cluster.participantSays(bob, 'chain.consent', { chain: id, index: 2 })
  t.is(recordOn(cluster, b, id).phase, 'committing', 'B has every consent: it signs and waits for A')
  cluster.deliverAll()
  for (const node of [a, b]) {
    const record = recordOn(cluster, node, id)
    t.is(record.phase, 'committed')
    const certificate = certificateOf(record)
    t.truthy(certificate)
    t.notThrows(() => verifyCertificate(certificate!, content, (n) => cluster.keys.get(n), realVerifier))
  }

  cluster.nowMs = content.timeline.execution_start_ms
  cluster.tickAll()
  for (const node of [a, b]) t.is(recordOn(cluster, node, id).phase, 'executing')

  const satisfaction = [900, 700, 1000]
  const who = [alice, carol, bob]
  for (let edge = 0; edge < 3; edge++) {
    cluster.participantSays(who[edge]!, 'chain.delivery', { chain: id, index: edge })
    cluster.participantSays(who[(edge + 1) % 3]!, 'chain.confirmation', { chain: id, index: edge, satisfaction_permille: satisfaction[edge]!, ...(edge === 1 ? { comment: 'lovely logo' } : {}) })
    cluster.deliverAll()
  }
  for (const node of [a, b]) {
    const record = recordOn(cluster, node, id)
    t.is(record.phase, 'complete')
    t.is(cluster.node(node).state.reservations.size, 0, 'every reservation released')
    t.is(cluster.node(node).state.open, 0)
  }

  // attestations: each node computes claims from its exchange records, signs, and any member validates them
  const C = cluster.addNode('C')
  const issued: SignedAttestation[] = []
  for (const node of [a, b]) {
    const exchanges = cluster.node(node).writes.flatMap((w) => (w.kind === 'exchange' ? [w.exchange] : [])) as ExchangeRecord[]
    for (const participant of cluster.node(node).participants) {
      const claims = computeClaims({ participant: participant.id, member_since_ms: cluster.nowMs - 10 * DAY, exchanges, vouches_received: 0 }, cluster.nowMs)
      issued.push(signAttestation({ version: 1, federation_id: 'fedmesh-test', issuing_node: node, participant: participant.id, participant_key: participantKeyId(participant.publicKey), issued_at_ms: cluster.nowMs, claims }, realNodeSigner(node === a ? 'A' : 'B')))
    }
  }
  for (const signed of issued) t.notThrows(() => validateAttestation(signed, { federationId: 'fedmesh-test', nowMs: cluster.nowMs, nodeKey: (n) => cluster.keys.get(n), verifier: realVerifier }), `${C.id} accepts it`)
  const latest = latestPerParticipant(issued)
  t.deepEqual(latest.get(alice)!.attestation.claims, { exchanges_completed: 1, satisfaction_rate_permille: 900, partner_count: 2, member_since_ms: cluster.nowMs - 10 * DAY, vouches_received: 0, trust_tier: 'probationary' })
  t.is(latest.get(carol)!.attestation.claims.satisfaction_rate_permille, 700)
  t.is(latest.get(bob)!.attestation.claims.satisfaction_rate_permille, 1000)
  // B observed what A's participant delivered to Bob (carol, 700): the input of A's reputation at B
  t.deepEqual(cluster.node(b).writes.flatMap((w) => (w.kind === 'observation' ? [w.observation] : [])), [{ node: a, participant: carol, chain: id, observed_permille: 700 }])
  t.deepEqual(cluster.node(b).writes.flatMap((w) => (w.kind === 'adherence' ? [w.fact.kind] : [])), ['on_time', 'honoured'])
  t.not(peerId('A'), peerId('B'))
})
