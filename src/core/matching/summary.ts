/**
 * Summaries: a node's counts per (need → offer) category pair, without
 * identities. Built from local participants, validated on receipt, merged
 * across nodes. Canonical form: entries sorted by (need, offer), no duplicate
 * pair, no zero count — the form `encodeSummary` signs.
 */
import type { Taxonomy } from './taxonomy.ts'
import { compareText } from './taxonomy.ts'
import type { Participant } from './participant.ts'
import { entriesOf } from './participant.ts'
import { validateNodeId } from '../identity/participant-id.ts'
import { InvalidSummaryError, DuplicateNodeError, UnknownCategoryError } from './errors.ts'
import { SUMMARY_COUNT_MAX, SUMMARY_ENTRIES_MAX, NODES_PER_INSTANCE_MAX } from './limits.ts'

/** How many of a node's participants need `need` and offer `offer`. */
export interface SummaryEntry {
  need: string
  offer: string
  count: number
}

/** A node's summary. */
export interface Summary {
  node: string
  entries: SummaryEntry[]
}

/** Orders entries by need, then offer. */
export function compareEntries (a: { need: string, offer: string }, b: { need: string, offer: string }): number {
  return compareText(a.need, b.need) || compareText(a.offer, b.offer)
}

/** Builds a node's summary from its (validated) participants: one count per entry pair. */
export function buildSummary (node: string, participants: readonly Participant[]): Summary {
  const counts = new Map<string, SummaryEntry>()
  for (const participant of participants) {
    for (const { need, offer } of entriesOf(participant)) {
      const key = `${need}\u0000${offer}`
      const entry = counts.get(key)
      if (entry === undefined) counts.set(key, { need, offer, count: 1 })
      else entry.count++
    }
  }
  return { node: validateNodeId(node), entries: [...counts.values()].sort(compareEntries) }
}

/**
 * Validates a received summary against the taxonomy and the limits and returns
 * it canonical (sorted, zero counts dropped). Throws InvalidSummaryError,
 * UnknownCategoryError or InvalidParticipantIdError (bad node id).
 */
export function validateSummary (summary: Summary, taxonomy: Taxonomy): Summary {
  validateNodeId(summary.node)
  if (!Array.isArray(summary.entries)) throw new InvalidSummaryError(`summary of ${summary.node}: entries must be a list`)
  if (summary.entries.length > SUMMARY_ENTRIES_MAX) {
    throw new InvalidSummaryError(`summary of ${summary.node} has ${summary.entries.length} entries; at most ${SUMMARY_ENTRIES_MAX}`)
  }
  const entries: SummaryEntry[] = []
  for (const entry of summary.entries) {
    const { need, offer, count } = entry
    if (typeof need !== 'string' || typeof offer !== 'string') {
      throw new InvalidSummaryError(`summary of ${summary.node}: each entry needs "need" and "offer" category strings`)
    }
    if (!taxonomy.has(need) || !taxonomy.has(offer)) {
      throw new UnknownCategoryError(`summary of ${summary.node}: unknown category ${JSON.stringify(taxonomy.has(need) ? offer : need)}`)
    }
    if (need === offer) throw new InvalidSummaryError(`summary of ${summary.node}: entry ${need} → ${offer} pairs a category with itself`)
    if (typeof count !== 'number' || !Number.isInteger(count) || count < 0 || count > SUMMARY_COUNT_MAX) {
      throw new InvalidSummaryError(`summary of ${summary.node}: count of ${need} → ${offer} must be an integer between 0 and ${SUMMARY_COUNT_MAX}, got ${JSON.stringify(count)}`)
    }
    if (count > 0) entries.push({ need, offer, count })
  }
  entries.sort(compareEntries)
  for (let i = 1; i < entries.length; i++) {
    if (compareEntries(entries[i - 1]!, entries[i]!) === 0) {
      throw new InvalidSummaryError(`summary of ${summary.node}: pair ${entries[i]!.need} → ${entries[i]!.offer} appears twice`)
    }
  }
  return { node: summary.node, entries }
}

/** Total of many nodes' summaries: per pair, the sum over nodes. Throws DuplicateNodeError for a node given twice. */
export function mergeSummaries (summaries: readonly Summary[]): { nodes: string[], entries: SummaryEntry[] } {
  if (summaries.length > NODES_PER_INSTANCE_MAX) {
    throw new InvalidSummaryError(`at most ${NODES_PER_INSTANCE_MAX} summaries can be merged, got ${summaries.length}`)
  }
  const nodes = new Set<string>()
  const totals = new Map<string, SummaryEntry>()
  for (const summary of summaries) {
    if (nodes.has(summary.node)) throw new DuplicateNodeError(`two summaries for node ${summary.node}`)
    nodes.add(summary.node)
    for (const { need, offer, count } of summary.entries) {
      const key = `${need}\u0000${offer}`
      const total = totals.get(key)
      if (total === undefined) totals.set(key, { need, offer, count })
      else total.count += count
    }
  }
  return { nodes: [...nodes].sort(compareText), entries: [...totals.values()].filter((e) => e.count > 0).sort(compareEntries) }
}
