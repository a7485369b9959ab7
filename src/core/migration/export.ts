/**
 * The participant export: everything a participant's home node knows about it
 * (record, key, move history, chains with their evidence, attestations), in
 * a versioned JSON document signed by the home node. Any node holding the
 * membership verifies every signature inside (`verifyExport`) before it
 * imports anything. Schema: docs/participant-export.md.
 *
 * Byte values (keys, signatures) are `{ "$bytes": base64 }` objects inside
 * chains and attestations (the store's JSON form), base64 strings elsewhere.
 */
import { fromString, toString } from 'uint8arrays'
import { canonicalJson } from '../consensus/canonical.ts'
import type { HybridPublicKey, HybridSignature, HybridSigner, SignatureVerifier } from '../signature.ts'
import { parseParticipantId } from '../identity/participant-id.ts'
import { publicKeyFromClaims, type PublicKeyClaims } from '../chain/node-statement.ts'
import { verifyCertificate } from '../chain/certificate.ts'
import { verifyParticipantStatement } from '../chain/participant-statements.ts'
import type { ChainRecord } from '../chain/state.ts'
import type { SignedStatement } from '../identity/statement.ts'
import { validateAttestation, type SignedAttestation } from '../attestation/attestation.ts'
import {
  EXPORT_ATTESTATIONS_MAX, EXPORT_CHAINS_MAX, EXPORT_FORMAT, EXPORT_REDIRECTS_MAX, EXPORT_SIGNING_DOMAIN, EXPORT_VERSION
} from './constants.ts'
import { InvalidExportError } from './errors.ts'
import { decodeRedirect, participantKeyId, validateRedirect, verifyHomeBinding, type HomeBinding, type Redirect, type RedirectMembership, type SignedHomeBinding } from './redirect.ts'

/** A hybrid signature in JSON. */
export interface SignatureJson {
  ed25519: string
  mldsa: string
}

/** What an export says about the participant itself. */
export interface ExportedParticipant {
  id: string
  offers: string[]
  needs: string[]
  weight?: number
  added_at: number
  public_key: PublicKeyClaims
  recovery_key: PublicKeyClaims | null
  /** its signed standing consent rule, if any (stored JSON form) */
  auto_consent?: unknown
}

/** The export document, without its signature. */
export interface ExportBody {
  format: typeof EXPORT_FORMAT
  version: number
  federation_id: string
  exported_at_ms: number
  /** the signing home node */
  home: { node: string, site: string }
  participant: ExportedParticipant
  /** the home node's binding of the participant id to its key(s) (what redirects carry) */
  binding: { binding: HomeBinding, signature: SignatureJson }
  /** the site it is moving to (set by `participant move`), null for a plain export */
  moving_to: string | null
  /** earlier redirects (base64 records), oldest first: how it came here */
  redirects: string[]
  /** every chain record it is bound in (stored JSON form) */
  chains: unknown[]
  /** attestations about it, the home node's final one last (stored JSON form) */
  attestations: unknown[]
}

export interface ParticipantExport extends ExportBody {
  signature: SignatureJson
}

/** What an import gets after verification. */
export interface VerifiedExport {
  document: ParticipantExport
  publicKey: HybridPublicKey
  recoveryKey: HybridPublicKey | null
  binding: SignedHomeBinding
  redirects: Redirect[]
  chains: ChainRecord[]
  attestations: SignedAttestation[]
}

export interface ExportCheck {
  membership: RedirectMembership
  verifier: SignatureVerifier
  federationId: string
  nowMs: number
}

const utf8 = new TextEncoder()

/** A signature to JSON. */
export function signatureToJson (signature: HybridSignature): SignatureJson {
  return { ed25519: toString(signature.ed25519, 'base64pad'), mldsa: toString(signature.mldsa, 'base64pad') }
}

function signatureFromJson (json: unknown, what: string): HybridSignature {
  const s = json as Partial<SignatureJson> | null
  if (s === null || typeof s !== 'object' || typeof s.ed25519 !== 'string' || typeof s.mldsa !== 'string') throw new InvalidExportError(`${what} must be { ed25519, mldsa } in base64`)
  try {
    return { ed25519: fromString(s.ed25519, 'base64pad'), mldsa: fromString(s.mldsa, 'base64pad') }
  } catch {
    throw new InvalidExportError(`${what} is not base64`)
  }
}

/** The exact bytes the home node signs: domain ‖ canonical JSON of the body. */
export function exportSigningBytes (body: ExportBody): Uint8Array {
  return utf8.encode(EXPORT_SIGNING_DOMAIN + canonicalJson(body))
}

