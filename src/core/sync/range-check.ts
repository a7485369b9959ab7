/**
 * Authenticating a fetched range of one origin's log by its hash links
 * (protocols/sync.md "Hash-link verification"): the newest entry's signature
 * is verified; every older entry whose body hash is exactly the `prev_hash`
 * of the (already authenticated) entry after it is authenticated by that
 * link, since the origin signed the later body and with it the earlier body's
 * hash. Where a link breaks (a hole in the range, a body that does not hash to
 * the next entry's `prev_hash`), the entry below the break is verified on its
 * own signature and, if it verifies, anchors the links below it again.
 *
 * Pure: hashing happens before (the caller hands in each entry's body hash),
 * the signature check is a callback.
 */

/** One fetched entry, in the order the responder sent it. */
export interface RangeEntry {
  seq: number
  /** hex SHA-256 of the entry's signed body */
  hash: string
  /** hex `prev_hash` the entry carries ('' at seq 1) */
  prev: string
}

/** How an entry was authenticated: by its own signature, by the link from the entry after it, or not at all. */
export type RangeProof = 'signature' | 'link' | 'none'

/** The outcome for a range: one proof per entry (same order as the input) and how many signatures were checked. */
export interface RangeCheck {
  proofs: RangeProof[]
  signaturesChecked: number
  /** places where the link from the entry after did not hold (a hole or a wrong hash) */
  breaks: number
}

/**
 * Authenticates `entries` (one log, ascending seq expected) newest first.
 * `verifySignature(i)` checks entry i's own signature (and anything else the
 * caller requires of an anchor, e.g. that it belongs to the requested log).
 */
export function checkRangeByLinks (entries: readonly RangeEntry[], verifySignature: (index: number) => boolean): RangeCheck {
  const proofs: RangeProof[] = entries.map(() => 'none')
  let signaturesChecked = 0
  let breaks = 0
  for (let i = entries.length - 1; i >= 0; i--) {
    const entry = entries[i]
    const after = i + 1 < entries.length ? entries[i + 1] : undefined
    const linked = after !== undefined && proofs[i + 1] !== 'none' && after.seq === entry.seq + 1 && after.prev === entry.hash
    if (linked) {
      proofs[i] = 'link'
      continue
    }
    if (after !== undefined) breaks++
    signaturesChecked++
    proofs[i] = verifySignature(i) ? 'signature' : 'none'
  }
  return { proofs, signaturesChecked, breaks }
}
