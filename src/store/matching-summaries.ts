/**
 * Summaries received from other nodes (sublevel `summaries`, key = the
 * sender's PeerId): the latest per node. The label (`node`) is the site id the
 * federation's membership gives that PeerId — the summary service refuses a
 * summary labelled otherwise — so no member can overwrite another's summary. The network layer stores gossiped summaries here after
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
  /** the sender's PeerId (the key) */
  peer_id: string
  /** the sender's site id in the membership (the participant-id node part matching uses) */
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

  /** The batch operation that stores the summary `peerId` signed (validated and canonical, see validateSummary), replacing its one before. */
  putOperation (summary: Summary, peerId: string, receivedAt: number): BatchOperation {
    const record: SummaryRecord = {
      peer_id: peerId,
      node: summary.node,
      entries: summary.entries,
      bytes: Buffer.from(encodeSummary(summary)).toString('base64'),
      received_at: receivedAt
    }
    return this.store.putOperation(SUMMARIES_SUBLEVEL, peerId, record)
  }

  /** Stores a node's summary on its own. */
  async put (summary: Summary, peerId: string, receivedAt: number): Promise<void> {
    await this.store.batch([this.putOperation(summary, peerId, receivedAt)])
  }

  /** The summary of one node (by PeerId), or undefined. */
  async get (peerId: string): Promise<SummaryRecord | undefined> {
    return await this.sublevel.get(peerId)
  }

  /** Forgets a node's summary (by PeerId); true when there was one. */
  async remove (peerId: string): Promise<boolean> {
    const had = await this.sublevel.get(peerId) !== undefined
    await this.sublevel.del(peerId)
    return had
  }

  /** Every stored summary, sorted by node id. */
  async list (): Promise<SummaryRecord[]> {
    const records = await this.sublevel.values().all()
    return records.sort((a, b) => compareText(a.node, b.node))
  }
}
