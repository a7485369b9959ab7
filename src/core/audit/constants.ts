/**
 * Limits and fixed values of the audit log (RFC 9162 §2.1 Merkle tree over
 * audit records). Each limit is a named constant with its unit before `_MAX`.
 */

/** SHA-256 output: every leaf, node and root hash is this long. */
export const HASH_BYTES = 32

/**
 * Leaves one log may hold: 2^40 (~10^12). Keeps every index and size an exact
 * JavaScript integer (< 2^53) and bounds a proof to 40 hashes; at the 20,000
 * appends/s goal a node would need 1,700 years to reach it.
 */
export const AUDIT_LOG_LEAVES_MAX = 2 ** 40

/** Tree height at AUDIT_LOG_LEAVES_MAX leaves: an inclusion proof has at most this many hashes. */
export const TREE_HEIGHT_MAX = 40

/** A consistency proof has at most one hash per level plus the split: RFC 9162 bounds it by ~2·log2(size). */
export const PROOF_HASHES_MAX = 2 * TREE_HEIGHT_MAX

/** Encoded size of one audit record (a leaf), in bytes: records are summaries of an event, never payloads. */
export const AUDIT_RECORD_BYTES_MAX = 4096

/** A free-text field of a record (reason, detail), in characters. */
export const AUDIT_TEXT_LENGTH_MAX = 512

/** An identifier field of a record (peer, data class, state name, action), in characters. */
export const AUDIT_NAME_LENGTH_MAX = 160

/** Extra key/value attributes one record may carry. */
export const AUDIT_ATTRIBUTES_MAX = 16

/** A checkpoint's origin line (C2SP tlog-checkpoint keeps it short and printable), in bytes. */
export const CHECKPOINT_ORIGIN_BYTES_MAX = 255

/** Cosignatures one checkpoint carries (one per member at most; matches consensus MEMBERS_MAX). */
export const COSIGNATURES_MAX = 1024

/** Domain-separation prefix of a leaf's bytes; like every fedmesh domain it is followed by `\n`. */
export const AUDIT_RECORD_DOMAIN = 'fedmesh/audit-record/1'
/** Domain-separation prefix of a checkpoint's signed bytes. */
export const CHECKPOINT_DOMAIN = 'fedmesh/checkpoint/1'
/** Domain-separation prefix of a cosignature's signed bytes. */
export const COSIGNATURE_DOMAIN = 'fedmesh/cosignature/1'
