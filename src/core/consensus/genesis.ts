/**
 * The genesis file: a federation's first membership and decision policy,
 * signed by every founding member. Loading it means verifying it: a genesis
 * missing any founder's valid hybrid signature is refused.
 *
 * Signed bytes: `"fedmesh/genesis/1\n" ‖ canonical-JSON(body)`, where body is
 * the parsed document (defaults filled in) without `signatures`.
 */
import { z } from 'zod'
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml'
import { fromString, toString } from 'uint8arrays'
import { InputError } from '../errors.ts'
import type { HybridSigner, SignatureVerifier } from '../signature.ts'
import { canonicalJson } from './canonical.ts'
import { GENESIS_DOMAIN, MEMBERS_MAX, MIN_PARTICIPATING_NODES_DEFAULT } from './constants.ts'
import { federationIdSchema } from './event.ts'
import { memberFromJson, memberJsonSchema, nodeIdSchema } from './member.ts'
import { createMembership, type Membership } from './membership.ts'
import { thresholdSchema, TIE_BREAKING_RULES, type ConsensusPolicy } from './threshold.ts'
import { ED25519_SIGNATURE_BYTES, MLDSA_SIGNATURE_BYTES_MAX } from './vote.ts'

export const GENESIS_VERSION = 1
/** A genesis file's size in bytes: 1024 members with ML-DSA-87 keys and signatures fit well under it. */
export const GENESIS_FILE_BYTES_MAX = 16 * 1024 * 1024

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

const base64 = /^[A-Za-z0-9+/]*={0,2}$/
const genesisSignatureSchema = z.strictObject({
  node_id: nodeIdSchema,
  ed25519: z.string().max(Math.ceil(ED25519_SIGNATURE_BYTES / 3) * 4).regex(base64, 'must be base64'),
  mldsa: z.string().max(Math.ceil(MLDSA_SIGNATURE_BYTES_MAX / 3) * 4).regex(base64, 'must be base64')
})

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
  let raw: unknown = input
  if (typeof input === 'string') {
    if (input.length > GENESIS_FILE_BYTES_MAX) throw new GenesisFormatError(`genesis file is over ${GENESIS_FILE_BYTES_MAX} bytes`)
    try {
      raw = parseYaml(input)
    } catch (err) {
      throw new GenesisFormatError(`genesis file is not valid YAML: ${(err as Error).message.split('\n')[0]}`, { cause: err })
    }
  }
  const result = genesisSchema.safeParse(raw)
  if (!result.success) {
    throw new GenesisFormatError(`invalid genesis: ${result.error.issues.map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`).join('; ')}`)
  }
  return result.data
}

/** The exact bytes each founder signs. */
export function genesisMessage (document: GenesisBody): Uint8Array {
  const { signatures: _ignored, ...body } = document as GenesisDocument
  void _ignored
  const parsed = genesisBodySchema.parse(body) // normalised: defaults filled, unknown keys refused
  return new TextEncoder().encode(`${GENESIS_DOMAIN}\n${canonicalJson(parsed)}`)
}

/** Signs a genesis body with every founder's signer (an operator tool and the tests use it). */
export function signGenesis (document: GenesisBody, signers: ReadonlyMap<string, HybridSigner>): GenesisDocument {
  const { signatures: _previous, ...body } = document as GenesisDocument // re-signing replaces any signatures
  void _previous
  const message = genesisMessage(body)
  const signatures = body.members.map((member) => {
    const signer = signers.get(member.node_id)
    if (signer === undefined) throw new GenesisSignersError(`no signer for founding member ${member.node_id}`)
    const signature = signer.sign(message)
    return { node_id: member.node_id, ed25519: toString(signature.ed25519, 'base64pad'), mldsa: toString(signature.mldsa, 'base64pad') }
  })
  return { ...genesisBodySchema.parse(body), signatures }
}

/** Verifies every founder's signature and returns the genesis membership (epoch 0) and policy. */
export function verifyGenesis (document: GenesisDocument, verifier: SignatureVerifier): { membership: Membership, policy: ConsensusPolicy } {
  const joinedAt = Date.parse(document.created_at)
  const membership = createMembership(document.federation_id, document.members.map((m) => memberFromJson(m, joinedAt)))
  const signed = new Set<string>()
  for (const signature of document.signatures) {
    if (!membership.members.has(signature.node_id)) throw new GenesisSignersError(`genesis signed by ${signature.node_id}, which is not a founding member`)
    if (signed.has(signature.node_id)) throw new GenesisSignersError(`genesis signed twice by ${signature.node_id}`)
    signed.add(signature.node_id)
  }
  const missing = [...membership.members.keys()].filter((id) => !signed.has(id))
  if (missing.length > 0) throw new GenesisSignersError(`genesis lacks the signature of founding member(s) ${missing.join(', ')}`)
  const message = genesisMessage(document)
  for (const signature of document.signatures) {
    const member = membership.members.get(signature.node_id)
    const ok = member !== undefined && verifier.verify(member.public_key, message, {
      ed25519: fromString(signature.ed25519, 'base64pad'),
      mldsa: fromString(signature.mldsa, 'base64pad')
    })
    if (!ok) throw new GenesisSignatureError(`genesis signature of ${signature.node_id} does not verify`)
  }
  return { membership, policy: document.consensus }
}

/** The YAML text of a genesis document. */
export function formatGenesis (document: GenesisDocument): string {
  return stringifyYaml(document, { lineWidth: 0 })
}
