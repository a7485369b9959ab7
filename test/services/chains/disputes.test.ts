/**
 * Disputes after a settled chain between real nodes: a participant opens one
 * on an edge, the layers move as the core rules say, the evidence bundle
 * verifies on its own, and the arbitration draw is recomputed from the
 * certificate hash and the member list alone.
 */
import test from 'ava'
import { createHash } from 'node:crypto'
import { verifyEvidenceBundle } from '../../../src/core/chain/evidence.ts'
import { ARBITRATION_DRAW_DOMAIN, ARBITRATION_PANEL_SIZE } from '../../../src/core/chain/constants.ts'
import { hybridVerifier } from '../../../src/crypto/hybrid.ts'
import type { FedmeshNode } from '../../../src/node/node.ts'
import { federation, run, settle, until } from './federation.ts'

test('a dispute on an edge: opened by its recipient, escalated, resolved; the export verifies alone and the panel is recomputed from the certificate hash', async (t) => {
  const fed = await federation('dispute', [{ site: 'uk_north' }, { site: 'uk_south' }, { site: 'arb_1' }, { site: 'arb_2' }, { site: 'arb_3' }])
  t.teardown(fed.stop)
  const [a, b] = fed.nodes as [FedmeshNode, FedmeshNode]
  await run(a, 'participant.add', { handle: 'alice', offers: ['legal.contracts'], needs: ['food.catering'] })
  await run(a, 'participant.add', { handle: 'carol', offers: ['design'], needs: ['legal.contracts'] })
  await run(b, 'participant.add', { handle: 'bob', offers: ['food.catering'], needs: ['design'] })
  await until('A to receive B\'s summary', async () => (await run(a, 'match', {})).chains.length === 1)
  const id = await settle(a, b, { carol: 0.9, bob: 0.8, alice: 0.3 })
  const chain = await run(a, 'chain.show', { chain_id: id })
  const edge = chain.edges.findIndex((e: { recipient: number }) => chain.steps[e.recipient].participant === 'sep://alice@uk_north')

  await t.throwsAsync(run(a, 'dispute.open', { chain_id: id, edge, participant: 'carol' }), { name: 'NotADisputePartyError' }, 'carol is not on that edge')
  const opened = await run(a, 'dispute.open', { chain_id: id, edge, participant: 'alice', text: 'the food was cold' })
  t.like(opened, { chain_id: id, edge, layer: 'direct', status: 'open', recipient: { participant: 'sep://alice@uk_north' }, provider: { participant: 'sep://bob@uk_south' } })
  t.is(opened.draw.panel.length, ARBITRATION_PANEL_SIZE)
  const involved = new Set([a.peerId.toString(), b.peerId.toString()])
  t.true(opened.draw.panel.every((m: string) => !involved.has(m)), 'only uninvolved members sit')

  const escalated = await run(a, 'dispute.escalate', { dispute_id: opened.dispute_id.slice(0, 12), participant: 'alice' })
  t.is(escalated.layer, 'mediation')
  await t.throwsAsync(run(a, 'dispute.escalate', { dispute_id: opened.dispute_id, participant: 'alice' }), { name: 'DisputeStateError' }, 'arbitration needs both recommendations or the mediation window')
  const resolved = await run(a, 'dispute.resolve', { dispute_id: opened.dispute_id, participant: 'alice', text: 'refunded' })
  t.is(resolved.status, 'resolved')
  t.deepEqual(resolved.messages.map((m: { kind: string }) => m.kind), ['dispute.open', 'dispute.escalate', 'dispute.resolve'])
  t.is((await run(a, 'dispute.list', {})).disputes.length, 1)

  const bundle = await run(a, 'dispute.export', { dispute_id: opened.dispute_id })
  t.is(bundle.format, 'fedmesh-evidence/1')
  t.is(bundle.dispute, opened.dispute_id)
  // every signed message of the chain (proposal, 2 validations, 3 consents, 2 commits, 3 deliveries, 3 confirmations) and the dispute's 3
  t.is(verifyEvidenceBundle(bundle, hybridVerifier()), 1 + 2 + 3 + 2 + 3 + 3 + 3)
  // the draw from the certificate hash and the member list alone
  const members = (await run(a, 'consensus.members', {})).members.map((m: { node_id: string }) => m.node_id)
  const score = (m: string): string => createHash('sha256').update(ARBITRATION_DRAW_DOMAIN).update(Buffer.from(bundle.certificate_hash, 'hex')).update(m).digest('hex')
  const recomputed = members.filter((m: string) => !involved.has(m)).sort((x: string, y: string) => (score(x) < score(y) ? -1 : 1)).slice(0, ARBITRATION_PANEL_SIZE)
  t.deepEqual(recomputed, opened.draw.panel)
  t.deepEqual(bundle.draw.panel, opened.draw.panel)
  t.is((await run(b, 'chain.show', { chain_id: id })).certificate_hash, bundle.certificate_hash, 'B holds the same certificate, so it draws the same panel')
})
