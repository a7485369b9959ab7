/**
 * The receipt of a move and resolution of a moved participant, in three
 * in-process members (memory transport): who acknowledged (B on hosting, C
 * after resolving through the DHT, A on finding the redirect), a member that
 * cannot find a move's redirect acknowledging it as failed with the reason,
 * what the move_ack pipeline refuses, and attestations looked up by the old
 * id following the redirect to the participant's key.
 * (Three `fedmesh start` processes: migration.test.ts.) Serial: each test runs
 * three nodes.
 */
import test from 'ava'
import { randomBytes } from 'node:crypto'
import { signEnvelope } from '../../src/wire/envelope.ts'
import { gossipTopic } from '../../src/net/gossip.ts'
import { encodeAttestation } from '../../src/wire/chain.ts'
import { signAttestation, participantKeyId, trustTierOf } from '../../src/core/attestation/index.ts'
import { publicKeyFromClaims } from '../../src/core/chain/node-statement.ts'
import { signMoveAck, type MoveAck } from '../../src/core/migration/move-ack.ts'
import { ATTESTATION_SCHEMA_ID } from '../../src/services/attestations/index.ts'
import { encodeMoveAckPayload, MOVE_ACK_SCHEMA_ID } from '../../src/services/move-acks/index.ts'
import { MOVE_ACK_ATTEMPTS_MAX } from '../../src/services/move-acks/constants.ts'
import { MoveAckRepository } from '../../src/store/move-acks.ts'
import type { FedmeshNode } from '../../src/node/node.ts'
import type { MoveStatusView } from '../../src/services/migration/index.ts'
import type { ParticipantExport } from '../../src/core/migration/export.ts'
import { MOVE_FEDERATION_ID as FED, moveFederation, run, startMove, until } from '../fixtures/migration-federation.ts'

const keyOf = (document: ParticipantExport): string => participantKeyId(publicKeyFromClaims(document.participant.public_key))

function envelope (sender: FedmeshNode, dataClass: 'move_ack' | 'attestation', schemaId: string, payload: Uint8Array): Uint8Array {
  return signEnvelope({
    id: randomBytes(16), timestampMs: Date.now(), source: sender.peerId.toString(), destination: gossipTopic(FED, dataClass), federationId: FED,
    dataClass, schemaId, payload
  }, sender.signer)
}

async function verdict (node: FedmeshNode, dataClass: 'move_ack' | 'attestation', bytes: Uint8Array): Promise<string> {
  const result = await node.envelopes.receive(dataClass, bytes)
  return result.action === 'accept' ? 'accept' : `${result.action} ${result.code}`
}

const statusOf = (receipt: MoveStatusView['receipt']): Array<[string | null, string]> => receipt!.members.map((m) => [m.site, m.status] as [string | null, string]).sort()

