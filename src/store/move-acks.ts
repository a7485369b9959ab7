/**
 * Move acknowledgements (sublevel `move-acks`): every valid ack received or
 * issued (`ack!<key>!<seq>!<member>`, the latest per member and move), and
 * the moves this node still has to resolve and acknowledge
 * (`todo!<key>!<seq>`). Both are dropped after the move's grace.
 */
import { fromString, toString } from 'uint8arrays'
import type { MoveAck, SignedMoveAck } from '../core/migration/move-ack.ts'
import type { BatchOperation, Store, Sublevel } from './store.ts'

export const MOVE_ACKS_SUBLEVEL = 'move-acks'

export interface MoveAckRecord {
  ack: MoveAck
  signature: { ed25519: string, mldsa: string }
}

/** A move this node has yet to resolve and acknowledge. */
export interface MoveToAcknowledge {
  key: string
  from: string
  seq: number
  grace_until: number
  /** lookups that found no redirect of this seq so far */
  attempts: number
}

const seqKey = (seq: number): string => String(seq).padStart(10, '0')

export function signedMoveAckOf (record: MoveAckRecord): SignedMoveAck {
  return { ack: record.ack, signature: { ed25519: fromString(record.signature.ed25519, 'base64pad'), mldsa: fromString(record.signature.mldsa, 'base64pad') } }
}

export class MoveAckRepository {
  private readonly sublevel: Sublevel<MoveAckRecord | MoveToAcknowledge>

  constructor (private readonly store: Store) {
    this.sublevel = store.sublevel<MoveAckRecord | MoveToAcknowledge>(MOVE_ACKS_SUBLEVEL)
  }

  putAckOperation (signed: SignedMoveAck): BatchOperation {
    const a = signed.ack
    const record: MoveAckRecord = { ack: a, signature: { ed25519: toString(signed.signature.ed25519, 'base64pad'), mldsa: toString(signed.signature.mldsa, 'base64pad') } }
    return this.store.putOperation(MOVE_ACKS_SUBLEVEL, `ack!${a.key}!${seqKey(a.seq)}!${a.member}`, record)
  }

  deleteAckOperation (a: MoveAck): BatchOperation {
    return this.store.delOperation(MOVE_ACKS_SUBLEVEL, `ack!${a.key}!${seqKey(a.seq)}!${a.member}`)
  }

  async ack (key: string, seq: number, member: string): Promise<MoveAckRecord | undefined> {
    return await this.sublevel.get(`ack!${key}!${seqKey(seq)}!${member}`) as MoveAckRecord | undefined
  }

  /** The acks of one move. */
  async acks (key: string, seq: number): Promise<MoveAckRecord[]> {
    const prefix = `ack!${key}!${seqKey(seq)}!`
    return await this.sublevel.values({ gte: prefix, lt: `${prefix}~` }).all() as MoveAckRecord[]
  }

  async allAcks (): Promise<MoveAckRecord[]> {
    return await this.sublevel.values({ gte: 'ack!', lt: 'ack~' }).all() as MoveAckRecord[]
  }

  putTodoOperation (todo: MoveToAcknowledge): BatchOperation {
    return this.store.putOperation(MOVE_ACKS_SUBLEVEL, `todo!${todo.key}!${seqKey(todo.seq)}`, todo)
  }

  deleteTodoOperation (todo: { key: string, seq: number }): BatchOperation {
    return this.store.delOperation(MOVE_ACKS_SUBLEVEL, `todo!${todo.key}!${seqKey(todo.seq)}`)
  }

  async todo (key: string, seq: number): Promise<MoveToAcknowledge | undefined> {
    return await this.sublevel.get(`todo!${key}!${seqKey(seq)}`) as MoveToAcknowledge | undefined
  }

  async todos (): Promise<MoveToAcknowledge[]> {
    return await this.sublevel.values({ gte: 'todo!', lt: 'todo~' }).all() as MoveToAcknowledge[]
  }

  async batch (operations: BatchOperation[]): Promise<void> {
    await this.store.batch(operations)
  }
}
