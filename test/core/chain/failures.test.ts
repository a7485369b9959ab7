import test from 'ava'
import { Cluster, HOUR, MINUTE, chainContent, realParticipantSigner, statementBy } from './fixtures.ts'
import type { ChainNodeState, ChainRecord } from '../../../src/core/chain/state.ts'
import { ChainStateError, ForgedConsentError, StatementMismatchError } from '../../../src/core/chain/errors.ts'

function setup (options: { bobStatus?: 'active' | 'paused', bobMissing?: boolean } = {}): { cluster: Cluster, a: string, b: string, alice: string, carol: string, bob: string, id: string, content: ReturnType<typeof chainContent> } {
  const cluster = new Cluster('real')
  const A = cluster.addNode('A')
  const B = cluster.addNode('B')
  const alice = cluster.addParticipant(A, 'alice', ['legal.contracts'], ['food.catering'])
  const carol = cluster.addParticipant(A, 'carol', ['design'], ['legal.contracts'])
  const bob = options.bobMissing === true
    ? cluster.addParticipant(B, 'bob', ['food.catering'], ['legal.contracts'])
    : cluster.addParticipant(B, 'bob', ['food.catering'], ['design'], { status: options.bobStatus ?? 'active' })
  const content = chainContent(A.id, [
    { node: A.id, site: 'a', need: 'food.catering', offer: 'legal.contracts', participant: alice },
    { node: A.id, site: 'a', need: 'legal.contracts', offer: 'design', participant: carol },
    { node: B.id, site: 'b', need: 'design', offer: 'food.catering' }
  ], cluster.nowMs)
  cluster.step(A.id, { type: 'propose', content })
  const id = [...A.state.chains.keys()][0]!
  return { cluster, a: A.id, b: B.id, alice, carol, bob, id, content }
}

function record (cluster: Cluster, node: string, id: string): ChainRecord {
  return cluster.node(node).state.chains.get(id)!
}

function assertAllReleased (t: { is: (a: unknown, b: unknown, m?: string) => void }, cluster: Cluster): void {
  for (const node of cluster.nodes.values()) {
    const state: ChainNodeState = node.state
    t.is(state.reservations.size, 0, `${node.id} holds no reservation`)
    t.is(state.open, 0, `${node.id} has no open chain`)
    const reserved = node.writes.filter((w) => w.kind === 'reserve').length
    const released = node.writes.filter((w) => w.kind === 'release').length
    t.is(released, reserved, `${node.id} wrote a release for every reservation`)
  }
}

test('a refusal cancels the chain on every node and releases every reservation at once', (t) => {
  const { cluster, a, b, bob, id } = setup()
  cluster.deliverAll()
  cluster.participantSays(bob, 'chain.refusal', { chain: id, index: 2, note: 'away that week' })
  t.is(record(cluster, b, id).phase, 'cancelled')
  t.deepEqual(record(cluster, b, id).cancel, { reason: 'refused', index: 2 })
  cluster.deliverAll()
  t.is(record(cluster, a, id).phase, 'cancelled')
  t.deepEqual(record(cluster, a, id).cancel, { reason: 'refused', index: 2 }, 'A saw the refusal itself, before B\'s abort')
  t.truthy(record(cluster, a, id).refusals[2], 'the refusal is kept as evidence')
  assertAllReleased(t, cluster)
  t.throws(() => cluster.participantSays(bob, 'chain.consent', { chain: id, index: 2 }), { instanceOf: ChainStateError })
})

test('the consent deadline passing cancels and releases on every node', (t) => {
  const { cluster, a, b, alice, carol, id, content } = setup()
  cluster.deliverAll()
  cluster.participantSays(alice, 'chain.consent', { chain: id, index: 0 })
  cluster.participantSays(carol, 'chain.consent', { chain: id, index: 1 })
  cluster.deliverAll()
  cluster.nowMs = content.timeline.consent_deadline_ms - 1
  cluster.tickAll()
  t.is(record(cluster, a, id).phase, 'consenting', 'not yet')
  cluster.nowMs = content.timeline.consent_deadline_ms
  cluster.tickAll()
  for (const node of [a, b]) t.deepEqual(record(cluster, node, id).cancel, { reason: 'consent_deadline' })
  cluster.deliverAll() // the aborts cross: each is ignored by a node already cancelled
  assertAllReleased(t, cluster)
})

