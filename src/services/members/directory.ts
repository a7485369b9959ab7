/**
 * The member directory (see index.ts). Lookups are deduplicated while in
 * flight and failures are remembered for a short while, so a burst of
 * messages from an unknown source costs one lookup, not one per message.
 */
import type { HybridPublicKey } from '../../core/signature.ts'
import type { MemberDirectoryComponents, MemberDirectoryInit, MemberIdentity, MemberKeys, MemberSites } from './index.ts'
import { LOOKUP_FAILURE_TTL_MS, LOOKUP_FAILURES_MAX, MEMBER_KEYS_MAX } from './constants.ts'

/** Members' keys by node id (PeerId text). */
export class MemberDirectory implements MemberKeys, MemberSites {
  private readonly identities = new Map<string, MemberIdentity>()
  private readonly failures = new Map<string, number>()
  private readonly inFlight = new Map<string, Promise<MemberIdentity | undefined>>()
  private readonly allowList: Set<string> | undefined
  private readonly lookup: MemberDirectoryComponents['lookup']
  private readonly now: () => number

  constructor (components: MemberDirectoryComponents, init: MemberDirectoryInit) {
    const allowList = init.allowList ?? []
    this.allowList = allowList.length === 0 ? undefined : new Set(allowList)
    this.lookup = components.lookup
    this.now = components.clock.now
  }

  /** The key of a known, admitted member. */
  key = (nodeId: string): HybridPublicKey | undefined => {
    return this.admits(nodeId) ? this.identities.get(nodeId)?.key : undefined
  }

  /** The site id a known member's node record names. */
  siteOf = (nodeId: string): string | undefined => {
    return this.admits(nodeId) ? this.identities.get(nodeId)?.siteId : undefined
  }

  /** The known member whose node record names `siteId` (the reverse of `siteOf`; participant ids carry site ids). */
  nodeOfSite = (siteId: string): string | undefined => {
    for (const [id, identity] of this.identities) if (identity.siteId === siteId && this.admits(id)) return id
    return undefined
  }

  /** False when an allow-list is configured and does not name the node. */
  admits = (nodeId: string): boolean => {
    return this.allowList === undefined || this.allowList.has(nodeId)
  }

  /** Records a member's key (from a verified node record, or this node's own). */
  add (nodeId: string, identity: MemberIdentity): void {
    this.identities.delete(nodeId)
    this.identities.set(nodeId, identity)
    this.failures.delete(nodeId)
    if (this.identities.size > MEMBER_KEYS_MAX) this.identities.delete(this.identities.keys().next().value as string)
  }

  /** Known members' ids. */
  members (): string[] {
    return [...this.identities.keys()].filter((id) => this.admits(id)).sort()
  }

  /** Looks a node up unless known, recently failed, or not admitted. */
  resolve = async (nodeId: string, signal: AbortSignal): Promise<HybridPublicKey | undefined> => {
    if (!this.admits(nodeId)) return undefined
    const known = this.identities.get(nodeId)
    if (known !== undefined) return known.key
    const failedAt = this.failures.get(nodeId)
    if (failedAt !== undefined && this.now() - failedAt < LOOKUP_FAILURE_TTL_MS) return undefined
    let pending = this.inFlight.get(nodeId)
    if (pending === undefined) {
      pending = this.lookup(nodeId, signal)
        .catch(() => undefined)
        .then((identity) => {
          if (identity === undefined) this.rememberFailure(nodeId)
          else this.add(nodeId, identity)
          return identity
        })
        .finally(() => { this.inFlight.delete(nodeId) })
      this.inFlight.set(nodeId, pending)
    }
    return (await pending)?.key
  }

  private rememberFailure (nodeId: string): void {
    this.failures.set(nodeId, this.now())
    if (this.failures.size > LOOKUP_FAILURES_MAX) this.failures.delete(this.failures.keys().next().value as string)
  }
}
