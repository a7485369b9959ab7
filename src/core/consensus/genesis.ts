/**
 * The genesis file: a federation's first membership and decision policy,
 * signed by every founding member. Loading it means verifying it: a genesis
 * missing any founder's valid hybrid signature is refused.
 *
 * Signed bytes: `"fedmesh/genesis/1\n" ‖ canonical-JSON(body)`, where body is
 * the parsed document (defaults filled in) without `signatures`.
 *
 * The ceremony (Cosmos SDK's gentx → collect-gentxs, in files): each founder
 * makes a self-signed founder entry; one assembles the unsigned genesis from
 * them; each founder signs it on its own machine (`signGenesisAs`, a signature
 * file); the signature files are combined into the signed genesis
 * (`combineGenesisSignatures`); every node verifies it before loading it.
 */
import { createHash } from 'node:crypto'
import { z } from 'zod'
import { stringify as stringifyYaml } from 'yaml'
import { parseDocument } from './document.ts'
import { fromString, toString } from 'uint8arrays'
import { InputError } from '../errors.ts'
import type { HybridSigner, SignatureVerifier } from '../signature.ts'
import { canonicalJson } from './canonical.ts'
import { GENESIS_DOMAIN, MEMBERS_MAX, MIN_PARTICIPATING_NODES_DEFAULT } from './constants.ts'
import { federationIdSchema } from './event.ts'
import { hybridSignatureJsonSchema, memberFromJson, memberJsonSchema, nodeIdSchema, publicKeyFromJson, type MemberJson } from './member.ts'
import { createMembership, type Membership } from './membership.ts'
import { thresholdSchema, TIE_BREAKING_RULES, type ConsensusPolicy } from './threshold.ts'

export const GENESIS_VERSION = 1
/** A genesis file's size in bytes: 1024 members with ML-DSA-87 keys and signatures fit well under it. */
export const GENESIS_FILE_BYTES_MAX = 16 * 1024 * 1024
/** A signature file: one hybrid signature (ML-DSA-87 at most) in base64 and a few names. */
export const GENESIS_SIGNATURE_FILE_BYTES_MAX = 64 * 1024

/** The `consensus:` policy section of a genesis file, defaults filled in. */
export const policySchema = z.strictObject({
  threshold: thresholdSchema.default('bft'),
  min_participating_nodes: z.number().int().min(1).default(MIN_PARTICIPATING_NODES_DEFAULT),
  tie_breaking: z.enum(TIE_BREAKING_RULES).default('timestamp_priority')
})

const genesisBodySchema = z.strictObject({
  version: z.literal(GENESIS_VERSION),
  federation_id: federationIdSchema,
  /** ISO 8601 time the founders agreed on; founders' `joined_at` */
  created_at: z.iso.datetime({ offset: true }),
  consensus: policySchema.default(() => policySchema.parse({})),
  members: z.array(memberJsonSchema).min(1).max(MEMBERS_MAX)
})
export type GenesisBody = z.output<typeof genesisBodySchema>

const genesisSignatureSchema = hybridSignatureJsonSchema.extend({ node_id: nodeIdSchema })

/** A whole genesis document: the signed body plus the founders' signatures. */
export const genesisSchema = genesisBodySchema.extend({ signatures: z.array(genesisSignatureSchema).max(MEMBERS_MAX).default([]) })
export type GenesisDocument = z.output<typeof genesisSchema>

export class GenesisFormatError extends InputError {
  static override readonly code = 'GenesisFormatError'
  override readonly name = 'GenesisFormatError'
}

/** A founding member did not sign, or signed twice, or a non-member signed. */
export class GenesisSignersError extends InputError {
  static override readonly code = 'GenesisSignersError'
  override readonly name = 'GenesisSignersError'
}

export class GenesisSignatureError extends InputError {
  static override readonly code = 'GenesisSignatureError'
  override readonly name = 'GenesisSignatureError'
}

/** Parses a genesis document (YAML text or an object); throws GenesisFormatError naming each bad field. */
export function parseGenesis (input: string | unknown): GenesisDocument {
  return parseDocument(input, { schema: genesisSchema, syntax: 'YAML', bytesMax: GENESIS_FILE_BYTES_MAX, source: 'genesis file', subject: 'genesis', error: (message, options) => new GenesisFormatError(message, options) })
}

/** The exact bytes each founder signs. */
export function genesisMessage (document: GenesisBody): Uint8Array {
  const { signatures: _ignored, ...body } = document as GenesisDocument
  void _ignored
  const parsed = genesisBodySchema.parse(body) // normalised: defaults filled, unknown keys refused
  return new TextEncoder().encode(`${GENESIS_DOMAIN}\n${canonicalJson(parsed)}`)
}

/** SHA-256 (hex) of the signed bytes: what a signature file names so it cannot be combined into another genesis. */
export function genesisDigest (document: GenesisBody): string {
  return createHash('sha256').update(genesisMessage(document)).digest('hex')
}

