/**
 * Limits and fixed values of the consensus core. Each limit is a named
 * constant with its unit before `_MAX`, tested at the boundary on both sides.
 */

/** Domain-separation prefix of a vote's signed bytes (protocols/vote.md); like every fedmesh signing domain it is followed by `\n`. */
export const VOTE_DOMAIN = 'fedmesh/vote/1'
/** Domain-separation prefix of an event's hashed bytes. */
export const EVENT_DOMAIN = 'fedmesh/event/1'
/** Domain-separation prefix of a genesis file's signed bytes. */
export const GENESIS_DOMAIN = 'fedmesh/genesis/1'

/** Signature sizes in bytes: Ed25519 64; ML-DSA-87 (the largest set) 4627. */
export const ED25519_SIGNATURE_BYTES = 64
export const MLDSA_SIGNATURE_BYTES_MAX = 4627

/** An event hash is a SHA-256 digest: 32 bytes, written as 64 lowercase hex characters. */
export const EVENT_HASH_BYTES = 32
export const EVENT_HASH_PATTERN = /^[0-9a-f]{64}$/

/** Federation ids are slugs (as in the node config); bounded so a vote's encoding is bounded. */
export const FEDERATION_ID_LENGTH_MAX = 64
/** Slot ids: printable ASCII without `|` (the store's key separator), e.g. `membership/3`. */
export const SLOT_ID_LENGTH_MAX = 128
export const SLOT_ID_PATTERN = /^[A-Za-z0-9._:/-]+$/
/** Node ids are libp2p peer ids (base58); bounded for the same reason. */

/** Members of one federation: matches the node config's `federation.members` limit. */
export const MEMBERS_MAX = 1024
/** Slots a node keeps open (undecided) at once; a vote for a new slot beyond this is refused. */
export const SLOTS_OPEN_MAX = 4096
/** Text of a governance proposal, in characters. */
export const PROPOSAL_TEXT_LENGTH_MAX = 16_384
/** Title of a governance proposal, in characters. */
export const PROPOSAL_TITLE_LENGTH_MAX = 256

/** The default minimum number of voters for any decision (the governance source's `min_participating_nodes`). */
export const MIN_PARTICIPATING_NODES_DEFAULT = 2

/** Milliseconds in one day, for trust inactivity decay. */
export const DAY_MS = 86_400_000
