/**
 * `fedmesh relations [--json]`: each relation with a peer — state, agreed
 * bilateral policy, last heartbeat — and `fedmesh relations terminate|establish`.
 * They run on the running node (relations live in its memory).
 */
import { type Command, Option, InvalidArgumentError } from 'commander'
import { resolve } from 'node:path'
import { defaultDataDir, print, runOperation } from '../context.ts'
import type { RelationsResult } from '../../operations/relations.ts'
import type { RelationView } from '../../services/handshake/index.ts'
import type { BilateralPeerStatus } from '../../services/bilateral/index.ts'

const dataDirOption = (): Option => new Option('--data-dir <dir>', 'node data directory (env FEDMESH_DATA_DIR)').default(defaultDataDir(), './.fedmesh')
const jsonOption = (): Option => new Option('--json', 'print JSON').default(false)

const time = (ms: number | null): string => (ms === null ? '-' : new Date(ms).toISOString())
const classes = (list: string[]): string => (list.length === 0 ? '-' : list.join(','))

/** One relation as a line: site, state, what each side may send, last heartbeat. */
export function formatRelation (r: RelationView): string {
  const note = r.reason === null ? '' : ` (${r.reason})`
  return `${(r.site ?? r.peer).padEnd(20)} ${`${r.state}${note}`.padEnd(28)} sends ${classes(r.sends)}  receives ${classes(r.receives)}  last heartbeat ${time(r.last_heartbeat_ms)}`
}

/** One peer's bilateral logs as a line: what waits for it, and where its log to this node stands (gaps and losses visible). */
export function formatBilateralLogs (l: BilateralPeerStatus): string {
  const out = l.out === null
    ? 'out -'
    : `out head ${l.out.head} queued ${l.out.queued} withdrawn ${l.out.withdrawn} peer frontier ${l.out.peer_frontier ?? '?'} held ${l.out.low === 0 ? '-' : `${l.out.low}..${l.out.head}`}`
  const lost = (l.in?.lost ?? []).map((r) => `${r.from}..${r.to}`).join(',')
  const inbound = l.in === null ? 'in -' : `in frontier ${l.in.frontier}${l.in.held > 0 ? ` (+${l.in.held} above a gap)` : ''}${lost === '' ? '' : ` lost ${lost}`}`
  return `${(l.site ?? l.peer).padEnd(20)} bilateral ${out}; ${inbound}`
}

interface Common { dataDir: string, json: boolean }

/** Registers `relations`. */
export function register (program: Command): void {
  const relations = program.command('relations')
    .description('relations with peers: state, agreed bilateral policy, last heartbeat (on a running node)')
    .addOption(dataDirOption())
    .addOption(jsonOption())
    .action(async (options: Common) => {
      const result = await runOperation<RelationsResult>(resolve(options.dataDir), 'relations', {})
      print(result, options.json, (r) => [
        r.relations.length === 0 ? 'no relations' : r.relations.map(formatRelation).join('\n'),
        ...(r.bilateral ?? []).map(formatBilateralLogs)
      ].join('\n'))
    })

  relations.command('terminate')
    .description('end the relation with a peer: with notice (default 60 s), or --forced (no re-establishment until `relations establish`)')
    .argument('<site>', 'the peer\'s site id or PeerId')
    .option('--forced', 'end it now and refuse the peer\'s handshakes (security)', false)
    .option('--notice-seconds <s>', 'notice of a graceful termination', (value: string) => {
      const n = Number(value)
      if (!Number.isSafeInteger(n) || n < 0 || n > 7 * 86_400) throw new InvalidArgumentError('must be an integer from 0 to 604800')
      return n
    })
    .option('--reason <word>', 'a snake_case reason for the audit log', 'operator')
    .addOption(dataDirOption())
    .addOption(jsonOption())
    .action(async (site: string, options: Common & { forced: boolean, noticeSeconds?: number, reason: string }) => {
      const view = await runOperation<RelationView>(resolve(options.dataDir), 'relations.terminate', {
        to: site, forced: options.forced, reason: options.reason, ...(options.noticeSeconds === undefined ? {} : { notice_seconds: options.noticeSeconds })
      })
      print(view, options.json, formatRelation)
    })

  relations.command('establish')
    .description('handshake with a peer now (also lifts a forced termination)')
    .argument('<site>', 'the peer\'s site id or PeerId')
    .addOption(dataDirOption())
    .addOption(jsonOption())
    .action(async (site: string, options: Common) => {
      print(await runOperation<RelationView>(resolve(options.dataDir), 'relations.establish', { to: site }), options.json, formatRelation)
    })
}
