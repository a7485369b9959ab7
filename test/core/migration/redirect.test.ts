/**
 * Redirect records (core/migration): what the DHT validator accepts and which
 * record the selector keeps; resolution's loop and hop bounds; the cooldown.
 */
import test from 'ava'
import { createHash } from 'node:crypto'
import { hybridSignerFromSeeds, hybridVerifier } from '../../../src/crypto/hybrid.ts'
import type { HybridSigner } from '../../../src/core/signature.ts'
import {
  decodeRedirect, encodeRedirect, participantKeyId, redirectKeyOfIdentity, redirectKeyOfLocation, selectRedirect, signHomeBinding, signRedirect,
  validateRedirect, type Redirect, type RedirectMembership, type SignedRedirect
} from '../../../src/core/migration/redirect.ts'
import { checkMoveCooldown, nextRedirectLink, resolutionStep, startResolution } from '../../../src/core/migration/resolution.ts'
import { REDIRECT_BYTES_MAX, RECOVERY_WINDOW_MS_DEFAULT } from '../../../src/core/migration/constants.ts'

const seed = (label: string): Uint8Array => new Uint8Array(createHash('sha256').update(label).digest())
const signer = (label: string): HybridSigner => hybridSignerFromSeeds({ ed25519Seed: seed(`${label}/e`), mldsaSeed: seed(`${label}/m`) })
const verifier = hybridVerifier()
const FED = 'fed'
const T0 = 1_800_000_000_000
const HOUR = 3_600_000

const nodes = { a: signer('node-a'), b: signer('node-b'), x: signer('node-x') }
const membership: RedirectMembership = {
  nodeKey: (node) => (node === 'peer-a' ? nodes.a : node === 'peer-b' ? nodes.b : node === 'peer-x' ? nodes.x : undefined)?.publicKey,
  nodeOfSite: (site) => ({ a: 'peer-a', b: 'peer-b', x: 'peer-x' } as Record<string, string>)[site]
}
const alice = signer('alice')
const recovery = signer('alice-recovery')
const thief = signer('thief')
const keyId = participantKeyId(alice.publicKey)

function homeBinding (site: 'a' | 'b', withRecovery = true): ReturnType<typeof signHomeBinding> {
  return signHomeBinding({ version: 1, federation_id: FED, participant: `sep://alice@${site}`, key: keyId, recovery_key: withRecovery ? participantKeyId(recovery.publicKey) : null, node: `peer-${site}`, issued_at: T0 - HOUR }, site === 'a' ? nodes.a : nodes.b)
}

function redirect (change: Partial<Redirect> = {}): Redirect {
  return { version: 1, federation_id: FED, key: keyId, from: 'sep://alice@a', to: 'sep://alice@b', seq: 1, prev: null, issued_at: T0, grace_until: T0 + 24 * HOUR, signed_by: 'key', countersigner: 'peer-b', ...change }
}

function signed (r: Redirect, by: HybridSigner = alice, node: HybridSigner = nodes.b): SignedRedirect {
  return signRedirect({ redirect: r, participant: by, identityKey: alice.publicKey, node, home: homeBinding(r.from.endsWith('@a') ? 'a' : 'b') })
}

const check = (dhtKey?: string, nowMs = T0) => ({ membership, verifier, federationId: FED, nowMs, ...(dhtKey === undefined ? {} : { dhtKey }) })

test('a redirect signed by the participant and countersigned by the receiving node validates after an encode/decode round trip', (t) => {
  const bytes = encodeRedirect(signed(redirect()))
  t.true(bytes.length <= REDIRECT_BYTES_MAX, `${bytes.length} bytes`)
  const r = validateRedirect(decodeRedirect(bytes), check(redirectKeyOfIdentity(keyId)))
  t.is(r.to, 'sep://alice@b')
  t.notThrows(() => validateRedirect(decodeRedirect(bytes), check(redirectKeyOfLocation('sep://alice@a'))))
})

