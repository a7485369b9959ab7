/**
 * Restarting one node of a test federation (test/services/handshake/federation.ts):
 * stopped, then created again with its identity, config and membership, with
 * the store it had (`dataDir`) or an empty one, and re-established with a peer.
 */
import { FedmeshNode, type NodeInit } from '../../../src/node/node.ts'
import { membershipOfKeys } from '../../fixtures/federation.ts'
import { FEDERATION, until, type Federation } from '../handshake/federation.ts'

/** Stops node `i` and starts it again with `init` (its `dataDir` for its store; none for an empty one). */
export async function restart (federation: Federation, i: number, init: Partial<NodeInit>): Promise<FedmeshNode> {
  await federation.nodes[i]!.stop()
  const id = federation.ids[i]!
  const node = await FedmeshNode.create({
    config: federation.nodes[i]!.config,
    privateKey: id.privateKey,
    signer: id.signer,
    transport: 'memory',
    libp2pMetrics: false,
    gossipHeartbeatMs: 100,
    preloadedMembership: membershipOfKeys(FEDERATION, federation.ids.map((m) => [m.peerId, { key: m.signer.publicKey, siteId: m.site }])),
    ...init
  })
  federation.nodes[i] = node
  await node.start()
  return node
}

/** Handshakes from `node` with `peer` until both sides hold the relation active (bounded). */
export async function reestablish (node: FedmeshNode, other: FedmeshNode, peer: string, self: string): Promise<void> {
  await until('the relation re-established on both sides', async () => {
    const active = node.handshake.relation(peer)?.state === 'active' && other.handshake.relation(self)?.state === 'active'
    if (!active) await node.handshake.establish(peer).catch(() => undefined)
    return node.handshake.relation(peer)?.state === 'active' && other.handshake.relation(self)?.state === 'active'
  })
}