/** One founder's signature over a genesis, as a file of its own (`fedmesh genesis sign` writes it, `combine` merges them). */
export const genesisSignatureFileSchema = z.strictObject({
  version: z.literal(GENESIS_VERSION),
  federation_id: federationIdSchema,
  /** `genesisDigest` of the genesis signed */
  genesis_digest: z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex characters (SHA-256)'),
  signature: genesisSignatureSchema
})
export type GenesisSignatureFile = z.output<typeof genesisSignatureFileSchema>

/** A signature file does not belong to this genesis (another digest or federation). */
export class GenesisSignatureFileError extends InputError {
  static override readonly code = 'GenesisSignatureFileError'
  override readonly name = 'GenesisSignatureFileError'
}

/** Parses a signature file (JSON text or an object); GenesisFormatError names each bad field. */
export function parseGenesisSignatureFile (input: string | unknown, source = 'signature file'): GenesisSignatureFile {
  return parseDocument(input, { schema: genesisSignatureFileSchema, syntax: 'JSON', bytesMax: GENESIS_SIGNATURE_FILE_BYTES_MAX, source, error: (message, options) => new GenesisFormatError(message, options) })
}

/** A founder's name in messages: its node id and, when it has one, its site id. */
function founderName (document: GenesisBody, nodeId: string): string {
  const site = document.members.find((m) => m.node_id === nodeId)?.site_id
  return site === undefined ? nodeId : `${nodeId} (site ${site})`
}

/**
 * One founder signs a genesis on its own machine: only its own signer is needed.
 * GenesisSignersError when `nodeId` is not a founding member, or its key in the genesis is not `signer`'s.
 */
export function signGenesisAs (document: GenesisBody, nodeId: string, signer: HybridSigner): GenesisSignatureFile {
  const member = document.members.find((m) => m.node_id === nodeId)
  if (member === undefined) throw new GenesisSignersError(`${nodeId} is not a founding member of this genesis (federation "${document.federation_id}"): only founders sign it`)
  const ownKey = signer.publicKey
  if (member.public_key.ed25519 !== toString(ownKey.ed25519, 'base64pad') || member.public_key.mldsa !== toString(ownKey.mldsa, 'base64pad')) {
    throw new GenesisSignersError(`the genesis lists another public key for ${founderName(document, nodeId)} than this node's: re-issue its founder entry`)
  }
  const signature = signer.sign(genesisMessage(document))
  return {
    version: GENESIS_VERSION,
    federation_id: document.federation_id,
    genesis_digest: genesisDigest(document),
    signature: { node_id: nodeId, ed25519: toString(signature.ed25519, 'base64pad'), mldsa: toString(signature.mldsa, 'base64pad') }
  }
}

/** Signs a genesis body with every founder's signer in one process (tests and the sim; operators use `signGenesisAs` each). */
export function signGenesis (document: GenesisBody, signers: ReadonlyMap<string, HybridSigner>): GenesisDocument {
  const { signatures: _previous, ...body } = document as GenesisDocument // re-signing replaces any signatures
  void _previous
  const signatures = body.members.map((member) => {
    const signer = signers.get(member.node_id)
    if (signer === undefined) throw new GenesisSignersError(`no signer for founding member ${member.node_id}`)
    return signGenesisAs(body, member.node_id, signer).signature
  })
  return { ...genesisBodySchema.parse(body), signatures }
}

/** Whose signature is there, missing, bad, doubled or from a non-founder. */
export interface GenesisSignatureReport {
  /** founders whose signature verifies */
  valid: string[]
  /** founders with no signature */
  missing: string[]
  /** founders whose signature does not verify */
  bad: string[]
  /** signers that are not founders */
  strangers: string[]
  /** founders that signed more than once */
  doubled: string[]
}

/** Checks every signature of a genesis and reports per founder (nothing thrown). */
export function genesisSignatureReport (document: GenesisDocument, verifier: SignatureVerifier): GenesisSignatureReport {
  const message = genesisMessage(document)
  const founders = new Map(document.members.map((m) => [m.node_id, m]))
  const seen = new Set<string>()
  const report: GenesisSignatureReport = { valid: [], missing: [], bad: [], strangers: [], doubled: [] }
  for (const signature of document.signatures) {
    const member = founders.get(signature.node_id)
    if (member === undefined) { report.strangers.push(signature.node_id); continue }
    if (seen.has(signature.node_id)) { if (!report.doubled.includes(signature.node_id)) report.doubled.push(signature.node_id); continue }
    seen.add(signature.node_id)
    const ok = verifier.verify(publicKeyFromJson(member.public_key), message, {
      ed25519: fromString(signature.ed25519, 'base64pad'),
      mldsa: fromString(signature.mldsa, 'base64pad')
    })
    if (ok) report.valid.push(signature.node_id)
    else report.bad.push(signature.node_id)
  }
  report.missing = document.members.map((m) => m.node_id).filter((id) => !seen.has(id))
  return report
}

