/**
 * The node's own participants (sublevel `participants`, key = participant id).
 * Values are validated by the matching core before they are written, so
 * what is read back is always a valid Participant.
 */
import type { BatchOperation, Store, Sublevel } from './store.ts'
import { InputError } from '../core/errors.ts'
import { DuplicateParticipantError, TooManyParticipantsError } from '../core/matching/errors.ts'
import { PARTICIPANTS_PER_NODE_MAX } from '../core/matching/limits.ts'
import type { Participant } from '../core/matching/participant.ts'
import { compareText } from '../core/matching/taxonomy.ts'

export const PARTICIPANTS_SUBLEVEL = 'participants'
/** Hosted participants' secret keys (text form, src/core/identity/participant-keys.ts), apart from the records that are listed and shown. */
export const PARTICIPANT_KEYS_SUBLEVEL = 'participant-keys'

/** A participant's public key in JSON form (base64, as in chain validations). */
export interface ParticipantPublicKeyJson {
  ed25519: string
  mldsa: string
  mldsa_level: number
}

/** A participant-signed statement in JSON form (signatures base64). */
export interface SignedStatementJson {
  statement: { kind: string, participant: string, issuedAtMs: number, claims: Record<string, unknown> }
  signature: { ed25519: string, mldsa: string }
}

/**
 * A stored participant: the core's Participant plus when it was added. The
 * chain fields are optional so records written before chain settlement still
 * read: no `public_key` = never bound to a chain, no `status` = active.
 */
export interface ParticipantRecord extends Participant {
  added_at: number
  /** its own public key (the node keeps the secret for hosted participants) */
  public_key?: ParticipantPublicKeyJson
  /** a paused participant is never bound to a chain nor matched */
  status?: 'active' | 'paused'
  /** its signed standing auto-consent rule (`chain.auto-consent`) */
  auto_consent?: SignedStatementJson
  /** the public half of its optional recovery key (core/migration: may override a stolen-key redirect) */
  recovery_key?: ParticipantPublicKeyJson
}

/** No participant with that id on this node. */
export class ParticipantNotFoundError extends InputError {
  static override readonly code = 'ParticipantNotFoundError'
  override readonly name = 'ParticipantNotFoundError'
}

/** Reads and writes the node's participants. */
export class ParticipantRepository {
  private readonly sublevel: Sublevel<ParticipantRecord>
  private readonly keys: Sublevel<string>

  constructor (private readonly store: Store) {
    this.sublevel = store.sublevel<ParticipantRecord>(PARTICIPANTS_SUBLEVEL)
    this.keys = store.sublevel<string>(PARTICIPANT_KEYS_SUBLEVEL, 'utf8')
  }

  /**
   * Adds a (validated) participant; refuses an id already present or a node already at PARTICIPANTS_PER_NODE_MAX.
   * With `key`, its public key goes in the record and its secret text in the key sublevel, in one batch.
   */
  async add (participant: Participant, addedAt: number, key?: { publicKey: ParticipantPublicKeyJson, secret: string }): Promise<ParticipantRecord> {
    // one section for every add: the duplicate check and the count must see the adds before them
    return await this.store.exclusive(PARTICIPANTS_SUBLEVEL, async () => await this.addAlone(participant, addedAt, key))
  }

  private async addAlone (participant: Participant, addedAt: number, key?: { publicKey: ParticipantPublicKeyJson, secret: string }): Promise<ParticipantRecord> {
    if (await this.sublevel.get(participant.id) !== undefined) {
      throw new DuplicateParticipantError(`participant ${participant.id} already exists on this node`)
    }
    const count = await this.count()
    if (count >= PARTICIPANTS_PER_NODE_MAX) {
      throw new TooManyParticipantsError(`this node already hosts ${count} participants; at most ${PARTICIPANTS_PER_NODE_MAX}`)
    }
    const record: ParticipantRecord = { ...participant, added_at: addedAt, ...(key === undefined ? {} : { public_key: key.publicKey, status: 'active' as const }) }
    const ops: BatchOperation[] = [this.store.putOperation(PARTICIPANTS_SUBLEVEL, participant.id, record)]
    if (key !== undefined) ops.push(this.store.putOperation(PARTICIPANT_KEYS_SUBLEVEL, participant.id, key.secret, 'utf8'))
    await this.store.batch(ops)
    return record
  }

  /** The secret key text of a hosted participant, or undefined (none kept). */
  async secretKey (id: string): Promise<string | undefined> {
    return await this.keys.get(id)
  }

  /** Changes a participant's record (status, standing rule); ParticipantNotFoundError when absent. */
  async update (id: string, change: Partial<Pick<ParticipantRecord, 'status' | 'auto_consent' | 'recovery_key'>> & { auto_consent?: SignedStatementJson | undefined }): Promise<ParticipantRecord> {
    const record = await this.sublevel.get(id)
    if (record === undefined) throw new ParticipantNotFoundError(`no participant ${id} on this node`)
    const next: ParticipantRecord = { ...record, ...change }
    if ('auto_consent' in change && change.auto_consent === undefined) delete next.auto_consent
    await this.sublevel.put(id, next)
    return next
  }

  /** The participant with this id, or undefined. */
  async get (id: string): Promise<ParticipantRecord | undefined> {
    return await this.sublevel.get(id)
  }

  /** Removes a participant; throws ParticipantNotFoundError when absent. Returns what was removed. */
  async remove (id: string): Promise<ParticipantRecord> {
    const record = await this.sublevel.get(id)
    if (record === undefined) throw new ParticipantNotFoundError(`no participant ${id} on this node`)
    await this.store.batch([this.store.delOperation(PARTICIPANTS_SUBLEVEL, id), this.store.delOperation(PARTICIPANT_KEYS_SUBLEVEL, id, 'utf8')])
    return record
  }

  /** The batch operations that write a participant record (and its secret key) as given: the caller checked for duplicates. */
  putOperations (record: ParticipantRecord, secret?: string): BatchOperation[] {
    const ops = [this.store.putOperation(PARTICIPANTS_SUBLEVEL, record.id, record)]
    if (secret !== undefined) ops.push(this.store.putOperation(PARTICIPANT_KEYS_SUBLEVEL, record.id, secret, 'utf8'))
    return ops
  }

  /** The batch operations that remove a participant and its secret key. */
  removeOperations (id: string): BatchOperation[] {
    return [this.store.delOperation(PARTICIPANTS_SUBLEVEL, id), this.store.delOperation(PARTICIPANT_KEYS_SUBLEVEL, id, 'utf8')]
  }

  /** Every participant, sorted by id. */
  async list (): Promise<ParticipantRecord[]> {
    const records = await this.sublevel.values().all()
    return records.sort((a, b) => compareText(a.id, b.id))
  }

  /** Number of participants (a key scan: adds are operator actions, not a hot path). */
  async count (): Promise<number> {
    let n = 0
    for await (const _ of this.sublevel.keys()) n++
    return n
  }
}
