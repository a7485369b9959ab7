/**
 * Failure paths of chain settlement between real nodes: a consent deadline
 * passing (on an injected clock), a home node rejecting a stale step, a node
 * stopped mid-protocol that comes back after the deadline (cancels cleanly),
 * and a forged consent sent over the wire (REJECTED, the chain unaffected).
 * Each ends with every reservation released on every node and the cause
 * recorded in the chain's record. (A refusal and a restart that resumes are
 * in settlement.test.ts.)
 */
import test from 'ava'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { peerIdFromString } from '@libp2p/peer-id'
import { pbStream } from 'it-protobuf-stream'
import { clockFrom } from '../../../src/runtime/clock.ts'
import { CHAIN_PROTOCOL_ID, CONSENT_WINDOW_MS_MIN } from '../../../src/core/chain/constants.ts'
import { CONSENT_KIND } from '../../../src/core/chain/participant-statements.ts'
import { signStatement } from '../../../src/core/identity/statement.ts'
import { generateParticipantSeeds, participantSignerFromSeeds } from '../../../src/crypto/participant-keys.ts'
import { CHAIN_MESSAGE_BYTES_MAX, encodeChainMessage } from '../../../src/wire/chain.ts'
import * as wire from '../../../protocols/chain.ts'
import { ChainRepository } from '../../../src/store/chains.ts'
import type { FedmeshNode } from '../../../src/node/node.ts'
import { federation, run, until } from './federation.ts'

/** A clock a test moves forward; shared by every node of a federation so envelopes stay within the skew. */
function movableClock (): { clock: ReturnType<typeof clockFrom>, advance: (ms: number) => void } {
  let offset = 0
  return { clock: clockFrom(() => Date.now() + offset), advance: (ms) => { offset += ms } }
}

async function seed (a: FedmeshNode, b: FedmeshNode): Promise<void> {
  await run(a, 'participant.add', { handle: 'alice', offers: ['legal.contracts'], needs: ['food.catering'] })
  await run(a, 'participant.add', { handle: 'carol', offers: ['design'], needs: ['legal.contracts'] })
  await run(b, 'participant.add', { handle: 'bob', offers: ['food.catering'], needs: ['design'] })
  await until('A to receive B\'s summary', async () => (await run(a, 'match', {})).chains.length === 1)
}

async function stateOn (node: FedmeshNode, id: string): Promise<string | undefined> {
  return (await run(node, 'chains.list', {})).chains.find((c: { chain_id: string }) => c.chain_id === id)?.state
}

async function assertReleased (t: { is: (a: unknown, b: unknown, m?: string) => void, deepEqual: (a: unknown, b: unknown, m?: string) => void }, nodes: FedmeshNode[]): Promise<void> {
  for (const node of nodes) {
    t.is((await new ChainRepository(node.store).reservations()).size, 0, 'no reservation stored')
    t.deepEqual(node.chains.reserved(), new Set(), 'no reservation held')
  }
}

const SEED_STEPS = [
  { node: 'uk_south', need: 'design', offer: 'food.catering' },
  { node: 'uk_north', need: 'food.catering', offer: 'legal.contracts', participant: 'sep://alice@uk_north' },
  { node: 'uk_north', need: 'legal.contracts', offer: 'design', participant: 'sep://carol@uk_north' }
]

test('the consent deadline passing cancels on every node, releases every reservation and records the cause', async (t) => {
  const time = movableClock()
  const fed = await federation('deadline', [{ site: 'uk_north', clock: time.clock }, { site: 'uk_south', clock: time.clock }])
  t.teardown(fed.stop)
  const [a, b] = fed.nodes as [FedmeshNode, FedmeshNode]
  await seed(a, b)
  const { chain_id: id } = await run(a, 'chain.propose', { consent_minutes: CONSENT_WINDOW_MS_MIN / 60_000 })
  await until('both consenting', async () => (await stateOn(a, id)) === 'consenting' && (await stateOn(b, id)) === 'consenting')
  await run(a, 'chain.consent', { chain_id: id, participant: 'alice' })
  await run(b, 'chain.consent', { chain_id: id, participant: 'bob' })
  // carol never answers
  time.advance(CONSENT_WINDOW_MS_MIN + 1000)
  await a.chains.tick()
  await b.chains.tick()
  for (const node of [a, b]) {
    const view = await run(node, 'chain.show', { chain_id: id })
    t.is(view.state, 'cancelled')
    t.deepEqual(view.cancel, { reason: 'consent_deadline' })
  }
  await assertReleased(t, [a, b])
  await t.throwsAsync(run(a, 'chain.consent', { chain_id: id, participant: 'carol' }), { name: 'ChainStateError' }, 'a consent after the deadline changes nothing')
  t.is((await run(a, 'match', {})).chains.length, 1, 'the participants are offered again at once')
})

