/**
 * The connection gater: zero trust at the connection level.
 *
 * Air-gapped (federation disabled): every dial and every inbound connection
 * is refused. Federated: a peer gets past the noise handshake (its PeerId is
 * authenticated by then) only while `admits` says so — the member directory
 * answers from the federation's membership, read live, so a decided
 * membership change takes effect on the next connection.
 */
import type { ConnectionGater, PeerId } from '@libp2p/interface'

export interface GaterInit {
  federationEnabled: boolean
  /** whether a peer may connect (either direction), asked on every dial and handshake */
  admits: (peerId: string) => boolean
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
  const refuseOutsider = (peerId: PeerId): boolean => !init.admits(peerId.toString())
  return {
    denyDialPeer: refuseOutsider,
    denyInboundEncryptedConnection: refuseOutsider,
    denyOutboundEncryptedConnection: refuseOutsider
  }
}
