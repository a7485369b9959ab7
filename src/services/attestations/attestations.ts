/**
 * The attestation service (see index.ts): issues this node's attestations when
 * its participants' claims change, stores the latest per participant it
 * receives, and records accuracy observations for node reputation.
 */
import { InputError, PayloadRefusedError, PayloadSchemaError } from '../../core/errors.ts'
import {
  AttestationClockError, AttestationIssuerError, AttestationSignatureError, ATTESTATION_VERSION, ATTESTATIONS_STORED_MAX, claimsChanged, computeClaims,
  newerAttestation, participantKeyId, signAttestation, validateAttestation, type SignedAttestation
} from '../../core/attestation/index.ts'
import { publicKeyFromClaims } from '../../core/chain/node-statement.ts'
import type { ExchangeRecord } from '../../core/chain/state.ts'
import { signedOf } from '../../store/attestations.ts'
import { decodeAttestation, encodeAttestation } from '../../wire/chain.ts'
import type { ValidatedEnvelope } from '../envelopes/index.ts'
import {
  ATTESTATION_CLASS, ATTESTATION_CONTENT_TYPE, ATTESTATION_DEBOUNCE_MS, ATTESTATION_REVIEW_MS, ATTESTATION_SCHEMA_ID, ATTESTATIONS_PER_PASS_MAX
} from './constants.ts'
import type { Attestations, AttestationsComponents, AttestationsInit } from './index.ts'

export class AttestationService implements Attestations {
  private reviewTimer: NodeJS.Timeout | undefined
  private debounceTimer: NodeJS.Timeout | undefined
  private running = false
  /** passes run one at a time */
  private tail: Promise<void> = Promise.resolve()
  /** stored attestations (kept to bound the store at ATTESTATIONS_STORED_MAX) */
  private stored = 0

  constructor (private readonly components: AttestationsComponents, private readonly init: AttestationsInit) {}

  async start (): Promise<void> {
    this.stored = await this.components.attestations.count()
    this.components.envelopes.register({
      dataClass: ATTESTATION_CLASS,
      decodePayload: (payload, envelope) => this.decode(payload, envelope),
      commit: async (signed: SignedAttestation, _envelope, persist) => {
        const { attestations, clock } = this.components
        const current = await attestations.get(signed.attestation.participant)
        const kept = newerAttestation(current === undefined ? undefined : signedOf(current), signed)
        if (kept !== signed) {
          await persist([]) // older than the one held: seen, nothing to store
          return undefined
        }
        if (current === undefined && this.stored >= ATTESTATIONS_STORED_MAX) {
          throw new PayloadRefusedError('ignore', 'store_full', `${ATTESTATIONS_STORED_MAX} attestations are stored already`)
        }
        await persist([attestations.putOperation(signed, clock.now(), current)])
        if (current === undefined) this.stored++
        return undefined
      }
    })
    this.running = true
    if (this.init.publish) {
      this.reviewTimer = setInterval(() => { this.changed() }, this.init.reviewMs ?? ATTESTATION_REVIEW_MS)
      this.reviewTimer.unref()
    }
    this.changed()
  }

  async stop (): Promise<void> {
    this.running = false
    if (this.reviewTimer !== undefined) clearInterval(this.reviewTimer)
    if (this.debounceTimer !== undefined) clearTimeout(this.debounceTimer)
    this.reviewTimer = undefined
    this.debounceTimer = undefined
    await this.tail
  }

  changed (): void {
    if (!this.running) return
    if (this.debounceTimer !== undefined) clearTimeout(this.debounceTimer)
    this.debounceTimer = setTimeout(() => {
      this.debounceTimer = undefined
      this.review().catch((err) => { this.components.logger.warn({ err }, 'attestation pass failed') })
    }, this.init.debounceMs ?? ATTESTATION_DEBOUNCE_MS)
    this.debounceTimer.unref()
  }

  async review (): Promise<void> {
    const run = this.tail.then(async () => {
      await this.observe()
      if (this.init.publish) await this.issue()
    })
    this.tail = run.catch(() => undefined)
    await run
  }

  async latest (participant: string): Promise<SignedAttestation | undefined> {
    const record = await this.components.attestations.get(participant)
    return record === undefined ? undefined : signedOf(record)
  }

