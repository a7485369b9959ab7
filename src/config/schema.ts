/**
 * The node's config file (`<dataDir>/config.yaml`): the site registry fields
 * of the sovereign-federation source plus network, API and log settings.
 *
 * Validated with zod (a well-kept schema library: typed output, precise paths
 * in its issues) in strict mode, so an unknown or misspelt key is an error,
 * never silently ignored.
 */
import { z } from 'zod'
import { PEER_ID_PATTERN_SOURCE } from '../core/identity/peer-id.ts'
import { multiaddr } from '@multiformats/multiaddr'
import { thresholdSchema, TIE_BREAKING_RULES } from '../core/consensus/threshold.ts'
import { VOTING_MODES, votingPolicyProblems } from '../core/consensus/voting-policy.ts'
import { DATA_CLASSES } from '../core/data-class.ts'
import { DEFAULT_ALLOWED_DATA, DuplicateSitePolicyError, POLICY_SITES_MAX, UnknownDataClassError } from '../core/policy/data-policy.ts'

/** A category or capability slug: lowercase words joined by `.`, `_` or `-` (e.g. `water`, `legal.contracts`). */
export const SLUG_PATTERN = /^[a-z0-9]+(?:[._-][a-z0-9]+)*$/
export const SLUG_LENGTH_MAX = 64
export const CAPABILITIES_MAX = 64
export const BOOTSTRAP_PEERS_MAX = 64
export const MEMBERS_MAX = 1024
export const LISTEN_ADDRS_MAX = 16

/** Default local API port; the libp2p default listen port sits next to it. */
export const API_PORT_DEFAULT = 7701
export const P2P_PORT_DEFAULT = 4001
export const METRICS_INTERVAL_SECONDS_DEFAULT = 10

const slug = z.string()
  .max(SLUG_LENGTH_MAX, `must be at most ${SLUG_LENGTH_MAX} characters`)
  .regex(SLUG_PATTERN, 'must be a slug: lowercase letters and digits joined by ".", "_" or "-" (e.g. "water", "legal.contracts")')

const multiaddrString = z.string().superRefine((value, ctx) => {
  try {
    multiaddr(value)
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: `is not a valid multiaddr (${(err as Error).message})` })
  }
})

/** A bootstrap peer must say who it is (`/p2p/<peerId>`) so noise can authenticate it. */
const bootstrapAddr = multiaddrString.refine((value) => new RegExp(`/p2p/${PEER_ID_PATTERN_SOURCE}$`).test(value), {
  message: 'must end with /p2p/<peer id> so the peer can be authenticated'
})

const port = z.number({ error: 'must be a number' }).int('must be an integer').min(0, 'must be between 0 and 65535').max(65535, 'must be between 0 and 65535')

/** A data class name, reported with the policy error's name (docs/policies.md). */
const dataClassName = z.string().refine((name) => (DATA_CLASSES as readonly string[]).includes(name), {
  message: `${UnknownDataClassError.code}: not a data class (one of ${DATA_CLASSES.join(', ')})`
})
const allowedData = z.array(dataClassName).max(DATA_CLASSES.length * 2)

/** Per-site data policies: the classes each site may receive; one entry per site. */
const sitePolicies = z.array(z.strictObject({ site_id: slug, allowed_data: allowedData })).max(POLICY_SITES_MAX).superRefine((sites, ctx) => {
  const seen = new Set<string>()
  for (const [i, site] of sites.entries()) {
    if (seen.has(site.site_id)) ctx.addIssue({ code: 'custom', path: [i, 'site_id'], message: `${DuplicateSitePolicyError.code}: site "${site.site_id}" has a policy already` })
    seen.add(site.site_id)
  }
})

/**
 * No `members` key: who is in the federation comes only from its signed
 * genesis and decided membership events (docs/consensus.md); a config that
 * still lists members is refused by `parseConfig` with a message saying so.
 */
export const federationSchema = z.strictObject({
  enabled: z.boolean().default(false),
  federation_id: slug.default('default'),
  bootstrap: z.array(bootstrapAddr).max(BOOTSTRAP_PEERS_MAX).default([]),
  metrics_interval_seconds: z.number().int().min(1).max(3600).default(METRICS_INTERVAL_SECONDS_DEFAULT),
  /** classes a site without its own entry in `sites` may receive */
  default_allowed_data: allowedData.default(() => [...DEFAULT_ALLOWED_DATA]),
  sites: sitePolicies.default([])
})

/** Consensus policy (docs/consensus.md): used until the store holds the federation's policy from its genesis file or a decided policy change. */
export const consensusConfigSchema = z.strictObject({
  /** `bft` (⌊2n/3⌋+1 votes) or a fraction in (0.5, 1] such as 0.66 (⌈0.66·n⌉ votes; warned about where it breaks quorum intersection) */
  threshold: thresholdSchema.default('bft'),
  min_participating_nodes: z.number().int().min(1).max(MEMBERS_MAX).default(2),
  tie_breaking: z.enum(TIE_BREAKING_RULES).default('timestamp_priority'),
  /** a slot still pending this long after it opened fails and is resolved by tie-breaking */
  slot_timeout_seconds: z.number().int().min(1).max(30 * 24 * 3600).default(3600),
  /** the signed genesis file (bootstrap/genesis.example.yaml documents it); relative paths are from the data dir */
  genesis: z.string().min(1).optional(),
  /** per event type, `manual` or `auto` (by the type's rule); docs/consensus.md "Voting policy" */
  voting: z.record(z.string(), z.enum(VOTING_MODES)).superRefine((voting, ctx) => {
    for (const [type, message] of votingPolicyProblems(voting)) ctx.addIssue({ code: 'custom', path: [type], message })
  }).default({})
})

