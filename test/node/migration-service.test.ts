/**
 * The migration service in three in-process nodes (memory transport): what
 * `accept` refuses before anything is imported, what the DHT validator of a
 * running node refuses, and an expired redirect no longer resolving.
 */
import test from 'ava'
import { generateParticipantSeeds, participantSignerFromSeeds } from '../../src/crypto/participant-keys.ts'
import { formatParticipantKey, parseParticipantKey } from '../../src/core/identity/participant-keys.ts'
import {
  decodeRedirect, encodeRedirect, redirectKeyOfLocation, signRedirect, type SignedRedirect
} from '../../src/core/migration/redirect.ts'
import { putRedirect } from '../../src/net/participant-redirects.ts'
import type { ParticipantExport } from '../../src/core/migration/export.ts'
import { fromString } from 'uint8arrays'
import { moveFederation as federation, run, startMove } from '../fixtures/migration-federation.ts'

test('accept refuses a key that is not the participant\'s, a plain export and a tampered one, importing nothing', async (t) => {
  const { nodes: [a, b, c] } = await federation('refuse')
  t.teardown(async () => { for (const node of [c, b, a]) await node!.stop() })
  const { export: document, key } = await startMove(a!)
  const otherKey = formatParticipantKey(generateParticipantSeeds())
  await t.throwsAsync(run(b!, 'participant.accept', { export: document, key: otherKey }), { name: 'KeyControlError' })
  const plain = await run(a!, 'participant.export', { participant: 'alice' }) as ParticipantExport
  await t.throwsAsync(run(b!, 'participant.accept', { export: plain, key }), { name: 'MoveStateError' })
  const tampered = { ...document, participant: { ...document.participant, offers: ['design'] } }
  await t.throwsAsync(run(b!, 'participant.accept', { export: tampered, key }), { name: 'InvalidExportError' })
  // the export names site_b: site_c may not take it
  await t.throwsAsync(run(c!, 'participant.accept', { export: document, key }), { name: 'MoveStateError' })
  await t.throwsAsync(run(b!, 'participant.move-status', { participant: 'sep://alice@site_b' }), { name: 'ParticipantNotFoundError' })
  t.deepEqual(await run(b!, 'participant.list', {}), [])
})

test('a running node\'s DHT refuses a forged redirect (another key, or countersigned by another node than the new home)', async (t) => {
  const { nodes: [a, b, c], identities } = await federation('forge')
  t.teardown(async () => { for (const node of [c, b, a]) await node!.stop() })
  const { export: document, key } = await startMove(a!)
  await run(b!, 'participant.accept', { export: document, key })
  const location = redirectKeyOfLocation('sep://alice@site_a')
  const found = await run(c!, 'participant.resolve', { id: 'sep://alice@site_a' })
  t.is(found.home, 'sep://alice@site_b')
  // a thief's copy of the real record, re-pointed to site_c and re-signed with its own key, countersigned by site_c
  const stored = await b!.store.sublevel<{ redirect: string }>('participant-moves').get('in!sep://alice@site_b')
  const original = decodeRedirect(fromString(stored!.redirect, 'base64pad'))
  const thief = participantSignerFromSeeds(generateParticipantSeeds())
  const redirect = { ...original.redirect, to: 'sep://alice@site_c', seq: 2, prev: 'f'.repeat(64), countersigner: identities[2]!.peerId }
  const forgedKey: SignedRedirect = { ...signRedirect({ redirect, participant: thief, identityKey: original.identityKey, node: identities[2]!.signer, home: original.home }) }
  const dht = c!.libp2p.services.dht
  await t.throwsAsync(putRedirect(dht, location, encodeRedirect(forgedKey), { signal: AbortSignal.timeout(5000) }), { name: 'RedirectSignatureError' })
  // the participant's own signature, but countersigned by site_a for a move to site_c
  const aliceSigner = participantSignerFromSeeds(parseParticipantKey(key))
  const wrongCounter = signRedirect({ redirect, participant: aliceSigner, identityKey: original.identityKey, node: identities[0]!.signer, home: original.home })
  await t.throwsAsync(putRedirect(dht, location, encodeRedirect(wrongCounter), { signal: AbortSignal.timeout(5000) }), { name: 'RedirectCountersignatureError' })
  // still resolves to the real new home everywhere
  for (const node of [a!, c!]) t.is((await run(node, 'participant.resolve', { id: 'sep://alice@site_a' })).home, 'sep://alice@site_b')
})

test('the old node stops hosting on the redirect, and once grace_until passes the redirect no longer resolves', async (t) => {
  const { nodes: [a, b, c], offsetMs } = await federation('expire')
  t.teardown(async () => { for (const node of [c, b, a]) await node!.stop() })
  const { export: document, key } = await startMove(a!)
  await run(b!, 'participant.accept', { export: document, key })
  await a!.migration.tick()
  t.deepEqual(await run(a!, 'participant.list', {}), [], 'A no longer hosts alice')
  t.is((await run(a!, 'participant.move-status', { participant: 'alice' })).outgoing.status, 'moved')
  t.is((await run(c!, 'participant.resolve', { id: 'sep://alice@site_a' })).home, 'sep://alice@site_b')
  // grace is one hour here: past it every validator refuses the record, so it resolves nowhere
  offsetMs.value = 3_600_000 + 60_000
  t.is((await run(c!, 'participant.resolve', { id: 'sep://alice@site_a' })).home, 'sep://alice@site_a')
  t.is((await run(a!, 'participant.resolve', { id: 'sep://alice@site_a' })).home, 'sep://alice@site_a', 'the old node stops serving it too')
  await a!.migration.tick()
  await t.throwsAsync(run(a!, 'participant.move-status', { participant: 'alice' }), { name: 'ParticipantNotFoundError' })
})
