/**
 * The seed example over the network: Alice and Carol on node A (uk_north),
 * Bob on node B (uk_south). A's `match` finds the chain through B's gossiped
 * summary; it is proposed, validated, consented ×3, committed with a
 * certificate both nodes hold, delivered and confirmed ×3 and complete — every
 * step through the operations the CLI and the API run, over
 * /fedmesh/chain/1.0.0 between real nodes.
 */
import test from 'ava'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ChainRepository } from '../../../src/store/chains.ts'
import { federation, run, until } from './federation.ts'
import type { FedmeshNode } from '../../../src/node/node.ts'

async function seedParticipants (a: FedmeshNode, b: FedmeshNode): Promise<void> {
  await run(a, 'participant.add', { handle: 'alice', offers: ['legal.contracts'], needs: ['food.catering'] })
  await run(a, 'participant.add', { handle: 'carol', offers: ['design'], needs: ['legal.contracts'] })
  await run(b, 'participant.add', { handle: 'bob', offers: ['food.catering'], needs: ['design'] })
  await until('A to receive B\'s summary', async () => (await run(a, 'match', {})).nodes.includes('uk_south'))
}

async function stateOn (node: FedmeshNode, id: string): Promise<string | undefined> {
  return (await run(node, 'chains.list', {})).chains.find((c: { chain_id: string }) => c.chain_id === id)?.state
}

test('the seed example settles end to end between two nodes: propose, consent ×3, committed, delivered and confirmed ×3, complete', async (t) => {
  const fed = await federation('seed', [{ site: 'uk_north' }, { site: 'uk_south' }])
  t.teardown(fed.stop)
  const [a, b] = fed.nodes as [FedmeshNode, FedmeshNode]
  await seedParticipants(a, b)

  const proposed = await run(a, 'chain.propose', {})
  const id: string = proposed.chain_id
  t.regex(id, /^[0-9a-f]{64}$/)
  t.deepEqual(proposed.steps.map((s: { node: string }) => s.node).sort(), ['uk_north', 'uk_north', 'uk_south'])
  await until('B to validate and both to be consenting', async () => (await stateOn(a, id)) === 'consenting' && (await stateOn(b, id)) === 'consenting')
  const onA = (await run(a, 'chain.show', { chain_id: id }))
  t.is(onA.steps.find((s: { node: string }) => s.node === 'uk_south').participant, 'sep://bob@uk_south', 'B bound its real participant and A knows it')
  t.is((await run(a, 'match', {})).chains.length, 0, 'reserved participants are not offered again')

  await run(b, 'chain.consent', { chain_id: id, participant: 'bob' })
  await run(a, 'chain.consent', { chain_id: id, participant: 'alice' })
  const afterCarol = await run(a, 'chain.consent', { chain_id: id.slice(0, 12), participant: 'sep://carol@uk_north' })
  t.is(afterCarol.steps.find((s: { participant?: string }) => s.participant === 'sep://carol@uk_north').consent, 'consented')
  await until('both nodes to hold the commit certificate', async () => (await stateOn(a, id)) === 'committed' && (await stateOn(b, id)) === 'committed')
  const certificateA = (await run(a, 'chain.show', { chain_id: id })).certificate_hash
  t.regex(certificateA, /^[0-9a-f]{64}$/)
  t.is((await run(b, 'chain.show', { chain_id: id })).certificate_hash, certificateA, 'one certificate on both nodes')

  // edge 0: alice → carol (legal), edge 1: carol → bob (design), edge 2: bob → alice (catering)
  await run(a, 'chain.deliver', { chain_id: id, participant: 'alice' })
  await run(a, 'chain.confirm', { chain_id: id, participant: 'carol', satisfaction: 0.9 })
  await run(a, 'chain.deliver', { chain_id: id, participant: 'carol' })
  await run(b, 'chain.deliver', { chain_id: id, participant: 'bob' })
  await run(a, 'chain.confirm', { chain_id: id, participant: 'alice', satisfaction: 1, comment: 'lovely food' })
  await until('B to see carol\'s delivery', async () => {
    const view = await run(b, 'chain.show', { chain_id: id })
    return view.edges.some((e: { provider: number, delivered: boolean }) => view.steps[e.provider].participant === 'sep://carol@uk_north' && e.delivered)
  })
  await run(b, 'chain.confirm', { chain_id: id, participant: 'bob', satisfaction: 0.7 })
  await until('both nodes to complete', async () => (await stateOn(a, id)) === 'complete' && (await stateOn(b, id)) === 'complete')

  const shown = await run(b, 'chain.show', { chain_id: id })
  const into = (handle: string): { satisfaction: number, comment?: string } => shown.edges.find((e: { recipient: number }) => shown.steps[e.recipient].participant === `sep://${handle}`)
  t.is(into('carol@uk_north').satisfaction, 0.9)
  t.is(into('bob@uk_south').satisfaction, 0.7)
  t.is(into('alice@uk_north').satisfaction, 1)
  t.is(into('alice@uk_north').comment, 'lovely food')
  t.deepEqual(shown.steps.map((s: { consent: string }) => s.consent), ['consented', 'consented', 'consented'])
  // the exchanges are stored for attestations: A's two participants, B's one, as provider and recipient
  t.is((await new ChainRepository(a.store).exchanges()).length, 4)
  t.is((await new ChainRepository(b.store).exchanges()).length, 2)
  t.is((await new ChainRepository(a.store).reservations()).size, 0, 'every reservation released')
  t.deepEqual(a.chains.reserved(), new Set())
  await until('every message answered', () => Object.keys(a.chains.pending()).length === 0 && Object.keys(b.chains.pending()).length === 0)
  t.is((await run(a, 'match', {})).chains.length, 1, 'after completion the participants match again')
})

