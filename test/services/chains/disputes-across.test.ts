/**
 * Disputes across real nodes (/fedmesh/dispute/1.0.0): a dispute on an edge
 * between two home nodes is seen on both; both recommendations reach both;
 * escalation sends the case to exactly the drawn panel; a majority of panel
 * rulings binds on both home nodes and rewrites the edge's satisfaction in
 * the trust and reputation inputs; a non-panelist's ruling and a forged one
 * are rejected with their named errors; a restart mid-protocol resumes from
 * the persisted outbox. Serial: each test runs up to six nodes, and the
 * file's federations at once would starve a loaded host.
 */
import test from 'ava'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { peerIdFromString } from '@libp2p/peer-id'
import { pbStream } from 'it-protobuf-stream'
import { verifyEvidenceBundle } from '../../../src/core/chain/evidence.ts'
import { signNodeStatement } from '../../../src/core/chain/node-statement.ts'
import { signStatement, type SignedStatement } from '../../../src/core/identity/statement.ts'
import { hybridVerifier } from '../../../src/crypto/hybrid.ts'
import type { FedmeshNode } from '../../../src/node/node.ts'
import { DISPUTE_PROTOCOL_ID, encodeDisputeMessage } from '../../../src/services/disputes/index.ts'
import { AttestationRepository } from '../../../src/store/attestations.ts'
import { ChainRepository } from '../../../src/store/chains.ts'
import { DisputeRepository } from '../../../src/store/disputes.ts'
import * as wire from '../../../protocols/dispute.ts'
import { federation, run, settle, until } from './federation.ts'

/** Sends one raw dispute message from `from` to `to` and returns the answer. */
async function sendRaw (from: FedmeshNode, to: FedmeshNode, bytes: Uint8Array): Promise<{ outcome: string, error: string }> {
  const stream = await from.libp2p.dialProtocol(peerIdFromString(to.peerId.toString()), DISPUTE_PROTOCOL_ID)
  const pb = pbStream(stream)
  await pb.write(bytes, { encode: (b: Uint8Array) => b })
  const answer = await pb.read(wire.DisputeResponse)
  await stream.close()
  return { outcome: String(answer.outcome), error: answer.error }
}

/** Six nodes on a loaded host: every pair dialled at once (peer discovery is not what is tested here) and a longer bound on the mesh. */
const MESH = { meshTimeoutMs: 90_000, dialAll: true }
/** Every wait in this file is for a condition, bounded generously for the same reason. */
const WAIT = 60_000

const disputeOn = async (node: FedmeshNode, id: string): Promise<any> => (await run(node, 'dispute.list', {})).disputes.find((d: { dispute_id: string }) => d.dispute_id === id)

/** The seed chain between A (alice, carol) and B (bob), complete; the edge bob → alice. */
async function seedChain (a: FedmeshNode, b: FedmeshNode): Promise<{ id: string, edge: number }> {
  await run(a, 'participant.add', { handle: 'alice', offers: ['legal.contracts'], needs: ['food.catering'] })
  await run(a, 'participant.add', { handle: 'carol', offers: ['design'], needs: ['legal.contracts'] })
  await run(b, 'participant.add', { handle: 'bob', offers: ['food.catering'], needs: ['design'] })
  await until('A to receive B\'s summary', async () => (await run(a, 'match', {})).chains.length === 1, WAIT)
  const id = await settle(a, b, { carol: 0.9, bob: 0.8, alice: 0.3 })
  const chain = await run(a, 'chain.show', { chain_id: id })
  return { id, edge: chain.edges.findIndex((e: { recipient: number }) => chain.steps[e.recipient].participant === 'sep://alice@uk_north') }
}

