/**
 * The arbitration draw: a panel of uninvolved members chosen by hashing, so
 * anyone holding the commit certificate and the member list recomputes it.
 * Each eligible member's score is SHA-256(domain ‖ certificate hash ‖ its
 * node id); the ARBITRATION_PANEL_SIZE lowest scores sit on the panel (hash
 * sortition: uniform, no PRNG state to agree on).
 */
import { createHash } from 'node:crypto'
import { fromString } from 'uint8arrays'
import { ARBITRATION_DRAW_DOMAIN, ARBITRATION_PANEL_SIZE } from './constants.ts'
import { certificateHash, type CommitCertificate } from './certificate.ts'
import { NoArbitratorsError } from './errors.ts'

/** A member's draw score (hex) under a certificate hash. */
export function drawScore (certificateHashHex: string, member: string): string {
  return createHash('sha256').update(ARBITRATION_DRAW_DOMAIN).update(fromString(certificateHashHex, 'base16')).update(member).digest('hex')
}

/**
 * The panel for disputes about the chain of `certificate`: the members that
 * signed none of its commits, ranked by draw score. Throws NoArbitratorsError
 * when fewer than `size` members are uninvolved.
 */
export function drawArbitrators (certificate: CommitCertificate, members: readonly string[], size: number = ARBITRATION_PANEL_SIZE): string[] {
  const involved = new Set(certificate.commits.map((c) => c.node))
  const eligible = [...new Set(members)].filter((m) => !involved.has(m))
  if (eligible.length < size) throw new NoArbitratorsError(`an arbitration panel needs ${size} uninvolved members, the federation has ${eligible.length}`)
  const seed = certificateHash(certificate)
  return eligible
    .map((member) => ({ member, score: drawScore(seed, member) }))
    .sort((a, b) => (a.score < b.score ? -1 : a.score > b.score ? 1 : a.member < b.member ? -1 : 1))
    .slice(0, size)
    .map((entry) => entry.member)
}