  /**
   * Signs a new attestation for every participant with a completed exchange
   * whose claims differ from its last one (at most ATTESTATIONS_PER_PASS_MAX a
   * pass; the rest go in the next), stores it, then gossips it.
   */
  private async issue (): Promise<void> {
    const { chainStore, participants, attestations, envelopes, signer, clock, nodeId, logger } = this.components
    const byParticipant = new Map<string, ExchangeRecord[]>()
    for (const exchange of await chainStore.exchanges()) {
      const list = byParticipant.get(exchange.participant)
      if (list === undefined) byParticipant.set(exchange.participant, [exchange])
      else list.push(exchange)
    }
    let issued = 0
    let more = false
    for (const participant of [...byParticipant.keys()].sort()) {
      const record = await participants.get(participant)
      if (record?.public_key === undefined) continue // removed, or no key: nothing to attest about
      const now = clock.now()
      const previous = await attestations.get(participant)
      // always later than the one it replaces, so every receiver keeps the new one
      const issuedAt = Math.max(now, (previous?.attestation.issued_at_ms ?? 0) + 1)
      const claims = computeClaims({ participant, member_since_ms: Math.min(record.added_at, issuedAt), exchanges: byParticipant.get(participant)!, vouches_received: 0 }, issuedAt)
      if (previous !== undefined && previous.attestation.issuing_node === nodeId && !claimsChanged(previous.attestation.claims, claims)) continue
      if (issued >= ATTESTATIONS_PER_PASS_MAX) { more = true; break }
      const signed = signAttestation({
        version: ATTESTATION_VERSION,
        federation_id: this.init.federationId,
        issuing_node: nodeId,
        participant,
        participant_key: participantKeyId(publicKeyFromClaims(record.public_key)),
        issued_at_ms: issuedAt,
        claims
      }, signer)
      await attestations.batch([attestations.putOperation(signed, now, previous)])
      if (previous === undefined) this.stored++
      issued++
      try {
        await envelopes.publish(ATTESTATION_CLASS, envelopes.seal(ATTESTATION_CLASS, ATTESTATION_SCHEMA_ID, encodeAttestation(signed), ATTESTATION_CONTENT_TYPE))
      } catch (err) {
        // stored and sealed into this node's origin log: anti-entropy sync delivers it later
        logger.debug({ err, participant }, 'gossiping an attestation failed')
      }
    }
    if (more) this.changed()
  }

  /**
   * For each satisfaction observed here from another node's participant, not
   * yet recorded: what its home node claimed in the latest attestation issued
   * before the chain was proposed (one issued later may already include this
   * exchange; the store keeps the latest and the one it replaced, and a
   * participant's claims change only when one of its chains completes, so the
   * one that counts is almost always among them); none → null, which
   * reputation skips.
   */
  private async observe (): Promise<void> {
    const { chainStore, attestations } = this.components
    const writes = []
    for (const o of await chainStore.observations()) {
      if (await attestations.hasObservation(o)) continue
      const record = await attestations.get(o.participant)
      const proposedAt = (await chainStore.record(o.chain))?.proposal.content.proposed_at_ms ?? -1
      const claimed = [record, record?.previous].find((r) => r !== undefined && r.attestation.issuing_node === o.node && r.attestation.issued_at_ms <= proposedAt)
      writes.push(attestations.observationOperation({
        node: o.node, participant: o.participant, chain: o.chain, attested_permille: claimed?.attestation.claims.satisfaction_rate_permille ?? null, observed_permille: o.observed_permille
      }))
    }
    if (writes.length > 0) await attestations.batch(writes)
  }

  /** Gossip validation of an attestation payload: schema, issuer = sender, then the core checks (membership, home node, signature last). */
  private decode (payload: Uint8Array, envelope: ValidatedEnvelope): SignedAttestation {
    if (envelope.schemaId !== ATTESTATION_SCHEMA_ID) throw new PayloadSchemaError(`attestation with schema ${envelope.schemaId}, expected ${ATTESTATION_SCHEMA_ID}`)
    let signed: SignedAttestation
    try {
      signed = decodeAttestation(payload)
    } catch (err) {
      if (err instanceof InputError) throw new PayloadSchemaError(err.message, { cause: err })
      throw err
    }
    if (signed.attestation.issuing_node !== envelope.source) {
      throw new PayloadRefusedError('reject', 'wrong_issuer', `attestation issued by ${signed.attestation.issuing_node} sent by ${envelope.source}`)
    }
    const { members, verifier, clock } = this.components
    try {
      validateAttestation(signed, { federationId: this.init.federationId, nowMs: clock.now(), nodeKey: members.key, siteOf: members.siteOf, verifier })
    } catch (err) {
      if (err instanceof AttestationIssuerError) throw new PayloadRefusedError('reject', 'wrong_issuer', err.message, { cause: err })
      if (err instanceof AttestationClockError) throw new PayloadRefusedError('ignore', 'clock_skew', err.message, { cause: err })
      if (err instanceof AttestationSignatureError) throw new PayloadRefusedError('reject', 'bad_signature', err.message, { cause: err })
      if (err instanceof InputError) throw new PayloadSchemaError(err.message, { cause: err })
      throw err
    }
    return signed
  }
}
