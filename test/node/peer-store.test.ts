import test from 'ava'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { FedmeshNode } from '../../src/node/node.ts'
import { parseConfig } from '../../src/config/load.ts'
import { loadTestGenesis, testGenesis, testIdentity } from '../fixtures/federation.ts'

test('the peer store is persisted in the data dir: a restarted node still knows its peers and their addresses', async (t) => {
  const dataDir = await mkdtemp(join(tmpdir(), 'fedmesh-peerstore-'))
  const configOf = (site: string) => parseConfig({ site_id: site, jurisdiction: 'UK', listen: ['/ip4/127.0.0.1/tcp/0'], federation: { enabled: true, metrics_interval_seconds: 3600 } })
  // both are members of one genesis: the gater admits members only
  const [otherIdentity, persisted] = await Promise.all([testIdentity(`peerstore-${dataDir}/other`, 'other'), testIdentity(`peerstore-${dataDir}/persisted`, 'persisted')])
  const genesis = testGenesis('default', [otherIdentity, persisted])
  const other = await FedmeshNode.create({ config: configOf('other'), privateKey: otherIdentity.privateKey, signer: otherIdentity.signer, libp2pMetrics: false })
  await loadTestGenesis(other, genesis)
  await other.start()
  t.teardown(async () => { await other.stop() })

  const key = persisted.privateKey
  let node = await FedmeshNode.create({ config: configOf('persisted'), privateKey: key, signer: persisted.signer, dataDir, libp2pMetrics: false })
  await loadTestGenesis(node, genesis)
  await node.start()
  await node.libp2p.dial(other.libp2p.getMultiaddrs()[0])
  // identify fills in the peer's protocols and addresses shortly after connecting
  const deadline = Date.now() + 10_000
  while ((await node.libp2p.peerStore.get(other.peerId)).protocols.length === 0) {
    if (Date.now() > deadline) throw new Error('identify never completed')
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  await node.stop()

  node = await FedmeshNode.create({ config: configOf('persisted'), privateKey: key, signer: persisted.signer, dataDir, libp2pMetrics: false })
  t.teardown(async () => { await node.stop() })
  const remembered = await node.libp2p.peerStore.get(other.peerId)
  t.true(remembered.addresses.length > 0)
  t.true(remembered.protocols.includes('/fedmesh/kad/1.0.0'))
})
