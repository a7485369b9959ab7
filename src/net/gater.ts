/**
 * The connection gater: zero trust at the connection level.
 *
 * Air-gapped (federation disabled): every dial and every inbound connection
 * is refused. Federated with a member list: only members and bootstrap peers
 * get past the noise handshake (the remote PeerId is authenticated by then).
 */
import type { ConnectionGater, PeerId } from '@libp2p/interface'
import { multiaddr } from '@multiformats/multiaddr'

export interface GaterInit {
  federationEnabled: boolean
  /** admitted peer ids; empty = any peer */
  members: string[]
  /** bootstrap multiaddrs; their peers are always admitted */
  bootstrap: string[]
}

/** Builds the gater for a node's federation settings. */
export function fedmeshConnectionGater (init: GaterInit): ConnectionGater {
  if (!init.federationEnabled) {
    const refuse = (): boolean => true
    return {
      denyDialPeer: refuse,
      denyDialMultiaddr: refuse,
      denyInboundConnection: refuse,
      denyOutboundConnection: refuse,
      denyInboundEncryptedConnection: refuse,
      denyOutboundEncryptedConnection: refuse
    }
  }
  if (init.members.length === 0) return {}
  const admitted = new Set(init.members)
  for (const address of init.bootstrap) {
    const peer = multiaddr(address).getPeerId()
    if (peer !== null) admitted.add(peer)
  }
  const refuseOutsider = (peerId: PeerId): boolean => !admitted.has(peerId.toString())
  return {
    denyDialPeer: refuseOutsider,
    denyInboundEncryptedConnection: refuseOutsider,
    denyOutboundEncryptedConnection: refuseOutsider
  }
}
