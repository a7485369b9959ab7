/**
 * A peer is dialable without a lookup when it is connected or the peer store
 * holds an address for it; otherwise libp2p would walk the DHT to find it.
 */
import test from 'ava'
import { MemoryDatastore } from 'datastore-core'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { createHost, type FedmeshLibp2p } from '../../src/net/host.ts'
import { dialableWithoutLookup } from '../../src/net/dialable.ts'

let hostCount = 0

async function host (): Promise<FedmeshLibp2p> {
  const libp2p = await createHost({
    privateKey: await generateKeyPair('Ed25519'),
    transport: 'memory',
    listen: [`/memory/dialable-test-${process.pid}-${hostCount++}`],
    federationEnabled: true,
    bootstrap: [],
    admits: () => true,
    datastore: new MemoryDatastore()
  })
  await libp2p.start()
  return libp2p
}

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
