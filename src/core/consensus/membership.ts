/**
 * A federation's member set. It starts from a verified genesis file and then
 * changes only through `applyMembershipChange`, which demands the event's
 * valid QuorumCertificate: there is no other way to add or remove a member.
 */
import { InputError } from '../errors.ts'
import type { SignatureVerifier } from '../signature.ts'
import { MEMBERS_MAX } from './constants.ts'
import { eventHash, type ConsensusEvent } from './event.ts'
import { memberFromJson, memberToJson, publicKeyFromJson, type Member, type MemberJson } from './member.ts'
import { verifyQC, type QuorumCertificate } from './quorum-certificate.ts'
import type { ConsensusPolicy } from './threshold.ts'

/** The members of one federation at one epoch (the epoch counts membership changes since genesis). */
export interface Membership {
  federation_id: string
  epoch: number
  members: ReadonlyMap<string, Member>
  /** the decided event that made this epoch (absent at genesis): what a joining node fetches with its QC */
  decided_by?: MembershipDecision
}

/** Where a membership epoch came from: the slot and hash of its decided event. */
export interface MembershipDecision {
  slot: string
  event_hash: string
}

export class MembershipSizeError extends InputError {
  static override readonly code = 'MembershipSizeError'
  override readonly name = 'MembershipSizeError'
}

export class DuplicateMemberError extends InputError {
  static override readonly code = 'DuplicateMemberError'
  override readonly name = 'DuplicateMemberError'
}

/** Two members name the same site id (a site id is unique within a federation: it is the participant-id node part). */
export class DuplicateSiteError extends InputError {
  static override readonly code = 'DuplicateSiteError'
  override readonly name = 'DuplicateSiteError'
}

export class UnknownMemberError extends InputError {
  static override readonly code = 'UnknownMemberError'
  override readonly name = 'UnknownMemberError'
}

export class NotAMembershipEventError extends InputError {
  static override readonly code = 'NotAMembershipEventError'
  override readonly name = 'NotAMembershipEventError'
}

/** A membership from a list of members (genesis or restored); ids must be unique, 1..MEMBERS_MAX of them. */
export function createMembership (federationId: string, members: Member[], epoch = 0, decidedBy?: MembershipDecision): Membership {
  if (members.length === 0 || members.length > MEMBERS_MAX) {
    throw new MembershipSizeError(`a federation has 1 to ${MEMBERS_MAX} members, got ${members.length}`)
  }
  const byId = new Map<string, Member>()
  const sites = new Map<string, string>()
  for (const member of members) {
    if (byId.has(member.node_id)) throw new DuplicateMemberError(`member ${member.node_id} is listed twice`)
    if (member.site_id !== undefined) {
      const holder = sites.get(member.site_id)
      if (holder !== undefined) throw new DuplicateSiteError(`site id "${member.site_id}" is claimed by both ${holder} and ${member.node_id}`)
      sites.set(member.site_id, member.node_id)
    }
    byId.set(member.node_id, member)
  }
  return { federation_id: federationId, epoch, members: byId, ...(decidedBy === undefined ? {} : { decided_by: decidedBy }) }
}

/** The member holding `siteId`, if any. */
export function memberOfSite (membership: Membership, siteId: string): Member | undefined {
  for (const member of membership.members.values()) if (member.site_id === siteId) return member
  return undefined
}

/** What a membership change needs: the decided event and the QC that decided it. */
export interface MembershipChange {
  membership: Membership
  event: ConsensusEvent
  qc: QuorumCertificate
  policy: Pick<ConsensusPolicy, 'threshold' | 'min_participating_nodes'>
  verifier: SignatureVerifier
  /** the votes the deciding slot needed (the policy may have changed since it opened) */
  quorum?: number
  /** when the decision completed; becomes the new member's `joined_at` */
  decidedAt: number
}

/** The next membership after a decided add/remove event; verifies the QC against the current membership first. */
export function applyMembershipChange (change: MembershipChange): Membership {
  const { membership, event, qc } = change
  if (event.type !== 'membership_add' && event.type !== 'membership_remove') {
    throw new NotAMembershipEventError(`event of type ${event.type} does not change membership`)
  }
  verifyQC(qc, { membership, policy: change.policy, verifier: change.verifier, eventHash: eventHash(event), slot: event.slot, ...(change.quorum === undefined ? {} : { quorum: change.quorum }) })
  const members = new Map(membership.members)
  if (event.type === 'membership_add') {
    const added = event.body.member
    if (members.has(added.node_id)) throw new DuplicateMemberError(`${added.node_id} is already a member`)
    const holder = added.site_id === undefined ? undefined : memberOfSite(membership, added.site_id)
    if (holder !== undefined) throw new DuplicateSiteError(`site id "${added.site_id ?? ''}" already belongs to member ${holder.node_id}`)
    if (members.size >= MEMBERS_MAX) throw new MembershipSizeError(`membership is full (${MEMBERS_MAX} members)`)
    members.set(added.node_id, memberFromJson(added, change.decidedAt))
  } else {
    if (!members.has(event.body.node_id)) throw new UnknownMemberError(`${event.body.node_id} is not a member`)
    if (members.size === 1) throw new MembershipSizeError('cannot remove the last member')
    members.delete(event.body.node_id)
  }
  return { federation_id: membership.federation_id, epoch: membership.epoch + 1, members, decided_by: { slot: event.slot, event_hash: qc.event_hash } }
}

/** A membership in JSON (for the store). */
export interface MembershipJson {
  federation_id: string
  epoch: number
  members: Array<MemberJson & { joined_at: number }>
  decided_by?: MembershipDecision
}

/** The JSON form of a membership, members sorted by node id. */
export function membershipToJson (membership: Membership): MembershipJson {
  const members = [...membership.members.values()]
    .sort((a, b) => (a.node_id < b.node_id ? -1 : 1))
    .map((m) => ({ ...memberToJson(m), joined_at: m.joined_at }))
  return { federation_id: membership.federation_id, epoch: membership.epoch, members, ...(membership.decided_by === undefined ? {} : { decided_by: { ...membership.decided_by } }) }
}

/** A membership from its JSON form (trusted: written by this node's store). */
export function membershipFromJson (json: MembershipJson): Membership {
  const members = json.members.map((m) => ({ ...memberFromJson(m, m.joined_at), public_key: publicKeyFromJson(m.public_key) }))
  return createMembership(json.federation_id, members, json.epoch, json.decided_by)
}
