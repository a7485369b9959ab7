/**
 * A hosted participant's standing in chain settlement: paused or active
 * (a paused participant is neither matched nor bound), and its standing
 * auto-consent rule, signed with the participant's own key.
 */
import { z } from 'zod'
import { AUTO_CONSENT_KIND, autoConsentRule, RULE_CATEGORIES_MAX } from '../core/chain/participant-statements.ts'
import { CHAIN_LENGTH_MAX, CHAIN_LENGTH_MIN } from '../core/chain/constants.ts'
import { parseParticipantKey } from '../core/identity/participant-keys.ts'
import { signStatement } from '../core/identity/statement.ts'
import { participantSignerFromSeeds } from '../crypto/participant-keys.ts'
import { ParticipantRepository, type ParticipantRecord } from '../store/participants.ts'
import { statementToJson } from '../services/chains/directory.ts'
import { parseArguments as parseArgs } from './arguments.ts'
import { ParticipantKeyNotHeldError, participantIdOf } from './chains.ts'
import type { Operation } from './operation.ts'

/** Longest a standing rule may be valid, in days. */
export const AUTO_CONSENT_DAYS_MAX = 365

const statusArgs = z.strictObject({ participant: z.string().min(1) })

function statusOperation (name: string, status: 'active' | 'paused'): Operation<z.input<typeof statusArgs>, ParticipantRecord> {
  return {
    name,
    async run (context, args) {
      const { participant } = parseArgs(statusArgs, args, name)
      const record = await new ParticipantRepository(context.store).update(participantIdOf(context, participant), { status })
      context.services?.summaries.changed()
      return record
    }
  }
}

/** `participant.pause`: not matched, not bound to new chains (chains it is already in go on). */
export const participantPause = statusOperation('participant.pause', 'paused')
/** `participant.resume`: active again. */
export const participantResume = statusOperation('participant.resume', 'active')

const ruleArgs = z.strictObject({
  participant: z.string().min(1),
  /** remove the rule instead */
  clear: z.boolean().default(false),
  chain_length_max: z.number().int().min(CHAIN_LENGTH_MIN).max(CHAIN_LENGTH_MAX).default(4),
  /** default: the participant's own offers / needs */
  offers: z.array(z.string()).min(1).max(RULE_CATEGORIES_MAX).optional(),
  needs: z.array(z.string()).min(1).max(RULE_CATEGORIES_MAX).optional(),
  valid_days: z.number().min(1 / 1440).max(AUTO_CONSENT_DAYS_MAX).default(30)
})

/** `participant.auto-consent`: signs (as the participant) and stores its standing rule, e.g. "any chain of ≤ 4 steps within my categories". */
export const participantAutoConsent: Operation<z.input<typeof ruleArgs>, ParticipantRecord> = {
  name: 'participant.auto-consent',
  async run (context, args) {
    const options = parseArgs(ruleArgs, args, 'participant.auto-consent')
    const repository = new ParticipantRepository(context.store)
    const id = participantIdOf(context, options.participant)
    if (options.clear) return await repository.update(id, { auto_consent: undefined })
    const record = await repository.get(id)
    const secret = await repository.secretKey(id)
    if (record === undefined || secret === undefined) throw new ParticipantKeyNotHeldError(`this node keeps no key for ${id}`)
    const now = context.clock.now()
    const statement = {
      kind: AUTO_CONSENT_KIND,
      participant: id,
      issuedAtMs: now,
      claims: {
        chain_length_max: options.chain_length_max,
        offers: options.offers ?? record.offers,
        needs: options.needs ?? record.needs,
        valid_until_ms: now + Math.round(options.valid_days * 86_400_000)
      }
    }
    autoConsentRule(statement) // the same check every receiving node makes
    const signed = signStatement(statement, participantSignerFromSeeds(parseParticipantKey(secret)))
    return await repository.update(id, { auto_consent: statementToJson(signed) })
  }
}

export const participantChainOperations: ReadonlyArray<Operation<never, unknown>> = [participantPause, participantResume, participantAutoConsent]
