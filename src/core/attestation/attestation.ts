/**
 * Attestations: a node's signed claims about one of its participants, gossiped
 * as the data class `attestation` and re-issued when the claims change.
 * Signed bytes: domain ‖ RFC 8785 JSON of the attestation, recomputed by every
 * receiver from the fields. Other nodes keep the latest per participant.
 */
import { createHash } from 'node:crypto'
import { InputError } from '../errors.ts'
import type { HybridPublicKey, HybridSignature, HybridSigner, SignatureVerifier } from '../signature.ts'
import { canonicalJson } from '../consensus/canonical.ts'
import { parseParticipantId } from '../identity/participant-id.ts'
import { isPeerIdText } from '../identity/peer-id.ts'
import { TRUST_TIERS, trustTierOf, type AttestationClaims } from './claims.ts'
import {
  ATTESTATION_BYTES_MAX, ATTESTATION_SIGNING_DOMAIN, ATTESTATION_VERSION, CLOCK_SKEW_MS_MAX, EXCHANGES_COMPLETED_MAX, SATISFACTION_PERMILLE_MAX,
  VOUCHES_RECEIVED_MAX
} from './constants.ts'

/** What an issuing node signs. */
export interface Attestation {
  version: number
  federation_id: string
  /** the participant's home node (PeerId): no node attests for another's participants */
  issuing_node: string
  participant: string
  /** hex SHA-256 of the participant's public key (Ed25519 ‖ ML-DSA): the key the claims are about */
  participant_key: string
  issued_at_ms: number
  claims: AttestationClaims
}

export interface SignedAttestation {
  attestation: Attestation
  signature: HybridSignature
}

/** Shape or limits broken. */
export class InvalidAttestationError extends InputError {
  static override readonly code = 'InvalidAttestationError'
  override readonly name = 'InvalidAttestationError'
}

/** Canonical bytes over ATTESTATION_BYTES_MAX. */
export class AttestationTooLargeError extends InputError {
  static override readonly code = 'AttestationTooLargeError'
  override readonly name = 'AttestationTooLargeError'
}

/** The issuer is not the participant's home node, or not a member. */
export class AttestationIssuerError extends InputError {
  static override readonly code = 'AttestationIssuerError'
  override readonly name = 'AttestationIssuerError'
}

/** Issued in the future beyond the clock skew. */
export class AttestationClockError extends InputError {
  static override readonly code = 'AttestationClockError'
  override readonly name = 'AttestationClockError'
}

/** The signature does not verify with the issuer's membership key. */
export class AttestationSignatureError extends InputError {
  static override readonly code = 'AttestationSignatureError'
  override readonly name = 'AttestationSignatureError'
}

const utf8 = new TextEncoder()

/** The id of a participant key in attestations: hex SHA-256 of Ed25519 ‖ ML-DSA public keys. */
export function participantKeyId (key: HybridPublicKey): string {
  return createHash('sha256').update(key.ed25519).update(key.mldsa).digest('hex')
}

function fail (what: string): never {
  throw new InvalidAttestationError(`attestation: ${what}`)
}

function isInt (value: unknown, min: number, max: number): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= min && value <= max
}

/** Checks claims: bounds, consistency (partners ≤ 2 per exchange, a rate only with exchanges) and the tier rule. */
export function checkClaims (claims: AttestationClaims, issuedAtMs: number): void {
  const keys = ['exchanges_completed', 'satisfaction_rate_permille', 'partner_count', 'member_since_ms', 'vouches_received', 'trust_tier']
  for (const key of Object.keys(claims)) if (!keys.includes(key)) fail(`unknown claim ${JSON.stringify(key)}`)
  if (!isInt(claims.exchanges_completed, 0, EXCHANGES_COMPLETED_MAX)) fail(`exchanges_completed must be an integer 0..${EXCHANGES_COMPLETED_MAX}`)
  const rate = claims.satisfaction_rate_permille
  if (rate !== null && !isInt(rate, 0, SATISFACTION_PERMILLE_MAX)) fail(`satisfaction_rate_permille must be null or an integer 0..${SATISFACTION_PERMILLE_MAX}`)
  if (rate !== null && claims.exchanges_completed === 0) fail('a satisfaction rate needs at least one completed exchange')
  // each chain gives a participant one provider and one recipient
  if (!isInt(claims.partner_count, 0, 2 * claims.exchanges_completed)) fail('partner_count must be an integer 0..2 × exchanges_completed')
  if (!isInt(claims.member_since_ms, 0, issuedAtMs)) fail('member_since_ms must be a time no later than issued_at_ms')
  if (!isInt(claims.vouches_received, 0, VOUCHES_RECEIVED_MAX)) fail(`vouches_received must be an integer 0..${VOUCHES_RECEIVED_MAX}`)
  if (!(TRUST_TIERS as readonly string[]).includes(claims.trust_tier)) fail(`trust_tier must be one of ${TRUST_TIERS.join(', ')}`)
  const tier = trustTierOf(claims, issuedAtMs)
  if (claims.trust_tier !== tier) fail(`trust_tier ${claims.trust_tier} does not follow from the claims (the rule gives ${tier})`)
}