test('a redirect not signed by the participant\'s key is rejected', (t) => {
  const forged = signed(redirect(), thief)
  t.throws(() => validateRedirect(decodeRedirect(encodeRedirect(forged)), check()), { name: 'RedirectSignatureError' })
  // the thief's own key in the record: a different identity, so it cannot sit under alice's key hash nor use alice@a's home binding
  const own = signRedirect({ redirect: redirect({ key: participantKeyId(thief.publicKey) }), participant: thief, identityKey: thief.publicKey, node: nodes.b, home: homeBinding('a') })
  t.throws(() => validateRedirect(decodeRedirect(encodeRedirect(own)), check(redirectKeyOfIdentity(keyId))), { name: 'RedirectKeyMismatchError' })
  t.throws(() => validateRedirect(decodeRedirect(encodeRedirect(own)), check()), { name: 'RedirectBindingError' })
})

test('a redirect without the receiving node\'s countersignature is rejected', (t) => {
  // countersigned by another member than the home of `to`
  t.throws(() => validateRedirect(decodeRedirect(encodeRedirect(signed(redirect(), alice, nodes.x))), check()), { name: 'RedirectCountersignatureError' })
  // an empty countersignature section
  const record = signed(redirect())
  const stripped = { ...record, countersignature: { ed25519: new Uint8Array(64), mldsa: new Uint8Array(1) } }
  t.throws(() => validateRedirect(decodeRedirect(encodeRedirect(stripped)), check()), { name: 'RedirectCountersignatureError' })
  // naming a non-member countersigner
  t.throws(() => validateRedirect(decodeRedirect(encodeRedirect(signed(redirect({ countersigner: 'peer-z' })))), check()), { name: 'RedirectCountersignatureError' })
})

test('a redirect past its grace_until is expired and no longer validates', (t) => {
  const bytes = encodeRedirect(signed(redirect()))
  t.notThrows(() => validateRedirect(decodeRedirect(bytes), check(undefined, T0 + 24 * HOUR)))
  t.throws(() => validateRedirect(decodeRedirect(bytes), check(undefined, T0 + 24 * HOUR + 1)), { name: 'RedirectExpiredError' })
})

test('malformed and truncated records are rejected without a crash', (t) => {
  const bytes = encodeRedirect(signed(redirect()))
  t.throws(() => decodeRedirect(bytes.subarray(0, bytes.length - 1)), { name: 'MalformedRedirectError' })
  t.throws(() => decodeRedirect(new Uint8Array([0, 0, 0, 9])), { name: 'MalformedRedirectError' })
  t.throws(() => decodeRedirect(new Uint8Array(REDIRECT_BYTES_MAX + 1)), { name: 'MalformedRedirectError' })
})

test('a recovery-key redirect overrides a stolen-key one inside the recovery window, not outside it', (t) => {
  const stolen = redirect({ to: 'sep://alice@x', countersigner: 'peer-x', seq: 2, prev: 'a'.repeat(64), issued_at: T0 + HOUR })
  const recovered = redirect({ seq: 1, prev: null, signed_by: 'recovery', issued_at: T0 + 2 * HOUR })
  // both valid records
  t.notThrows(() => validateRedirect(decodeRedirect(encodeRedirect(signed(stolen, alice, nodes.x))), check(undefined, T0 + 2 * HOUR)))
  t.notThrows(() => validateRedirect(decodeRedirect(encodeRedirect(signed(recovered, recovery))), check(undefined, T0 + 2 * HOUR)))
  t.is(selectRedirect([stolen, recovered], RECOVERY_WINDOW_MS_DEFAULT), 1)
  t.is(selectRedirect([recovered, stolen], RECOVERY_WINDOW_MS_DEFAULT), 0)
  // outside the window the higher seq wins
  const late = { ...recovered, issued_at: stolen.issued_at + RECOVERY_WINDOW_MS_DEFAULT + 1 }
  t.is(selectRedirect([stolen, late], RECOVERY_WINDOW_MS_DEFAULT), 0)
  // a recovery signature needs the recovery key named by the home binding
  const noRecovery = signRedirect({ redirect: recovered, participant: recovery, identityKey: alice.publicKey, node: nodes.b, home: homeBinding('a', false) })
  t.throws(() => validateRedirect(decodeRedirect(encodeRedirect(noRecovery)), check(undefined, T0 + 2 * HOUR)), { name: 'RedirectSignatureError' })
  t.throws(() => validateRedirect(decodeRedirect(encodeRedirect(signed(recovered, thief))), check(undefined, T0 + 2 * HOUR)), { name: 'RedirectSignatureError' })
})

