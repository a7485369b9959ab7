import test from 'ava'
import {
  signStatement, verifyStatement, statementBytes, STATEMENT_BYTES_MAX, STATEMENT_DEPTH_MAX, STATEMENT_SIGNING_DOMAIN,
  BadStatementSignatureError, InvalidStatementError, StatementTooLargeError, type ParticipantStatement, type ClaimValue
} from '../../../src/core/identity/statement.ts'
import { InvalidHandleError } from '../../../src/core/identity/participant-id.ts'
import { participantSignerFromSeeds } from '../../../src/crypto/participant-keys.ts'
import { hybridVerifier } from '../../../src/crypto/hybrid.ts'
import type { SignatureVerifier } from '../../../src/core/signature.ts'

const node = '12D3KooWDZsLhX29oTnM7yUGBJaUtFyDDaYALxJgauRMepGMVJnD'
const ada = participantSignerFromSeeds({ ed25519Seed: new Uint8Array(32).fill(1), mldsaSeed: new Uint8Array(32).fill(2), level: 65 })
const bob = participantSignerFromSeeds({ ed25519Seed: new Uint8Array(32).fill(3), mldsaSeed: new Uint8Array(32).fill(4), level: 65 })
const verifier = hybridVerifier()

const consent: ParticipantStatement = {
  kind: 'consent',
  participant: `sep://ada@${node}`,
  issuedAtMs: 1_800_000_000_000,
  claims: { chain: 'c-17', accept: true, give: ['legal.contracts'], weight: 3, note: null }
}

test('a signed statement verifies with the participant key', (t) => {
  t.deepEqual(verifyStatement(signStatement(consent, ada), ada.publicKey, verifier), consent)
})

test('statement bytes are canonical: key order does not matter, and they carry the domain prefix', (t) => {
  const reordered: ParticipantStatement = {
    claims: { note: null, weight: 3, give: ['legal.contracts'], accept: true, chain: 'c-17' },
    issuedAtMs: consent.issuedAtMs,
    participant: consent.participant,
    kind: 'consent'
  }
  t.deepEqual(statementBytes(reordered), statementBytes(consent))
  t.true(new TextDecoder().decode(statementBytes(consent)).startsWith(STATEMENT_SIGNING_DOMAIN))
  // so a signature made over one key order verifies for the other
  t.notThrows(() => verifyStatement({ statement: reordered, signature: signStatement(consent, ada).signature }, ada.publicKey, verifier))
})

test('a changed claim, another participant\'s key or a tampered signature fails with BadStatementSignatureError', (t) => {
  const signed = signStatement(consent, ada)
  t.throws(() => verifyStatement({ ...signed, statement: { ...consent, claims: { ...consent.claims, accept: false } } }, ada.publicKey, verifier), { instanceOf: BadStatementSignatureError })
  t.throws(() => verifyStatement({ ...signed, statement: { ...consent, issuedAtMs: consent.issuedAtMs + 1 } }, ada.publicKey, verifier), { instanceOf: BadStatementSignatureError })
  t.throws(() => verifyStatement(signed, bob.publicKey, verifier), { instanceOf: BadStatementSignatureError })
  const mldsa = signed.signature.mldsa.slice(); mldsa[0]! ^= 1
  t.throws(() => verifyStatement({ ...signed, signature: { ...signed.signature, mldsa } }, ada.publicKey, verifier), { instanceOf: BadStatementSignatureError })
})

test('verification uses the verifier it is given (core holds no crypto)', (t) => {
  const calls: Uint8Array[] = []
  const recording: SignatureVerifier = { verify: (_key, message) => { calls.push(message); return true } }
  verifyStatement(signStatement(consent, ada), bob.publicKey, recording)
  t.deepEqual(calls, [statementBytes(consent)])
})

test('invalid statements are refused with named errors', (t) => {
  const bad: Array<[Partial<ParticipantStatement>, new (...args: never[]) => Error]> = [
    [{ kind: 'Consent' }, InvalidStatementError],
    [{ kind: '' }, InvalidStatementError],
    [{ participant: `sep://Ada@${node}` }, InvalidHandleError],
    [{ issuedAtMs: 0 }, InvalidStatementError],
    [{ claims: { share: 0.5 } }, InvalidStatementError],
    [{ claims: { when: new Date() as unknown as ClaimValue } }, InvalidStatementError],
    [{ claims: [] as unknown as ParticipantStatement['claims'] }, InvalidStatementError]
  ]
  for (const [overrides, errorClass] of bad) t.throws(() => signStatement({ ...consent, ...overrides }, ada), { instanceOf: errorClass }, JSON.stringify(overrides))
})

test('claim depth: STATEMENT_DEPTH_MAX levels are accepted, one more is refused', (t) => {
  const nest = (depth: number): ClaimValue => (depth === 0 ? 'leaf' : [nest(depth - 1)])
  // claims itself is level 1
  t.notThrows(() => statementBytes({ ...consent, claims: { deep: nest(STATEMENT_DEPTH_MAX - 1) } }))
  t.throws(() => statementBytes({ ...consent, claims: { deep: nest(STATEMENT_DEPTH_MAX) } }), { instanceOf: InvalidStatementError })
})

test('statement size: STATEMENT_BYTES_MAX is accepted, one byte more is refused', (t) => {
  const base = statementBytes({ ...consent, claims: { pad: '' } }).length
  const atLimit = { ...consent, claims: { pad: 'x'.repeat(STATEMENT_BYTES_MAX - base) } }
  t.is(statementBytes(atLimit).length, STATEMENT_BYTES_MAX)
  t.throws(() => statementBytes({ ...consent, claims: { pad: 'x'.repeat(STATEMENT_BYTES_MAX - base + 1) } }), { instanceOf: StatementTooLargeError })
})
