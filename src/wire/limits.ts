/**
 * Wire limits: every field of an envelope is bounded, so a peer can never make
 * us allocate, hash or verify more than these. Spec: protocols/envelope.md.
 * How they relate is asserted at start-up (bottom of this file).
 */
import { PEER_ID_LENGTH_MAX } from '../core/identity/peer-id.ts'
import { assert } from '../core/errors.ts'
import { ML_DSA_SIZES } from '../crypto/mldsa.ts'
import { ED25519_SIGNATURE_BYTES } from '../crypto/ed25519.ts'

/** Envelope format version this code writes and accepts. */
export const ENVELOPE_VERSION = 1

/** Whole wire envelope. Under gossipsub's default 1 MiB message limit, leaving room for its framing. */
export const ENVELOPE_BYTES_MAX = 512 * 1024
/** Payload of one envelope. */
export const PAYLOAD_BYTES_MAX = 496 * 1024
/** Envelope ids are 16 random bytes (128 bits: no collisions among honest senders). */
export const ENVELOPE_ID_BYTES = 16
/** Source is a PeerId string (base58btc; an Ed25519 PeerId is 52 characters). */
export const SOURCE_LENGTH_MAX = PEER_ID_LENGTH_MAX
/** Destination: a PeerId or a topic such as `/fedmesh/<federation id>/<data class>/1`. */
export const DESTINATION_LENGTH_MAX = 256
/** A federation id is a slug, the same limit as the config's `federation_id`. */
export const FEDERATION_ID_LENGTH_MAX = 64
/** Schema id of the payload, e.g. `fedmesh.aggregated_metrics/1`. */
export const SCHEMA_ID_LENGTH_MAX = 128
/** MIME type of the payload, e.g. `application/protobuf`. */
export const CONTENT_TYPE_LENGTH_MAX = 128
/** Hops an envelope may travel; `ttl` must be 1..TTL_HOPS_MAX. */
export const TTL_HOPS_MAX = 16
/** Default ttl for new envelopes. */
export const TTL_HOPS_DEFAULT = 8
/** Accepted difference between an envelope's timestamp and our clock, either way (cross-mesh spec: ±5 min). */
export const CLOCK_SKEW_MS_MAX = 5 * 60 * 1000
/** Envelope ids remembered for duplicate detection (about 170 envelopes/s sustained over the skew window). */
export const REPLAY_CACHE_ENTRIES_MAX = 100_000

/** Highest position in an origin's log: a safe integer, so a seq survives JSON and Number (2^53 - 1). */
export const ORIGIN_SEQ_MAX = Number.MAX_SAFE_INTEGER
/** `prev_hash` is a SHA-256 of the previous body of the origin's log. */
export const PREV_HASH_BYTES = 32

/** Bytes of both signatures at the largest ML-DSA level. */
export const SIGNATURES_BYTES_MAX = ED25519_SIGNATURE_BYTES + Math.max(...Object.values(ML_DSA_SIZES).map((size) => size.signatureBytes))
/** Everything but the payload and signatures: fixed fields with their protobuf tags and length prefixes (generous). */
export const HEADER_BYTES_MAX = 64 + 11 + 2 + PREV_HASH_BYTES + ENVELOPE_ID_BYTES + SOURCE_LENGTH_MAX + DESTINATION_LENGTH_MAX + FEDERATION_ID_LENGTH_MAX +
  SCHEMA_ID_LENGTH_MAX + CONTENT_TYPE_LENGTH_MAX

// Any envelope whose fields are within their limits fits ENVELOPE_BYTES_MAX, so a sender that respects
// the field limits never produces an envelope a receiver rejects for size.
assert(PAYLOAD_BYTES_MAX + HEADER_BYTES_MAX + SIGNATURES_BYTES_MAX <= ENVELOPE_BYTES_MAX, 'envelope limits: fields must fit the envelope')
assert(ENVELOPE_BYTES_MAX <= 1024 * 1024, 'envelope limits: must fit gossipsub\'s default 1 MiB message size')
assert(TTL_HOPS_DEFAULT >= 1 && TTL_HOPS_DEFAULT <= TTL_HOPS_MAX, 'envelope limits: default ttl within 1..TTL_HOPS_MAX')
assert(CLOCK_SKEW_MS_MAX > 0 && Number.isSafeInteger(CLOCK_SKEW_MS_MAX * 2), 'envelope limits: positive clock skew')
assert(REPLAY_CACHE_ENTRIES_MAX > 0, 'envelope limits: replay cache holds something')
