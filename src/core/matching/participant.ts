/**
 * Participants, offers and needs.
 *
 * A participant offers one or more categories and needs one or more. Each
 * (need, offer) pair of its cross product — minus a category paired with
 * itself — is an **entry**: one edge need → offer of the category graph. A
 * participant with several entries is still one identity, and a clearing uses
 * at most one of its entries (so it is in at most one chain).
 */
import type { Taxonomy } from './taxonomy.ts'
import { compareText } from './taxonomy.ts'
import { parseParticipantId } from '../identity/participant-id.ts'
import { InvalidParticipantError, DuplicateParticipantError, TooManyParticipantsError } from './errors.ts'
import { NEEDS_PER_PARTICIPANT_MAX, OFFERS_PER_PARTICIPANT_MAX, PARTICIPANTS_PER_NODE_MAX, WEIGHT_MAX } from './limits.ts'

/** A participant as matching sees it: identity, what it gives, what it wants, and an optional value weight. */
export interface Participant {
  /** `sep://handle@node-id` */
  id: string
  /** categories it offers (sorted, unique) */
  offers: string[]
  /** categories it needs (sorted, unique) */
  needs: string[]
  /** value of serving it (second objective), integer 0…WEIGHT_MAX; absent = its node's weight */
  weight?: number
}

/** One edge of the category graph: a participant (or a counted unit) that needs `need` and gives `offer`. */
export interface Entry {
  need: string
  offer: string
}

function sortedUnique (list: readonly string[]): string[] {
  return [...new Set(list)].sort(compareText)
}

/** Checks a weight: an integer 0…WEIGHT_MAX. */
export function validateWeight (weight: unknown, what: string): number {
  if (typeof weight !== 'number' || !Number.isInteger(weight) || weight < 0 || weight > WEIGHT_MAX) {
    throw new InvalidParticipantError(`${what}: weight must be an integer between 0 and ${WEIGHT_MAX}, got ${JSON.stringify(weight)}`)
  }
  return weight
}

/**
 * Validates a participant against the taxonomy and returns it normalised
 * (offers/needs sorted and unique). Throws InvalidParticipantIdError,
 * UnknownCategoryError or InvalidParticipantError.
 */
export function validateParticipant (participant: Participant, taxonomy: Taxonomy): Participant {
  parseParticipantId(participant.id)
  const offers = sortedUnique(participant.offers)
  const needs = sortedUnique(participant.needs)
  if (offers.length === 0 || needs.length === 0) {
    throw new InvalidParticipantError(`${participant.id}: a participant needs at least one offer and one need`)
  }
  if (offers.length > OFFERS_PER_PARTICIPANT_MAX) {
    throw new InvalidParticipantError(`${participant.id}: at most ${OFFERS_PER_PARTICIPANT_MAX} offers, got ${offers.length}`)
  }
  if (needs.length > NEEDS_PER_PARTICIPANT_MAX) {
    throw new InvalidParticipantError(`${participant.id}: at most ${NEEDS_PER_PARTICIPANT_MAX} needs, got ${needs.length}`)
  }
  for (const slug of [...offers, ...needs]) taxonomy.indexOf(slug)
  const normalised: Participant = { id: participant.id, offers, needs }
  if (participant.weight !== undefined) normalised.weight = validateWeight(participant.weight, participant.id)
  if (entriesOf(normalised).length === 0) {
    throw new InvalidParticipantError(`${participant.id}: offering and needing only ${offers[0]} matches nobody; a need must differ from an offer`)
  }
  return normalised
}

/** The participant's entries: every (need, offer) pair with need ≠ offer, sorted by need then offer. */
export function entriesOf (participant: Participant): Entry[] {
  const entries: Entry[] = []
  for (const need of sortedUnique(participant.needs)) {
    for (const offer of sortedUnique(participant.offers)) {
      if (need !== offer) entries.push({ need, offer })
    }
  }
  return entries
}

/** Validates one node's participants: each valid, ids unique, at most PARTICIPANTS_PER_NODE_MAX. Returns them sorted by id. */
export function validateParticipants (participants: readonly Participant[], taxonomy: Taxonomy, node: string): Participant[] {
  if (participants.length > PARTICIPANTS_PER_NODE_MAX) {
    throw new TooManyParticipantsError(`node ${node} has ${participants.length} participants; at most ${PARTICIPANTS_PER_NODE_MAX}`)
  }
  const seen = new Set<string>()
  const valid: Participant[] = []
  for (const participant of participants) {
    if (seen.has(participant.id)) throw new DuplicateParticipantError(`participant ${participant.id} appears twice on node ${node}`)
    seen.add(participant.id)
    valid.push(validateParticipant(participant, taxonomy))
  }
  return valid.sort((a, b) => compareText(a.id, b.id))
}
