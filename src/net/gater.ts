/**
 * The connection gater: zero trust at the connection level.
 *
 * Air-gapped (federation disabled): every dial and every inbound connection
 * is refused. Federated, at each stage libp2p offers:
 * - before encryption (`denyInboundConnection`): the PeerId is not known
 *   yet, only the address. An IP no member is connected from may hold at
 *   most `perIpMax` connections in their upgrade at once (`PendingInbound`);
 *   libp2p's own limits (pending inbound over all addresses, connections per
 *   second per IP, the upgrade timeout) are set in host.ts.
 * - right after the noise handshake (`denyInboundEncryptedConnection`, the
 *   PeerId is authenticated by then) and again once upgraded, and on every
 *   dial: a peer gets through only while `admits` says so — the member
 *   directory answers from the federation's membership, read live, so a
 *   decided membership change takes effect on the next connection.
 */
import type { ConnectionGater, MultiaddrConnection, PeerId } from '@libp2p/interface'

export interface GaterInit {
  federationEnabled: boolean
  /** whether a peer may connect (either direction), asked on every dial and handshake */
  admits: (peerId: string) => boolean
  /** per-IP accounting of connections in their upgrade; absent = no per-IP limit */
  pending?: PendingInbound
  /** whether a member is connected from this IP (then the per-IP limit does not apply to it) */
  memberAddress?: (ip: string) => boolean
}

/**
 * Inbound connections in their upgrade, per IP. A connection holds its slot
 * from `denyInboundConnection` until its handshake reaches the encrypted
 * stage or `holdMs` (the upgrade timeout: by then libp2p has aborted it)
 * has passed, whichever is first.
 */
export class PendingInbound {
  private readonly perIpMax: number
  readonly holdMs: number
  private readonly byIp = new Map<string, number>()
  /** connections refused for their IP's limit, since start */
  refused = 0

  constructor (init: { perIpMax: number, holdMs: number }) {
    this.perIpMax = init.perIpMax
    this.holdMs = init.holdMs
  }

  /** Connections of `ip` in their upgrade now. */
  count (ip: string): number {
    return this.byIp.get(ip) ?? 0
  }

  /** Takes a slot for a new connection from `ip`; false (refuse it) when the IP holds its maximum. Returns the release. */
  take (ip: string): (() => void) | undefined {
    const held = this.count(ip)
    if (held >= this.perIpMax) {
      this.refused++
      return undefined
    }
    this.byIp.set(ip, held + 1)
    let released = false
    const release = (): void => {
      if (released) return
      released = true
      const left = this.count(ip) - 1
      if (left <= 0) this.byIp.delete(ip)
      else this.byIp.set(ip, left)
    }
    setTimeout(release, this.holdMs).unref()
    return release
  }
}

/** The IP of a connection's remote address; undefined when it is not an IP address (the memory transport). */
function ipOf (maConn: Pick<MultiaddrConnection, 'remoteAddr'>): string | undefined {
  try {
    return maConn.remoteAddr.isThinWaistAddress() ? maConn.remoteAddr.nodeAddress().address : undefined
  } catch {
    return undefined
  }
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
      denyOutboundEncryptedConnection: refuse,
      denyInboundUpgradedConnection: refuse,
      denyOutboundUpgradedConnection: refuse
    }
  }
  const refuseOutsider = (peerId: PeerId): boolean => !init.admits(peerId.toString())
  /**
   * releases of connections in their upgrade, by their remote address object: libp2p hands the encrypted
   * stage a copy of the connection whose `remoteAddr` is the same object
   */
  const releases = new WeakMap<object, () => void>()
  const { pending } = init
  return {
    denyInboundConnection: (maConn) => {
      if (pending === undefined) return false
      const ip = ipOf(maConn)
      if (ip === undefined || init.memberAddress?.(ip) === true) return false
      const release = pending.take(ip)
      if (release === undefined) return true
      releases.set(maConn.remoteAddr, release)
      return false
    },
    denyDialPeer: refuseOutsider,
    denyInboundEncryptedConnection: (peerId, maConn) => {
      releases.get(maConn.remoteAddr)?.()
      return refuseOutsider(peerId)
    },
    denyOutboundEncryptedConnection: refuseOutsider,
    denyInboundUpgradedConnection: refuseOutsider,
    denyOutboundUpgradedConnection: refuseOutsider
  }
}