test.serial('the receipt: B acks on hosting, C resolves through the DHT and acks, A acks on finding the redirect; a move whose redirect C cannot find is acked failed with the reason', async (t) => {
  const { nodes: [a, b, c] } = await moveFederation('receipt')
  t.teardown(async () => { for (const node of [c, b, a]) await node!.stop() })
  const { export: document, key: secret } = await startMove(a!)
  const key = keyOf(document)
  const accepted = await run(b!, 'participant.accept', { export: document, key: secret }) as MoveStatusView
  t.is(accepted.incoming?.status, 'hosted')
  const cId = c!.peerId.toString()
  const cAcks = new MoveAckRepository(c!.store)
  // C learns of the move from B's ack (gossip), then resolves alice@site_a itself and acks
  await until('C to acknowledge the move', async () => {
    await c!.moveAcks.tick()
    return (await cAcks.ack(key, 1, cId))?.ack.status === 'ok'
  })
  t.is((await cAcks.ack(key, 1, cId))!.ack.home, 'sep://alice@site_b')
  const before = (await run(b!, 'participant.move-status', { participant: 'alice' }) as MoveStatusView).receipt
  t.false(before?.complete ?? true, 'A has not found the redirect yet')
  await a!.migration.tick() // A finds the redirect, stops hosting and acks
  await until('the receipt on B to be complete', async () => (await run(b!, 'participant.move-status', { participant: 'alice' }) as MoveStatusView).receipt?.complete === true)
  const receipt = (await run(b!, 'participant.move-status', { participant: 'alice' }) as MoveStatusView).receipt!
  t.deepEqual(statusOf(receipt), [['site_a', 'resolved'], ['site_b', 'resolved'], ['site_c', 'resolved']])
  t.true(receipt.members.every((m) => m.home === 'sep://alice@site_b'))
  await until('the receipt on A to be complete', async () => (await run(a!, 'participant.move-status', { participant: 'alice' }) as MoveStatusView).receipt?.complete === true)

  // B claims a second move (seq 2) that no redirect backs: C looks it up MOVE_ACK_ATTEMPTS_MAX times, then acks failed
  const graceUntil = receipt.grace_until
  await b!.moveAcks.acknowledge({ key, from: 'sep://alice@site_a', seq: 2, graceUntil }, 'sep://alice@site_b')
  await until('C to hear of the second move', async () => (await cAcks.todo(key, 2)) !== undefined)
  for (let i = 0; i < MOVE_ACK_ATTEMPTS_MAX; i++) await c!.moveAcks.tick()
  const failed = (await cAcks.ack(key, 2, cId))!.ack
  t.is(failed.status, 'failed')
  t.regex(failed.reason!, /^RedirectNotFoundError: no redirect of sep:\/\/alice@site_a with seq ≥ 2/)
  await until('B to hold C\'s failed ack', async () => (await b!.moveAcks.receipt({ key, from: 'sep://alice@site_a', seq: 2, graceUntil })).members.some((m) => m.status === 'failed'))
  const second = await b!.moveAcks.receipt({ key, from: 'sep://alice@site_a', seq: 2, graceUntil })
  t.false(second.complete)
  t.deepEqual(statusOf(second), [['site_a', 'pending'], ['site_b', 'resolved'], ['site_c', 'failed']])
  t.regex(second.members.find((m) => m.site === 'site_c')!.reason!, /RedirectNotFoundError/)
})

test.serial('the move_ack pipeline refuses a forged signature, another member\'s ack, one from the future and a malformed payload', async (t) => {
  const { nodes: [a, b, c] } = await moveFederation('ackpipe')
  t.teardown(async () => { for (const node of [c, b, a]) await node!.stop() })
  const now = Date.now()
  const ack = (member: FedmeshNode, change: Partial<MoveAck> = {}): MoveAck => ({
    version: 1, federation_id: FED, key: 'cd'.repeat(32), from: 'sep://alice@site_a', seq: 1, grace_until: now + 3_600_000, member: member.peerId.toString(),
    status: 'ok', home: 'sep://alice@site_b', reason: null, issued_at: now, ...change
  })
  const send = (sender: FedmeshNode, payload: Uint8Array): Uint8Array => envelope(sender, 'move_ack', MOVE_ACK_SCHEMA_ID, payload)
  t.is(await verdict(c!, 'move_ack', send(b!, encodeMoveAckPayload(signMoveAck(ack(b!), c!.signer)))), 'reject bad_signature')
  t.is(await verdict(c!, 'move_ack', send(b!, encodeMoveAckPayload(signMoveAck(ack(a!), a!.signer)))), 'reject wrong_issuer')
  t.is(await verdict(c!, 'move_ack', send(b!, encodeMoveAckPayload(signMoveAck(ack(b!, { issued_at: now + 3_000_000 }), b!.signer)))), 'ignore clock_skew')
  t.is(await verdict(c!, 'move_ack', send(b!, new TextEncoder().encode('{"ack":1}'))), 'reject payload_schema')
  t.is(await verdict(c!, 'move_ack', envelope(b!, 'move_ack', 'fedmesh.other/1', encodeMoveAckPayload(signMoveAck(ack(b!), b!.signer)))), 'reject payload_schema')
  // failed with a home: signed bytes cannot even be made for it; a sender crafting the payload anyway is refused
  t.is(await verdict(c!, 'move_ack', send(b!, encodeMoveAckPayload({ ack: ack(b!, { status: 'failed', reason: 'x' }), signature: b!.signer.sign(new Uint8Array([1])) }))), 'reject payload_schema')
  t.deepEqual(await new MoveAckRepository(c!.store).allAcks(), [], 'nothing refused was stored')
  t.is(await verdict(c!, 'move_ack', send(b!, encodeMoveAckPayload(signMoveAck(ack(b!), b!.signer)))), 'accept')
  t.is((await new MoveAckRepository(c!.store).allAcks()).length, 1)
  t.not(await new MoveAckRepository(c!.store).todo('cd'.repeat(32), 1), undefined, 'B, the new home, announced a move: C will resolve it')
  // B is neither the old nor the new home of this one: its ack is kept, but it makes nobody look the move up
  t.is(await verdict(c!, 'move_ack', send(b!, encodeMoveAckPayload(signMoveAck(ack(b!, { key: 'ef'.repeat(32), home: 'sep://alice@site_c' }), b!.signer)))), 'accept')
  t.is((await new MoveAckRepository(c!.store).allAcks()).length, 2)
  t.is(await new MoveAckRepository(c!.store).todo('ef'.repeat(32), 1), undefined)
})

