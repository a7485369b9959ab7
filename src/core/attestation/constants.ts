/**
 * Limits and fixed values of attestations (protocols/chain.md, "Attestation").
 * Each limit has a test on both sides (test/core/attestation/).
 */

/** Hashed and signed before the canonical JSON of an attestation. */
export const ATTESTATION_SIGNING_DOMAIN = 'fedmesh/attestation/1\n'
export const ATTESTATION_VERSION = 1
/** Canonical bytes of one attestation (without signatures): a few hundred in practice. */
export const ATTESTATION_BYTES_MAX = 2048
/** Completed exchanges one participant can claim: a thousand a day for 27 years. */
export const EXCHANGES_COMPLETED_MAX = 10_000_000
/** Vouches one participant can claim. */
export const VOUCHES_RECEIVED_MAX = 1_000_000
/** Satisfaction travels in permille (integers: signed JSON has no floats). */
export const SATISFACTION_PERMILLE_MAX = 1000
/** Accepted difference between an attestation's time and our clock (DESIGN.md: ±5 min). */
export const CLOCK_SKEW_MS_MAX = 5 * 60_000
/** Attestations kept per node (one per participant; PARTICIPANTS_PER_NODE_MAX × members would not fit, so the store bounds it). */
export const ATTESTATIONS_STORED_MAX = 1_000_000

const DAY_MS = 86_400_000

/** Tier rule (documented formula): anchor needs all of these… */
export const ANCHOR_EXCHANGES_MIN = 20
export const ANCHOR_SATISFACTION_PERMILLE_MIN = 800
export const ANCHOR_MEMBERSHIP_MS_MIN = 365 * DAY_MS
export const ANCHOR_VOUCHES_MIN = 3
/** …established needs these; anything less is probationary. */
export const ESTABLISHED_EXCHANGES_MIN = 3
export const ESTABLISHED_SATISFACTION_PERMILLE_MIN = 500
export const ESTABLISHED_MEMBERSHIP_MS_MIN = 30 * DAY_MS
