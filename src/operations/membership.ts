/**
 * Changing the membership of a running federation: `members propose add
 * <founder-entry>` and `members propose remove <peer-id|site-id>` create
 * membership events through the consensus propose path (the node votes for
 * its own proposal and gossips both). Nothing changes until the event is
 * decided with its QC; then every member's directory, gater and status
 * change together, and the added node fetches the membership chain.
 */
import { createHash } from 'node:crypto'
import { z } from 'zod'
import { slotIdSchema } from '../core/consensus/event.ts'
import { canonicalJson } from '../core/consensus/canonical.ts'
import { parseFounderEntry } from '../core/consensus/founder-entry.ts'
import { DuplicateMemberError, DuplicateSiteError, MembershipSizeError, UnknownMemberError, memberOfSite, type Membership } from '../core/consensus/membership.ts'
import { ConsensusStore } from '../store/consensus.ts'
import { checkFounderEntry, readGenesisFile, saveGenesisDraft } from '../store/consensus-genesis.ts'
import { genesisDigest } from '../core/consensus/genesis.ts'
import { parseArguments as parseArgs } from './arguments.ts'
import { requireServices, type Operation, type OperationComponents } from './operation.ts'
import { GenesisFederationMismatchError, NoGenesisError } from './consensus.ts'

export interface MembershipProposal {
  event_hash: string
  slot: string
  type: 'membership_add' | 'membership_remove'
  node_id: string
  site_id: string | null
  /** the epoch the change would make */
  epoch: number
}

async function currentMembership (context: OperationComponents): Promise<Membership> {
  const membership = await new ConsensusStore(context.store).membership()
  if (membership === undefined) throw new NoGenesisError('no federation membership in this store yet: load the genesis first ("fedmesh consensus genesis <file>")')
  return membership
}

/**
 * The default slot of a membership change: the epoch it would make and a short hash of what it
 * changes, so two different proposals never meet in one slot by accident and each can be retried.
 */
function defaultSlot (membership: Membership, body: unknown): string {
  const digest = createHash('sha256').update(canonicalJson(body)).digest('hex').slice(0, 12)
  return `membership/${membership.epoch + 1}/${digest}`
}

/** `members propose add <founder-entry.json>`: a membership_add event for a self-signed entry. */
export const membersProposeAdd: Operation<{ entry: unknown, slot?: string }, MembershipProposal> = {
  name: 'members.propose-add',
  async run (context, args) {
    const parsed = parseArgs(z.strictObject({ entry: z.unknown(), slot: slotIdSchema.optional() }), args, 'members.propose-add')
    const entry = parseFounderEntry(parsed.entry, 'the joining node\'s founder entry')
    checkFounderEntry(entry, context.verifier, 'the joining node\'s founder entry')
    const membership = await currentMembership(context)
    const { member } = entry
    if (membership.members.has(member.node_id)) throw new DuplicateMemberError(`${member.node_id} is already a member of "${membership.federation_id}"`)
    const holder = member.site_id === undefined ? undefined : memberOfSite(membership, member.site_id)
    if (holder !== undefined) throw new DuplicateSiteError(`site id "${member.site_id ?? ''}" already belongs to member ${holder.node_id}`)
    const body = { member, entry_signature: entry.signature }
    const slot = parsed.slot ?? defaultSlot(membership, body)
    const proposed = await requireServices(context, 'members propose add').consensus.propose({ type: 'membership_add', slot, body })
    return { ...proposed, type: 'membership_add', node_id: member.node_id, site_id: member.site_id ?? null, epoch: membership.epoch + 1 }
  }
}

/** `members propose remove <peer-id|site-id>`: a membership_remove event for a current member. */
export const membersProposeRemove: Operation<{ member: string, slot?: string }, MembershipProposal> = {
  name: 'members.propose-remove',
  async run (context, args) {
    const parsed = parseArgs(z.strictObject({ member: z.string().min(1).max(128), slot: slotIdSchema.optional() }), args, 'members.propose-remove')
    const membership = await currentMembership(context)
    const target = membership.members.get(parsed.member) ?? memberOfSite(membership, parsed.member)
    if (target === undefined) throw new UnknownMemberError(`"${parsed.member}" is neither the PeerId nor the site id of a member of "${membership.federation_id}"`)
    if (membership.members.size === 1) throw new MembershipSizeError('the last member cannot be removed')
    const body = { node_id: target.node_id }
    const slot = parsed.slot ?? defaultSlot(membership, body)
    const proposed = await requireServices(context, 'members propose remove').consensus.propose({ type: 'membership_remove', slot, body })
    return { ...proposed, type: 'membership_remove', node_id: target.node_id, site_id: target.site_id ?? null, epoch: membership.epoch + 1 }
  }
}

export interface GenesisDraftResult {
  federation_id: string
  digest: string
  founders: number
  /** false once a genesis is loaded: the membership decides admission then */
  admitted: boolean
}

/**
 * `genesis sign` records the draft it signed: until a genesis is loaded, the node admits the draft's
 * founders (besides its bootstrap peers), so founders' nodes can connect while the ceremony runs.
 */
export const genesisDraftOperation: Operation<{ file: string }, GenesisDraftResult> = {
  name: 'genesis.draft',
  async run (context, args) {
    const { file } = parseArgs(z.strictObject({ file: z.string().min(1).max(4096) }), args, 'genesis.draft')
    const { document } = await readGenesisFile(file, context.dataDir ?? '/')
    if (document.federation_id !== context.config.federation.federation_id) {
      throw new GenesisFederationMismatchError(`the genesis draft is for federation "${document.federation_id}", config.yaml says federation_id "${context.config.federation.federation_id}"`)
    }
    const founders = document.members.map((m) => m.node_id)
    const digest = genesisDigest(document)
    await saveGenesisDraft(context.store, { federation_id: document.federation_id, digest, founders })
    context.services?.members?.setDraft(document.members)
    const loaded = (await new ConsensusStore(context.store).membership()) !== undefined
    return { federation_id: document.federation_id, digest, founders: founders.length, admitted: !loaded }
  }
}

/** The membership operations. */
export const membershipOperations: ReadonlyArray<Operation<never, unknown>> = [membersProposeAdd, membersProposeRemove, genesisDraftOperation]
