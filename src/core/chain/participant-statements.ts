/**
 * The participant-signed statements of chain settlement, on top of
 * src/core/identity/statement.ts (the participant's own key, a domain prefix,
 * canonical JSON): consent, refusal, a standing auto-consent rule, delivery
 * and confirmation. Each kind has a fixed claims shape checked here.
 */
import type { HybridPublicKey, SignatureVerifier } from '../signature.ts'
import { InputError } from '../errors.ts'
import { verifyStatement, type ParticipantStatement, type SignedStatement } from '../identity/statement.ts'
import { CATEGORY_PATTERN } from '../matching/taxonomy.ts'
import { CATEGORY_LENGTH_MAX, CHAIN_ID_PATTERN, CHAIN_LENGTH_MAX, CHAIN_LENGTH_MIN, COMMENT_LENGTH_MAX, NOTE_LENGTH_MAX, SATISFACTION_PERMILLE_MAX } from './constants.ts'
import { ForgedConsentError, ForgedStatementError, InvalidClaimsError, RuleNotSatisfiedError, StatementMismatchError } from './errors.ts'
import type { ChainContent } from './proposal.ts'

export const CONSENT_KIND = 'chain.consent'
export const REFUSAL_KIND = 'chain.refusal'
export const AUTO_CONSENT_KIND = 'chain.auto-consent'
export const DELIVERY_KIND = 'chain.delivery'
export const CONFIRMATION_KIND = 'chain.confirmation'
/** Categories a standing rule may list per side (a participant has at most 8 offers and 8 needs). */
export const RULE_CATEGORIES_MAX = 8

/** A consent, refusal or delivery: which chain, which step or edge. */
export interface StepClaims { chain: string, index: number, note?: string }
/** A confirmation: the edge received and how satisfied the recipient is. */
export interface ConfirmationClaims { chain: string, index: number, satisfaction_permille: number, comment?: string }
/** A standing rule: "consent for me to any chain of at most `chain_length_max` steps where I give one of `offers` and get one of `needs`". */
export interface AutoConsentRule { chain_length_max: number, offers: string[], needs: string[], valid_until_ms: number }

function fail (kind: string, what: string): never {
  throw new InvalidClaimsError(`${kind} claims: ${what}`)
}

function claimsOf (statement: ParticipantStatement, kind: string, keys: readonly string[]): Record<string, unknown> {
  if (statement.kind !== kind) fail(kind, `statement kind is ${statement.kind}`)
  const claims = statement.claims as Record<string, unknown>
  for (const key of Object.keys(claims)) if (!keys.includes(key)) fail(kind, `unknown claim ${JSON.stringify(key)}`)
  return claims
}

function checkChainIndex (kind: string, claims: Record<string, unknown>): void {
  if (typeof claims['chain'] !== 'string' || !CHAIN_ID_PATTERN.test(claims['chain'])) fail(kind, 'chain must be a chain id')
  const index = claims['index']
  if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index >= CHAIN_LENGTH_MAX) fail(kind, `index must be an integer 0..${CHAIN_LENGTH_MAX - 1}`)
}

function checkOptionalText (kind: string, value: unknown, name: string, lengthMax: number): void {
  if (value !== undefined && (typeof value !== 'string' || value.length > lengthMax)) fail(kind, `${name} must be text of at most ${lengthMax} characters`)
}

/** The step claims of a consent, refusal or delivery of `kind`; throws InvalidClaimsError. */
export function stepClaims (statement: ParticipantStatement, kind: typeof CONSENT_KIND | typeof REFUSAL_KIND | typeof DELIVERY_KIND): StepClaims {
  const claims = claimsOf(statement, kind, ['chain', 'index', 'note'])
  checkChainIndex(kind, claims)
  checkOptionalText(kind, claims['note'], 'note', NOTE_LENGTH_MAX)
  return claims as unknown as StepClaims
}

/** The claims of a confirmation; throws InvalidClaimsError. */
export function confirmationClaims (statement: ParticipantStatement): ConfirmationClaims {
  const claims = claimsOf(statement, CONFIRMATION_KIND, ['chain', 'index', 'satisfaction_permille', 'comment'])
  checkChainIndex(CONFIRMATION_KIND, claims)
  const s = claims['satisfaction_permille']
  if (typeof s !== 'number' || !Number.isInteger(s) || s < 0 || s > SATISFACTION_PERMILLE_MAX) fail(CONFIRMATION_KIND, `satisfaction_permille must be an integer 0..${SATISFACTION_PERMILLE_MAX}`)
  checkOptionalText(CONFIRMATION_KIND, claims['comment'], 'comment', COMMENT_LENGTH_MAX)
  return claims as unknown as ConfirmationClaims
}