/** Signs an export body as its home node. */
export function signExport (body: ExportBody, nodeSigner: HybridSigner): ParticipantExport {
  return { ...body, signature: signatureToJson(nodeSigner.sign(exportSigningBytes(body))) }
}

/** The store's `{ $bytes }` JSON form back to values with Uint8Arrays. */
export function restoreBytes (value: unknown): unknown {
  if (Array.isArray(value)) return value.map(restoreBytes)
  if (value !== null && typeof value === 'object') {
    const bytes = (value as { $bytes?: unknown }).$bytes
    if (typeof bytes === 'string' && Object.keys(value).length === 1) return fromString(bytes, 'base64pad')
    const out: Record<string, unknown> = {}
    for (const [key, inner] of Object.entries(value)) out[key] = restoreBytes(inner)
    return out
  }
  return value
}

function fail (what: string, cause?: unknown): never {
  throw new InvalidExportError(`participant export: ${what}`, cause === undefined ? undefined : { cause })
}

function isObject (value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
}

function checkShape (doc: ParticipantExport): void {
  if (!isObject(doc)) fail('is not a JSON object')
  if (doc.format !== EXPORT_FORMAT) fail(`format must be "${EXPORT_FORMAT}"`)
  if (doc.version !== EXPORT_VERSION) fail(`version ${String(doc.version)} is not supported (this node reads ${EXPORT_VERSION})`)
  if (typeof doc.federation_id !== 'string') fail('federation_id must be a string')
  if (!Number.isSafeInteger(doc.exported_at_ms)) fail('exported_at_ms must be a time')
  if (!isObject(doc.home) || typeof doc.home.node !== 'string' || typeof doc.home.site !== 'string') fail('home must be { node, site }')
  if (!isObject(doc.participant) || typeof doc.participant.id !== 'string') fail('participant must be an object with an id')
  if (!Array.isArray(doc.participant.offers) || !Array.isArray(doc.participant.needs)) fail('participant offers and needs must be arrays')
  if (!Number.isSafeInteger(doc.participant.added_at)) fail('participant added_at must be a time')
  if (!isObject(doc.binding)) fail('binding must be an object')
  if (doc.moving_to !== null && typeof doc.moving_to !== 'string') fail('moving_to must be null or a site id')
  if (!Array.isArray(doc.redirects) || doc.redirects.length > EXPORT_REDIRECTS_MAX) fail(`redirects must be an array of at most ${EXPORT_REDIRECTS_MAX}`)
  if (!Array.isArray(doc.chains) || doc.chains.length > EXPORT_CHAINS_MAX) fail(`chains must be an array of at most ${EXPORT_CHAINS_MAX}`)
  if (!Array.isArray(doc.attestations) || doc.attestations.length > EXPORT_ATTESTATIONS_MAX) fail(`attestations must be an array of at most ${EXPORT_ATTESTATIONS_MAX}`)
}

/** The participant's statements of a chain it signed (by its bound step). */
function participantStatements (record: ChainRecord, participant: string): SignedStatement[] {
  const all = [...record.consents, ...record.refusals, ...record.deliveries, ...record.confirmations]
  return all.filter((s): s is SignedStatement => s !== null && s.statement.participant === participant)
}

function verifyChain (record: ChainRecord, participant: string, keyId: string, check: ExportCheck): void {
  if (!isObject(record) || typeof record.id !== 'string' || !Array.isArray(record.bindings) || !isObject(record.proposal)) fail('a chain record is malformed')
  const bound = record.bindings.filter((b) => b !== null && b.participant === participant)
  if (bound.length === 0) fail(`chain ${record.id.slice(0, 64)} does not bind ${participant}`)
  for (const binding of bound) if (participantKeyId(binding!.publicKey) !== keyId) fail(`chain ${record.id.slice(0, 12)} binds ${participant} to another key`)
  const nodeKey = (node: string): HybridPublicKey | undefined => check.membership.nodeKey(node)
  const commits = Object.values(record.commits ?? {})
  if (record.involved.length > 0 && commits.length === record.involved.length) {
    // a committed chain: its commit certificate must verify against the proposal
    const certificate = { chain: record.id, commits: [...commits].sort((a, b) => (a.node < b.node ? -1 : a.node > b.node ? 1 : 0)) }
    try {
      verifyCertificate(certificate, record.proposal.content, nodeKey, check.verifier)
    } catch (err) {
      fail(`the commit certificate of chain ${record.id.slice(0, 12)} does not verify: ${(err as Error).message}`, err)
    }
  }
  for (const statement of participantStatements(record, participant)) {
    try {
      verifyParticipantStatement(statement, participant, bound[0]!.publicKey, check.verifier)
    } catch (err) {
      fail(`a ${statement.statement.kind} of ${participant} in chain ${record.id.slice(0, 12)} does not verify`, err)
    }
  }
}

