/**
 * Summaries on the network: each node gossips the signed counts of its
 * participants' (need → offer) pairs — never identities — on the `summary`
 * topic, and stores the latest summary of every other node, which
 * `fedmesh match` clears against its own participants.
 *
 * A summary is labelled with its node's site id; the label must be the one
 * the sender's signed node record names, so no node can speak for another.
 */
import type { FedmeshNode } from './node.ts'
import { PayloadSchemaError, PayloadVerdictError } from './envelope-gossip.ts'
import { buildSummary, validateSummary, type Summary } from '../core/matching/summary.ts'
import { decodeSummary, encodeSummary } from '../core/matching/summary-codec.ts'
import { validateParticipant, type Participant } from '../core/matching/participant.ts'
import type { Taxonomy } from '../core/matching/taxonomy.ts'
import { ParticipantRepository } from '../store/participants.ts'
import { SummaryRepository } from '../store/matching-summaries.ts'
import { loadTaxonomy } from '../store/matching-taxonomy.ts'
import { InputError } from '../core/errors.ts'

export const SUMMARY_CLASS = 'summary'
export const SUMMARY_SCHEMA_ID = 'fedmesh.summary/1'
export const SUMMARY_CONTENT_TYPE = 'application/octet-stream'
/** A node republishes its summary this often, so members that joined later learn it. */
export const SUMMARY_REPUBLISH_MS = 60_000
/** Changes to participants are batched for this long before the summary goes out. */
export const SUMMARY_DEBOUNCE_MS = 500

/** The participants and taxonomy of this node, and the summaries others sent. */
export class SummaryService {
  private readonly node: FedmeshNode
  private readonly dataDir: string | undefined
  private taxonomy: Taxonomy | undefined
  private republishTimer: NodeJS.Timeout | undefined
  private debounceTimer: NodeJS.Timeout | undefined
  private lastPublished: string | undefined

  constructor (node: FedmeshNode, dataDir: string | undefined) {
    this.node = node
    this.dataDir = dataDir
  }

  /** Loads the taxonomy, joins the summary topic and, when federated, starts publishing. */
  async start (): Promise<void> {
    this.taxonomy = await loadTaxonomy(this.dataDir)
    const node = this.node
    const summaries = new SummaryRepository(node.store)
    node.registerEnvelopeClass({
      dataClass: SUMMARY_CLASS,
      decodePayload: (payload, envelope) => this.decode(payload, envelope.source),
      deliver: async (summary: Summary) => { await summaries.put(summary, node.now()) }
    })
    if (node.config.federation.enabled) {
      this.republishTimer = setInterval(() => { void this.publish(true) }, SUMMARY_REPUBLISH_MS)
      this.republishTimer.unref()
      this.changed()
    }
  }

  stop (): void {
    if (this.republishTimer !== undefined) clearInterval(this.republishTimer)
    if (this.debounceTimer !== undefined) clearTimeout(this.debounceTimer)
    this.republishTimer = undefined
    this.debounceTimer = undefined
  }

  /** Participants changed: publish the new summary shortly (changes in a burst go out once). */
  changed (): void {
    if (this.republishTimer === undefined) return // not federated, or stopped
    if (this.debounceTimer !== undefined) clearTimeout(this.debounceTimer)
    this.debounceTimer = setTimeout(() => { this.debounceTimer = undefined; void this.publish(false) }, SUMMARY_DEBOUNCE_MS)
    this.debounceTimer.unref()
  }

  /** This node's summary now, from its stored participants (ones invalid under the current taxonomy are left out). */
  async own (): Promise<Summary> {
    const taxonomy = this.taxonomy ?? await loadTaxonomy(this.dataDir)
    const participants: Participant[] = []
    for (const { id, offers, needs, weight } of await new ParticipantRepository(this.node.store).list()) {
      try {
        participants.push(validateParticipant({ id, offers, needs, ...(weight === undefined ? {} : { weight }) }, taxonomy))
      } catch {
        // added under an earlier taxonomy: `fedmesh match` reports it; it is not counted here
      }
    }
    return buildSummary(this.node.config.site_id, participants)
  }

  /** Signs and gossips this node's summary (unchanged ones only on the periodic republish). */
  async publish (evenIfUnchanged: boolean): Promise<void> {
    try {
      const summary = await this.own()
      // a node with no participants has nothing to say until it has said something (then "none" is news)
      if (summary.entries.length === 0 && this.lastPublished === undefined) return
      const bytes = encodeSummary(summary)
      const text = Buffer.from(bytes).toString('base64')
      if (!evenIfUnchanged && text === this.lastPublished) return
      await this.node.gossip.publish(SUMMARY_CLASS, this.node.seal(SUMMARY_CLASS, SUMMARY_SCHEMA_ID, bytes, SUMMARY_CONTENT_TYPE))
      this.lastPublished = text
    } catch (err) {
      this.node.log.warn({ err }, 'publishing the summary failed')
    }
  }

  /** Gossip validation of a summary payload. */
  private decode (payload: Uint8Array, source: string): Summary {
    let summary: Summary
    try {
      summary = validateSummary(decodeSummary(payload), this.taxonomy!)
    } catch (err) {
      if (err instanceof InputError) throw new PayloadSchemaError(err.message, { cause: err })
      throw err
    }
    const site = this.node.members.siteOf(source)
    if (summary.node !== site) {
      throw new PayloadVerdictError('reject', 'wrong_site', `summary from ${source} is labelled ${summary.node}, its node record says ${site ?? 'nothing'}`)
    }
    return summary
  }
}
