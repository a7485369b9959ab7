/**
 * The summary service (see index.ts): publishes this node's summary when its
 * participants change and periodically, and stores the summaries other
 * nodes send.
 */
import { PayloadRefusedError, PayloadSchemaError, InputError } from '../../core/errors.ts'
import { buildSummary, validateSummary, type Summary } from '../../core/matching/summary.ts'
import { decodeSummary, encodeSummary } from '../../core/matching/summary-codec.ts'
import { validateParticipant, type Participant } from '../../core/matching/participant.ts'
import type { Taxonomy } from '../../core/matching/taxonomy.ts'
import { SUMMARY_CLASS, SUMMARY_CONTENT_TYPE, SUMMARY_DEBOUNCE_MS, SUMMARY_REPUBLISH_MS, SUMMARY_SCHEMA_ID } from './constants.ts'
import type { Summaries, SummariesComponents, SummariesInit } from './index.ts'

export class SummaryService implements Summaries {
  private readonly components: SummariesComponents
  private readonly init: SummariesInit
  private taxonomy: Taxonomy | undefined
  private republishTimer: NodeJS.Timeout | undefined
  private debounceTimer: NodeJS.Timeout | undefined
  private lastPublished: string | undefined

  constructor (components: SummariesComponents, init: SummariesInit) {
    this.components = components
    this.init = init
  }

  /** Loads the taxonomy, joins the summary topic and, when federated, starts publishing. */
  async start (): Promise<void> {
    this.taxonomy = await this.components.taxonomy()
    const { envelopes, summaries, clock } = this.components
    envelopes.register({
      dataClass: SUMMARY_CLASS,
      decodePayload: (payload, envelope) => this.decode(payload, envelope.source),
      // safe to commit a fetched batch at once: a blind write per signer, nothing read back from the store
      groupCommit: true,
      commit: async (summary: Summary, envelope, persist) => {
        // keyed by the signer's PeerId: a summary can only ever replace its own signer's
        await persist([summaries.putOperation(summary, envelope.source, clock.now())])
        return undefined
      }
    })
    if (this.init.publish) {
      this.republishTimer = setInterval(() => { void this.publish(true) }, this.init.republishMs ?? SUMMARY_REPUBLISH_MS)
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
    this.debounceTimer = setTimeout(() => { this.debounceTimer = undefined; void this.publish(false) }, this.init.debounceMs ?? SUMMARY_DEBOUNCE_MS)
    this.debounceTimer.unref()
  }

  /** This node's summary now, from its stored participants (ones invalid under the current taxonomy are left out). */
  async own (): Promise<Summary> {
    const taxonomy = this.taxonomy ?? await this.components.taxonomy()
    const participants: Participant[] = []
    for (const { id, offers, needs, weight } of await this.components.participants.list()) {
      try {
        participants.push(validateParticipant({ id, offers, needs, ...(weight === undefined ? {} : { weight }) }, taxonomy))
      } catch {
        // added under an earlier taxonomy: `fedmesh match` reports it; it is not counted here
      }
    }
    return buildSummary(this.init.siteId, participants)
  }

  /** Signs and gossips this node's summary (unchanged ones only on the periodic republish). */
  async publish (evenIfUnchanged: boolean): Promise<void> {
    const { envelopes } = this.components
    try {
      const summary = await this.own()
      // a node with no participants has nothing to say until it has said something (then "none" is news)
      if (summary.entries.length === 0 && this.lastPublished === undefined) return
      const bytes = encodeSummary(summary)
      const text = Buffer.from(bytes).toString('base64')
      if (!evenIfUnchanged && text === this.lastPublished) return
      await envelopes.publish(SUMMARY_CLASS, envelopes.seal(SUMMARY_CLASS, SUMMARY_SCHEMA_ID, bytes, SUMMARY_CONTENT_TYPE))
      this.lastPublished = text
    } catch (err) {
      this.components.logger.warn({ err }, 'publishing the summary failed')
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
    const site = this.components.members.siteOf(source)
    if (summary.node !== site) {
      throw new PayloadRefusedError('reject', 'wrong_site', `summary from ${source} is labelled ${summary.node}, the membership says ${site ?? 'nothing'}`)
    }
    return summary
  }
}
