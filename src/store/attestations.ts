/**
 * Attestations (protocols/attestation.md): the latest signed attestation per
 * participant (sublevel `attestations`, key = participant id) — this node's
 * own, as issued, and every other member's, as received and validated — and
 * the accuracy observations of node reputation (sublevel
 * `reputation-observations`): for each satisfaction this node observed from
 * another node's participant, what that node's latest attestation claimed
 * before the chain was proposed (the latest and the one it replaced are kept).
 */
import { fromString, toString } from 'uint8arrays'
import type { SignedAttestation } from '../core/attestation/attestation.ts'
import type { BatchOperation, Store, Sublevel } from './store.ts'

export const ATTESTATIONS_SUBLEVEL = 'attestations'
export const REPUTATION_OBSERVATIONS_SUBLEVEL = 'reputation-observations'

/** A stored attestation: the signed content, its signatures (base64) and when this node stored it. */
export interface AttestationRecord {
  attestation: SignedAttestation['attestation']
  signature: { ed25519: string, mldsa: string }
  stored_at_ms: number
  /** the attestation this one replaced, without its own `previous` (reputation compares with what was claimed before an exchange) */
  previous?: Omit<AttestationRecord, 'previous'>
}

/** One accuracy observation: the satisfaction a member's participant earned here vs what the member attested before. */
export interface AccuracyObservation {
  /** the attesting (home) node of the observed participant */
  node: string
  participant: string
  chain: string
  /** the satisfaction rate the node's latest attestation claimed when the exchange completed; null: none known */
  attested_permille: number | null
  observed_permille: number
}

/** The signed attestation of a record. */
export function signedOf (record: Omit<AttestationRecord, 'previous'>): SignedAttestation {
  return { attestation: record.attestation, signature: { ed25519: fromString(record.signature.ed25519, 'base64pad'), mldsa: fromString(record.signature.mldsa, 'base64pad') } }
}

/** Reads and writes attestations and reputation observations. */
export class AttestationRepository {
  private readonly attestations: Sublevel<AttestationRecord>
  private readonly observations: Sublevel<AccuracyObservation>

  constructor (private readonly store: Store) {
    this.attestations = store.sublevel<AttestationRecord>(ATTESTATIONS_SUBLEVEL)
    this.observations = store.sublevel<AccuracyObservation>(REPUTATION_OBSERVATIONS_SUBLEVEL)
  }

  /** The batch operation that stores `signed` as the latest of its participant (the caller chose it with `newerAttestation`), keeping the one it replaces as `previous`. */
  putOperation (signed: SignedAttestation, nowMs: number, replaced?: AttestationRecord): BatchOperation {
    const record: AttestationRecord = {
      attestation: signed.attestation,
      signature: { ed25519: toString(signed.signature.ed25519, 'base64pad'), mldsa: toString(signed.signature.mldsa, 'base64pad') },
      stored_at_ms: nowMs,
      ...(replaced === undefined ? {} : { previous: { attestation: replaced.attestation, signature: replaced.signature, stored_at_ms: replaced.stored_at_ms } })
    }
    return this.store.putOperation(ATTESTATIONS_SUBLEVEL, signed.attestation.participant, record)
  }

  async batch (operations: BatchOperation[]): Promise<void> {
    await this.store.batch(operations)
  }

  /** The latest attestation of a participant, or undefined. */
  async get (participant: string): Promise<AttestationRecord | undefined> {
    return await this.attestations.get(participant)
  }

  /** Every stored attestation, by participant id. */
  async list (): Promise<AttestationRecord[]> {
    return await this.attestations.values().all()
  }

  /** How many attestations are stored (bounded by ATTESTATIONS_STORED_MAX). */
  async count (): Promise<number> {
    let n = 0
    for await (const _ of this.attestations.keys()) n++
    return n
  }

  /** The batch operation that records an accuracy observation. */
  observationOperation (observation: AccuracyObservation): BatchOperation {
    return this.store.putOperation(REPUTATION_OBSERVATIONS_SUBLEVEL, observationKey(observation), observation)
  }

  /** Whether an observation of this (node, chain, participant) is recorded already. */
  async hasObservation (key: Pick<AccuracyObservation, 'node' | 'chain' | 'participant'>): Promise<boolean> {
    return await this.observations.get(observationKey(key)) !== undefined
  }

  /** Every accuracy observation. */
  async accuracyObservations (): Promise<AccuracyObservation[]> {
    return await this.observations.values().all()
  }
}

function observationKey (o: Pick<AccuracyObservation, 'node' | 'chain' | 'participant'>): string {
  return `${o.node}!${o.chain}!${o.participant}`
}