test.serial('a dispute across nodes: both home nodes see it, both recommendations, the case reaches exactly the panel, a majority ruling binds on both and rewrites the trust and reputation inputs', async (t) => {
  const fed = await federation('dispute-across', [{ site: 'uk_north' }, { site: 'uk_south' }, { site: 'arb_1' }, { site: 'arb_2' }, { site: 'arb_3' }, { site: 'arb_4' }], MESH)
  t.teardown(fed.stop)
  const [a, b] = fed.nodes as [FedmeshNode, FedmeshNode]
  const others = fed.nodes.slice(2)
  const { id: chainId, edge } = await seedChain(a, b)
  await b.attestations.review()
  t.is((await b.attestations.latest('sep://bob@uk_south'))?.attestation.claims.satisfaction_rate_permille, 300, 'before the dispute bob is rated by alice\'s confirmation')

  // layer 1: alice (on A) opens; B, bob's home node, records it; bob escalates on B, A sees it
  const opened = await run(a, 'dispute.open', { chain_id: chainId, edge, participant: 'alice', text: 'the food was cold' })
  const id: string = opened.dispute_id
  await until('B to record the dispute', async () => (await disputeOn(b, id)) !== undefined, WAIT)
  t.like(await disputeOn(b, id), { chain_id: chainId, edge, layer: 'direct', status: 'open', role: 'home', provider: { participant: 'sep://bob@uk_south' } })
  // hostile party statements, in the inbound order: a replay, a statement from the future, one relayed by another node, a forged one
  const stored = (await new DisputeRepository(a.store).get(id))!
  const open = stored.messages[0]!
  t.is(open.by, 'participant')
  t.deepEqual(await sendRaw(a, b, encodeDisputeMessage({ kind: 'party', signed: open.signed as SignedStatement })), { outcome: 'DUPLICATE', error: '' })
  const bobSays = (issuedAtMs: number): Uint8Array => encodeDisputeMessage({ kind: 'party', signed: signStatement({ kind: 'dispute.resolve', participant: 'sep://bob@uk_south', issuedAtMs, claims: { dispute: id } }, b.signer) })
  t.deepEqual(await sendRaw(b, a, bobSays(Date.now() + 10 * 60_000)), { outcome: 'REJECTED', error: 'DisputeClockError' })
  t.deepEqual(await sendRaw(others[0]!, a, bobSays(Date.now())), { outcome: 'REJECTED', error: 'DisputeSenderError' })
  t.deepEqual(await sendRaw(b, a, bobSays(Date.now())), { outcome: 'REJECTED', error: 'ForgedStatementError' }, 'signed by B\'s node key, not bob\'s')
  t.is((await disputeOn(a, id)).status, 'open')
  await run(b, 'dispute.escalate', { dispute_id: id, participant: 'bob', text: 'it was warm when it left' })
  await until('A to see the escalation', async () => (await disputeOn(a, id)).layer === 'mediation', WAIT)

  // layer 2: each home node records a signed recommendation, each seen on both
  await run(a, 'dispute.recommend', { dispute_id: id, text: 'A recommends a partial refund' })
  await run(b, 'dispute.recommend', { dispute_id: id, text: 'B recommends a partial refund too' })
  const homes = [a.peerId.toString(), b.peerId.toString()].sort()
  await until('both recommendations on both home nodes', async () => (await disputeOn(a, id)).recommendations.length === 2 && (await disputeOn(b, id)).recommendations.length === 2, WAIT)
  t.deepEqual((await disputeOn(a, id)).recommendations, homes)
  t.deepEqual((await disputeOn(b, id)).recommendations, homes)
  await t.throwsAsync(run(others[0]!, 'dispute.recommend', { dispute_id: id, text: 'not mine' }), { name: 'DisputeNotFoundError' }, 'an uninvolved node holds no dispute before a case')

  const ruling = (node: string, signer: FedmeshNode['signer']): Uint8Array => encodeDisputeMessage({
    kind: 'node',
    signed: signNodeStatement({ kind: 'dispute.ruling', node, subject: id, issuedAtMs: Date.now(), claims: { outcome: 'recipient', satisfaction_permille: 0 } }, signer)
  })
  // before the escalation reaches a home node a drawn panelist's ruling waits (DEFERRED: its case may have come first); anyone else's is refused
  const drawnEarly = others.find((n) => opened.draw.panel.includes(n.peerId.toString()))!
  const undrawnEarly = others.find((n) => !opened.draw.panel.includes(n.peerId.toString()))!
  t.deepEqual(await sendRaw(drawnEarly, b, ruling(drawnEarly.peerId.toString(), drawnEarly.signer)), { outcome: 'DEFERRED', error: '' })
  t.deepEqual(await sendRaw(undrawnEarly, b, ruling(undrawnEarly.peerId.toString(), undrawnEarly.signer)), { outcome: 'REJECTED', error: 'NotAPanelistError' })

  // layer 3: alice escalates; A sends the case to exactly the drawn panel
  const escalated = await run(a, 'dispute.escalate', { dispute_id: id, participant: 'alice' })
  t.is(escalated.layer, 'arbitration')
  const panel: string[] = escalated.panel
  t.deepEqual(panel, escalated.draw.panel, 'the panel is the draw from the certificate hash')
  const panelists = others.filter((n) => panel.includes(n.peerId.toString()))
  const outsider = others.find((n) => !panel.includes(n.peerId.toString()))!
  t.is(panelists.length, 3)
  await until('every panelist to record the case', async () => (await Promise.all(panelists.map(async (p) => (await disputeOn(p, id))?.layer === 'arbitration'))).every(Boolean), WAIT)
  await until('A\'s outbox to drain', () => Object.keys(a.disputes.pending()).length === 0, WAIT)
  await until('B to see arbitration', async () => (await disputeOn(b, id)).layer === 'arbitration', WAIT)
  t.is(await disputeOn(outsider, id), undefined, 'the case reached exactly the drawn panel')
  for (const p of panelists) t.like(await disputeOn(p, id), { role: 'panelist', status: 'open', panel })

  // hostile input: a ruling by a member not drawn, a panelist's ruling signed with another key
  t.deepEqual(await sendRaw(outsider, b, ruling(outsider.peerId.toString(), outsider.signer)), { outcome: 'REJECTED', error: 'NotAPanelistError' })
  t.deepEqual(await sendRaw(panelists[0]!, b, ruling(panelists[0]!.peerId.toString(), outsider.signer)), { outcome: 'REJECTED', error: 'NodeSignatureError' }, 'a forged signature')
  t.deepEqual(await sendRaw(outsider, b, ruling(panelists[0]!.peerId.toString(), panelists[0]!.signer)), { outcome: 'REJECTED', error: 'DisputeSenderError' }, 'a genuine ruling relayed by someone else')
  t.is((await disputeOn(b, id)).rulings.length, 0)
  await t.throwsAsync(run(a, 'dispute.rule', { dispute_id: id, decision: 'provider', satisfaction: 1 }), { name: 'NotAPanelistError' }, 'a home node does not rule')

  // two of three panelists agree: the ruling binds, with the lower median of their satisfactions
  await run(panelists[0]!, 'dispute.rule', { dispute_id: id, decision: 'provider', satisfaction: 0.9, text: 'delivered as agreed' })
  t.is((await disputeOn(a, id)).status, 'open')
  await run(panelists[1]!, 'dispute.rule', { dispute_id: id, decision: 'provider', satisfaction: 0.7 })
  for (const node of [a, b, ...panelists]) {
    await until('the decision on every home node and panelist', async () => (await disputeOn(node, id)).status === 'decided', WAIT)
    t.deepEqual((await disputeOn(node, id)).ruling, { outcome: 'provider', satisfaction_permille: 700 })
  }

  // the ruling's satisfaction replaces alice's confirmation: bob's exchange and attestation on B, A's observation of B
  const exchanges = (await new ChainRepository(b.store).exchanges()).filter((e) => e.chain === chainId && e.edge === edge)
  t.deepEqual(exchanges.map((e) => e.satisfaction_permille), [700])
  await b.attestations.review()
  t.is((await b.attestations.latest('sep://bob@uk_south'))?.attestation.claims.satisfaction_rate_permille, 700)
  const observed = (await new ChainRepository(a.store).observations()).filter((o) => o.chain === chainId && o.node === b.peerId.toString())
  t.deepEqual(observed.map((o) => o.observed_permille), [700])
  await a.attestations.review()
  const accuracy = (await new AttestationRepository(a.store).accuracyObservations()).filter((o) => o.chain === chainId)
  t.deepEqual(accuracy.map((o) => o.observed_permille), [700], 'the reputation input of B is the ruling')

  // the export on either side holds every signed message of the chain and of the dispute from all nodes
  for (const node of [a, panelists[2]!]) {
    const bundle = await run(node, 'dispute.export', { dispute_id: id })
    t.is(verifyEvidenceBundle(bundle, hybridVerifier()), 14 + 7)
    const kinds = bundle.items.slice(14).map((i: { what: string }) => i.what)
    t.deepEqual(kinds, ['dispute.open', 'dispute.escalate', 'dispute.recommendation', 'dispute.recommendation', 'dispute.escalate', 'dispute.ruling', 'dispute.ruling'])
  }
})

