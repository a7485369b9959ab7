/**
 * Per-peer data policies (sovereign-federation shape): which data classes
 * may go to which site. Pure: the config gives the federation's default and
 * each site's `allowed_data`; the handshake (later) replaces a peer's entry
 * with the policy both sides agreed, through `withAgreedPolicy`.
 *
 * Two questions are asked on the send path:
 * - `mayGossip(class)`: a federation-wide class enters gossip only while no
 *   policy withholds it from anyone, because gossip reaches every member;
 * - `mayDeliver(site, class)`: a class goes to one peer only if that peer's
 *   policy allows it (the direct stream's check for bilateral classes).
 */
import { DATA_CLASSES, FEDERATION_WIDE_CLASSES, type DataClass } from '../data-class.ts'
import { InputError } from '../errors.ts'

/** Sites one policy may name (matches consensus MEMBERS_MAX). */
export const POLICY_SITES_MAX = 1024

/** A data class name no fedmesh message carries. */
export class UnknownDataClassError extends InputError {
  static override readonly code = 'UnknownDataClassError'
  override readonly name = 'UnknownDataClassError'
}

/** Two policies for one site. */
export class DuplicateSitePolicyError extends InputError {
  static override readonly code = 'DuplicateSitePolicyError'
  override readonly name = 'DuplicateSitePolicyError'
}

/** More site policies than POLICY_SITES_MAX. */
export class TooManySitePoliciesError extends InputError {
  static override readonly code = 'TooManySitePoliciesError'
  override readonly name = 'TooManySitePoliciesError'
}

/** A class about to be sent to someone whose policy does not allow it; nothing was sent. */
export class DataClassNotAllowedError extends InputError {
  static override readonly code = 'DataClassNotAllowedError'
  override readonly name = 'DataClassNotAllowedError'
}

/** A policy as the config writes it. */
export interface DataPolicyInput {
  /** classes a site without its own entry may receive */
  default_allowed_data: readonly string[]
  sites: ReadonlyArray<{ site_id: string, allowed_data: readonly string[] }>
}

/** A checked policy: allowed classes per site, and the default for every other site. */
export interface DataPolicy {
  readonly defaultAllowed: ReadonlySet<DataClass>
  readonly sites: ReadonlyMap<string, ReadonlySet<DataClass>>
}

const KNOWN = new Set<string>(DATA_CLASSES)

function classes (names: readonly string[], where: string): Set<DataClass> {
  for (const name of names) {
    if (!KNOWN.has(name)) throw new UnknownDataClassError(`${where}: "${name.slice(0, 64)}" is not a data class (one of ${DATA_CLASSES.join(', ')})`)
  }
  return new Set(names as DataClass[])
}

/** Checks a policy; throws UnknownDataClassError, DuplicateSitePolicyError or TooManySitePoliciesError. */
export function parseDataPolicy (input: DataPolicyInput): DataPolicy {
  if (input.sites.length > POLICY_SITES_MAX) throw new TooManySitePoliciesError(`at most ${POLICY_SITES_MAX} site policies, got ${input.sites.length}`)
  const sites = new Map<string, ReadonlySet<DataClass>>()
  for (const [i, site] of input.sites.entries()) {
    if (sites.has(site.site_id)) throw new DuplicateSitePolicyError(`sites.${i}: site "${site.site_id}" has a policy already`)
    sites.set(site.site_id, classes(site.allowed_data, `sites.${i}.allowed_data`))
  }
  return { defaultAllowed: classes(input.default_allowed_data, 'default_allowed_data'), sites }
}

/** The classes `site` may receive (its own entry, else the default; an unknown site gets the default). */
export function allowedFor (policy: DataPolicy, site: string | undefined): ReadonlySet<DataClass> {
  return (site === undefined ? undefined : policy.sites.get(site)) ?? policy.defaultAllowed
}

/** Whether `dataClass` may go to `site` over a direct stream. */
export function mayDeliver (policy: DataPolicy, site: string | undefined, dataClass: DataClass): boolean {
  return allowedFor(policy, site).has(dataClass)
}

/**
 * Whether `dataClass` may enter gossip: the default allows it (the default is
 * the federation-wide list, itself a federation policy) and no site's entry
 * withholds it, since gossip reaches every member.
 */
export function mayGossip (policy: DataPolicy, dataClass: DataClass): boolean {
  if (!policy.defaultAllowed.has(dataClass)) return false
  for (const allowed of policy.sites.values()) if (!allowed.has(dataClass)) return false
  return true
}

/** The policy with `site`'s entry replaced by what the handshake agreed with it. */
export function withAgreedPolicy (policy: DataPolicy, site: string, agreed: Iterable<DataClass>): DataPolicy {
  const sites = new Map(policy.sites)
  sites.set(site, new Set(agreed))
  return { defaultAllowed: policy.defaultAllowed, sites }
}

/** The default when the config names none: the federation-wide classes to everyone, no bilateral class (BILATERAL_CLASSES). */
export const DEFAULT_ALLOWED_DATA: readonly DataClass[] = FEDERATION_WIDE_CLASSES
