/**
 * kad-dht 15 adds every peer a query response names to its routing table
 * only after pinging it (`verifyNewContact`: a dial when not connected), and a
 * contact whose ping failed is not remembered: the next response that names
 * it pings it again. A peer at its connection limit refuses every such dial,
 * so each DHT query (self-queries, lookups for dials, record walks) re-dialled
 * the same full peers. In the lean sim (connections 6 / 8) new-contact pings
 * and DHT requests were the largest source of new connections of idle nodes
 * (docs/sim.md, "Idle CPU per node"). Here a contact whose verification
 * failed is not verified again for CONTACT_VERIFY_BACKOFF_MS: until then it is
 * answered "not online" at once, as a failed ping would be (the contact is
 * not added; it may be named again later). Neither the verification nor the
 * remembered set is configurable in kad-dht 15, so this wraps a private field
 * (`routingTable.kb.verify`) and fails the host's construction if it moves.
 */
import type { Clock } from '../runtime/clock.ts'

/** How long a contact whose verification ping failed is answered "not online" without another ping. */
export const CONTACT_VERIFY_BACKOFF_MS = 5 * 60_000
/** Failed contacts remembered (oldest forgotten first): bounds memory against a flood of names. */
export const CONTACT_FAILURES_KEPT_MAX = 4096

interface Contact { peerId: { toString: () => string } }
type Verify = (contact: Contact, options?: unknown) => Promise<boolean>

/** Wraps kad-dht's new-contact verification with the backoff; returns the count of pings it spared. */
export function backOffFailedContacts (dht: unknown, clock: Clock, backoffMs = CONTACT_VERIFY_BACKOFF_MS): { spared: () => number } {
  const kb = (dht as { routingTable?: { kb?: { verify?: Verify } } }).routingTable?.kb
  const verify = kb?.verify
  if (kb === undefined || typeof verify !== 'function') throw new Error('kad-dht has no routingTable.kb.verify: update backOffFailedContacts in src/net/dht-contacts.ts')
  const failedAtMs = new Map<string, number>()
  let spared = 0
  kb.verify = async (contact, options) => {
    const id = contact.peerId.toString()
    const failedAt = failedAtMs.get(id)
    if (failedAt !== undefined && clock.now() - failedAt < backoffMs) {
      spared++
      return false
    }
    const online = await verify(contact, options)
    failedAtMs.delete(id)
    if (!online) {
      failedAtMs.set(id, clock.now())
      if (failedAtMs.size > CONTACT_FAILURES_KEPT_MAX) failedAtMs.delete(failedAtMs.keys().next().value!)
    }
    return online
  }
  return { spared: () => spared }
}
