/**
 * The data classes: what a federation message may carry (DESIGN.md
 * "Two kinds of data class"). Only these exist on the wire; the list lives
 * in core so policies (core) and config can name them without the wire layer.
 */

/** Every data class, in wire enum order. */
export const DATA_CLASSES = [
  'summary', 'attestation', 'vote', 'aggregated_metrics', 'incident_summary', 'playbook_metadata', 'coordination_request', 'chain',
  'audit_checkpoint', 'move_ack'
] as const
export type DataClass = typeof DATA_CLASSES[number]

/** Classes that travel by gossip to every member unless a policy restricts them. */
export const FEDERATION_WIDE_CLASSES: readonly DataClass[] = ['summary', 'attestation', 'vote', 'aggregated_metrics', 'audit_checkpoint', 'move_ack']

/** Classes that never enter gossip: a direct stream carries them to peers whose agreed policy allows them. */
export const BILATERAL_CLASSES: readonly DataClass[] = ['incident_summary', 'playbook_metadata', 'coordination_request', 'chain']
