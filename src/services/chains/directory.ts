/**
 * The participant directory the chain machine binds from: this node's stored
 * participants with their public keys, status and standing rules. Records
 * without a public key (added before participants had keys) are left out:
 * nobody could verify their consent.
 */
import { fromString, toString } from 'uint8arrays'
import { directoryOf, type LocalParticipant, type ParticipantDirectory } from '../../core/chain/binding.ts'
import { publicKeyFromClaims } from '../../core/chain/node-statement.ts'
import type { ClaimValue, SignedStatement } from '../../core/identity/statement.ts'
import type { ParticipantRecord, ParticipantRepository, SignedStatementJson } from '../../store/participants.ts'

/** A signed statement in its stored JSON form. */
export function statementToJson (signed: SignedStatement): SignedStatementJson {
  return {
    statement: { ...signed.statement, claims: signed.statement.claims as Record<string, unknown> },
    signature: { ed25519: toString(signed.signature.ed25519, 'base64pad'), mldsa: toString(signed.signature.mldsa, 'base64pad') }
  }
}

/** A signed statement from its stored JSON form. */
export function statementFromJson (json: SignedStatementJson): SignedStatement {
  return {
    statement: { ...json.statement, claims: json.statement.claims as { [key: string]: ClaimValue } },
    signature: { ed25519: fromString(json.signature.ed25519, 'base64pad'), mldsa: fromString(json.signature.mldsa, 'base64pad') }
  }
}

/** The chain machine's view of one stored participant, or undefined when it has no key. */
export function localParticipant (record: ParticipantRecord): LocalParticipant | undefined {
  if (record.public_key === undefined) return undefined
  return {
    id: record.id,
    publicKey: publicKeyFromClaims(record.public_key),
    status: record.status ?? 'active',
    offers: record.offers,
    needs: record.needs,
    ...(record.weight === undefined ? {} : { weight: record.weight }),
    ...(record.auto_consent === undefined ? {} : { autoConsent: statementFromJson(record.auto_consent) })
  }
}

/** The directory over every keyed participant of the repository, read now (`moved`: the ids that moved or are moving away). */
export async function loadDirectory (participants: ParticipantRepository, moved?: ReadonlySet<string>): Promise<ParticipantDirectory> {
  const local: LocalParticipant[] = []
  for (const record of await participants.list()) {
    const participant = localParticipant(record)
    if (participant !== undefined) local.push(participant)
  }
  const directory = directoryOf(local)
  return moved === undefined ? directory : { ...directory, moved: (id) => moved.has(id) }
}
