/**
 * Whether a peer can be dialled without a lookup first. libp2p dials a peer it
 * has no address for by looking it up in the DHT (`peerRouting.findPeer`): a
 * walk that dials ~10 other members, most of them at their connection limit and
 * refusing, to reach one. A witness's cosignature, best-effort, is not worth
 * that walk (docs/sim.md, "Idle: the witnesses' DHT walks"); sync's periodic
 * round picks an unconnected member by the same rule (SyncService.tick).
 */
import type { Libp2p, PeerId } from '@libp2p/interface'

/** Connected, or the peer store holds an address for it. */
export async function dialableWithoutLookup (host: Pick<Libp2p, 'getConnections' | 'peerStore'>, peer: PeerId): Promise<boolean> {
  if (host.getConnections(peer).length > 0) return true
  try {
    return (await host.peerStore.get(peer)).addresses.length > 0
  } catch (err) {
    if ((err as Error).name === 'NotFoundError') return false
    throw err
  }
}
