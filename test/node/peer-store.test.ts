import test from 'ava'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { FedmeshNode } from '../../src/node/node.ts'
import { parseConfig } from '../../src/config/load.ts'

test('the peer store is persisted in the data dir: a restarted node still knows its peers and their addresses', async (t) => {
  const dataDir = await mkdtemp(join(tmpdir(), 'fedmesh-peerstore-'))
  const configOf = (site: string) => parseConfig({ site_id: site, jurisdiction: 'UK', listen: ['/ip4/127.0.0.1/tcp/0'], federation: { enabled: true, metrics_interval_seconds: 3600 } })
  const other = await FedmeshNode.create({ config: configOf('other'), privateKey: await generateKeyPair('Ed25519'), libp2pMetrics: false })
  await other.start()
  t.teardown(async () => { await other.stop() })

  const key = await generateKeyPair('Ed25519')
  let node = await FedmeshNode.create({ config: configOf('persisted'), privateKey: key, dataDir, libp2pMetrics: false })
  await node.start()
  await node.libp2p.dial(other.libp2p.getMultiaddrs()[0])
  // identify fills in the peer's protocols and addresses shortly after connecting
  const deadline = Date.now() + 10_000
  while ((await node.libp2p.peerStore.get(other.peerId)).protocols.length === 0) {
    if (Date.now() > deadline) throw new Error('identify never completed')
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  await node.stop()

  node = await FedmeshNode.create({ config: configOf('persisted'), privateKey: key, dataDir, libp2pMetrics: false })
  t.teardown(async () => { await node.stop() })
  const remembered = await node.libp2p.peerStore.get(other.peerId)
  t.true(remembered.addresses.length > 0)
  t.true(remembered.protocols.includes('/fedmesh/kad/1.0.0'))
})
