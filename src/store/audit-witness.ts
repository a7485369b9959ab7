/**
 * What a node keeps as a witness of other members' audit logs, and the
 * cosignatures others gave its own checkpoints:
 * - `audit-witnessed`: origin → the latest checkpoint accepted (and cosigned) from it
 * - `audit-cosignatures`: own checkpoint size + witness → that witness's cosignature
 * - `audit-evidence`: origin + kind + sizes → split-view evidence (kept, gossiped)
 * Each write is available as batch operations, so a witness step's state and
 * its audit record land together.
 */
import type { BatchOperation, Store, Sublevel } from './store.ts'
import {
  cosignatureFromJson, cosignatureToJson, signedCheckpointFromJson, signedCheckpointToJson,
  type Cosignature, type CosignatureJson, type SignedCheckpoint, type SignedCheckpointJson
} from '../core/audit/checkpoint.ts'
import {
  splitViewEvidenceFromJson, splitViewEvidenceToJson, type SplitViewEvidence, type SplitViewEvidenceJson
} from '../core/audit/split-view.ts'
import { leafKey } from './audit-layout.ts'

export const AUDIT_WITNESS_SUBLEVELS = {
  witnessed: 'audit-witnessed',
  cosignatures: 'audit-cosignatures',
  evidence: 'audit-evidence'
} as const

const put = (sublevel: Sublevel<unknown>, key: string, value: unknown): BatchOperation =>
  ({ type: 'put', sublevel, key, value } as unknown as BatchOperation)

/** The witness side of the audit log in the store. */
export class AuditWitnessStore {
  private readonly witnessed: Sublevel<SignedCheckpointJson>
  private readonly cosignaturesDb: Sublevel<CosignatureJson>
  private readonly evidenceDb: Sublevel<SplitViewEvidenceJson>

  constructor (private readonly store: Store) {
    this.witnessed = store.sublevel<SignedCheckpointJson>(AUDIT_WITNESS_SUBLEVELS.witnessed)
    this.cosignaturesDb = store.sublevel<CosignatureJson>(AUDIT_WITNESS_SUBLEVELS.cosignatures)
    this.evidenceDb = store.sublevel<SplitViewEvidenceJson>(AUDIT_WITNESS_SUBLEVELS.evidence)
  }

  /** The latest checkpoint accepted from `origin` (witnessCheckpoint's `latest`). */
  async latest (origin: string): Promise<SignedCheckpoint | undefined> {
    const json = await this.witnessed.get(origin)
    return json === undefined ? undefined : signedCheckpointFromJson(json)
  }

  /** Operations that make `checkpoint` the latest accepted from its origin. */
  acceptOperations (checkpoint: SignedCheckpoint): BatchOperation[] {
    return [put(this.witnessed as Sublevel<unknown>, checkpoint.origin, signedCheckpointToJson(checkpoint))]
  }

  /** Operations that keep a witness's cosignature on the node's own checkpoint at `size`. */
  cosignatureOperations (size: number, cosignature: Cosignature): BatchOperation[] {
    return [put(this.cosignaturesDb as Sublevel<unknown>, `${leafKey(size)}|${cosignature.witness}`, cosignatureToJson(cosignature))]
  }

  /** Operations that keep split-view evidence (one per origin, kind and pair of sizes). */
  evidenceOperations (evidence: SplitViewEvidence): BatchOperation[] {
    const sizes = evidence.kind === 'conflicting-roots'
      ? `${leafKey(evidence.checkpoints[0].size)}`
      : `${leafKey(evidence.older.size)}-${leafKey(evidence.newer.size)}`
    return [put(this.evidenceDb as Sublevel<unknown>, `${evidence.origin}|${evidence.kind}|${sizes}`, splitViewEvidenceToJson(evidence))]
  }

  /** Writes operations from the methods above (when no other data joins them). */
  async write (operations: BatchOperation[]): Promise<void> {
    await this.store.batch(operations)
  }

  /** Cosignatures collected for the node's own checkpoint at `size`. */
  async cosignatures (size: number): Promise<Cosignature[]> {
    const values = await this.cosignaturesDb.values({ gte: `${leafKey(size)}|`, lt: `${leafKey(size)}}` }).all()
    return values.map(cosignatureFromJson)
  }

  /** Every split-view evidence kept, against any origin. */
  async evidence (): Promise<SplitViewEvidence[]> {
    return (await this.evidenceDb.values().all()).map(splitViewEvidenceFromJson)
  }
}