function checkCategories (value: unknown, name: string): string[] {
  if (!Array.isArray(value) || value.length === 0 || value.length > RULE_CATEGORIES_MAX) fail(AUTO_CONSENT_KIND, `${name} must list 1..${RULE_CATEGORIES_MAX} categories`)
  for (const slug of value) {
    if (typeof slug !== 'string' || slug.length > CATEGORY_LENGTH_MAX || !CATEGORY_PATTERN.test(slug)) fail(AUTO_CONSENT_KIND, `${name} holds a non-category ${JSON.stringify(slug)}`)
  }
  return value as string[]
}

/** The rule of a standing auto-consent statement; throws InvalidClaimsError. */
export function autoConsentRule (statement: ParticipantStatement): AutoConsentRule {
  const claims = claimsOf(statement, AUTO_CONSENT_KIND, ['chain_length_max', 'offers', 'needs', 'valid_until_ms'])
  const max = claims['chain_length_max']
  if (typeof max !== 'number' || !Number.isInteger(max) || max < CHAIN_LENGTH_MIN || max > CHAIN_LENGTH_MAX) fail(AUTO_CONSENT_KIND, `chain_length_max must be ${CHAIN_LENGTH_MIN}..${CHAIN_LENGTH_MAX}`)
  const until = claims['valid_until_ms']
  if (typeof until !== 'number' || !Number.isSafeInteger(until) || until <= statement.issuedAtMs) fail(AUTO_CONSENT_KIND, 'valid_until_ms must be a time after issuedAtMs')
  return { chain_length_max: max, offers: checkCategories(claims['offers'], 'offers'), needs: checkCategories(claims['needs'], 'needs'), valid_until_ms: until }
}

/**
 * Throws RuleNotSatisfiedError unless the rule covers step `index` of
 * `content`. Only the content's own times count (not a receiver's clock), so
 * every node reaches the same answer.
 */
export function checkRuleCovers (rule: AutoConsentRule, statement: ParticipantStatement, content: ChainContent, index: number): void {
  const step = content.steps[index]!
  if (content.steps.length > rule.chain_length_max) throw new RuleNotSatisfiedError(`the chain has ${content.steps.length} steps; the rule of ${statement.participant} allows ${rule.chain_length_max}`)
  if (!rule.offers.includes(step.offer) || !rule.needs.includes(step.need)) {
    throw new RuleNotSatisfiedError(`step ${index} gives ${step.offer} for ${step.need}, outside the rule of ${statement.participant}`)
  }
  if (statement.issuedAtMs > content.proposed_at_ms) throw new RuleNotSatisfiedError(`the rule of ${statement.participant} was made after the proposal; a fresh statement is a plain consent`)
  if (rule.valid_until_ms < content.proposed_at_ms) throw new RuleNotSatisfiedError(`the rule of ${statement.participant} expired at ${rule.valid_until_ms}`)
}

/** True when the rule covers the step (the home node's check before it consents on the participant's behalf). */
export function ruleCovers (signedRule: SignedStatement, content: ChainContent, index: number): boolean {
  try {
    checkRuleCovers(autoConsentRule(signedRule.statement), signedRule.statement, content, index)
    return true
  } catch (err) {
    if (err instanceof InputError) return false
    throw err
  }
}

/** Verifies a participant statement with the bound key: ForgedConsentError for consents, refusals and rules, else ForgedStatementError. */
export function verifyParticipantStatement (signed: SignedStatement, boundParticipant: string, key: HybridPublicKey, verifier: SignatureVerifier): void {
  const { statement } = signed
  if (statement.participant !== boundParticipant) throw new StatementMismatchError(`a ${statement.kind} from ${statement.participant}, but ${boundParticipant} is bound there`)
  try {
    verifyStatement(signed, key, verifier)
  } catch (err) {
    if ((err as Error).name !== 'BadStatementSignatureError') throw err
    const consentLike = statement.kind === CONSENT_KIND || statement.kind === REFUSAL_KIND || statement.kind === AUTO_CONSENT_KIND
    const Forged = consentLike ? ForgedConsentError : ForgedStatementError
    throw new Forged(`the ${statement.kind} of ${statement.participant} is not signed by that participant's key`, { cause: err })
  }
}
