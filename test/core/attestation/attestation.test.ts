import test from 'ava'
import { DAY, T0, peerId, digestSigner, digestVerifier } from '../chain/fixtures.ts'
import { computeClaims, claimsChanged, trustTierOf, type AttestationClaims } from '../../../src/core/attestation/claims.ts'
import {
  AttestationClockError, AttestationIssuerError, AttestationSignatureError, AttestationTooLargeError, InvalidAttestationError, attestationBytes, latestPerParticipant,
  signAttestation, validateAttestation, type Attestation
} from '../../../src/core/attestation/attestation.ts'
import { ATTESTATION_BYTES_MAX, ANCHOR_EXCHANGES_MIN, ANCHOR_MEMBERSHIP_MS_MIN, CLOCK_SKEW_MS_MAX, EXCHANGES_COMPLETED_MAX, VOUCHES_RECEIVED_MAX } from '../../../src/core/attestation/constants.ts'
import type { ExchangeRecord } from '../../../src/core/chain/state.ts'

const A = peerId('A')
const B = peerId('B')
const signerA = digestSigner('A')
const signerB = digestSigner('B')
const ada = `sep://ada@${A}`
const keys = new Map([[A, signerA.publicKey], [B, signerB.publicKey]])
const check = { federationId: 'fedmesh-test', nowMs: T0, nodeKey: (n: string) => keys.get(n), verifier: digestVerifier }

function exchange (chain: string, role: 'provider' | 'recipient', counterpart: string, satisfaction: number): ExchangeRecord {
  return { participant: ada, chain, edge: 0, role, counterpart, satisfaction_permille: satisfaction, completed_at_ms: T0 }
}

function attestation (claims: Partial<AttestationClaims> = {}, fields: Partial<Attestation> = {}): Attestation {
  const base = { exchanges_completed: 2, satisfaction_rate_permille: 800, partner_count: 3, member_since_ms: T0 - 10 * DAY, vouches_received: 0, ...claims }
  return { version: 1, federation_id: 'fedmesh-test', issuing_node: A, participant: ada, participant_key: 'ab'.repeat(32), issued_at_ms: T0, claims: { ...base, trust_tier: trustTierOf(base, T0), ...claims }, ...fields }
}

test('claims come from the participant\'s history: distinct chains and partners, mean satisfaction as provider', (t) => {
  const claims = computeClaims({
    participant: ada,
    member_since_ms: T0 - 400 * DAY,
    exchanges: [exchange('c1', 'provider', 'bob', 900), exchange('c1', 'recipient', 'carol', 100), exchange('c2', 'provider', 'bob', 601), exchange('c3', 'recipient', 'dan', 1000),
      { ...exchange('c9', 'provider', 'x', 0), participant: 'sep://other@x' }],
    vouches_received: 4
  }, T0)
  t.deepEqual(claims, { exchanges_completed: 3, satisfaction_rate_permille: 751, partner_count: 3, member_since_ms: T0 - 400 * DAY, vouches_received: 4, trust_tier: 'established' })
  t.is(computeClaims({ participant: ada, member_since_ms: T0, exchanges: [], vouches_received: 0 }, T0).satisfaction_rate_permille, null)
  t.false(claimsChanged(claims, { ...claims }))
  t.true(claimsChanged(claims, { ...claims, vouches_received: 5 }))
  t.true(claimsChanged(undefined, claims))
})

test('the tier follows the documented rule, including promotion with time alone', (t) => {
  const anchor = { exchanges_completed: ANCHOR_EXCHANGES_MIN, satisfaction_rate_permille: 800, partner_count: 20, member_since_ms: T0 - ANCHOR_MEMBERSHIP_MS_MIN, vouches_received: 3 }
  t.is(trustTierOf(anchor, T0), 'anchor')
  t.is(trustTierOf({ ...anchor, exchanges_completed: ANCHOR_EXCHANGES_MIN - 1 }, T0), 'established')
  t.is(trustTierOf(anchor, T0 - 1), 'established', 'one ms short of a year')
  t.is(trustTierOf({ ...anchor, satisfaction_rate_permille: 499 }, T0), 'probationary')
})

