/**
 * Disputes about edges of committed chains (sublevel `disputes`, key = the
 * dispute id): the core's Dispute with every signed message, stored as JSON
 * with byte arrays as `{ "$bytes": base64 }` (store/chains.ts).
 */
import type { Dispute } from '../core/chain/dispute.ts'
import { fromStoredJson, toStoredJson } from './chains.ts'
import type { Store, Sublevel } from './store.ts'

export const DISPUTES_SUBLEVEL = 'disputes'

export class DisputeRepository {
  private readonly disputes: Sublevel<unknown>

  constructor (private readonly store: Store) {
    this.disputes = store.sublevel<unknown>(DISPUTES_SUBLEVEL)
  }

  async put (dispute: Dispute): Promise<void> {
    await this.store.batch([this.store.putOperation(DISPUTES_SUBLEVEL, dispute.id, toStoredJson(dispute))])
  }

  async get (id: string): Promise<Dispute | undefined> {
    const value = await this.disputes.get(id)
    return value === undefined ? undefined : fromStoredJson<Dispute>(value)
  }

  async list (): Promise<Dispute[]> {
    return (await this.disputes.values().all()).map((value) => fromStoredJson<Dispute>(value))
  }
}
