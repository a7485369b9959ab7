/**
 * Attestation claims computed from a participant's history: completed
 * exchanges (the chain machine's `exchange` records), membership start and
 * vouches. The same history gives the same claims on any node.
 */
import type { ExchangeRecord } from '../chain/state.ts'
import {
  ANCHOR_EXCHANGES_MIN, ANCHOR_MEMBERSHIP_MS_MIN, ANCHOR_SATISFACTION_PERMILLE_MIN, ANCHOR_VOUCHES_MIN, ESTABLISHED_EXCHANGES_MIN,
  ESTABLISHED_MEMBERSHIP_MS_MIN, ESTABLISHED_SATISFACTION_PERMILLE_MIN, EXCHANGES_COMPLETED_MAX, VOUCHES_RECEIVED_MAX
} from './constants.ts'

export const TRUST_TIERS = ['probationary', 'established', 'anchor'] as const
export type TrustTier = typeof TRUST_TIERS[number]

/** What a node attests about one participant. */
export interface AttestationClaims {
  /** chains completed with this participant in them */
  exchanges_completed: number
  /** mean satisfaction its recipients gave it, permille; null before anyone rated it */
  satisfaction_rate_permille: number | null
  /** distinct participants it gave to or received from */
  partner_count: number
  /** when it joined its home node, ms */
  member_since_ms: number
  vouches_received: number
  trust_tier: TrustTier
}

/** The inputs of a participant's claims. */
export interface ParticipantHistory {
  participant: string
  member_since_ms: number
  /** this participant's exchange records (either role), any order */
  exchanges: readonly ExchangeRecord[]
  vouches_received: number
}

/** The tier the documented rule gives (protocols/chain.md): anchor, established or probationary. */
export function trustTierOf (claims: Omit<AttestationClaims, 'trust_tier'>, atMs: number): TrustTier {
  const age = atMs - claims.member_since_ms
  const satisfaction = claims.satisfaction_rate_permille
  if (claims.exchanges_completed >= ANCHOR_EXCHANGES_MIN && satisfaction !== null && satisfaction >= ANCHOR_SATISFACTION_PERMILLE_MIN &&
    age >= ANCHOR_MEMBERSHIP_MS_MIN && claims.vouches_received >= ANCHOR_VOUCHES_MIN) return 'anchor'
  if (claims.exchanges_completed >= ESTABLISHED_EXCHANGES_MIN && (satisfaction === null || satisfaction >= ESTABLISHED_SATISFACTION_PERMILLE_MIN) &&
    age >= ESTABLISHED_MEMBERSHIP_MS_MIN) return 'established'
  return 'probationary'
}

/** Claims from a history at `nowMs`: counts, the rounded mean satisfaction as provider, distinct partners, the tier. */
export function computeClaims (history: ParticipantHistory, nowMs: number): AttestationClaims {
  const mine = history.exchanges.filter((e) => e.participant === history.participant)
  const chains = new Set(mine.map((e) => e.chain))
  const partners = new Set(mine.map((e) => e.counterpart))
  const rated = mine.filter((e) => e.role === 'provider')
  const total = rated.reduce((sum, e) => sum + e.satisfaction_permille, 0)
  const base = {
    exchanges_completed: Math.min(chains.size, EXCHANGES_COMPLETED_MAX),
    satisfaction_rate_permille: rated.length === 0 ? null : Math.round(total / rated.length),
    partner_count: partners.size,
    member_since_ms: history.member_since_ms,
    vouches_received: Math.min(history.vouches_received, VOUCHES_RECEIVED_MAX)
  }
  return { ...base, trust_tier: trustTierOf(base, nowMs) }
}

/** True when `next` differs from the claims last attested: the node re-issues only then. */
export function claimsChanged (previous: AttestationClaims | undefined, next: AttestationClaims): boolean {
  if (previous === undefined) return true
  return (Object.keys(next) as Array<keyof AttestationClaims>).some((key) => previous[key] !== next[key])
}
