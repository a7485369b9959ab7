/**
 * Redirects: "the participant with key K moved from `sep://h@A` to
 * `sep://h@B`", signed by the participant (or its recovery key),
 * countersigned by the receiving node B, and carrying A's home binding
 * ("`sep://h@A` has key K, recovery key R"). Published in the DHT under two
 * keys of the namespace `/fedmesh-participant/`:
 *   - the key hash, hex SHA-256 of K (Ed25519 ‖ ML-DSA): the identity's latest move;
 *   - the location hash of `from`: where that location now points (resolution follows these).
 * Any node holding the membership verifies a record alone: no fetch, no
 * trust in the old node being up.
 *
 * Encoding (binary, to fit a DHT record): 8 sections, each u32 big-endian
 * length ‖ bytes: body JSON, signer public key, identity public key (empty
 * when the signer is it), participant signature, countersignature, binding
 * JSON, binding signature, reserved (empty). Keys: u8 level ‖ Ed25519 (32) ‖
 * ML-DSA; signatures: Ed25519 (64) ‖ ML-DSA. Spec: docs/participant-export.md.
 */
import { createHash } from 'node:crypto'
import { canonicalJson } from '../consensus/canonical.ts'
import type { HybridPublicKey, HybridSignature, HybridSigner, MlDsaLevel, SignatureVerifier } from '../signature.ts'
import { parseParticipantId } from '../identity/participant-id.ts'
import { participantKeyId } from '../attestation/attestation.ts'
import {
  HOME_BINDING_SIGNING_DOMAIN, LOCATION_HASH_DOMAIN, MOVE_GRACE_MS_MAX, PARTICIPANT_REDIRECT_NAMESPACE, REDIRECT_BODY_BYTES_MAX, REDIRECT_BYTES_MAX,
  REDIRECT_CLOCK_SKEW_MS_MAX, REDIRECT_COUNTERSIGN_DOMAIN, REDIRECT_HASH_DOMAIN, REDIRECT_SIGNING_DOMAIN, REDIRECT_VERSION
} from './constants.ts'
import {
  MalformedRedirectError, RedirectBindingError, RedirectClockError, RedirectCountersignatureError, RedirectExpiredError, RedirectKeyMismatchError,
  RedirectSchemaError, RedirectSignatureError
} from './errors.ts'

export { participantKeyId }

/** What the participant signs. */
export interface Redirect {
  version: number
  federation_id: string
  /** hex SHA-256 of the participant's public key (its stable identity) */
  key: string
  from: string
  to: string
  /** 1 for the first move, then +1 */
  seq: number
  /** hex hash of the previous redirect's body (`redirectHash`), null for the first */
  prev: string | null
  issued_at: number
  /** the old node serves the redirect until then; after it, it no longer resolves */
  grace_until: number
  /** which key signed: the participant's own, or its recovery key */
  signed_by: 'key' | 'recovery'
  /** PeerId of the receiving node (the home of `to`), whose countersignature it carries */
  countersigner: string
}

/** What the home node signs about one of its participants: its id, key and optional recovery key. */
export interface HomeBinding {
  version: number
  federation_id: string
  participant: string
  key: string
  recovery_key: string | null
  /** the home node's PeerId */
  node: string
  issued_at: number
}

export interface SignedHomeBinding {
  binding: HomeBinding
  signature: HybridSignature
}

/** A redirect with every key and signature it carries. */
export interface SignedRedirect {
  redirect: Redirect
  /** the key that signed (the identity key, or the recovery key) */
  signerKey: HybridPublicKey
  /** the identity key (= signerKey when signed_by is key) */
  identityKey: HybridPublicKey
  signature: HybridSignature
  countersignature: HybridSignature
  home: SignedHomeBinding
}

/** What validation reads from the membership. */
export interface RedirectMembership {
  /** a member's hybrid key by PeerId */
  nodeKey: (node: string) => HybridPublicKey | undefined
  /** the member whose membership entry names this site id */
  nodeOfSite: (site: string) => string | undefined
}

export interface RedirectCheck {
  membership: RedirectMembership
  verifier: SignatureVerifier
  federationId: string
  /** absent: no expiry or clock check (a move history inside an export) */
  nowMs?: number
  /** the DHT key it was found under, as text */
  dhtKey?: string
}

