/**
 * Trust scores: 0–100 per node, starting at 50, moved by fixed rules (the
 * governance source's table) and decayed by inactivity. Pure: time is an
 * argument, and every change returns a new record.
 */
import { DAY_MS } from './constants.ts'

export const TRUST_SCORE_MIN = 0
export const TRUST_SCORE_MAX = 100
export const TRUST_SCORE_INITIAL = 50
/** Days a node may stay inactive before it loses 1 point per further day. */
export const INACTIVE_DAYS_MAX = 30

/** The rules and their score changes. */
export const TRUST_RULES = {
  agreement: 2,
  disagreement: -5,
  sync_success: 1,
  sync_failure: -3,
  admin_boost: 10,
  admin_penalty: -20
} as const
export type TrustRule = keyof typeof TRUST_RULES

/** Rules that show the node is alive; they restart the inactivity clock. Admin actions do not. */
const ACTIVITY_RULES: ReadonlySet<TrustRule> = new Set(['agreement', 'disagreement', 'sync_success', 'sync_failure'])

/** Lower bounds of the bands (inclusive). */
export const TRUST_BAND_HIGH_MIN = 75
export const TRUST_BAND_MEDIUM_MIN = 50
export const TRUST_BAND_LOW_MIN = 25

export type TrustBand = 'HIGH' | 'MEDIUM' | 'LOW' | 'VERY_LOW'
/** active: full participant; flagged: LOW, still votes and syncs; excluded: VERY LOW, no voting, no sync. */
export type TrustStatus = 'active' | 'flagged' | 'excluded'

/** One node's trust. */
export interface TrustRecord {
  node_id: string
  score: number
  /** last activity (vote counted in a decision, sync attempt), ms since the epoch */
  last_active_at: number
  /** inactivity days already charged since `last_active_at` */
  decayed_days: number
}

/** A fresh record: score 50, active now. */
export function initialTrust (nodeId: string, now: number): TrustRecord {
  return { node_id: nodeId, score: TRUST_SCORE_INITIAL, last_active_at: now, decayed_days: 0 }
}

function clamp (score: number): number {
  return Math.min(TRUST_SCORE_MAX, Math.max(TRUST_SCORE_MIN, score))
}

/** Charges −1 per whole day of inactivity beyond INACTIVE_DAYS_MAX, never twice for one day. */
export function decayInactivity (record: TrustRecord, now: number): TrustRecord {
  const inactiveDays = Math.floor(Math.max(0, now - record.last_active_at) / DAY_MS)
  const dueDays = Math.max(0, inactiveDays - INACTIVE_DAYS_MAX)
  if (dueDays <= record.decayed_days) return record
  return { ...record, score: clamp(record.score - (dueDays - record.decayed_days)), decayed_days: dueDays }
}

/** Applies one rule at `now` (after any inactivity decay due by then); the score stays in 0–100. */
export function applyTrustRule (record: TrustRecord, rule: TrustRule, now: number): TrustRecord {
  const decayed = decayInactivity(record, now)
  const score = clamp(decayed.score + TRUST_RULES[rule])
  if (ACTIVITY_RULES.has(rule)) return { ...decayed, score, last_active_at: Math.max(now, decayed.last_active_at), decayed_days: 0 }
  return { ...decayed, score }
}

/** The band of a score: 75+ HIGH, 50–74 MEDIUM, 25–49 LOW, below 25 VERY LOW. */
export function trustBand (score: number): TrustBand {
  if (score >= TRUST_BAND_HIGH_MIN) return 'HIGH'
  if (score >= TRUST_BAND_MEDIUM_MIN) return 'MEDIUM'
  if (score >= TRUST_BAND_LOW_MIN) return 'LOW'
  return 'VERY_LOW'
}

/** What a band means for the node: LOW is flagged, VERY LOW is excluded from voting and sync. */
export function trustStatus (band: TrustBand): TrustStatus {
  if (band === 'VERY_LOW') return 'excluded'
  if (band === 'LOW') return 'flagged'
  return 'active'
}

/** True when the node may vote and sync (its band is not VERY LOW). */
export function mayParticipate (record: TrustRecord | undefined): boolean {
  return record === undefined || trustStatus(trustBand(record.score)) !== 'excluded'
}

/** One line of `fedmesh trust`. */
export interface TrustEntry {
  node_id: string
  score: number
  band: TrustBand
  status: TrustStatus
  last_active_at: number
}

/** Every node's score, band and status at `now` (decay applied), sorted by node id, and the average score. */
export function trustReport (records: Iterable<TrustRecord>, now: number): { nodes: TrustEntry[], average: number | null } {
  const nodes = [...records]
    .map((r) => decayInactivity(r, now))
    .sort((a, b) => (a.node_id < b.node_id ? -1 : 1))
    .map((r) => ({ node_id: r.node_id, score: r.score, band: trustBand(r.score), status: trustStatus(trustBand(r.score)), last_active_at: r.last_active_at }))
  const average = nodes.length === 0 ? null : nodes.reduce((sum, n) => sum + n.score, 0) / nodes.length
  return { nodes, average }
}