/** The exact bytes an issuer signs: domain ‖ canonical JSON; throws for invalid or oversized attestations. */
export function attestationBytes (attestation: Attestation): Uint8Array {
  const a = attestation
  if (a.version !== ATTESTATION_VERSION) fail(`version ${String(a.version)} is not supported`)
  if (typeof a.federation_id !== 'string' || !/^[a-z0-9]+(?:[._-][a-z0-9]+)*$/.test(a.federation_id) || a.federation_id.length > 64) fail('federation_id must be a slug')
  if (!/^[0-9a-f]{64}$/.test(a.participant_key)) fail('participant_key must be a hex SHA-256')
  if (!isInt(a.issued_at_ms, 1, Number.MAX_SAFE_INTEGER)) fail('issued_at_ms must be a positive time')
  const home = parseParticipantId(a.participant).node
  // in the PeerId form the home is checked here; a site id is checked against the membership (AttestationCheck.siteOf)
  if (isPeerIdText(home) && home !== a.issuing_node) throw new AttestationIssuerError(`${a.issuing_node} attests ${a.participant}, a participant of ${home}: only its home node may`)
  checkClaims(a.claims, a.issued_at_ms)
  const c = a.claims
  const claims = {
    exchanges_completed: c.exchanges_completed,
    satisfaction_rate_permille: c.satisfaction_rate_permille,
    partner_count: c.partner_count,
    member_since_ms: c.member_since_ms,
    vouches_received: c.vouches_received,
    trust_tier: c.trust_tier
  }
  const body = { version: a.version, federation_id: a.federation_id, issuing_node: a.issuing_node, participant: a.participant, participant_key: a.participant_key, issued_at_ms: a.issued_at_ms, claims }
  const bytes = utf8.encode(ATTESTATION_SIGNING_DOMAIN + canonicalJson(body))
  if (bytes.length > ATTESTATION_BYTES_MAX) throw new AttestationTooLargeError(`attestation is ${bytes.length} bytes, more than ${ATTESTATION_BYTES_MAX}`)
  return bytes
}

/** Signs an attestation as its issuing node. */
export function signAttestation (attestation: Attestation, signer: HybridSigner): SignedAttestation {
  return { attestation, signature: signer.sign(attestationBytes(attestation)) }
}

/** What a received attestation is checked against. */
export interface AttestationCheck {
  federationId: string
  nowMs: number
  nodeKey: (node: string) => HybridPublicKey | undefined
  /** the site id the membership binds to a member's PeerId (participant ids name their home by site) */
  siteOf?: (node: string) => string | undefined
  verifier: SignatureVerifier
}

/** Validates a received attestation, cheapest first and signature last; throws a named error. */
export function validateAttestation (signed: SignedAttestation, check: AttestationCheck): Attestation {
  const bytes = attestationBytes(signed.attestation)
  const a = signed.attestation
  if (a.federation_id !== check.federationId) fail(`for federation ${a.federation_id}, this node is in ${check.federationId}`)
  if (a.issued_at_ms > check.nowMs + CLOCK_SKEW_MS_MAX) throw new AttestationClockError(`issued ${a.issued_at_ms - check.nowMs} ms in the future (skew allowed ${CLOCK_SKEW_MS_MAX} ms)`)
  const key = check.nodeKey(a.issuing_node)
  if (key === undefined) throw new AttestationIssuerError(`${a.issuing_node} is not a member of the federation`)
  const home = parseParticipantId(a.participant).node
  if (!isPeerIdText(home) && (check.siteOf === undefined || check.siteOf(a.issuing_node) !== home)) {
    throw new AttestationIssuerError(`${a.issuing_node} attests ${a.participant}, a participant of site ${home}: only its home node may`)
  }
  if (!check.verifier.verify(key, bytes, signed.signature)) throw new AttestationSignatureError(`the attestation of ${a.participant} by ${a.issuing_node} does not verify`)
  return a
}

function compareBytes (a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! - b[i]!
  return a.length - b.length
}

/** The one to keep of two attestations about one participant: the later, ties broken by the larger canonical bytes (the same choice everywhere). */
export function newerAttestation (current: SignedAttestation | undefined, candidate: SignedAttestation): SignedAttestation {
  if (current === undefined) return candidate
  const dt = candidate.attestation.issued_at_ms - current.attestation.issued_at_ms
  if (dt !== 0) return dt > 0 ? candidate : current
  return compareBytes(attestationBytes(candidate.attestation), attestationBytes(current.attestation)) > 0 ? candidate : current
}

/** The latest attestation per participant among `attestations` (validated already). */
export function latestPerParticipant (attestations: Iterable<SignedAttestation>): Map<string, SignedAttestation> {
  const latest = new Map<string, SignedAttestation>()
  for (const signed of attestations) latest.set(signed.attestation.participant, newerAttestation(latest.get(signed.attestation.participant), signed))
  return latest
}