test.serial('attestations looked up by a moved participant\'s old id follow its redirect to its key: the new home\'s attestation is found', async (t) => {
  const { nodes: [a, b, c] } = await moveFederation('attest')
  t.teardown(async () => { for (const node of [c, b, a]) await node!.stop() })
  const { export: document, key: secret } = await startMove(a!)
  await run(b!, 'participant.accept', { export: document, key: secret })
  const key = keyOf(document)
  // B attests alice at her new home (as it does once she completes exchanges there)
  const now = Date.now()
  const claims = { exchanges_completed: 1, satisfaction_rate_permille: 900, partner_count: 2, member_since_ms: now - 1000, vouches_received: 0 }
  const signed = signAttestation({
    version: 1, federation_id: FED, issuing_node: b!.peerId.toString(), participant: 'sep://alice@site_b', participant_key: key,
    issued_at_ms: now, claims: { ...claims, trust_tier: trustTierOf(claims, now) }
  }, b!.signer)
  t.is(await verdict(c!, 'attestation', envelope(b!, 'attestation', ATTESTATION_SCHEMA_ID, encodeAttestation(signed))), 'accept')
  const listed = await run(c!, 'attestations.list', { participant: 'sep://alice@site_a' })
  t.deepEqual(listed.resolved, { id: 'sep://alice@site_a', home: 'sep://alice@site_b', key })
  t.deepEqual(listed.attestations.map((v: { participant: string, participant_key: string }) => [v.participant, v.participant_key]), [['sep://alice@site_b', key]])
  // an id that never moved lists only its own, unresolved
  const plain = await run(c!, 'attestations.list', { participant: 'sep://bob@site_a' })
  t.is(plain.resolved, undefined)
  t.deepEqual(plain.attestations, [])
})

test.serial('a recovery-key redirect is refused outside the recovery window of the redirect it would override, and once a recovery won', async (t) => {
  const { nodes: [a, b, c], offsetMs } = await moveFederation('recover', { grace_hours: 200 })
  t.teardown(async () => { for (const node of [c, b, a]) await node!.stop() })
  await run(a!, 'participant.add', { handle: 'alice', offers: ['legal.contracts'], needs: ['food.catering'] })
  const { recovery_key: recoveryKey } = await run(a!, 'participant.recovery-key', { participant: 'alice' })
  const { export: document, key } = await run(a!, 'participant.move', { participant: 'alice', to: 'site_b' })
  await run(b!, 'participant.accept', { export: document, key })
  // 73 h later (the window is 72 h): the stolen-key redirect would still win, so no recovery redirect is made
  offsetMs.value = 73 * 3_600_000
  await t.throwsAsync(run(c!, 'participant.recover', { export: document, recovery_key: recoveryKey }), { name: 'RecoveryWindowError' })
  t.deepEqual(await run(c!, 'participant.list', {}), [])
  // inside the window it wins; a second recovery elsewhere is refused
  offsetMs.value = 71 * 3_600_000
  const recovered = await run(c!, 'participant.recover', { export: document, recovery_key: recoveryKey }) as MoveStatusView
  t.is(recovered.incoming?.redirect?.signed_by, 'recovery')
  t.is((await run(a!, 'participant.resolve', { id: 'sep://alice@site_a' })).home, 'sep://alice@site_c')
  await t.throwsAsync(run(b!, 'participant.recover', { export: document, recovery_key: recoveryKey }), { name: 'MoveStateError', message: /already recovered/ })
  // B, which hosted her by the overridden redirect, stops hosting her
  await b!.migration.tick()
  t.deepEqual(await run(b!, 'participant.list', {}), [])
  t.is((await run(b!, 'participant.move-status', { participant: 'alice' }) as MoveStatusView).incoming?.status, 'overridden')
  // running the stolen move's accept again does not host her there again
  await t.throwsAsync(run(b!, 'participant.accept', { export: document, key }), { name: 'MoveStateError', message: /recovered elsewhere/ })
  t.deepEqual(await run(b!, 'participant.list', {}), [])
})