test.serial('a restart mid-protocol resumes: a dispute opened while the other home node is down, with the sender restarted too, arrives from the persisted outbox', async (t) => {
  const root = await mkdtemp(join(tmpdir(), 'fedmesh-dispute-restart-'))
  t.teardown(async () => { await rm(root, { recursive: true, force: true }) })
  const fed = await federation('dispute-restart', [{ site: 'uk_north', dataDir: join(root, 'a') }, { site: 'uk_south', dataDir: join(root, 'b') }], MESH)
  t.teardown(fed.stop)
  const [a, b] = fed.nodes as [FedmeshNode, FedmeshNode]
  const { id: chainId, edge } = await seedChain(a, b)
  await b.stop()
  const opened = await run(a, 'dispute.open', { chain_id: chainId, edge, participant: 'alice' })
  t.deepEqual(a.disputes.pending(), { [b.peerId.toString()]: 1 }, 'persisted in the outbox, unanswered')
  await a.stop()
  const b2 = await fed.restart(1)
  const a2 = await fed.restart(0)
  await until('B to receive the dispute after both restarts', async () => (await disputeOn(b2, opened.dispute_id)) !== undefined, WAIT)
  await until('A\'s outbox to drain', () => Object.keys(a2.disputes.pending()).length === 0, WAIT)
  // and back: bob resolves on B, A sees it
  await run(b2, 'dispute.resolve', { dispute_id: opened.dispute_id, participant: 'bob', text: 'refunded' })
  await until('A to see it resolved', async () => (await disputeOn(a2, opened.dispute_id)).status === 'resolved', WAIT)
  t.deepEqual((await disputeOn(a2, opened.dispute_id)).messages.map((m: { kind: string }) => m.kind), ['dispute.open', 'dispute.resolve'])
})