test('a signed attestation validates; each failure has its named error, signature last', (t) => {
  const signed = signAttestation(attestation(), signerA)
  t.deepEqual(validateAttestation(signed, check), signed.attestation)
  t.throws(() => validateAttestation({ ...signed, signature: signAttestation(attestation(), signerB).signature }, check), { instanceOf: AttestationSignatureError })
  t.throws(() => signAttestation(attestation({}, { issuing_node: B }), signerB), { instanceOf: AttestationIssuerError }, 'B cannot attest A\'s participant')
  const fromStranger = signAttestation(attestation({}, { issuing_node: peerId('Z'), participant: `sep://ada@${peerId('Z')}` }), signerA)
  t.throws(() => validateAttestation(fromStranger, check), { instanceOf: AttestationIssuerError })
  t.notThrows(() => validateAttestation(signAttestation(attestation({}, { issued_at_ms: T0 + CLOCK_SKEW_MS_MAX }), signerA), check))
  t.throws(() => validateAttestation(signAttestation(attestation({}, { issued_at_ms: T0 + CLOCK_SKEW_MS_MAX + 1 }), signerA), check), { instanceOf: AttestationClockError })
  t.throws(() => validateAttestation(signed, { ...check, federationId: 'other' }), { instanceOf: InvalidAttestationError })
})

const limitCases: Array<[string, Partial<AttestationClaims>, boolean]> = [
  [`exchanges_completed ${EXCHANGES_COMPLETED_MAX}`, { exchanges_completed: EXCHANGES_COMPLETED_MAX }, true],
  [`exchanges_completed ${EXCHANGES_COMPLETED_MAX + 1}`, { exchanges_completed: EXCHANGES_COMPLETED_MAX + 1 }, false],
  [`vouches_received ${VOUCHES_RECEIVED_MAX}`, { vouches_received: VOUCHES_RECEIVED_MAX }, true],
  [`vouches_received ${VOUCHES_RECEIVED_MAX + 1}`, { vouches_received: VOUCHES_RECEIVED_MAX + 1 }, false],
  ['partner_count 2 × exchanges', { partner_count: 4 }, true],
  ['partner_count 2 × exchanges + 1', { partner_count: 5 }, false],
  ['satisfaction 1000', { satisfaction_rate_permille: 1000 }, true],
  ['satisfaction 1001', { satisfaction_rate_permille: 1001 }, false],
  ['a rate without exchanges', { exchanges_completed: 0, partner_count: 0 }, false],
  ['member since after issue', { member_since_ms: T0 + 1 }, false],
  ['a tier the rule does not give', { trust_tier: 'anchor' }, false]
]
for (const [name, claims, ok] of limitCases) {
  test(`attestation claims: ${name} is ${ok ? 'accepted' : 'InvalidAttestationError'}`, (t) => {
    const run = (): unknown => attestationBytes(attestation(claims))
    if (ok) t.notThrows(run)
    else t.throws(run, { instanceOf: InvalidAttestationError })
  })
}

test('an attestation with every field at its limit fits ATTESTATION_BYTES_MAX', (t) => {
  const node = 'z'.repeat(100)
  const widest = attestation({ exchanges_completed: EXCHANGES_COMPLETED_MAX, partner_count: 2 * EXCHANGES_COMPLETED_MAX, vouches_received: VOUCHES_RECEIVED_MAX, member_since_ms: 0, satisfaction_rate_permille: 1000 },
    { federation_id: 'f'.repeat(64), issuing_node: node, participant: `sep://${'a'.repeat(32)}@${node}`, issued_at_ms: Number.MAX_SAFE_INTEGER })
  const bytes = attestationBytes({ ...widest, claims: { ...widest.claims, trust_tier: trustTierOf(widest.claims, Number.MAX_SAFE_INTEGER) } })
  t.true(bytes.length <= ATTESTATION_BYTES_MAX, `${bytes.length} bytes`)
  t.is(AttestationTooLargeError.code, 'AttestationTooLargeError')
})

test('the latest attestation per participant wins, ties broken the same way in any order', (t) => {
  const older = signAttestation(attestation({ vouches_received: 1 }, { issued_at_ms: T0 - 1000 }), signerA)
  const newer = signAttestation(attestation({ vouches_received: 2 }), signerA)
  const twin = signAttestation(attestation({ vouches_received: 3 }), signerA)
  const bob = signAttestation(attestation({}, { participant: `sep://bob@${A}` }), signerA)
  const forward = latestPerParticipant([older, newer, twin, bob])
  const backward = latestPerParticipant([bob, twin, newer, older])
  t.is(forward.size, 2)
  t.is(forward.get(ada), backward.get(ada))
  t.not(forward.get(ada), older)
})