const utf8 = new TextEncoder()
const SECTIONS = 8
const ED25519_KEY_BYTES = 32
const ED25519_SIGNATURE_BYTES = 64
const HEX_64 = /^[0-9a-f]{64}$/

function prefixed (domain: string, json: string): Uint8Array {
  return utf8.encode(domain + json)
}

function hashHex (...parts: Array<string | Uint8Array>): string {
  const hash = createHash('sha256')
  for (const part of parts) hash.update(part)
  return hash.digest('hex')
}

/** `/fedmesh-participant/<hex>` of a participant key id. */
export function redirectKeyOfIdentity (keyId: string): string {
  return `/${PARTICIPANT_REDIRECT_NAMESPACE}/${keyId}`
}

/** `/fedmesh-participant/<hex>` of a location (a participant id). */
export function redirectKeyOfLocation (participantId: string): string {
  return `/${PARTICIPANT_REDIRECT_NAMESPACE}/${hashHex(LOCATION_HASH_DOMAIN, participantId)}`
}

function bodyJson (r: Redirect): string {
  const { version, federation_id, key, from, to, seq, prev, issued_at, grace_until, signed_by, countersigner } = r
  return canonicalJson({ version, federation_id, key, from, to, seq, prev, issued_at, grace_until, signed_by, countersigner })
}

function bindingJson (b: HomeBinding): string {
  const { version, federation_id, participant, key, recovery_key, node, issued_at } = b
  return canonicalJson({ version, federation_id, participant, key, recovery_key, node, issued_at })
}

/** The `prev` link to this redirect: hex SHA-256 of domain ‖ its body. */
export function redirectHash (redirect: Redirect): string {
  return hashHex(REDIRECT_HASH_DOMAIN, bodyJson(redirect))
}

function schema (field: string, problem: string): RedirectSchemaError {
  return new RedirectSchemaError(`redirect ${field} ${problem}`)
}

function isTime (value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0
}

/** Checks a redirect's fields; throws RedirectSchemaError. */
export function checkRedirect (r: Redirect): void {
  if (r.version !== REDIRECT_VERSION) throw schema('version', `${String(r.version)} is not supported`)
  if (typeof r.federation_id !== 'string' || r.federation_id.length === 0 || r.federation_id.length > 64) throw schema('federation_id', 'must be a slug')
  if (typeof r.key !== 'string' || !HEX_64.test(r.key)) throw schema('key', 'must be a hex SHA-256')
  if (typeof r.from !== 'string' || typeof r.to !== 'string') throw schema('from/to', 'must be participant ids')
  try {
    parseParticipantId(r.from)
    parseParticipantId(r.to)
  } catch (err) {
    throw schema('from/to', (err as Error).message)
  }
  if (r.from === r.to) throw schema('to', 'must differ from from')
  if (!Number.isSafeInteger(r.seq) || r.seq < 1) throw schema('seq', 'must be an integer ≥ 1')
  if (r.prev !== null && (typeof r.prev !== 'string' || !HEX_64.test(r.prev))) throw schema('prev', 'must be null or a hex SHA-256')
  if ((r.seq === 1) !== (r.prev === null)) throw schema('prev', 'is null exactly for seq 1')
  if (!isTime(r.issued_at) || !isTime(r.grace_until)) throw schema('issued_at/grace_until', 'must be positive millisecond times')
  if (r.grace_until < r.issued_at || r.grace_until - r.issued_at > MOVE_GRACE_MS_MAX) throw schema('grace_until', `must be from issued_at to ${MOVE_GRACE_MS_MAX} ms after it`)
  if (r.signed_by !== 'key' && r.signed_by !== 'recovery') throw schema('signed_by', 'must be "key" or "recovery"')
  if (typeof r.countersigner !== 'string' || r.countersigner.length === 0 || r.countersigner.length > 128) throw schema('countersigner', 'must be a PeerId')
}

