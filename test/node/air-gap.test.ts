import test from 'ava'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { multiaddr } from '@multiformats/multiaddr'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { FedmeshNode } from '../../src/node/node.ts'
import { parseConfig } from '../../src/config/load.ts'
import { airGappedListenAddrs } from '../../src/net/host.ts'

async function startNode (config: Parameters<typeof parseConfig>[0]): Promise<FedmeshNode> {
  const node = await FedmeshNode.create({ config: parseConfig(config), privateKey: await generateKeyPair('Ed25519'), libp2pMetrics: false })
  await node.start()
  return node
}

test('air-gapped listen addresses are rewritten to loopback on an ephemeral port (a taken port cannot stop an air-gapped node)', (t) => {
  t.deepEqual(airGappedListenAddrs(['/ip4/0.0.0.0/tcp/4001', '/ip6/::/tcp/4002', '/ip4/192.168.1.5/tcp/4003']),
    ['/ip4/127.0.0.1/tcp/0', '/ip6/::1/tcp/0', '/ip4/127.0.0.1/tcp/0'])
})

test('a node with federation disabled listens on loopback only, dials nobody and admits nobody', async (t) => {
  const federated = await startNode({ site_id: 'open', jurisdiction: 'UK', federation: { enabled: true, metrics_interval_seconds: 1 }, listen: ['/ip4/127.0.0.1/tcp/0'] })
  t.teardown(async () => { await federated.stop() })
  const bootstrap = federated.multiaddrs()[0]
  // configured with a bootstrap peer and a wildcard listen address, but federation is off
  const gapped = await startNode({ site_id: 'gapped', jurisdiction: 'UK', federation: { enabled: false, bootstrap: [bootstrap] }, listen: ['/ip4/0.0.0.0/tcp/0'] })
  t.teardown(async () => { await gapped.stop() })

  for (const address of gapped.multiaddrs()) t.regex(address, /^\/ip4\/127\.0\.0\.1\//)
  t.is(gapped.libp2p.services.dht.getMode(), 'client')

  await new Promise((resolve) => setTimeout(resolve, 1500))
  t.is(gapped.libp2p.getConnections().length, 0, 'no connection was opened')
  t.is(federated.libp2p.getConnections().length, 0)

  await t.throwsAsync(gapped.libp2p.dial(multiaddr(bootstrap)), undefined, 'an explicit dial is refused too')
  await t.throwsAsync(federated.libp2p.dial(multiaddr(gapped.multiaddrs()[0])), undefined, 'inbound connections are refused')
  t.is(gapped.libp2p.getConnections().length, 0)
  t.is(federated.libp2p.getConnections().length, 0)
})

test('a federated node runs the DHT in server mode', async (t) => {
  const node = await startNode({ site_id: 'open', jurisdiction: 'UK', federation: { enabled: true }, listen: ['/ip4/127.0.0.1/tcp/0'] })
  t.teardown(async () => { await node.stop() })
  t.is(node.libp2p.services.dht.getMode(), 'server')
  t.true(node.libp2p.getProtocols().includes('/fedmesh/kad/1.0.0'))
  t.false(node.libp2p.getProtocols().some((p) => p.startsWith('/ipfs/kad')), 'never the public IPFS DHT')
})

test('an air-gapped node opens no TCP connection to its configured bootstrap address', async (t) => {
  const { createServer } = await import('node:net')
  let accepted = 0
  const server = createServer((socket) => { accepted++; socket.destroy() })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => { server.close() })
  const port = (server.address() as { port: number }).port
  const somePeer = peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
  const gapped = await startNode({ site_id: 'gapped', jurisdiction: 'UK', federation: { enabled: false, bootstrap: [`/ip4/127.0.0.1/tcp/${port}/p2p/${somePeer.toString()}`] }, listen: ['/ip4/127.0.0.1/tcp/0'] })
  t.teardown(async () => { await gapped.stop() })
  await new Promise((resolve) => setTimeout(resolve, 1500))
  t.is(accepted, 0)
})
