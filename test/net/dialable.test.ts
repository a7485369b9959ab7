/**
 * A peer is dialable without a lookup when it is connected or the peer store
 * holds an address for it; otherwise libp2p would walk the DHT to find it.
 */
import test from 'ava'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import type { FedmeshLibp2p } from '../../src/net/host.ts'
import { dialableWithoutLookup } from '../../src/net/dialable.ts'
import { startedHost } from '../fixtures/hosts.ts'

const host = async (): Promise<FedmeshLibp2p> => await startedHost('dialable-test')

test('connected or with a stored address: dialable; forgotten or never seen: not', async (t) => {
  const a = await host()
  const b = await host()
  t.teardown(async () => { await Promise.all([a.stop(), b.stop()]) })
  await a.dial(b.getMultiaddrs()[0])
  t.true(await dialableWithoutLookup(a, b.peerId), 'connected')
  await a.hangUp(b.peerId)
  t.is(a.getConnections(b.peerId).length, 0)
  t.true(await dialableWithoutLookup(a, b.peerId), 'not connected, its address stored')
  await a.peerStore.delete(b.peerId)
  t.false(await dialableWithoutLookup(a, b.peerId), 'not connected, nothing stored')
  t.false(await dialableWithoutLookup(a, peerIdFromPrivateKey(await generateKeyPair('Ed25519'))), 'never seen')
})