function checkBinding (b: HomeBinding): void {
  const fail = (problem: string): never => { throw new RedirectBindingError(`home binding ${problem}`) }
  if (b.version !== REDIRECT_VERSION) fail('version is not supported')
  if (typeof b.key !== 'string' || !HEX_64.test(b.key)) fail('key must be a hex SHA-256')
  if (b.recovery_key !== null && (typeof b.recovery_key !== 'string' || !HEX_64.test(b.recovery_key))) fail('recovery_key must be null or a hex SHA-256')
  if (typeof b.participant !== 'string' || typeof b.node !== 'string' || typeof b.federation_id !== 'string') fail('fields must be strings')
  if (!isTime(b.issued_at)) fail('issued_at must be a positive time')
}

/** The bytes the participant signs. */
export function redirectSigningBytes (redirect: Redirect): Uint8Array {
  checkRedirect(redirect)
  return prefixed(REDIRECT_SIGNING_DOMAIN, bodyJson(redirect))
}

/** The bytes the receiving node countersigns. */
export function redirectCountersigningBytes (redirect: Redirect): Uint8Array {
  checkRedirect(redirect)
  return prefixed(REDIRECT_COUNTERSIGN_DOMAIN, bodyJson(redirect))
}

/** The bytes a home node signs for a binding. */
export function homeBindingBytes (binding: HomeBinding): Uint8Array {
  checkBinding(binding)
  return prefixed(HOME_BINDING_SIGNING_DOMAIN, bindingJson(binding))
}

/** The home node's binding of one of its participants to its key(s). */
export function signHomeBinding (binding: HomeBinding, nodeSigner: HybridSigner): SignedHomeBinding {
  return { binding, signature: nodeSigner.sign(homeBindingBytes(binding)) }
}

/** Verifies a home binding with its node's membership key and that the node is the home of its participant's site; throws RedirectBindingError. */
export function verifyHomeBinding (signed: SignedHomeBinding, membership: RedirectMembership, verifier: SignatureVerifier, federationId: string): HomeBinding {
  const b = signed.binding
  const bytes = homeBindingBytes(b)
  if (b.federation_id !== federationId) throw new RedirectBindingError(`home binding is for federation ${b.federation_id.slice(0, 64)}`)
  const site = parseParticipantId(b.participant).node
  if (membership.nodeOfSite(site) !== b.node) throw new RedirectBindingError(`home binding of ${b.participant} is signed by ${b.node.slice(0, 100)}, not the member of site ${site}`)
  const key = membership.nodeKey(b.node)
  if (key === undefined) throw new RedirectBindingError(`home binding signer ${b.node.slice(0, 100)} is not a member`)
  if (!verifier.verify(key, bytes, signed.signature)) throw new RedirectBindingError(`home binding of ${b.participant} does not verify with ${b.node.slice(0, 100)}'s membership key`)
  return b
}

/**
 * Signs a redirect as the participant (or its recovery key) and countersigns it
 * as the receiving node: the two halves of a move, made on the receiving node.
 */
export function signRedirect (input: { redirect: Redirect, participant: HybridSigner, identityKey: HybridPublicKey, node: HybridSigner, home: SignedHomeBinding }): SignedRedirect {
  const { redirect, participant, identityKey, node, home } = input
  return {
    redirect,
    signerKey: participant.publicKey,
    identityKey,
    signature: participant.sign(redirectSigningBytes(redirect)),
    countersignature: node.sign(redirectCountersigningBytes(redirect)),
    home
  }
}

function encodeKey (key: HybridPublicKey): Uint8Array {
  const out = new Uint8Array(1 + key.ed25519.length + key.mldsa.length)
  out[0] = key.mldsaLevel
  out.set(key.ed25519, 1)
  out.set(key.mldsa, 1 + key.ed25519.length)
  return out
}

function decodeKey (bytes: Uint8Array): HybridPublicKey {
  const level = bytes[0]
  if (bytes.length <= 1 + ED25519_KEY_BYTES || (level !== 44 && level !== 65 && level !== 87)) throw new MalformedRedirectError('a public key is level ‖ Ed25519 ‖ ML-DSA')
  return { mldsaLevel: level as MlDsaLevel, ed25519: bytes.slice(1, 1 + ED25519_KEY_BYTES), mldsa: bytes.slice(1 + ED25519_KEY_BYTES) }
}

