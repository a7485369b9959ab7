/**
 * Limits of the matching core. Every input that can grow (a node's participants,
 * a taxonomy, a summary, a chain, an enumeration) has a named maximum here, and
 * `validate*` functions reject anything beyond it with a named error.
 */

/** Participants one node may host (the benchmark's largest instance is 1M in total). */
export const PARTICIPANTS_PER_NODE_MAX = 1_000_000
/** Categories in a taxonomy (the category graph has at most this many vertices). */
export const CATEGORIES_MAX = 4096
/** Offers, and needs, of one participant: its entries are the cross product, so 8 × 8 = 64 at most. */
export const OFFERS_PER_PARTICIPANT_MAX = 8
export const NEEDS_PER_PARTICIPANT_MAX = 8
/** Nodes in one matching instance (local + remote summaries); the config's MEMBERS_MAX. */
export const NODES_PER_INSTANCE_MAX = 1024
/** Entries (need → offer pairs) in one summary: well above what 1,000 Zipf categories produce per node. */
export const SUMMARY_ENTRIES_MAX = 262_144
/** Count of one summary entry: a node cannot host more participants than this. */
export const SUMMARY_COUNT_MAX = PARTICIPANTS_PER_NODE_MAX
/** Longest chain the enumeration and the capped clearing accept as a cap. */
export const CHAIN_LENGTH_MAX = 12
/** Shortest meaningful cap: a chain is at least two participants trading. */
export const CHAIN_LENGTH_MIN = 2
/** The cap used when the caller gives none (DESIGN.md: default 6). */
export const CHAIN_LENGTH_DEFAULT = 6
/** Chains one enumeration returns before it stops and says it was truncated. */
export const CHAINS_ENUMERATED_MAX = 10_000
/** A participant's value weight (second objective), an integer 0…WEIGHT_MAX. */
export const WEIGHT_MAX = 1000
/** Length of a participant handle and of a node id inside a participant id. */
export { HANDLE_LENGTH_MAX, NODE_ID_LENGTH_MAX } from '../identity/participant-id.ts'
/** Length of a category slug (the config's SLUG_LENGTH_MAX). */
export const CATEGORY_LENGTH_MAX = 64
/** Encoded size of one summary: SUMMARY_ENTRIES_MAX entries of ≤ 2+2+3 varint bytes plus a full category table fit in 4 MiB. */
export const SUMMARY_BYTES_MAX = 4 * 1024 * 1024
/** Exact mode: the cycle formulation is solved as one MIP up to this many cycles (HiGHS degrades past ~20k columns with large multiplicities). */
export const EXACT_MIP_CYCLES_MAX = 20_000
/** Exact mode: up to this many cycles, LP-round (LP, floor, MIP on the rest); beyond, column generation (issue 18: exact up to ~40k in ≤ 10 s). */
export const EXACT_LP_ROUND_CYCLES_MAX = 40_000
/** Exact mode: rounds of column generation on the cycle LP (each adds the most violated cycle per category); a work limit, so the result does not depend on the machine's speed. */
export const EXACT_COLUMN_ROUNDS_MAX = 200
/** Exact mode: edge visits the return-capacity bound may spend (categories × edges × (cap − 2) × rounds); beyond, it is skipped. */
export const EXACT_RETURN_BOUND_WORK_MAX = 1_000_000_000
/** Exact mode: edge visits one destroy-and-repair search may spend (repair-search.ts; ~1e8 at 1,000 categories / 100k / cap 3). A work limit: the answer does not depend on the machine's speed unless the clock stops it first. */
export const EXACT_REPAIR_WORK_MAX = 2_000_000_000
/** Exact mode: branch-and-bound nodes of LP-round's MIP on the units the floor leaves (a work limit: the answer does not depend on the machine's speed unless the clock stops it first). */
export const EXACT_RESIDUAL_MIP_NODES_MAX = 200
