/**
 * The node's own participants (sublevel `participants`, key = participant id).
 * Values are validated by the matching core before they are written, so
 * what is read back is always a valid Participant.
 */
import type { Store, Sublevel } from './store.ts'
import { InputError } from '../core/errors.ts'
import { DuplicateParticipantError, TooManyParticipantsError } from '../core/matching/errors.ts'
import { PARTICIPANTS_PER_NODE_MAX } from '../core/matching/limits.ts'
import type { Participant } from '../core/matching/participant.ts'
import { compareText } from '../core/matching/taxonomy.ts'

export const PARTICIPANTS_SUBLEVEL = 'participants'

/** A stored participant: the core's Participant plus when it was added. */
export interface ParticipantRecord extends Participant {
  added_at: number
}

/** No participant with that id on this node. */
export class ParticipantNotFoundError extends InputError {
  static override readonly code = 'ParticipantNotFoundError'
  override readonly name = 'ParticipantNotFoundError'
}

/** Reads and writes the node's participants. */
export class ParticipantRepository {
  private readonly sublevel: Sublevel<ParticipantRecord>

  constructor (store: Store) {
    this.sublevel = store.sublevel<ParticipantRecord>(PARTICIPANTS_SUBLEVEL)
  }

  /** Adds a (validated) participant; refuses an id already present or a node already at PARTICIPANTS_PER_NODE_MAX. */
  async add (participant: Participant, addedAt: number): Promise<ParticipantRecord> {
    if (await this.sublevel.get(participant.id) !== undefined) {
      throw new DuplicateParticipantError(`participant ${participant.id} already exists on this node`)
    }
    const count = await this.count()
    if (count >= PARTICIPANTS_PER_NODE_MAX) {
      throw new TooManyParticipantsError(`this node already hosts ${count} participants; at most ${PARTICIPANTS_PER_NODE_MAX}`)
    }
    const record: ParticipantRecord = { ...participant, added_at: addedAt }
    await this.sublevel.put(participant.id, record)
    return record
  }

  /** The participant with this id, or undefined. */
  async get (id: string): Promise<ParticipantRecord | undefined> {
    return await this.sublevel.get(id)
  }

  /** Removes a participant; throws ParticipantNotFoundError when absent. Returns what was removed. */
  async remove (id: string): Promise<ParticipantRecord> {
    const record = await this.sublevel.get(id)
    if (record === undefined) throw new ParticipantNotFoundError(`no participant ${id} on this node`)
    await this.sublevel.del(id)
    return record
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
