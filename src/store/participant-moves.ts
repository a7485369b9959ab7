/**
 * Moves of participants (sublevel `participant-moves`): on the old node, an
 * outgoing move (`out!<id>`: moving, then moved with the redirect it serves
 * until grace_until); on the new node, an incoming one (`in!<new id>`:
 * imported and verified, then signed, then hosted), which keeps the verified
 * export as the participant's history from before it came.
 */
import type { Store, Sublevel, BatchOperation } from './store.ts'
import type { ParticipantExport } from '../core/migration/export.ts'

export const PARTICIPANT_MOVES_SUBLEVEL = 'participant-moves'

/** A move away from this node. */
export interface OutgoingMove {
  participant: string
  to_site: string
  started_at: number
  /** moving: paused here, waiting for the new node's redirect; moved: no longer hosted here */
  status: 'moving' | 'moved'
  /** the participant's status before the move (restored if the move is cancelled) */
  previous_status: 'active' | 'paused'
  /** the redirect (base64 record) this node serves once moved */
  redirect?: string
  grace_until?: number
  /** where the move stands, for move-status */
  note?: string
}

/** A move to this node. */
export interface IncomingMove {
  /** the participant's id here */
  participant: string
  from: string
  imported_at: number
  /**
   * imported: verified and kept, not hosted; signed: redirect made, not yet published; hosted: published and hosted here;
   * overridden: a recovery-key redirect of the participant won over this one, so no longer hosted here
   */
  status: 'imported' | 'signed' | 'hosted' | 'overridden'
  export: ParticipantExport
  /** the participant key text, kept like `participant add` keeps it, until hosting moves it to the key sublevel */
  secret?: string
  /** the redirect that brought it here (base64 record) */
  redirect?: string
  /** how many peers took the published redirect */
  published_peers?: number
  /** where the move stands, for move-status (an override names the winning redirect) */
  note?: string
}

/** Reads and writes moves. */
export class MoveRepository {
  private readonly sublevel: Sublevel<OutgoingMove | IncomingMove>

  constructor (private readonly store: Store) {
    this.sublevel = store.sublevel<OutgoingMove | IncomingMove>(PARTICIPANT_MOVES_SUBLEVEL)
  }

  async outgoing (id: string): Promise<OutgoingMove | undefined> {
    return await this.sublevel.get(`out!${id}`) as OutgoingMove | undefined
  }

  async incoming (id: string): Promise<IncomingMove | undefined> {
    return await this.sublevel.get(`in!${id}`) as IncomingMove | undefined
  }

  putOutgoingOperation (move: OutgoingMove): BatchOperation {
    return this.store.putOperation(PARTICIPANT_MOVES_SUBLEVEL, `out!${move.participant}`, move)
  }

  putIncomingOperation (move: IncomingMove): BatchOperation {
    return this.store.putOperation(PARTICIPANT_MOVES_SUBLEVEL, `in!${move.participant}`, move)
  }

  deleteOutgoingOperation (id: string): BatchOperation {
    return this.store.delOperation(PARTICIPANT_MOVES_SUBLEVEL, `out!${id}`)
  }

  async putOutgoing (move: OutgoingMove): Promise<void> {
    await this.store.batch([this.putOutgoingOperation(move)])
  }

  async putIncoming (move: IncomingMove): Promise<void> {
    await this.store.batch([this.putIncomingOperation(move)])
  }

  async allOutgoing (): Promise<OutgoingMove[]> {
    return await this.sublevel.values({ gte: 'out!', lt: 'out~' }).all() as OutgoingMove[]
  }

  async allIncoming (): Promise<IncomingMove[]> {
    return await this.sublevel.values({ gte: 'in!', lt: 'in~' }).all() as IncomingMove[]
  }

  async batch (operations: BatchOperation[]): Promise<void> {
    await this.store.batch(operations)
  }
}
