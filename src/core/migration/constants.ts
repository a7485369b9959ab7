/**
 * Limits and domains of participant migration (issue 14): redirects in the
 * DHT, the export document, resolution. Defaults after Mastodon's Move
 * (30-day cooldown) and did:plc (72 h recovery window).
 */

const HOUR_MS = 3_600_000
const DAY_MS = 24 * HOUR_MS

export const REDIRECT_VERSION = 1
/** DHT namespace: `/fedmesh-participant/<hex SHA-256>`, of the participant's key or of a location (see redirect.ts). */
export const PARTICIPANT_REDIRECT_NAMESPACE = 'fedmesh-participant'
/** Prefixed to the redirect body the participant (or its recovery key) signs. */
export const REDIRECT_SIGNING_DOMAIN = 'fedmesh/participant-redirect/1\n'
/** Prefixed to the same body for the receiving node's countersignature (one signature can never pass for the other). */
export const REDIRECT_COUNTERSIGN_DOMAIN = 'fedmesh/participant-redirect-countersign/1\n'
/** Prefixed to a home node's binding "this participant id has this key". */
export const HOME_BINDING_SIGNING_DOMAIN = 'fedmesh/participant-home-binding/1\n'
/** Hashed with a participant id to give its location key in the DHT. */
export const LOCATION_HASH_DOMAIN = 'fedmesh/participant-location/1\n'
/** Hashed with a redirect body to give the `prev` link of the next one. */
export const REDIRECT_HASH_DOMAIN = 'fedmesh/participant-redirect-hash/1\n'

/**
 * A whole encoded redirect. With ML-DSA-65 participant and node keys the largest
 * (recovery-signed) record is ~14.7 KB, under the DHT's 16 KB record bound
 * (net/dht-records.ts DHT_RECORD_BYTES_MAX); ML-DSA-87 participant keys do not fit.
 */
export const REDIRECT_BYTES_MAX = 15 * 1024
/** The JSON body and the binding body (participant ids are ≤ 200 characters). */
export const REDIRECT_BODY_BYTES_MAX = 2048
/** How many redirects resolution follows before giving up. */
export const REDIRECT_HOPS_MAX = 8
/** A redirect issued further in the future than this is refused. */
export const REDIRECT_CLOCK_SKEW_MS_MAX = 5 * 60_000

/** Between two moves of one participant (Mastodon's 30 days). */
export const MOVE_COOLDOWN_MS_DEFAULT = 30 * DAY_MS
/** How long the old node serves the redirect (then it expires). */
export const MOVE_GRACE_MS_DEFAULT = 30 * DAY_MS
/** A redirect never claims a grace longer than this. */
export const MOVE_GRACE_MS_MAX = 365 * DAY_MS
/** A recovery-key redirect overrides key-signed ones issued within this of it (did:plc's 72 h). */
export const RECOVERY_WINDOW_MS_DEFAULT = 72 * HOUR_MS

export const EXPORT_FORMAT = 'fedmesh-participant-export'
export const EXPORT_VERSION = 1
/** Prefixed to the canonical JSON of an export the home node signs. */
export const EXPORT_SIGNING_DOMAIN = 'fedmesh/participant-export/1\n'
/** An export file (complete history: chains with their evidence). */
export const EXPORT_BYTES_MAX = 32 * 1024 * 1024
export const EXPORT_CHAINS_MAX = 10_000
export const EXPORT_ATTESTATIONS_MAX = 10_000
/** Earlier redirects carried along (the participant's move history). */
export const EXPORT_REDIRECTS_MAX = 64
/** Prefixed to the challenge a receiving node asks the participant to sign. */
export const KEY_CHALLENGE_KIND = 'migration.challenge'

export const MOVE_ACK_VERSION = 1
/** Prefixed to the canonical JSON of a move acknowledgement its member signs. */
export const MOVE_ACK_SIGNING_DOMAIN = 'fedmesh/move-ack/1\n'
/** A failure reason in an ack. */
export const MOVE_ACK_REASON_CHARS_MAX = 300
/** An ack issued further in the future than this is refused. */
export const MOVE_ACK_CLOCK_SKEW_MS_MAX = 5 * 60_000
