/**
 * Members and their public keys as they appear in events and genesis files
 * (JSON, keys base64) and as core uses them (bytes).
 */
import { z } from 'zod'
import { fromString, toString } from 'uint8arrays'
import type { HybridPublicKey, MlDsaLevel } from '../signature.ts'
import { PEER_ID_LENGTH_MAX, PEER_ID_PATTERN } from '../identity/peer-id.ts'
import { ED25519_SIGNATURE_BYTES, MLDSA_SIGNATURE_BYTES_MAX } from './constants.ts'

/** ML-DSA public key sizes in bytes per parameter set (FIPS 204, table 2). */
export const MLDSA_PUBLIC_KEY_BYTES: Readonly<Record<MlDsaLevel, number>> = { 44: 1312, 65: 1952, 87: 2592 }
export const ED25519_PUBLIC_KEY_BYTES = 32

/** A node id: a base58 libp2p peer id. */
export const nodeIdSchema = z.string()
  .min(1, 'must not be empty')
  .max(PEER_ID_LENGTH_MAX, `must be at most ${PEER_ID_LENGTH_MAX} characters`)
  .regex(PEER_ID_PATTERN, 'must be a base58 peer id')

const base64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'must be base64')

/** A hybrid public key in JSON: both keys base64, the ML-DSA level, sizes checked. */
export const publicKeyJsonSchema = z.strictObject({
  ed25519: base64,
  mldsa: base64,
  mldsa_level: z.union([z.literal(44), z.literal(65), z.literal(87)])
}).superRefine((key, ctx) => {
  if (fromString(key.ed25519, 'base64pad').length !== ED25519_PUBLIC_KEY_BYTES) {
    ctx.addIssue({ code: 'custom', path: ['ed25519'], message: `must be ${ED25519_PUBLIC_KEY_BYTES} bytes` })
  }
  const expected = MLDSA_PUBLIC_KEY_BYTES[key.mldsa_level]
  if (fromString(key.mldsa, 'base64pad').length !== expected) {
    ctx.addIssue({ code: 'custom', path: ['mldsa'], message: `must be ${expected} bytes for ML-DSA-${key.mldsa_level}` })
  }
})
export type PublicKeyJson = z.output<typeof publicKeyJsonSchema>

/** Capabilities a member entry may list, and how long each slug is. */
export const MEMBER_CAPABILITIES_MAX = 32
/** Address hints a member entry may carry (multiaddrs others may dial), and how long each is. */
export const MEMBER_ADDRESSES_MAX = 8
export const MEMBER_ADDRESS_LENGTH_MAX = 256

/** A member as written in an event or genesis file. */
export const memberJsonSchema = z.strictObject({
  node_id: nodeIdSchema,
  public_key: publicKeyJsonSchema,
  site_id: z.string().max(64).optional(),
  jurisdiction: z.string().max(16).optional(),
  /** what the site offers (slugs, as in config.yaml) */
  capabilities: z.array(z.string().min(1).max(64).regex(/^[a-z0-9]+(?:[._-][a-z0-9]+)*$/, 'must be a slug')).max(MEMBER_CAPABILITIES_MAX).optional(),
  /** multiaddrs where the member may be reached: hints only, never trusted for identity (the PeerId is) */
  addresses: z.array(z.string().min(1).max(MEMBER_ADDRESS_LENGTH_MAX)).max(MEMBER_ADDRESSES_MAX).optional()
})
export type MemberJson = z.output<typeof memberJsonSchema>

/** A federation member as core uses it. */
export interface Member {
  node_id: string
  public_key: HybridPublicKey
  site_id?: string
  jurisdiction?: string
  capabilities?: string[]
  /** address hints (multiaddrs) from the member's entry */
  addresses?: string[]
  /** when the decision (or genesis) that admitted it completed, ms since the epoch */
  joined_at: number
}

/** The bytes of a JSON public key (already validated by `publicKeyJsonSchema`). */
export function publicKeyFromJson (key: PublicKeyJson): HybridPublicKey {
  return { ed25519: fromString(key.ed25519, 'base64pad'), mldsa: fromString(key.mldsa, 'base64pad'), mldsaLevel: key.mldsa_level }
}

/** The JSON form of a public key. */
export function publicKeyToJson (key: HybridPublicKey): PublicKeyJson {
  return { ed25519: toString(key.ed25519, 'base64pad'), mldsa: toString(key.mldsa, 'base64pad'), mldsa_level: key.mldsaLevel }
}

/** A member from its JSON form, admitted at `joinedAt`. */
export function memberFromJson (json: MemberJson, joinedAt: number): Member {
  return {
    node_id: json.node_id,
    public_key: publicKeyFromJson(json.public_key),
    ...(json.site_id === undefined ? {} : { site_id: json.site_id }),
    ...(json.jurisdiction === undefined ? {} : { jurisdiction: json.jurisdiction }),
    ...(json.capabilities === undefined ? {} : { capabilities: [...json.capabilities] }),
    ...(json.addresses === undefined ? {} : { addresses: [...json.addresses] }),
    joined_at: joinedAt
  }
}

/** The JSON form of a member (without `joined_at`, which the decision supplies). */
export function memberToJson (member: Member): MemberJson {
  return {
    node_id: member.node_id,
    public_key: publicKeyToJson(member.public_key),
    ...(member.site_id === undefined ? {} : { site_id: member.site_id }),
    ...(member.jurisdiction === undefined ? {} : { jurisdiction: member.jurisdiction }),
    ...(member.capabilities === undefined ? {} : { capabilities: [...member.capabilities] }),
    ...(member.addresses === undefined ? {} : { addresses: [...member.addresses] })
  }
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/

/** A hybrid signature in JSON files and events: both halves base64, bounded by the largest parameter set. */
export const hybridSignatureJsonSchema = z.strictObject({
  ed25519: z.string().max(Math.ceil(ED25519_SIGNATURE_BYTES / 3) * 4).regex(BASE64, 'must be base64'),
  mldsa: z.string().max(Math.ceil(MLDSA_SIGNATURE_BYTES_MAX / 3) * 4).regex(BASE64, 'must be base64')
})
export type HybridSignatureJson = z.output<typeof hybridSignatureJsonSchema>
