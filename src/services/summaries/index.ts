/**
 * Summaries on the network: each node gossips the signed counts of its
 * participants' (need → offer) pairs — never identities — on the `summary`
 * topic, and stores the latest summary of every other node, which
 * `fedmesh match` clears against its own participants.
 *
 * A summary is labelled with its node's site id; the label must be the one
 * the federation's membership gives the signer (never the sender's claim),
 * and it is stored under the signer's PeerId, so no node can speak for another.
 */
import type { Taxonomy } from '../../core/matching/taxonomy.ts'
import type { ParticipantRepository } from '../../store/participants.ts'
import type { SummaryRepository } from '../../store/matching-summaries.ts'
import type { Clock } from '../../runtime/clock.ts'
import type { Logger } from '../../runtime/log.ts'
import type { EnvelopeChannel } from '../envelopes/index.ts'
import type { MemberSites } from '../members/index.ts'
import { SummaryService } from './summaries.ts'

export { SUMMARY_CLASS, SUMMARY_SCHEMA_ID, SUMMARY_CONTENT_TYPE } from './constants.ts'
export { SummaryService }

export interface SummariesComponents {
  envelopes: EnvelopeChannel
  participants: ParticipantRepository
  summaries: SummaryRepository
  /** the taxonomy participants and summaries are checked against */
  taxonomy: () => Promise<Taxonomy>
  members: MemberSites
  clock: Clock
  logger: Logger
}

export interface SummariesInit {
  siteId: string
  /** publish at all (only a federated node does) */
  publish: boolean
  /** default SUMMARY_REPUBLISH_MS */
  republishMs?: number
  /** default SUMMARY_DEBOUNCE_MS */
  debounceMs?: number
}

/** What operations may call. */
export interface Summaries {
  /** participants changed: publish the new summary shortly */
  changed: () => void
}

/** Builds the service. */
export function summaries (init: SummariesInit): (components: SummariesComponents) => SummaryService {
  return (components) => new SummaryService(components, init)
}
