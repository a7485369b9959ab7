/**
 * Capability discovery in the DHT: a node announces itself as a provider of
 * each of its capabilities, once per capability and once per (capability,
 * jurisdiction), under a content id derived from the federation id, so
 * `fedmesh discover --capability water [--jurisdiction UK]` finds the
 * members that offer it without asking everyone.
 *
 * A provider record only says "this peer claims it"; it carries nothing
 * signed. So each provider found is checked like a node record: a member of
 * the federation, its signed node record (from the DHT, verified against its
 * PeerId) binds the membership's ML-DSA key, names the capability and, when
 * asked, the jurisdiction. Providers failing a check are reported with the
 * reason, never listed. Bounds: at most CAPABILITY_PROVIDERS_MAX providers per
 * query, each query within CAPABILITY_QUERY_MS_MAX; the DHT guard
 * (dht-records.ts) bounds stored provider records per peer and in total.
 */
import { createHash } from 'node:crypto'
import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import { create as createDigest } from 'multiformats/hashes/digest'
import { InputError } from '../core/errors.ts'
import type { HybridPublicKey } from '../core/signature.ts'
import { SLUG_LENGTH_MAX, SLUG_PATTERN } from '../config/schema.ts'
import type { NodeRecord } from '../wire/node-record.ts'

/** Domain of the hashed provider key. */
export const CAPABILITY_KEY_DOMAIN = 'fedmesh/capability/1\n'
/** Providers considered per query (members offering one capability; the membership has at most 1,024). */
export const CAPABILITY_PROVIDERS_MAX = 64
/** One discovery query (provider walk plus node record lookups) gives up after this. */
export const CAPABILITY_QUERY_MS_MAX = 10_000
/** ISO 3166 country or subdivision code (the config's and node records' grammar). */
export const JURISDICTION_PATTERN = /^[A-Z]{2}(?:-[A-Z0-9]{1,3})?$/

/** A capability or jurisdiction that is not a slug / ISO 3166 code. */
export class InvalidCapabilityQueryError extends InputError {
  static override readonly code = 'InvalidCapabilityQueryError'
  override readonly name = 'InvalidCapabilityQueryError'
}

/** Checks a query's capability and jurisdiction; throws InvalidCapabilityQueryError. */
export function checkCapabilityQuery (capability: string, jurisdiction?: string): void {
  if (capability.length > SLUG_LENGTH_MAX || !SLUG_PATTERN.test(capability)) throw new InvalidCapabilityQueryError(`capability "${capability.slice(0, 80)}" is not a slug (e.g. "water")`)
  if (jurisdiction !== undefined && !JURISDICTION_PATTERN.test(jurisdiction)) throw new InvalidCapabilityQueryError(`jurisdiction "${jurisdiction.slice(0, 80)}" is not an ISO 3166 code such as "UK" or "US-CA"`)
}

/** The DHT key (a raw CID of SHA-256) providers of `capability` (in `jurisdiction`) announce under. */
export function capabilityCid (federationId: string, capability: string, jurisdiction?: string): CID {
  checkCapabilityQuery(capability, jurisdiction)
  const text = `${CAPABILITY_KEY_DOMAIN}${federationId}\n${capability}${jurisdiction === undefined ? '' : `\n${jurisdiction}`}`
  const digest = new Uint8Array(createHash('sha256').update(text).digest())
  return CID.createV1(raw.code, createDigest(0x12, digest))
}

/** Every key a node with these capabilities in this jurisdiction announces (two per capability). */
export function capabilityCids (federationId: string, capabilities: readonly string[], jurisdiction: string): CID[] {
  return capabilities.flatMap((capability) => [capabilityCid(federationId, capability), capabilityCid(federationId, capability, jurisdiction)])
}

export type ProviderRejection = 'not_member' | 'no_node_record' | 'key_mismatch' | 'capability_not_in_record' | 'jurisdiction_mismatch'

/** What a provider is checked against. */
export interface ProviderCheck {
  capability: string
  jurisdiction?: string
  /** the membership's key of the provider; undefined: not a member */
  memberKey: HybridPublicKey | undefined
  /** its node record, verified against its PeerId; undefined: none found */
  record: NodeRecord | undefined
}

function equalBytes (a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i])
}

/** Why a provider is not listed, or null when it passes every check. */
export function providerRejection (check: ProviderCheck): ProviderRejection | null {
  if (check.memberKey === undefined) return 'not_member'
  if (check.record === undefined) return 'no_node_record'
  if (!equalBytes(check.record.publicKey.mldsa, check.memberKey.mldsa) || !equalBytes(check.record.publicKey.ed25519, check.memberKey.ed25519)) return 'key_mismatch'
  if (!check.record.capabilities.includes(check.capability)) return 'capability_not_in_record'
  if (check.jurisdiction !== undefined && check.record.jurisdiction !== check.jurisdiction) return 'jurisdiction_mismatch'
  return null
}
