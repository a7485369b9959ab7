/**
 * The member directory (see index.ts). It is replaced whole each time the
 * membership changes, so a removed member loses its key, its site label and
 * its admission at the same moment.
 */
import { assert } from '../../core/errors.ts'
import type { Membership } from '../../core/consensus/membership.ts'
import type { HybridPublicKey } from '../../core/signature.ts'
import { DIRECTORY_MEMBERS_MAX } from './constants.ts'
import type { MemberAdmission, MemberDirectoryComponents, MemberDirectoryInit, MemberIdentity, MemberKeys, MemberSites } from './index.ts'

/** The current membership, by node id (PeerId text). */
export class MemberDirectory implements MemberKeys, MemberSites, MemberAdmission {
  private identities: ReadonlyMap<string, MemberIdentity> = new Map()
  private membership: Membership | undefined
  private readonly bootstrapPeers: ReadonlySet<string>
  /** the founders of the genesis draft this node signed: admitted too until a membership is loaded */
  private draftPeers: ReadonlySet<string> = new Set()
  private readonly components: MemberDirectoryComponents

  constructor (components: MemberDirectoryComponents, init: MemberDirectoryInit) {
    this.components = components
    this.bootstrapPeers = new Set(init.bootstrapPeers ?? [])
    if (init.draftPeers !== undefined) this.draftPeers = new Set(init.draftPeers.slice(0, DIRECTORY_MEMBERS_MAX))
  }

  /** The founders of the genesis draft being signed: until a genesis is loaded they (and the bootstrap peers) are admitted. */
  setDraft (peerIds: readonly string[]): void {
    assert(peerIds.length <= DIRECTORY_MEMBERS_MAX, 'a genesis draft is bounded by MEMBERS_MAX')
    this.draftPeers = new Set(peerIds)
    if (this.membership === undefined) this.components.logger.info({ founders: peerIds.length }, 'genesis draft being signed: admitting its founders until a genesis is loaded')
  }

  /** How many founders of a genesis draft are admitted before a genesis is loaded. */
  draftSize (): number {
    return this.draftPeers.size
  }

  /** Takes a membership (genesis or a decided change): the directory becomes exactly its members. */
  setMembership (membership: Membership): void {
    assert(membership.members.size <= DIRECTORY_MEMBERS_MAX, 'a membership is bounded by MEMBERS_MAX')
    const identities = new Map<string, MemberIdentity>()
    for (const member of membership.members.values()) {
      identities.set(member.node_id, {
        key: member.public_key,
        ...(member.site_id === undefined ? {} : { siteId: member.site_id }),
        ...(member.jurisdiction === undefined ? {} : { jurisdiction: member.jurisdiction })
      })
    }
    const before = this.membership
    this.identities = identities
    this.membership = membership
    if (before?.epoch !== membership.epoch || before.federation_id !== membership.federation_id) {
      this.components.logger.info({ federation: membership.federation_id, epoch: membership.epoch, members: identities.size }, 'membership loaded')
    }
  }

  /** The membership the directory holds, or undefined before a genesis is loaded. */
  current (): Membership | undefined {
    return this.membership
  }

  /** The key of a current member. */
  key = (nodeId: string): HybridPublicKey | undefined => this.identities.get(nodeId)?.key

  /** The membership's site id for a member. */
  siteOf = (nodeId: string): string | undefined => this.identities.get(nodeId)?.siteId

  /** The member whose membership entry names `siteId` (the reverse of `siteOf`; participant ids carry site ids). */
  nodeOfSite = (siteId: string): string | undefined => {
    for (const [id, identity] of this.identities) if (identity.siteId === siteId) return id
    return undefined
  }

  /** A member's whole entry. */
  identity (nodeId: string): MemberIdentity | undefined {
    return this.identities.get(nodeId)
  }

  /** Members only; before a membership is known, only bootstrap peers and the founders of the genesis draft being signed. */
  admits = (peerId: string): boolean => {
    if (this.membership === undefined) return this.bootstrapPeers.has(peerId) || this.draftPeers.has(peerId)
    return this.identities.has(peerId)
  }

  /** Current members' ids, sorted. */
  members (): string[] {
    return [...this.identities.keys()].sort()
  }
}