test('a home node whose participant is gone rejects the step as stale: the proposer cancels and releases its own participants', async (t) => {
  const fed = await federation('stale', [{ site: 'uk_north' }, { site: 'uk_south' }])
  t.teardown(fed.stop)
  const [a, b] = fed.nodes as [FedmeshNode, FedmeshNode]
  await seed(a, b)
  await run(b, 'participant.remove', { participant: 'bob' })
  // A proposes from the summary it still holds
  const { id } = await a.chains.propose({ steps: SEED_STEPS })
  await until('A to learn of the rejection', async () => (await stateOn(a, id)) === 'cancelled')
  for (const node of [a, b]) {
    const view = await run(node, 'chain.show', { chain_id: id })
    t.is(view.state, 'cancelled')
    t.deepEqual(view.cancel, { reason: 'rejected', node: b.peerId.toString(), reject: 'stale_summary' })
  }
  await assertReleased(t, [a, b])
})

test('a node stopped mid-protocol that restarts after the consent deadline cancels cleanly, as does the node that waited', async (t) => {
  const time = movableClock()
  const dataDir = await mkdtemp(join(tmpdir(), 'fedmesh-chains-deadline-restart-'))
  const fed = await federation('down-deadline', [{ site: 'uk_north', clock: time.clock }, { site: 'uk_south', dataDir, clock: time.clock }])
  t.teardown(fed.stop)
  const [a] = fed.nodes as [FedmeshNode, FedmeshNode]
  let b = fed.nodes[1]!
  await seed(a, b)
  const { chain_id: id } = await run(a, 'chain.propose', { consent_minutes: CONSENT_WINDOW_MS_MIN / 60_000 })
  await until('both consenting', async () => (await stateOn(a, id)) === 'consenting' && (await stateOn(b, id)) === 'consenting')
  await run(a, 'chain.consent', { chain_id: id, participant: 'alice' })
  await b.stop()
  await run(a, 'chain.consent', { chain_id: id, participant: 'carol' })
  time.advance(CONSENT_WINDOW_MS_MIN + 1000)
  await a.chains.tick()
  t.is(await stateOn(a, id), 'cancelled', 'A never signed a commit (bob had not consented): it cancels at its deadline')
  await assertReleased(t, [a])

  b = await fed.restart(1)
  // B's start ticks the deadline that passed while it was down
  t.is(await stateOn(b, id), 'cancelled')
  t.deepEqual((await run(b, 'chain.show', { chain_id: id })).cancel, { reason: 'consent_deadline' })
  await assertReleased(t, [b])
  await until('A\'s outbox to drain into B (answered, nothing left to resend)', () => Object.keys(a.chains.pending()).length === 0)
  t.is(await stateOn(b, id), 'cancelled')
})

test('a consent signed with a key that is not the bound participant\'s is REJECTED over the wire and changes nothing', async (t) => {
  const fed = await federation('forged', [{ site: 'uk_north' }, { site: 'uk_south' }])
  t.teardown(fed.stop)
  const [a, b] = fed.nodes as [FedmeshNode, FedmeshNode]
  await seed(a, b)
  const { chain_id: id } = await run(a, 'chain.propose', {})
  await until('both consenting', async () => (await stateOn(a, id)) === 'consenting' && (await stateOn(b, id)) === 'consenting')
  const bobStep = (await run(a, 'chain.show', { chain_id: id })).steps.findIndex((s: { participant?: string }) => s.participant === 'sep://bob@uk_south')
  t.true(bobStep >= 0)

  // A (a member, so its streams are admitted) sends B a consent "by bob" signed with some other key
  const forger = participantSignerFromSeeds(generateParticipantSeeds())
  const statement = signStatement({ kind: CONSENT_KIND, participant: 'sep://bob@uk_south', issuedAtMs: Date.now(), claims: { chain: id, index: bobStep } }, forger)
  const stream = await a.libp2p.dialProtocol(peerIdFromString(b.peerId.toString()), CHAIN_PROTOCOL_ID)
  const pb = pbStream(stream, { maxDataLength: CHAIN_MESSAGE_BYTES_MAX })
  await pb.write(encodeChainMessage({ kind: 'consent', chain: id, index: bobStep, statement }), { encode: (bytes: Uint8Array) => bytes })
  const answer = await pb.read(wire.ChainResponse)
  await stream.close()
  t.is(answer.outcome, wire.ChainOutcome.REJECTED)
  t.is(answer.error, 'ForgedConsentError')

  // the same forgery through A's own participant path is refused too
  const forgedLocal = signStatement({ kind: CONSENT_KIND, participant: 'sep://alice@uk_north', issuedAtMs: Date.now(), claims: { chain: id, index: (bobStep + 1) % 3 } }, forger)
  await t.throwsAsync(a.chains.participantStatement(forgedLocal), { name: 'ForgedConsentError' })

  const onB = await run(b, 'chain.show', { chain_id: id })
  t.is(onB.steps[bobStep].consent, 'pending', 'the forged consent was not taken')
  t.is(onB.state, 'consenting')
  // the real participants settle it as usual
  await run(b, 'chain.refuse', { chain_id: id, participant: 'bob', note: 'not me' })
  await until('A to cancel', async () => (await stateOn(a, id)) === 'cancelled')
  await assertReleased(t, [a, b])
})
