/**
 * Timing and size limits of node records (protocols/node-record.md).
 */

/** A node republishes its record this often, and whenever its addresses change. */
export const NODE_RECORD_REPUBLISH_MS = 10 * 60 * 1000
/** ± this fraction of the republish period, drawn per period from the node's Random component. */
export const NODE_RECORD_REPUBLISH_JITTER = 0.1
/** How long one publication may spend reaching the closest peers. */
export const NODE_RECORD_PUBLISH_MS_MAX = 30_000
/** Addresses a record carries as hints. */
export const NODE_RECORD_ADDRS_MAX = 16