test('a refusal cancels the chain on both nodes and releases every reservation', async (t) => {
  const fed = await federation('refuse', [{ site: 'uk_north' }, { site: 'uk_south' }])
  t.teardown(fed.stop)
  const [a, b] = fed.nodes as [FedmeshNode, FedmeshNode]
  await seedParticipants(a, b)
  const { chain_id: id } = await run(a, 'chain.propose', {})
  await until('B to be consenting', async () => (await stateOn(b, id)) === 'consenting')
  await run(a, 'chain.consent', { chain_id: id, participant: 'alice' })
  const refused = await run(b, 'chain.refuse', { chain_id: id, participant: 'bob', note: 'busy that week' })
  t.is(refused.state, 'cancelled')
  await until('A to cancel', async () => (await stateOn(a, id)) === 'cancelled')
  const cancelled = await run(a, 'chain.show', { chain_id: id })
  t.like(cancelled.cancel, { reason: 'refused' })
  t.is(cancelled.steps[cancelled.cancel.index].participant, 'sep://bob@uk_south')
  t.is((await new ChainRepository(a.store).reservations()).size, 0)
  t.is((await new ChainRepository(b.store).reservations()).size, 0)
  await t.throwsAsync(run(a, 'chain.consent', { chain_id: id, participant: 'carol' }), { name: 'ChainStateError' })
  t.is((await run(a, 'chains.list', { state: 'cancelled' })).chains.length, 1)
})

test('a node stopped mid-protocol resumes from its store: messages wait in the outbox and the chain commits after the restart', async (t) => {
  const dataDir = await mkdtemp(join(tmpdir(), 'fedmesh-chains-restart-'))
  const fed = await federation('restart', [{ site: 'uk_north' }, { site: 'uk_south', dataDir }])
  t.teardown(fed.stop)
  const [a] = fed.nodes as [FedmeshNode, FedmeshNode]
  let b = fed.nodes[1]!
  await seedParticipants(a, b)
  const { chain_id: id } = await run(a, 'chain.propose', {})
  await until('B to be consenting', async () => (await stateOn(b, id)) === 'consenting')
  await b.stop()
  // A's consents cannot reach B: they wait in A's outbox
  await run(a, 'chain.consent', { chain_id: id, participant: 'alice' })
  await run(a, 'chain.consent', { chain_id: id, participant: 'carol' })
  await until('A to hold the consents for B', () => (a.chains.pending()[b.peerId.toString()] ?? 0) >= 2)

  b = await fed.restart(1)
  t.is(await stateOn(b, id), 'consenting', 'B restored the chain from its store')
  t.deepEqual([...b.chains.reserved()], ['sep://bob@uk_south'], 'and its reservation')
  await until('A\'s outbox to drain into B', () => Object.keys(a.chains.pending()).length === 0)
  const consents = (await run(b, 'chain.show', { chain_id: id })).steps.map((s: { participant: string, consent: string }) => `${s.participant} ${s.consent}`).sort()
  t.deepEqual(consents, ['sep://alice@uk_north consented', 'sep://bob@uk_south pending', 'sep://carol@uk_north consented'])
  await run(b, 'chain.consent', { chain_id: id, participant: 'bob' })
  await until('both to commit', async () => (await stateOn(a, id)) === 'committed' && (await stateOn(b, id)) === 'committed')
  t.pass()
})

test('a standing auto-consent rule consents for its participant; a paused participant is not bound', async (t) => {
  const fed = await federation('rule', [{ site: 'uk_north' }, { site: 'uk_south' }])
  t.teardown(fed.stop)
  const [a, b] = fed.nodes as [FedmeshNode, FedmeshNode]
  await seedParticipants(a, b)
  const rule = await run(b, 'participant.auto-consent', { participant: 'bob', chain_length_max: 3 })
  t.is(rule.auto_consent.statement.kind, 'chain.auto-consent')
  const { chain_id: id } = await run(a, 'chain.propose', {})
  await until('bob\'s standing consent to reach A', async () =>
    (await run(a, 'chain.show', { chain_id: id })).steps.find((s: { node: string }) => s.node === 'uk_south').consent === 'consented')
  await run(a, 'chain.consent', { chain_id: id, participant: 'alice' })
  await run(a, 'chain.consent', { chain_id: id, participant: 'carol' })
  await until('both to commit on two consents and a rule', async () => (await stateOn(a, id)) === 'committed' && (await stateOn(b, id)) === 'committed')

  // a second chain finds bob paused: B rejects it and A cancels, releasing alice and carol at once
  await run(a, 'chain.deliver', { chain_id: id, participant: 'alice' }) // (the first chain goes on)
  await run(b, 'participant.pause', { participant: 'bob' })
  const second = await b.chains.propose({ steps: [
    { node: 'uk_south', need: 'design', offer: 'food.catering' },
    { node: 'uk_north', need: 'food.catering', offer: 'legal.contracts' },
    { node: 'uk_north', need: 'legal.contracts', offer: 'design' }
  ] }).then((r) => r.id).catch((err: Error) => err.name)
  t.is(typeof second, 'string')
  const cancelled = await run(b, 'chain.show', { chain_id: second })
  t.is(cancelled.state, 'cancelled')
  t.deepEqual(cancelled.cancel, { reason: 'rejected', node: b.peerId.toString(), reject: 'participant_paused' })
})
