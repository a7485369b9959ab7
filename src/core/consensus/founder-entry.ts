/**
 * A founder entry: one node's member entry (PeerId, site id, jurisdiction,
 * capabilities, hybrid public key, address hints), self-signed with its
 * hybrid key. `fedmesh genesis founder` prints it; `genesis assemble` takes
 * one per founder, and `members propose add` takes one for a joining node.
 * The self-signature proves the entry was made by the holder of both private
 * keys (nobody can enrol someone else's key under their own site id).
 *
 * Signed bytes: `"fedmesh/founder-entry/1\n" ‖ canonical-JSON(member)`.
 */
import { z } from 'zod'
import { fromString, toString } from 'uint8arrays'
import { InputError } from '../errors.ts'
import type { HybridSigner, SignatureVerifier } from '../signature.ts'
import { canonicalJson } from './canonical.ts'
import { parseDocument } from './document.ts'
import { hybridSignatureJsonSchema, memberJsonSchema, publicKeyFromJson, type MemberJson } from './member.ts'
export { hybridSignatureJsonSchema, type HybridSignatureJson } from './member.ts'

export const FOUNDER_ENTRY_VERSION = 1
export const FOUNDER_ENTRY_DOMAIN = 'fedmesh/founder-entry/1'
/** A founder entry file: an ML-DSA-87 key and signature in base64 fit well under this. */
export const FOUNDER_ENTRY_BYTES_MAX = 64 * 1024

export const founderEntrySchema = z.strictObject({
  version: z.literal(FOUNDER_ENTRY_VERSION),
  member: memberJsonSchema,
  signature: hybridSignatureJsonSchema
})
export type FounderEntry = z.output<typeof founderEntrySchema>

export class FounderEntryFormatError extends InputError {
  static override readonly code = 'FounderEntryFormatError'
  override readonly name = 'FounderEntryFormatError'
}

/** The entry's self-signature does not verify with the key it names. */
export class FounderEntrySignatureError extends InputError {
  static override readonly code = 'FounderEntrySignatureError'
  override readonly name = 'FounderEntrySignatureError'
}

/** Parses a founder entry (JSON text or an object); FounderEntryFormatError names each bad field. */
export function parseFounderEntry (input: string | unknown, source = 'founder entry'): FounderEntry {
  return parseDocument(input, { schema: founderEntrySchema, syntax: 'JSON', bytesMax: FOUNDER_ENTRY_BYTES_MAX, source, error: (message, options) => new FounderEntryFormatError(message, options) })
}

/** The exact bytes a founder entry's self-signature covers. */
export function founderEntryMessage (member: MemberJson): Uint8Array {
  return new TextEncoder().encode(`${FOUNDER_ENTRY_DOMAIN}\n${canonicalJson(memberJsonSchema.parse(member))}`)
}

/** Self-signs a member entry with the member's own hybrid signer. */
export function signFounderEntry (member: MemberJson, signer: HybridSigner): FounderEntry {
  const normalised = memberJsonSchema.parse(member)
  const signature = signer.sign(founderEntryMessage(normalised))
  return { version: FOUNDER_ENTRY_VERSION, member: normalised, signature: { ed25519: toString(signature.ed25519, 'base64pad'), mldsa: toString(signature.mldsa, 'base64pad') } }
}

/** Checks the self-signature against the entry's own public key; FounderEntrySignatureError names the node. */
export function verifyFounderEntry (entry: FounderEntry, verifier: SignatureVerifier, source = 'founder entry'): void {
  const ok = verifier.verify(publicKeyFromJson(entry.member.public_key), founderEntryMessage(entry.member), {
    ed25519: fromString(entry.signature.ed25519, 'base64pad'),
    mldsa: fromString(entry.signature.mldsa, 'base64pad')
  })
  if (!ok) throw new FounderEntrySignatureError(`${source}: the self-signature of ${entry.member.node_id}${entry.member.site_id === undefined ? '' : ` (site ${entry.member.site_id})`} does not verify`)
}