/**
 * Signatures (protocols/envelope.md). `mldsa_level` applies to keys created by
 * `fedmesh init`; an existing mldsa.key keeps the level it was made with.
 * `mldsa_backend: auto` uses node:crypto when the runtime has ML-DSA, else
 * @noble/post-quantum; the FEDMESH_MLDSA_BACKEND env var overrides `auto`.
 */
export const cryptoConfigSchema = z.strictObject({
  mldsa_level: z.union([z.literal(44), z.literal(65), z.literal(87)], { error: 'must be 44, 65 or 87' }).default(65),
  mldsa_backend: z.enum(['auto', 'native', 'noble']).default('auto')
})

/** The audit log (docs/audit.md): how often the node signs and gossips a checkpoint of it, and how many members witness each. */
export const auditConfigSchema = z.strictObject({
  checkpoint_interval_seconds: z.number().int('must be an integer').min(1, 'must be at least 1').max(24 * 3600, 'must be at most 86400 (a day)').default(60),
  /** periodic checkpoints at least this many ms per member apart, so the federation gossips about one a second at most whatever its size; 0: only the interval */
  checkpoint_spacing_ms_per_member: z.number().int('must be an integer').min(0, 'must not be negative').max(60_000, 'must be at most 60000').default(1000),
  /** how many members witness (check and cosign) each checkpoint on average; with fewer other members, all of them */
  witnesses_per_checkpoint: z.number().int('must be an integer').min(1, 'must be at least 1').max(1024, 'must be at most 1024').default(8),
  /** checkpoints of each origin kept in the `audit_checkpoint` log: a newer one supersedes the older (sync shows them as superseded, not missing) */
  checkpoints_retained: z.number().int('must be an integer').min(1, 'must be at least 1').max(10_000, 'must be at most 10000').default(16)
})

/** Entries kept per origin log when a class has no `sync.retention` entry. */
export const SYNC_RETENTION_ENTRIES_DEFAULT = 100_000
/** Upper bound on a class's retention (entries per origin log): ~4 KB each, so ~4 GB per origin at most. */
export const SYNC_RETENTION_ENTRIES_MAX = 1_000_000

/**
 * Anti-entropy sync (protocols/sync.md): `retention` = entries kept per origin log, by data class
 * (`default` for the rest); `interval_seconds` = period of a frontier exchange with one member.
 */
export const syncConfigSchema = z.strictObject({
  retention: z.record(z.string(), z.number().int().min(1).max(SYNC_RETENTION_ENTRIES_MAX)).default({}),
  interval_seconds: z.number().min(0.1).max(3600).default(10)
})

/** Moving participants between nodes (issue 14): cooldown between moves, grace of a redirect, recovery window, how often the old node looks for the redirect. */
export const migrationConfigSchema = z.strictObject({
  cooldown_hours: z.number().min(0).max(365 * 24).default(30 * 24),
  grace_hours: z.number().min(0.001).max(365 * 24).default(30 * 24),
  recovery_window_hours: z.number().min(0).max(30 * 24).default(72),
  poll_seconds: z.number().min(0.1).max(3600).default(30)
})

export const configSchema = z.strictObject({
  site_id: slug,
  jurisdiction: z.string().regex(/^[A-Z]{2}(?:-[A-Z0-9]{1,3})?$/, 'must be an ISO 3166 code such as "UK", "DE" or "US-CA"'),
  capabilities: z.array(slug).max(CAPABILITIES_MAX).default([]),
  federation: federationSchema.default(() => federationSchema.parse({})),
  /** libp2p listen addresses, used once federation is enabled (air-gapped nodes listen on loopback only) */
  listen: z.array(multiaddrString).min(1).max(LISTEN_ADDRS_MAX).default([`/ip4/0.0.0.0/tcp/${P2P_PORT_DEFAULT}`]),
  api: z.strictObject({
    host: z.string().default('127.0.0.1'),
    port: port.default(API_PORT_DEFAULT)
  }).default({ host: '127.0.0.1', port: API_PORT_DEFAULT }),
  log: z.strictObject({
    level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info')
  }).default({ level: 'info' }),
  consensus: consensusConfigSchema.default(() => consensusConfigSchema.parse({})),
  crypto: cryptoConfigSchema.default(() => cryptoConfigSchema.parse({})),
  audit: auditConfigSchema.default(() => auditConfigSchema.parse({})),
  sync: syncConfigSchema.default(() => syncConfigSchema.parse({})),
  migration: migrationConfigSchema.default(() => migrationConfigSchema.parse({}))
})

/** A validated config with every default filled in. */
export type Config = z.output<typeof configSchema>
/** What a config file may contain (defaults optional). */
export type ConfigInput = z.input<typeof configSchema>
