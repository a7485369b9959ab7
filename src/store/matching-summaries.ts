/**
 * Summaries received from other nodes (sublevel `summaries`, key = node id):
 * the latest per node. The network layer stores gossiped summaries here after
 * verifying them; `fedmesh match` reads them as the remote part of its
 * instance. The canonical bytes are kept beside the decoded form, so what was
 * signed can be re-verified or forwarded unchanged.
 */
import type { BatchOperation, Store, Sublevel } from './store.ts'
import type { Summary, SummaryEntry } from '../core/matching/summary.ts'
import { encodeSummary } from '../core/matching/summary-codec.ts'
import { compareText } from '../core/matching/taxonomy.ts'

export const SUMMARIES_SUBLEVEL = 'summaries'

/** A stored summary: the node's entries, their canonical bytes (base64) and when it arrived. */
export interface SummaryRecord {
  node: string
  entries: SummaryEntry[]
  /** canonical encoding (summary-codec.ts), base64 */
  bytes: string
  received_at: number
}

/** Reads and writes received summaries. */
export class SummaryRepository {
  private readonly store: Store
  private readonly sublevel: Sublevel<SummaryRecord>

  constructor (store: Store) {
    this.store = store
    this.sublevel = store.sublevel<SummaryRecord>(SUMMARIES_SUBLEVEL)
  }

  /** The batch operation that stores a node's summary (validated and canonical, see validateSummary), replacing the one before. */
  putOperation (summary: Summary, receivedAt: number): BatchOperation {
    const record: SummaryRecord = {
      node: summary.node,
      entries: summary.entries,
      bytes: Buffer.from(encodeSummary(summary)).toString('base64'),
      received_at: receivedAt
    }
    return this.store.putOperation(SUMMARIES_SUBLEVEL, summary.node, record)
  }

  /** Stores a node's summary on its own. */
  async put (summary: Summary, receivedAt: number): Promise<void> {
    await this.store.batch([this.putOperation(summary, receivedAt)])
  }

  /** The summary of one node, or undefined. */
  async get (node: string): Promise<SummaryRecord | undefined> {
    return await this.sublevel.get(node)
  }

  /** Forgets a node's summary; true when there was one. */
  async remove (node: string): Promise<boolean> {
    const had = await this.sublevel.get(node) !== undefined
    await this.sublevel.del(node)
    return had
  }

  /** Every stored summary, sorted by node id. */
  async list (): Promise<SummaryRecord[]> {
    const records = await this.sublevel.values().all()
    return records.sort((a, b) => compareText(a.node, b.node))
  }
}