function encodeSignature (signature: HybridSignature): Uint8Array {
  const out = new Uint8Array(signature.ed25519.length + signature.mldsa.length)
  out.set(signature.ed25519, 0)
  out.set(signature.mldsa, signature.ed25519.length)
  return out
}

function decodeSignature (bytes: Uint8Array): HybridSignature {
  if (bytes.length <= ED25519_SIGNATURE_BYTES) throw new MalformedRedirectError('a signature is Ed25519 ‖ ML-DSA')
  return { ed25519: bytes.slice(0, ED25519_SIGNATURE_BYTES), mldsa: bytes.slice(ED25519_SIGNATURE_BYTES) }
}

function sameKey (a: HybridPublicKey, b: HybridPublicKey): boolean {
  return participantKeyId(a) === participantKeyId(b)
}

/** The record bytes of a signed redirect (what goes in the DHT). */
export function encodeRedirect (signed: SignedRedirect): Uint8Array {
  const sections = [
    utf8.encode(bodyJson(signed.redirect)),
    encodeKey(signed.signerKey),
    signed.redirect.signed_by === 'key' ? new Uint8Array(0) : encodeKey(signed.identityKey),
    encodeSignature(signed.signature),
    encodeSignature(signed.countersignature),
    utf8.encode(bindingJson(signed.home.binding)),
    encodeSignature(signed.home.signature),
    new Uint8Array(0)
  ]
  const total = sections.reduce((sum, s) => sum + 4 + s.length, 0)
  const out = new Uint8Array(total)
  const view = new DataView(out.buffer)
  let at = 0
  for (const section of sections) {
    view.setUint32(at, section.length)
    out.set(section, at + 4)
    at += 4 + section.length
  }
  return out
}

function parseJson (bytes: Uint8Array, what: string): Record<string, unknown> {
  if (bytes.length > REDIRECT_BODY_BYTES_MAX) throw new MalformedRedirectError(`${what} is longer than ${REDIRECT_BODY_BYTES_MAX} bytes`)
  let value: unknown
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes))
  } catch {
    throw new MalformedRedirectError(`${what} is not JSON`)
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new MalformedRedirectError(`${what} is not an object`)
  return value as Record<string, unknown>
}

/** Decodes record bytes (size and framing only: no signature is checked); throws MalformedRedirectError. */
export function decodeRedirect (bytes: Uint8Array): SignedRedirect {
  if (bytes.length > REDIRECT_BYTES_MAX) throw new MalformedRedirectError(`redirect of ${bytes.length} bytes exceeds ${REDIRECT_BYTES_MAX}`)
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const sections: Uint8Array[] = []
  let at = 0
  while (sections.length < SECTIONS) {
    if (at + 4 > bytes.length) throw new MalformedRedirectError('redirect record is truncated')
    const length = view.getUint32(at)
    if (at + 4 + length > bytes.length) throw new MalformedRedirectError('redirect record is truncated')
    sections.push(bytes.subarray(at + 4, at + 4 + length))
    at += 4 + length
  }
  if (at !== bytes.length) throw new MalformedRedirectError('redirect record has trailing bytes')
  const redirect = parseJson(sections[0]!, 'redirect body') as unknown as Redirect
  const binding = parseJson(sections[5]!, 'home binding') as unknown as HomeBinding
  const signerKey = decodeKey(sections[1]!)
  const identityKey = redirect.signed_by === 'recovery' ? decodeKey(sections[2]!) : signerKey
  return {
    redirect,
    signerKey,
    identityKey,
    signature: decodeSignature(sections[3]!),
    countersignature: decodeSignature(sections[4]!),
    home: { binding, signature: decodeSignature(sections[6]!) }
  }
}

/**
 * Validates a redirect, cheapest first and signatures last: schema, expiry,
 * DHT key, key ids, the home binding (signed by the member of `from`'s site),
 * the countersignature (the member of `to`'s site), and the participant's
 * signature (its key, or the recovery key its home binding names).
 */