test('among key-signed redirects the highest seq wins', (t) => {
  const first = redirect()
  const second = redirect({ seq: 2, prev: nextRedirectLink(first).prev, issued_at: T0 - 1 })
  t.is(selectRedirect([first, second], RECOVERY_WINDOW_MS_DEFAULT), 1)
  t.is(selectRedirect([second, first], RECOVERY_WINDOW_MS_DEFAULT), 0)
  t.is(selectRedirect([], RECOVERY_WINDOW_MS_DEFAULT), -1)
})

test('resolution follows redirects, detects a loop and bounds the hops', (t) => {
  const ab = redirect()
  const bx = redirect({ from: 'sep://alice@b', to: 'sep://alice@x', seq: 2, prev: nextRedirectLink(ab).prev })
  let step = resolutionStep(startResolution('sep://alice@a'), ab)
  t.false(step.done)
  step = resolutionStep(step.resolution, bx)
  step = resolutionStep(step.resolution, undefined)
  t.true(step.done)
  t.is(step.resolution.current, 'sep://alice@x')
  t.is(step.resolution.hops.length, 2)
  // two first moves of one key pointing at each other (a → b and b → a, both seq 1): a loop, not an answer
  const ba = redirect({ from: 'sep://alice@b', to: 'sep://alice@a', seq: 1, prev: null })
  t.throws(() => resolutionStep(resolutionStep(startResolution('sep://alice@a'), ab).resolution, ba), { name: 'RedirectLoopError' })
  t.throws(() => resolutionStep(resolutionStep(startResolution('sep://alice@a'), ab).resolution, bx, 1), { name: 'RedirectHopsExceededError' })
  // a redirect of another key is never followed
  t.throws(() => resolutionStep(resolutionStep(startResolution('sep://alice@a'), ab).resolution, { ...bx, key: 'c'.repeat(64) }), { name: 'RedirectError' })
})

test('a participant who came back to a location resolves there: the older redirect from it is stale', (t) => {
  const ab = redirect()
  const ba = redirect({ from: 'sep://alice@b', to: 'sep://alice@a', seq: 2, prev: nextRedirectLink(ab).prev })
  // from b: b → a (seq 2); at a the winning redirect is the old a → b (seq 1)
  let step = resolutionStep(resolutionStep(startResolution('sep://alice@b'), ba).resolution, ab)
  t.true(step.done)
  t.is(step.resolution.current, 'sep://alice@a')
  // from a: a → b (seq 1), b → a (seq 2) back to the start, then a → b (seq 1) is stale
  step = resolutionStep(resolutionStep(startResolution('sep://alice@a'), ab).resolution, ba)
  t.false(step.done)
  step = resolutionStep(step.resolution, ab)
  t.true(step.done)
  t.is(step.resolution.current, 'sep://alice@a')
})

test('a second move inside the cooldown is refused', (t) => {
  t.notThrows(() => { checkMoveCooldown({ lastMoveAtMs: undefined, nowMs: T0, cooldownMs: 10 }) })
  t.throws(() => { checkMoveCooldown({ lastMoveAtMs: T0, nowMs: T0 + 9, cooldownMs: 10 }) }, { name: 'MoveCooldownError' })
  t.notThrows(() => { checkMoveCooldown({ lastMoveAtMs: T0, nowMs: T0 + 10, cooldownMs: 10 }) })
})
