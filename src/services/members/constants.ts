/**
 * Limits of the member directory and the membership-chain protocol.
 */
import { MEMBERS_MAX } from '../../core/consensus/constants.ts'

/** Members the directory holds: exactly a membership's bound (core/consensus MEMBERS_MAX). */
export const DIRECTORY_MEMBERS_MAX = MEMBERS_MAX

/** The membership-chain protocol id (protocols/membership.md); the federation id is part of it. */
export const membershipChainProtocol = (federationId: string): string => `/fedmesh/${federationId}/membership/1.0.0`
/** One frame: 16 entries, each an event (an ML-DSA-87 key) and a QC of up to 1024 hybrid votes, fit. */
export const MEMBERSHIP_FRAME_BYTES_MAX = 16 * 1024 * 1024
/** A whole fetch (every round with one peer) gives up after this. */
export const MEMBERSHIP_FETCH_MS_MAX = 30_000
/** An inbound request is answered within this, or the stream is aborted. */
export const MEMBERSHIP_SERVE_MS_MAX = 10_000
/** Rounds of one fetch: MEMBERS_MAX changes' worth of answers, then stop (a peer cannot keep a node busy forever). */
export const MEMBERSHIP_FETCH_ROUNDS_MAX = 1 + Math.ceil(4 * MEMBERS_MAX / 16)
/** Address hints dialled per member when the membership changes. */
export const MEMBER_HINTS_DIALLED_MAX = 4
