/**
 * `fedmesh sync status`: per log, the contiguous frontier, the gaps above it
 * and where each is (or could be) fetched from, from this node's logs and the
 * frontiers its peers advertised in THIS run (never remembered across a restart).
 */
import type { LogFrontier } from '../../../protocols/sync.ts'
import { firstCountedSeq, type LogPosition, type OriginLog, type SeqRange } from '../../core/sync/log-book.ts'

/** One gap of one log. */
export interface GapStatus {
  from: number
  to: number
  /** the peer a fetch of it is running from now */
  fetching_from?: string
  /** peers whose advertised log covers its start */
  available_at: string[]
  /** no peer that advertised this log still stores its start (retention passed there) */
  unfillable: boolean
}

/** One (data class, origin) log. */
export interface LogSyncStatus {
  data_class: string
  origin: string
  frontier: number
  high: number
  low: number
  count: number
  /** highest seq any peer advertised (or ours) */
  known_high: number
  gaps: GapStatus[]
  /** ranges given up (their gap stayed open through LOG_HELD_ENTRIES_MAX later entries) */
  lost: SeqRange[]
}

export interface SyncStatus {
  /** own envelopes are sequenced (false after a start with no own log entry stored, until a member's frontiers settled them; own envelopes are held meanwhile) */
  own_logs_settled: boolean
  /** provisional own envelopes sealed while the own logs were unsettled, since start (never sent as such: published ones are held) */
  unsequenced_sealed: number
  /** own envelopes held (persisted) until the own logs settle; they then go out sequenced */
  own_held: number
  /** when the oldest held own envelope was held (clock ms); absent when none is */
  own_held_since_ms?: number
  /** false when read from the store of a stopped node: only this node's own logs, no peer frontiers, counters zero */
  node_running: boolean
  logs: LogSyncStatus[]
  /** every log's frontier is its known high: nothing known is missing */
  complete: boolean
  gaps: number
  envelopes_synced: number
  bytes_synced: number
  /** fetched envelopes refused by the pipeline as provably bad */
  rejected: number
  /** origin log equivocation evidence held (found here or received from peers) */
  equivocations: number
  evidence: Array<{ origin: string, data_class: string, seq: number, kind: 'fork' | 'link' }>
  rounds: { ok: number, failed: number }
  timings: SyncTimings
}

/** Where catching up spent its time since start (ms) and how fetched entries were authenticated. */
export interface SyncTimings {
  /** waiting for fetch responses (network and the responder's store reads) */
  fetch_ms: number
  /** decoding and hashing fetched bodies, checking the links */
  link_ms: number
  /** hybrid signature checks of range anchors and of entries below a broken link */
  verify_ms: number
  /** the channel's receive of each fetched envelope: pipeline, payload decode, commit in the store */
  commit_ms: number
  /** signatures checked by sync before receive */
  signatures: number
  /** entries proved by a hash link instead of their signature */
  links: number
  /** links that did not hold (holes, wrong hashes) */
  breaks: number
}

/**
 * Remembers `peer`'s frontiers as the most recent; past `max` peers the least recently remembered is forgotten
 * (each peer's frontiers name every log it holds: keeping every peer's would grow with members squared).
 */
export function rememberFrontiers (remote: Map<string, Map<string, LogFrontier>>, peer: string, frontiers: Map<string, LogFrontier>, max: number): void {
  remote.delete(peer)
  remote.set(peer, frontiers)
  while (remote.size > max) remote.delete(remote.keys().next().value!)
}

/** Gap ranges shown per log. */
const GAPS_SHOWN_MAX = 16

/** Builds the status of the logs from their positions and the peers' frontiers. */
export function logStatus (input: {
  positions: LogPosition[]
  find: (dataClass: string, origin: string) => OriginLog | undefined
  remote: Map<string, Map<string, LogFrontier>>
  fetching: Map<string, { peer: string, range: SeqRange }>
  /** a superseding class's window (LogBook.window): older seqs are superseded, not gaps */
  window?: (dataClass: string) => number | undefined
}): LogSyncStatus[] {
  const keys = new Map<string, { dataClass: string, origin: string }>()
  for (const p of input.positions) keys.set(`${p.dataClass}/${p.origin}`, { dataClass: p.dataClass, origin: p.origin })
  for (const frontiers of input.remote.values()) for (const f of frontiers.values()) keys.set(`${f.dataClass}/${f.origin}`, { dataClass: f.dataClass, origin: f.origin })
  const rows: LogSyncStatus[] = []
  for (const [key, { dataClass, origin }] of [...keys].sort(([a], [b]) => a < b ? -1 : 1)) {
    const log = input.find(dataClass, origin)
    const position = log?.position() ?? { frontier: 0, high: 0, low: 0, count: 0 }
    const advertised = [...input.remote].flatMap(([peer, frontiers]) => { const f = frontiers.get(key); return f === undefined ? [] : [{ peer, f }] })
    const knownHigh = Math.max(position.high, ...advertised.map(({ f }) => Number(f.high)))
    const window = input.window?.(dataClass)
    const ranges = log === undefined ? (knownHigh > 0 ? [{ from: firstCountedSeq(knownHigh, window), to: knownHigh }] : []) : log.gaps(knownHigh, GAPS_SHOWN_MAX)
    // a superseding class: what no advertising peer keeps any more (below every peer's low) is superseded, not missing
    const lows = window === undefined ? [] : advertised.map(({ f }) => Number(f.low)).filter((low) => low > 0)
    const superseded = lows.length === 0 ? 0 : Math.min(...lows) - 1
    const gaps = ranges.flatMap((range) => range.to <= superseded ? [] : [{ from: Math.max(range.from, superseded + 1), to: range.to }]).map((range): GapStatus => {
      const availableAt = advertised.filter(({ f }) => Number(f.low) > 0 && Number(f.low) <= range.from && Number(f.high) >= range.from).map(({ peer }) => peer).sort()
      const running = input.fetching.get(key)
      // the fetch running on this log shows on the gap it covers
      const fetching = running !== undefined && running.range.from <= range.to && running.range.to >= range.from ? running : undefined
      return {
        ...range,
        ...(fetching === undefined ? {} : { fetching_from: fetching.peer }),
        available_at: availableAt,
        unfillable: advertised.length > 0 && availableAt.length === 0
      }
    })
    rows.push({ data_class: dataClass, origin, frontier: position.frontier, high: position.high, low: position.low, count: position.count, known_high: knownHigh, gaps, lost: log?.lost ?? [] })
  }
  return rows
}

/** A status from a stopped node's store: its logs as stored, no peer frontiers (they are never persisted). */
export function storedStatus (positions: LogPosition[], find: (dataClass: string, origin: string) => OriginLog | undefined, ownHeld = 0, window?: (dataClass: string) => number | undefined): SyncStatus {
  const logs = logStatus({ positions, find, remote: new Map(), fetching: new Map(), ...(window === undefined ? {} : { window }) })
  const gaps = logs.reduce((sum, row) => sum + row.gaps.length, 0)
  return {
    node_running: false,
    // held own envelopes are released once the own logs are settled: some held means they were not at the stop
    own_logs_settled: ownHeld === 0,
    unsequenced_sealed: 0,
    own_held: ownHeld,
    logs,
    complete: gaps === 0,
    gaps,
    envelopes_synced: 0,
    bytes_synced: 0,
    rejected: 0,
    equivocations: 0,
    evidence: [],
    rounds: { ok: 0, failed: 0 },
    timings: { fetch_ms: 0, link_ms: 0, verify_ms: 0, commit_ms: 0, signatures: 0, links: 0, breaks: 0 }
  }
}
