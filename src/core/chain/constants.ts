/**
 * Limits and fixed values of chain settlement (protocols/chain.md). Every
 * limit is a named constant with its unit before `_MAX`, tested at the
 * boundary on both sides (test/core/chain/limits.test.ts); how they relate is
 * asserted at the bottom of this file.
 */
import { assert } from '../errors.ts'
import { CHAIN_LENGTH_MAX, CHAIN_LENGTH_MIN, CATEGORY_LENGTH_MAX } from '../matching/limits.ts'

/** The matching core's cap range is the protocol's: a chain the clearing may find is a chain the protocol may settle. */
export { CHAIN_LENGTH_MAX, CHAIN_LENGTH_MIN, CATEGORY_LENGTH_MAX }

/** Stream protocol id. */
export const CHAIN_PROTOCOL_ID = '/fedmesh/chain/1.0.0'
/** Content version this code writes and accepts. */
export const CHAIN_CONTENT_VERSION = 1

/** Hashed before the canonical content to give the chain id. Every fedmesh domain ends with `\n`. */
export const CHAIN_ID_DOMAIN = 'fedmesh/chain/1\n'
/** Signed by the proposer before the canonical content, so a proposal signature is never an id or another object's. */
export const PROPOSAL_SIGNING_DOMAIN = 'fedmesh/chain-proposal/1\n'
/** Signed by each involved node before the 32 raw bytes of the chain id: its commit signature. */
export const COMMIT_SIGNING_DOMAIN = 'fedmesh/chain-commit/1\n'
/** Signed by a node before the canonical JSON of its node statements (validation, abort, mediation, ruling). */
export const NODE_STATEMENT_SIGNING_DOMAIN = 'fedmesh/chain-node-statement/1\n'
/** Hashed before a certificate's canonical bytes: the arbitration seed. */
export const CERTIFICATE_HASH_DOMAIN = 'fedmesh/chain-certificate/1\n'
/** Hashed with the certificate hash and a member's id: that member's draw score. */
export const ARBITRATION_DRAW_DOMAIN = 'fedmesh/arbitration-draw/1\n'
/** Hashed before the opening statement's canonical JSON: the dispute id. */
export const DISPUTE_ID_DOMAIN = 'fedmesh/dispute/1\n'

/** A chain id (and every hash here) is SHA-256: 32 bytes, 64 lowercase hex characters. */
export const CHAIN_ID_BYTES = 32
export const CHAIN_ID_PATTERN = /^[0-9a-f]{64}$/

/** A federation id: a slug, the config's limit. */
export const FEDERATION_ID_LENGTH_MAX = 64
/** A site id (the node's label, shown to people; the PeerId is what counts). */
export const SITE_ID_LENGTH_MAX = 64
/** A match score: an integer in permille (0 = no fit … 1000 = perfect), so signed content has no floats. */
export const MATCH_SCORE_PERMILLE_MAX = 1000
/** Satisfaction 0–1 travels as an integer permille for the same reason. */
export const SATISFACTION_PERMILLE_MAX = 1000
/** A confirmation's optional comment, in characters. */
export const COMMENT_LENGTH_MAX = 1024
/** A refusal's or abort's optional free-text note, in characters. */
export const NOTE_LENGTH_MAX = 256

/** Shortest consent window (proposal → consent deadline): longer than the clocks may disagree (2 × skew), so every node gets a chance to answer. */
export const CONSENT_WINDOW_MS_MIN = 10 * 60_000
/** Longest consent window: a participant is reserved at most this long by a chain that never commits. */
export const CONSENT_WINDOW_MS_MAX = 7 * 24 * 3600_000
/** Longest delay from the consent deadline to the start of execution. */
export const EXECUTION_DELAY_MS_MAX = 90 * 24 * 3600_000
/** Longest execution window (start → end). */
export const EXECUTION_WINDOW_MS_MAX = 365 * 24 * 3600_000
/** Accepted difference between a proposal's time and our clock (DESIGN.md: ±5 min). */
export const CLOCK_SKEW_MS_MAX = 5 * 60_000

/** Chains a node keeps open (not finished) at once; a proposal beyond it is refused (policy). */
export const CHAINS_OPEN_MAX = 4096

/** Arbitrators per panel: odd, so a majority always exists among full answers. */
export const ARBITRATION_PANEL_SIZE = 3
/** Time the mediation layer has before a party may escalate without both recommendations. */
export const MEDIATION_WINDOW_MS = 14 * 24 * 3600_000
/** A dispute's claim, recommendation or ruling text, in characters. */
export const DISPUTE_TEXT_LENGTH_MAX = 4096
/** Messages in one dispute (open, resolve, escalate, recommendations, rulings). */
export const DISPUTE_MESSAGES_MAX = 64

assert(CHAIN_LENGTH_MIN >= 2 && CHAIN_LENGTH_MAX >= CHAIN_LENGTH_MIN, 'chain limits: a chain is at least two participants')
assert(CONSENT_WINDOW_MS_MIN >= 2 * CLOCK_SKEW_MS_MAX && CONSENT_WINDOW_MS_MAX > CONSENT_WINDOW_MS_MIN, 'chain limits: consent window range')
assert(ARBITRATION_PANEL_SIZE % 2 === 1, 'chain limits: an arbitration panel has an odd size')