test('a node that signed its commit keeps its reservation until another node\'s abort proves the chain cannot commit', (t) => {
  const { cluster, a, b, alice, carol, bob, id, content } = setup()
  cluster.deliverAll()
  cluster.participantSays(alice, 'chain.consent', { chain: id, index: 0 })
  cluster.participantSays(carol, 'chain.consent', { chain: id, index: 1 })
  cluster.deliverAll()
  cluster.participantSays(bob, 'chain.consent', { chain: id, index: 2 })
  t.is(record(cluster, b, id).phase, 'committing')
  const inFlight = cluster.queue.splice(0) // bob's consent and B's commit are delayed past A's deadline
  cluster.nowMs = content.timeline.consent_deadline_ms + MINUTE
  cluster.tickAll()
  t.is(record(cluster, a, id).phase, 'cancelled')
  t.is(record(cluster, b, id).phase, 'committing', 'B signed: a passed deadline alone does not release it')
  t.is(cluster.node(b).state.reservations.size, 1)
  cluster.deliverAll() // A's abort reaches B
  t.deepEqual(record(cluster, b, id).cancel, { reason: 'aborted', node: a })
  cluster.queue.push(...inFlight)
  cluster.deliverAll() // the late consent and commit change nothing
  t.is(record(cluster, a, id).phase, 'cancelled')
  assertAllReleased(t, cluster)
})

for (const [name, options, reason] of [
  ['stale_summary', { bobMissing: true }, 'stale_summary'],
  ['participant_paused', { bobStatus: 'paused' as const }, 'participant_paused']
] as const) {
  test(`a home node rejecting (${name}) cancels the chain and releases the proposer's reservations`, (t) => {
    const { cluster, a, b, id } = setup(options)
    t.is(cluster.node(a).state.reservations.size, 2)
    cluster.deliverAll()
    t.deepEqual(record(cluster, a, id).cancel, { reason: 'rejected', node: b, reject: reason })
    t.deepEqual(record(cluster, b, id).cancel, { reason: 'rejected', node: b, reject: reason })
    assertAllReleased(t, cluster)
  })
}

test('a participant reserved by one chain is not offered to another: the second is rejected no_participant_free', (t) => {
  const { cluster, a, b, alice, carol, id } = setup()
  cluster.deliverAll()
  // a second chain for the same categories, with two other participants of A
  const A = cluster.node(a)
  const dan = cluster.addParticipant(A, 'dan', ['legal.contracts'], ['food.catering'])
  const erin = cluster.addParticipant(A, 'erin', ['design'], ['legal.contracts'])
  cluster.nowMs += MINUTE
  const second = chainContent(a, [
    { node: a, site: 'a', need: 'food.catering', offer: 'legal.contracts', participant: dan },
    { node: a, site: 'a', need: 'legal.contracts', offer: 'design', participant: erin },
    { node: b, site: 'b', need: 'design', offer: 'food.catering' }
  ], cluster.nowMs)
  cluster.step(a, { type: 'propose', content: second })
  cluster.deliverAll()
  const otherId = [...A.state.chains.keys()].find((k) => k !== id)!
  t.deepEqual(record(cluster, a, otherId).cancel, { reason: 'rejected', node: b, reject: 'no_participant_free' })
  t.is(record(cluster, a, id).phase, 'consenting', 'the first chain is untouched')
  t.deepEqual([...A.state.reservations.keys()].sort(), [alice, carol].sort())
})

