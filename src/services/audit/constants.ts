/**
 * The audit service's names and limits (protocols/audit.md, docs/audit.md).
 */
import type { DataClass } from '../../wire/envelope.ts'

/** The federation-wide gossip class of checkpoints, cosignatures and split-view evidence. */
export const AUDIT_CHECKPOINT_CLASS = 'audit_checkpoint' satisfies DataClass
export const AUDIT_SCHEMA_ID = 'fedmesh.audit/1'
export const AUDIT_CONTENT_TYPE = 'application/json'
/** The direct stream protocol an origin answers consistency-proof requests on. */
export const AUDIT_PROTOCOL = '/fedmesh/audit/1.0.0'

/** Default seconds between two of the node's own checkpoints (config `audit.checkpoint_interval_seconds`). */
export const CHECKPOINT_INTERVAL_SECONDS_DEFAULT = 60
/**
 * A log that grew only by upkeep (core/audit/cadence.ts `isUpkeep`: checkpoint traffic, relations following
 * connections, unproven witness results) gets a periodic checkpoint once in this many intervals (10 min at the
 * default 60 s); one that grew by anything else, at the next interval (protocols/audit.md "Checkpoint cadence").
 */
export const QUIET_CHECKPOINT_INTERVALS_DEFAULT = 10
/**
 * Periodic checkpoints are spaced by at least this many ms per member of the federation (core/audit/cadence.ts
 * `checkpointSpacingMs`): the federation gossips at most about one per second, whatever its size. Below 60
 * members the 60 s interval is the longer wait; at 400 members a node checkpoints at most every 400 s.
 */
export const CHECKPOINT_SPACING_MS_PER_MEMBER = 1000
/** Audit entries read per page when the timer looks at what the log grew by since the last checkpoint. */
export const CADENCE_SCAN_PAGE = 512

/**
 * Default members that witness each checkpoint on average (config
 * `audit.witnesses_per_checkpoint`). With every member witnessing every
 * checkpoint, a federation of n gossiped n·(n−1) cosignatures per interval
 * (20 nodes: ~40,000 audit messages in a 3-minute sim run, more than all
 * other traffic); sampled, it is ~8·n, and each member still witnesses every
 * origin every (n−1)/8 checkpoints on average.
 */
export const WITNESSES_PER_CHECKPOINT_DEFAULT = 8
/**
 * A gossip payload: two checkpoints with two ML-DSA-87 signatures and an
 * 80-hash proof as JSON come to ~25 KB; far below this.
 */
export const AUDIT_PAYLOAD_BYTES_MAX = 64 * 1024
/** One frame of the audit stream protocol: a request is a few bytes, an answer ≤ 81 hashes. */
export const AUDIT_FRAME_BYTES_MAX = 4 * 1024
/** How long a consistency-proof request may take, dial included, in ms. */
export const CONSISTENCY_REQUEST_MS_MAX = 10_000
/** How long an inbound stream may stay open, in ms. */
export const INBOUND_STREAM_MS_MAX = 10_000
/** Inbound audit streams handled at once (each is one proof read). */
export const INBOUND_STREAMS_MAX = 32
/** The direct stream protocol a witness hands its cosignature to the checkpoint's origin on (not gossip: only the origin keeps it). */
export const AUDIT_COSIGN_PROTOCOL = '/fedmesh/audit-cosign/1.0.0'
/** One frame of the cosign protocol: an ML-DSA-87 signature (4,627 bytes) plus Ed25519, root, size and time, with room. */
export const COSIGN_FRAME_BYTES_MAX = 8 * 1024
/** A witness's one attempt to hand over a cosignature, dial included, in ms; then it is dropped (counted), never retried. */
export const COSIGN_SEND_MS_MAX = 5_000
/** How far a cosignature's time may be from the origin's clock, either way, in ms. */
export const COSIGNATURE_SKEW_MS_MAX = 10 * 60_000
/** Own checkpoints (the newest) whose cosignatures an origin still takes; an older one's are refused as unknown_checkpoint. */
export const OWN_CHECKPOINTS_COSIGNABLE_MAX = 64
/** Inbound cosign streams handled at once. */
export const COSIGN_INBOUND_STREAMS_MAX = 32
/**
 * Default checkpoints of one origin a node keeps in its `audit_checkpoint` log (config
 * `audit.checkpoints_retained`): a checkpoint commits to the whole log prefix, so a newer one
 * supersedes the ones before; sync counts older ones as superseded, never as a gap (docs/audit.md).
 */
export const CHECKPOINTS_RETAINED_DEFAULT = 16