/**
 * Verifies an export completely, before anything is imported: the home node
 * is the member of the participant's site and signed the document; the home
 * binding; every earlier redirect; every chain's commit certificate and the
 * participant's own statements in it; every attestation. Throws InvalidExportError.
 */
export function verifyExport (doc: ParticipantExport, check: ExportCheck): VerifiedExport {
  checkShape(doc)
  if (doc.federation_id !== check.federationId) fail(`is for federation ${doc.federation_id.slice(0, 64)}, this node is in ${check.federationId}`)
  const site = parseParticipantId(doc.participant.id).node
  if (site !== doc.home.site) fail(`participant ${doc.participant.id} is not of the home site ${doc.home.site.slice(0, 64)}`)
  if (check.membership.nodeOfSite(site) !== doc.home.node) fail(`the home node ${doc.home.node.slice(0, 100)} is not the member of site ${site}`)
  const homeKey = check.membership.nodeKey(doc.home.node)
  if (homeKey === undefined) fail(`the home node ${doc.home.node.slice(0, 100)} is not a member`)
  const { signature, ...body } = doc
  if (!check.verifier.verify(homeKey, exportSigningBytes(body), signatureFromJson(signature, 'signature'))) fail(`the home node's signature does not verify`)
  let publicKey: HybridPublicKey
  let recoveryKey: HybridPublicKey | null
  try {
    publicKey = publicKeyFromClaims(doc.participant.public_key)
    recoveryKey = doc.participant.recovery_key === null ? null : publicKeyFromClaims(doc.participant.recovery_key)
  } catch (err) {
    fail('participant keys are malformed', err)
  }
  const keyId = participantKeyId(publicKey)
  const binding: SignedHomeBinding = { binding: doc.binding.binding, signature: signatureFromJson(doc.binding.signature, 'binding signature') }
  try {
    verifyHomeBinding(binding, check.membership, check.verifier, check.federationId)
  } catch (err) {
    fail(`the home binding does not verify: ${(err as Error).message}`, err)
  }
  const b = binding.binding
  if (b.participant !== doc.participant.id || b.key !== keyId || b.node !== doc.home.node) fail('the home binding is for another participant, key or node')
  if (b.recovery_key !== (recoveryKey === null ? null : participantKeyId(recoveryKey))) fail('the home binding names another recovery key')
  const redirects = doc.redirects.map((text, i) => {
    try {
      const r = validateRedirect(decodeRedirect(fromString(text, 'base64pad')), { membership: check.membership, verifier: check.verifier, federationId: check.federationId })
      if (r.key !== keyId) fail(`earlier redirect ${i} is for another key`)
      return r
    } catch (err) {
      if (err instanceof InvalidExportError) throw err
      fail(`earlier redirect ${i} does not verify: ${(err as Error).message}`, err)
    }
  })
  const last = redirects[redirects.length - 1]
  if (last !== undefined && last.to !== doc.participant.id) fail(`the last earlier redirect leads to ${last.to}, not to ${doc.participant.id}`)
  const chains = doc.chains.map((json) => {
    const record = restoreBytes(json) as ChainRecord
    verifyChain(record, doc.participant.id, keyId, check)
    return record
  })
  const attestations = doc.attestations.map((json) => {
    const signed = restoreBytes(json) as SignedAttestation
    try {
      validateAttestation(signed, { federationId: check.federationId, nowMs: check.nowMs, nodeKey: check.membership.nodeKey, siteOf: (node) => siteOfNode(check.membership, node, signed.attestation.participant), verifier: check.verifier })
    } catch (err) {
      fail(`an attestation does not verify: ${(err as Error).message}`, err)
    }
    if (signed.attestation.participant_key !== keyId) fail('an attestation is about another key')
    return signed
  })
  return { document: doc, publicKey, recoveryKey, binding, redirects, chains, attestations }
}

/** The site a member stands for, as far as the participant id's node part can tell (the membership maps site → node). */
function siteOfNode (membership: RedirectMembership, node: string, participant: string): string | undefined {
  const site = parseParticipantId(participant).node
  return membership.nodeOfSite(site) === node ? site : undefined
}