export function validateRedirect (signed: SignedRedirect, check: RedirectCheck): Redirect {
  const r = signed.redirect
  checkRedirect(r)
  checkBinding(signed.home.binding)
  if (r.federation_id !== check.federationId) throw schema('federation_id', `is ${r.federation_id.slice(0, 64)}, this node is in ${check.federationId}`)
  if (check.nowMs !== undefined) {
    if (check.nowMs > r.grace_until) throw new RedirectExpiredError(`the redirect of ${r.from} expired at ${new Date(r.grace_until).toISOString()}`)
    if (r.issued_at > check.nowMs + REDIRECT_CLOCK_SKEW_MS_MAX) throw new RedirectClockError(`redirect issued ${r.issued_at - check.nowMs} ms in the future`)
  }
  if (check.dhtKey !== undefined && check.dhtKey !== redirectKeyOfIdentity(r.key) && check.dhtKey !== redirectKeyOfLocation(r.from)) {
    throw new RedirectKeyMismatchError(`a redirect of ${r.from} is stored under neither its key hash nor its location hash`)
  }
  if (participantKeyId(signed.identityKey) !== r.key) throw new RedirectSignatureError('the identity key carried is not the redirect\'s key')
  const home = signed.home.binding
  if (home.participant !== r.from || home.key !== r.key) throw new RedirectBindingError(`the home binding is for ${home.participant.slice(0, 200)}, not for ${r.from} with this key`)
  if (r.signed_by === 'recovery') {
    if (home.recovery_key === null) throw new RedirectSignatureError(`${r.from} has no recovery key in its home binding`)
    if (participantKeyId(signed.signerKey) !== home.recovery_key) throw new RedirectSignatureError('the signing key is not the recovery key of the home binding')
  } else if (!sameKey(signed.signerKey, signed.identityKey)) {
    throw new RedirectSignatureError('a key-signed redirect must be signed by the identity key')
  }
  const toSite = parseParticipantId(r.to).node
  const receiver = check.membership.nodeOfSite(toSite)
  if (receiver === undefined || receiver !== r.countersigner) throw new RedirectCountersignatureError(`the countersigner ${r.countersigner.slice(0, 100)} is not the member of site ${toSite}`)
  const receiverKey = check.membership.nodeKey(receiver)
  if (receiverKey === undefined) throw new RedirectCountersignatureError(`the countersigner ${receiver} is not a member`)
  verifyHomeBinding(signed.home, check.membership, check.verifier, check.federationId)
  if (!check.verifier.verify(receiverKey, redirectCountersigningBytes(r), signed.countersignature)) {
    throw new RedirectCountersignatureError(`the countersignature of ${receiver} on the redirect of ${r.from} does not verify`)
  }
  if (!check.verifier.verify(signed.signerKey, redirectSigningBytes(r), signed.signature)) {
    throw new RedirectSignatureError(`the redirect of ${r.from} does not verify with the participant's ${r.signed_by === 'key' ? 'key' : 'recovery key'}`)
  }
  return r
}

function compareBytes (a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! - b[i]!
  return a.length - b.length
}

/**
 * Which of two (valid) redirects wins: a recovery-signed one beats a
 * key-signed one issued within `recoveryWindowMs` of it (either side: the
 * stolen key's record and what follows it); otherwise the higher seq, then
 * the later issued_at, then the larger body bytes (the same choice everywhere).
 * Returns > 0 when `a` wins.
 */
export function compareRedirects (a: Redirect, b: Redirect, recoveryWindowMs: number): number {
  if (a.signed_by !== b.signed_by) {
    const [recovery, key, sign] = a.signed_by === 'recovery' ? [a, b, 1] : [b, a, -1]
    if (Math.abs(key.issued_at - recovery.issued_at) <= recoveryWindowMs) return sign
  }
  if (a.seq !== b.seq) return a.seq - b.seq
  if (a.issued_at !== b.issued_at) return a.issued_at - b.issued_at
  return compareBytes(utf8.encode(bodyJson(a)), utf8.encode(bodyJson(b)))
}

/** The index of the winning redirect among valid ones (first on a full tie); -1 for none. */
export function selectRedirect (redirects: readonly Redirect[], recoveryWindowMs: number): number {
  let best = -1
  for (let i = 0; i < redirects.length; i++) {
    if (best < 0 || compareRedirects(redirects[i]!, redirects[best]!, recoveryWindowMs) > 0) best = i
  }
  return best
}
