/**
 * kad-dht's new-contact verification with the failed-contact backoff
 * (src/net/dht-contacts.ts): a contact whose ping failed is answered "not
 * online" without another ping until the backoff is over. Clock injected.
 */
import test from 'ava'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { MemoryDatastore } from 'datastore-core'
import { backOffFailedContacts, CONTACT_VERIFY_BACKOFF_MS } from '../../src/net/dht-contacts.ts'
import { createHost } from '../../src/net/host.ts'
import { clockFrom } from '../../src/runtime/clock.ts'

const contact = (id: string): { peerId: { toString: () => string } } => ({ peerId: { toString: () => id } })

test('a contact whose verification failed is not pinged again within the backoff; one that answered is', async (t) => {
  const pinged: string[] = []
  const online = new Set(['up'])
  const kb = { verify: async (c: { peerId: { toString: () => string } }) => { pinged.push(c.peerId.toString()); return online.has(c.peerId.toString()) } }
  let now = 0
  const backoff = backOffFailedContacts({ routingTable: { kb } }, clockFrom(() => now))
  t.false(await kb.verify(contact('full')))
  t.false(await kb.verify(contact('full')), 'still "not online"')
  t.true(await kb.verify(contact('up')))
  t.true(await kb.verify(contact('up')), 'a contact that answered is verified as kad-dht would')
  t.deepEqual(pinged, ['full', 'up', 'up'], 'the full peer was pinged once')
  now += CONTACT_VERIFY_BACKOFF_MS - 1
  t.false(await kb.verify(contact('full')))
  t.is(pinged.length, 3)
  now += 1
  online.add('full')
  t.true(await kb.verify(contact('full')), 'after the backoff it is pinged again, and now answers')
  t.is(pinged.length, 4)
  t.is(backoff.spared(), 2)
})

test('a moved kad-dht internal fails loudly', (t) => {
  t.throws(() => backOffFailedContacts({ routingTable: {} }, clockFrom(() => 0)), { message: /routingTable\.kb\.verify/ })
})

test('on a real host, an unreachable contact named twice is pinged once', async (t) => {
  const libp2p = await createHost({
    privateKey: await generateKeyPair('Ed25519'),
    transport: 'memory',
    listen: [`/memory/dht-contacts-test-${process.pid}`],
    federationEnabled: true,
    bootstrap: [],
    admits: () => true,
    datastore: new MemoryDatastore()
  })
  await libp2p.start()
  t.teardown(async () => { await libp2p.stop() })
  const ping = libp2p.services.ping as unknown as { ping: (...args: unknown[]) => Promise<number> }
  const original = ping.ping.bind(ping)
  let pings = 0
  ping.ping = async (...args) => { pings++; return await original(...args) }
  const kb = (libp2p.services.dht as unknown as { routingTable: { kb: { verify: (c: unknown, o?: unknown) => Promise<boolean> } } }).routingTable.kb
  const nowhere = { peerId: peerIdFromPrivateKey(await generateKeyPair('Ed25519')) }
  t.false(await kb.verify(nowhere, { signal: AbortSignal.timeout(1_000) }))
  t.false(await kb.verify(nowhere, { signal: AbortSignal.timeout(1_000) }))
  t.is(pings, 1, 'kad-dht 15 alone pings it every time it is named')
})