/** Throws the named error for a report with any problem: every missing or bad founder is named. */
export function assertGenesisSignatures (document: GenesisDocument, report: GenesisSignatureReport): void {
  const names = (ids: string[]): string => ids.map((id) => founderName(document, id)).join(', ')
  if (report.strangers.length > 0) throw new GenesisSignersError(`genesis signed by ${report.strangers.join(', ')}, not founding member(s)`)
  if (report.doubled.length > 0) throw new GenesisSignersError(`genesis signed twice by ${names(report.doubled)}`)
  if (report.bad.length > 0) {
    throw new GenesisSignatureError(`genesis signature of ${names(report.bad)} does not verify${report.missing.length > 0 ? `; also missing the signature of ${names(report.missing)}` : ''}`)
  }
  if (report.missing.length > 0) throw new GenesisSignersError(`genesis lacks the signature of founding member(s) ${names(report.missing)}`)
}

/**
 * Adds signature files to a genesis (replacing earlier signatures of the same founders).
 * Each file must be for this genesis (digest, federation) by a founder, and verify:
 * GenesisSignatureFileError / GenesisSignersError / GenesisSignatureError name the file and the founder.
 */
export function combineGenesisSignatures (document: GenesisDocument, files: ReadonlyArray<{ source: string, file: GenesisSignatureFile }>, verifier: SignatureVerifier): GenesisDocument {
  const digest = genesisDigest(document)
  const message = genesisMessage(document)
  const bySigner = new Map(document.signatures.map((s) => [s.node_id, s]))
  const fromFiles = new Set<string>()
  for (const { source, file } of files) {
    if (file.federation_id !== document.federation_id) throw new GenesisSignatureFileError(`${source} is for federation "${file.federation_id}", the genesis is for "${document.federation_id}"`)
    if (file.genesis_digest !== digest) throw new GenesisSignatureFileError(`${source} signs another genesis (digest ${file.genesis_digest.slice(0, 16)}…, this one is ${digest.slice(0, 16)}…): the file changed after it was signed`)
    const { node_id: nodeId } = file.signature
    const member = document.members.find((m) => m.node_id === nodeId)
    if (member === undefined) throw new GenesisSignersError(`${source} is signed by ${nodeId}, not a founding member`)
    if (fromFiles.has(nodeId)) throw new GenesisSignersError(`${source}: a second signature file of ${founderName(document, nodeId)}`)
    fromFiles.add(nodeId)
    const ok = verifier.verify(publicKeyFromJson(member.public_key), message, { ed25519: fromString(file.signature.ed25519, 'base64pad'), mldsa: fromString(file.signature.mldsa, 'base64pad') })
    if (!ok) throw new GenesisSignatureError(`${source}: the signature of ${founderName(document, nodeId)} does not verify`)
    bySigner.set(nodeId, file.signature)
  }
  // in the members' order, so combining the same files in any order gives the same document
  const signatures = document.members.flatMap((m) => { const s = bySigner.get(m.node_id); return s === undefined ? [] : [s] })
  return { ...document, signatures }
}

/** Verifies every founder's signature and returns the genesis membership (epoch 0) and policy; names each missing or bad founder. */
export function verifyGenesis (document: GenesisDocument, verifier: SignatureVerifier): { membership: Membership, policy: ConsensusPolicy } {
  const joinedAt = Date.parse(document.created_at)
  const membership = createMembership(document.federation_id, document.members.map((m) => memberFromJson(m, joinedAt)))
  assertGenesisSignatures(document, genesisSignatureReport(document, verifier))
  return { membership, policy: document.consensus }
}

/** What `assembleGenesis` needs: the founders' entries (already self-signature-checked) and the policy. */
export interface GenesisAssembly {
  federation_id: string
  /** ISO 8601; the founders' `joined_at` */
  created_at: string
  consensus?: Partial<ConsensusPolicy>
  members: MemberJson[]
}

/** An unsigned genesis from founder entries; DuplicateMemberError / DuplicateSiteError name the clash. */
export function assembleGenesis (assembly: GenesisAssembly): GenesisDocument {
  const parsed = genesisSchema.safeParse({ version: GENESIS_VERSION, ...assembly, consensus: assembly.consensus ?? {}, signatures: [] })
  if (!parsed.success) {
    throw new GenesisFormatError(`invalid genesis: ${parsed.error.issues.map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`).join('; ')}`)
  }
  // the same checks the membership makes (unique node ids, unique site ids), before anyone signs
  createMembership(parsed.data.federation_id, parsed.data.members.map((m) => memberFromJson(m, 0)))
  return parsed.data
}

/** The YAML text of a genesis document. */
export function formatGenesis (document: GenesisDocument): string {
  return stringifyYaml(document, { lineWidth: 0 })
}