test.serial('a panelist down at the escalation gets the case once it is back, keeps it across a restart, and its ruling still binds', async (t) => {
  const root = await mkdtemp(join(tmpdir(), 'fedmesh-dispute-panel-'))
  t.teardown(async () => { await rm(root, { recursive: true, force: true }) })
  const sites = ['uk_north', 'uk_south', 'arb_1', 'arb_2', 'arb_3'].map((site) => ({ site, dataDir: join(root, site) }))
  const fed = await federation('dispute-panel', sites, MESH)
  t.teardown(fed.stop)
  const [a, b] = fed.nodes as [FedmeshNode, FedmeshNode]
  const { id: chainId, edge } = await seedChain(a, b)
  const { dispute_id: id } = await run(a, 'dispute.open', { chain_id: chainId, edge, participant: 'alice' })
  await until('B to record the dispute', async () => (await disputeOn(b, id)) !== undefined, WAIT)
  await run(b, 'dispute.escalate', { dispute_id: id, participant: 'bob' })
  await until('A to see mediation', async () => (await disputeOn(a, id)).layer === 'mediation', WAIT)
  await run(a, 'dispute.recommend', { dispute_id: id, text: 'refund half' })
  await run(b, 'dispute.recommend', { dispute_id: id, text: 'refund half' })
  await until('B\'s recommendation on A', async () => (await disputeOn(a, id)).recommendations.length === 2, WAIT)

  await fed.nodes[2]!.stop()
  const escalated = await run(a, 'dispute.escalate', { dispute_id: id, participant: 'alice' })
  t.deepEqual([...escalated.panel].sort(), fed.nodes.slice(2).map((n) => n.peerId.toString()).sort(), 'three uninvolved members: all sit')
  await until('the two running panelists to record the case', async () => (await disputeOn(fed.nodes[3]!, id))?.layer === 'arbitration' && (await disputeOn(fed.nodes[4]!, id))?.layer === 'arbitration', WAIT)
  t.is(a.disputes.pending()[fed.nodes[2]!.peerId.toString()], 1, 'the case waits in A\'s outbox for the stopped panelist')

  let p0 = await fed.restart(2)
  await until('the restarted panelist to receive the case', async () => (await disputeOn(p0, id))?.role === 'panelist', WAIT)
  await p0.stop()
  p0 = await fed.restart(2)
  t.like(await disputeOn(p0, id), { role: 'panelist', layer: 'arbitration', status: 'open' }, 'the case survives a restart')
  await run(p0, 'dispute.rule', { dispute_id: id, decision: 'recipient', satisfaction: 0.1 })
  await run(fed.nodes[3]!, 'dispute.rule', { dispute_id: id, decision: 'recipient', satisfaction: 0.2 })
  for (const node of [a, b, p0]) await until('the decision on both home nodes and the restarted panelist', async () => (await disputeOn(node, id)).status === 'decided', WAIT)
  t.deepEqual((await disputeOn(b, id)).ruling, { outcome: 'recipient', satisfaction_permille: 100 })
  const bundle = await run(p0, 'dispute.export', { dispute_id: id })
  t.is(verifyEvidenceBundle(bundle, hybridVerifier()), 14 + 7, 'the panelist exports the whole evidence from its stored case')
})
