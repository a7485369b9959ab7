/**
 * The membership chain: the decided membership events since genesis, each
 * with the QC that decided it. A node holding only the verified genesis
 * replays it: every QC must verify against the membership of the epoch
 * before it, so a peer can hand a joining node the current membership
 * without being trusted.
 */
import { z } from 'zod'
import { InputError } from '../errors.ts'
import type { SignatureVerifier } from '../signature.ts'
import { MEMBERS_MAX } from './constants.ts'
import { eventHash, federationIdSchema, parseEvent, slotIdSchema, eventHashSchema, type ConsensusEvent } from './event.ts'
import { applyMembershipChange, type Membership } from './membership.ts'
import { qcFromJson, qcToJson, type QuorumCertificate } from './quorum-certificate.ts'
import type { ConsensusPolicy } from './threshold.ts'

/** Entries one answer carries at most (a joining node asks again from where it got to). */
export const MEMBERSHIP_CHAIN_ENTRIES_MAX = 16

/** One link: the decided event, its QC, and when the serving node saw it decided (a label only: the new member's `joined_at`). */
export interface MembershipChainEntry {
  event: ConsensusEvent
  qc: QuorumCertificate
  decided_at: number
}

export const membershipChainEntrySchema = z.strictObject({
  event: z.unknown(),
  qc: z.strictObject({
    federation_id: federationIdSchema,
    slot: slotIdSchema,
    event_hash: eventHashSchema,
    votes: z.array(z.unknown()).max(MEMBERS_MAX)
  }),
  decided_at: z.number().int().nonnegative()
})

/** A link of the chain does not follow from the membership before it. */
export class MembershipChainError extends InputError {
  static override readonly code = 'MembershipChainError'
  override readonly name = 'MembershipChainError'
}

/** The JSON form of an entry (the wire and the store). */
export function membershipChainEntryToJson (entry: MembershipChainEntry): unknown {
  return { event: entry.event, qc: qcToJson(entry.qc), decided_at: entry.decided_at }
}

/** Replays `entries` on `membership`; returns each following membership, or throws MembershipChainError naming the epoch and why. */
export function verifyMembershipChain (init: {
  membership: Membership
  policy: Pick<ConsensusPolicy, 'threshold' | 'min_participating_nodes'>
  verifier: SignatureVerifier
  entries: readonly unknown[]
}): Array<{ membership: Membership, entry: MembershipChainEntry }> {
  let membership = init.membership
  const out: Array<{ membership: Membership, entry: MembershipChainEntry }> = []
  for (const raw of init.entries) {
    const epoch = membership.epoch + 1
    try {
      const parsed = membershipChainEntrySchema.safeParse(raw)
      if (!parsed.success) throw new MembershipChainError(`malformed: ${parsed.error.issues.map((i) => `${i.path.map(String).join('.')}: ${i.message}`).join('; ')}`)
      const event = parseEvent(parsed.data.event)
      const qc = qcFromJson(parsed.data.qc as Parameters<typeof qcFromJson>[0])
      if (event.federation_id !== membership.federation_id || qc.federation_id !== membership.federation_id) {
        throw new MembershipChainError(`event or QC for federation "${event.federation_id}", not "${membership.federation_id}"`)
      }
      if (qc.slot !== event.slot || qc.event_hash !== eventHash(event)) throw new MembershipChainError(`the QC (slot ${qc.slot}) does not certify this event (slot ${event.slot})`)
      const next = applyMembershipChange({ membership, event, qc, policy: init.policy, verifier: init.verifier, decidedAt: parsed.data.decided_at })
      out.push({ membership: next, entry: { event, qc, decided_at: parsed.data.decided_at } })
      membership = next
    } catch (err) {
      if (err instanceof MembershipChainError) throw new MembershipChainError(`membership chain, epoch ${epoch}: ${err.message}`, { cause: err })
      throw new MembershipChainError(`membership chain, epoch ${epoch}: ${(err as Error).name}: ${(err as Error).message}`, { cause: err })
    }
  }
  return out
}
