/**
 * History: one record per completed slot (fields after the governance
 * consensus source) and statistics over them.
 */
import type { EventType } from './event.ts'
import type { TieBreakingRule } from './threshold.ts'

/** How a slot was resolved: a quorum (a QC exists) or a tie-breaking rule. */
export type Resolution = 'quorum' | TieBreakingRule

export interface HistoryRecord {
  slot: string
  /** the decided hash, else the leading one; null when nobody voted */
  event_hash: string | null
  /** null when this node never saw the event's body */
  event_type: EventType | null
  /** the event's own timestamp when known, else when this node opened the slot (ms) */
  initiated_at: number
  completed_at: number
  membership_epoch: number
  membership_size: number
  quorum: number
  /** members whose vote was counted, sorted */
  participating_nodes: string[]
  /** each counted member's hash */
  node_hashes: Record<string, string>
  /** the QC's hash, or the tie-breaking winner; null under manual_review */
  consensus_hash: string | null
  /** votes for the leading hash / membership size × 100, two decimals */
  agreement_percentage: number
  consensus_achieved: boolean
  /** counted members that voted for another hash than consensus_hash (than the leading hash if none) */
  disagreeing_nodes: string[]
  /** members caught equivocating in this slot (their votes are not counted) */
  equivocating_nodes: string[]
  resolution: Resolution
  /** true when the resolution needs an operator (manual_review, or nobody voted) */
  needs_review: boolean
}

export interface HistoryStatistics {
  decisions: number
  /** slots where a QC formed */
  agreements: number
  /** slots resolved without a quorum */
  disagreements: number
  /** votes for the consensus hash / against it, over all records */
  agreeing_votes: number
  disagreeing_votes: number
  needs_review: number
  average_agreement_percentage: number | null
}

/** Statistics over history records. */
export function historyStatistics (records: readonly HistoryRecord[]): HistoryStatistics {
  let agreements = 0
  let agreeingVotes = 0
  let disagreeingVotes = 0
  let needsReview = 0
  let percentage = 0
  for (const record of records) {
    if (record.consensus_achieved) agreements++
    if (record.needs_review) needsReview++
    agreeingVotes += record.participating_nodes.length - record.disagreeing_nodes.length
    disagreeingVotes += record.disagreeing_nodes.length
    percentage += record.agreement_percentage
  }
  return {
    decisions: records.length,
    agreements,
    disagreements: records.length - agreements,
    agreeing_votes: agreeingVotes,
    disagreeing_votes: disagreeingVotes,
    needs_review: needsReview,
    average_agreement_percentage: records.length === 0 ? null : Math.round((percentage / records.length) * 100) / 100
  }
}