test('a forged consent (not the participant\'s key) is rejected with ForgedConsentError; the deadline then releases everything', (t) => {
  const { cluster, a, b, alice, bob, id, content } = setup()
  cluster.deliverAll()
  const mallory = realParticipantSigner('mallory')
  const forged = statementBy(mallory, bob, 'chain.consent', { chain: id, index: 2 }, cluster.nowMs)
  const before = cluster.node(a).state
  t.throws(() => cluster.step(a, { type: 'receive', from: b, message: { kind: 'consent', chain: id, index: 2, statement: forged } }), { instanceOf: ForgedConsentError })
  t.is(cluster.node(a).state, before, 'state untouched')
  t.throws(() => cluster.step(b, { type: 'participant', statement: forged }), { instanceOf: ForgedConsentError })
  // a genuine consent of Alice's presented for Bob's step names the wrong participant
  const aliceSays = statementBy(realParticipantSigner(`${a}/alice`), alice, 'chain.consent', { chain: id, index: 2 }, cluster.nowMs)
  t.throws(() => cluster.step(a, { type: 'receive', from: b, message: { kind: 'consent', chain: id, index: 2, statement: aliceSays } }), { instanceOf: StatementMismatchError })
  t.is(record(cluster, a, id).consents[2], null)
  cluster.nowMs = content.timeline.consent_deadline_ms
  cluster.tickAll()
  cluster.deliverAll()
  for (const node of [a, b]) t.is(record(cluster, node, id).phase, 'cancelled')
  assertAllReleased(t, cluster)
})

test('a standing auto-consent rule consents for the participant when it covers the chain, and not otherwise', (t) => {
  for (const [lengthMax, expectAuto] of [[4, true], [2, false]] as const) {
    const cluster = new Cluster('real')
    const A = cluster.addNode('A')
    const B = cluster.addNode('B')
    const alice = cluster.addParticipant(A, 'alice', ['legal.contracts'], ['food.catering'])
    const carol = cluster.addParticipant(A, 'carol', ['design'], ['legal.contracts'])
    const bobId = `sep://bob@${B.id}`
    const rule = statementBy(realParticipantSigner(`${B.id}/bob`), bobId, 'chain.auto-consent', { chain_length_max: lengthMax, offers: ['food.catering'], needs: ['design'], valid_until_ms: cluster.nowMs + 30 * 24 * HOUR }, cluster.nowMs - HOUR)
    cluster.addParticipant(B, 'bob', ['food.catering'], ['design'], { autoConsent: rule })
    const content = chainContent(A.id, [
      { node: A.id, site: 'a', need: 'food.catering', offer: 'legal.contracts', participant: alice },
      { node: A.id, site: 'a', need: 'legal.contracts', offer: 'design', participant: carol },
      { node: B.id, site: 'b', need: 'design', offer: 'food.catering' }
    ], cluster.nowMs)
    cluster.step(A.id, { type: 'propose', content })
    const id = [...A.state.chains.keys()][0]!
    cluster.participantSays(alice, 'chain.consent', { chain: id, index: 0 })
    cluster.participantSays(carol, 'chain.consent', { chain: id, index: 1 })
    cluster.deliverAll()
    t.is(record(cluster, A.id, id).phase, expectAuto ? 'committed' : 'consenting', `rule of length ${lengthMax}`)
    t.is(record(cluster, A.id, id).consents[2] !== null, expectAuto)
  }
})

test('the execution deadline passing leaves the chain incomplete with the unconfirmed edges named', (t) => {
  const { cluster, a, b, alice, carol, bob, id, content } = setup()
  cluster.deliverAll()
  for (const [p, i] of [[alice, 0], [carol, 1], [bob, 2]] as const) cluster.participantSays(p, 'chain.consent', { chain: id, index: i })
  cluster.deliverAll()
  t.is(record(cluster, a, id).phase, 'committed')
  cluster.participantSays(alice, 'chain.delivery', { chain: id, index: 0 })
  cluster.participantSays(carol, 'chain.confirmation', { chain: id, index: 0, satisfaction_permille: 800 })
  cluster.participantSays(carol, 'chain.delivery', { chain: id, index: 1 })
  cluster.deliverAll()
  t.is(record(cluster, b, id).phase, 'executing')
  cluster.nowMs = content.timeline.execution_end_ms
  cluster.tickAll()
  for (const node of [a, b]) {
    t.is(record(cluster, node, id).phase, 'incomplete')
    t.deepEqual(record(cluster, node, id).unconfirmed, [1, 2])
  }
  // edge 1 was delivered by carol (A) but bob (B) never confirmed; edge 2 bob (B) never delivered
  t.deepEqual(cluster.node(a).writes.flatMap((w) => (w.kind === 'adherence' ? [w.fact.kind] : [])), ['on_time', 'broken'])
  assertAllReleased(t, cluster)
})
