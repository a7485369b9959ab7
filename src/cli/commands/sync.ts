/**
 * `fedmesh sync status [--json]`: the proof of no gaps (protocols/sync.md
 * "Status"). Runs the `sync.status` operation: through the running node's
 * API when it holds the store (live, with its peers' frontiers), else on the
 * store directly (the logs as stored).
 */
import { type Command, Option } from 'commander'
import { resolve } from 'node:path'
import { defaultDataDir, print, runOperation } from '../context.ts'
import type { LogSyncStatus, SyncStatus } from '../../services/sync/index.ts'

const short = (id: string): string => (id.length > 16 ? `${id.slice(0, 8)}…${id.slice(-6)}` : id)
const span = (r: { from: number, to: number }): string => (r.from === r.to ? `${r.from}` : `${r.from}–${r.to}`)

/** One log's lines. */
export function formatLog (log: LogSyncStatus): string {
  const state = log.gaps.length === 0 ? 'complete' : `${log.gaps.length} gap${log.gaps.length === 1 ? '' : 's'}`
  const lines = [`${log.data_class.padEnd(20)} ${short(log.origin).padEnd(16)} frontier ${String(log.frontier).padStart(7)}  high ${String(log.high).padStart(7)}  known ${String(log.known_high).padStart(7)}  ${state}`]
  for (const gap of log.gaps) {
    const where = gap.unfillable
      ? 'UNFILLABLE: no peer that advertised this log still stores it (retention passed)'
      : gap.fetching_from !== undefined
        ? `fetching from ${short(gap.fetching_from)}`
        : gap.available_at.length > 0 ? `available at ${gap.available_at.map(short).join(', ')}` : 'no peer advertised it yet'
    lines.push(`    gap ${span(gap)}: ${where}`)
  }
  for (const lost of log.lost) lines.push(`    lost ${span(lost)}: given up (the gap stayed open through too many later entries)`)
  return lines.join('\n')
}

/** The whole status as text. */
export function formatSyncStatus (status: SyncStatus): string {
  const head = status.node_running ? [] : ['node not running: logs as stored, no peer frontiers']
  if (!status.own_logs_settled) head.push(`own logs unsettled: own envelopes are held (${status.own_held} queued) until a member tells where this node's logs stand`)
  else if (status.own_held > 0) head.push(`${status.own_held} own envelopes held, being sent sequenced`)
  const logs = status.logs.length === 0 ? ['no origin logs'] : status.logs.map(formatLog)
  for (const e of status.evidence) logs.push(`EQUIVOCATION by ${short(e.origin)}: ${e.data_class} seq ${e.seq} (${e.kind === 'fork' ? 'two bodies at one seq' : 'does not link to the seq before'})`)
  const summary = `${status.logs.length} logs, ${status.gaps} gaps${status.complete ? ' (complete)' : ''}; synced ${status.envelopes_synced} envelopes, ${status.bytes_synced} bytes; rejected ${status.rejected}; equivocations ${status.equivocations}`
  return [...head, ...logs, summary].join('\n')
}

/** Registers `sync status`. */
export function register (program: Command): void {
  const sync = program.command('sync').description('anti-entropy sync of the per-origin logs')
  sync.command('status')
    .description('per origin log: contiguous frontier, known gaps and where they are fetched from, unfillable gaps, ranges given up')
    .addOption(new Option('--data-dir <dir>', 'node data directory (env FEDMESH_DATA_DIR)').default(defaultDataDir(), './.fedmesh'))
    .addOption(new Option('--json', 'print JSON').default(false))
    .action(async (options: { dataDir: string, json: boolean }) => {
      const status = await runOperation<SyncStatus>(resolve(options.dataDir), 'sync.status', {})
      print(status, options.json, formatSyncStatus)
    })
}
