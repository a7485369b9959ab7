/**
 * Consensus commands: `consensus history|check|genesis`, `trust`, `members`.
 * Each runs an operation (on the store, or through the running node's API).
 */
import { type Command, Option, InvalidArgumentError } from 'commander'
import { resolve } from 'node:path'
import { defaultDataDir, print, runOperation } from '../context.ts'
import type { HistoryRecord, HistoryStatistics } from '../../core/consensus/history.ts'
import type { TrustEntry } from '../../core/consensus/trust.ts'
import type { CheckEntry, GenesisResult, MembersResult } from '../../operations/consensus.ts'
import { HISTORY_QUERY_LIMIT_MAX } from '../../store/consensus.ts'
import { EVENT_TYPES } from '../../core/consensus/event.ts'
import { OperationArgumentError } from '../../operations/index.ts'

const dataDirOption = (): Option => new Option('--data-dir <dir>', 'node data directory (env FEDMESH_DATA_DIR)').default(defaultDataDir(), './.fedmesh')
const jsonOption = (): Option => new Option('--json', 'print JSON').default(false)

function parseLimit (value: string): number {
  const limit = Number(value)
  if (!Number.isInteger(limit) || limit < 1 || limit > HISTORY_QUERY_LIMIT_MAX) throw new InvalidArgumentError(`must be an integer from 1 to ${HISTORY_QUERY_LIMIT_MAX}`)
  return limit
}

const time = (ms: number): string => new Date(ms).toISOString()
const short = (hash: string | null): string => (hash === null ? '-' : hash.slice(0, 12))

/** One history record as a line. */
function formatRecord (r: HistoryRecord): string {
  const outcome = r.consensus_achieved ? 'ACHIEVED' : r.needs_review ? 'REVIEW' : 'FAILED'
  return `${time(r.completed_at)}  ${r.slot.padEnd(20)} ${outcome.padEnd(8)} ${short(r.consensus_hash)}  ` +
    `${r.agreement_percentage.toFixed(2).padStart(6)}%  ${r.participating_nodes.length}/${r.membership_size} voted, quorum ${r.quorum}, ` +
    `${r.disagreeing_nodes.length} disagreeing${r.equivocating_nodes.length > 0 ? `, ${r.equivocating_nodes.length} equivocating` : ''}  (${r.resolution})`
}

function formatHistory (value: { records: HistoryRecord[], statistics: HistoryStatistics }): string {
  const s = value.statistics
  const lines = value.records.length === 0 ? ['no decisions yet'] : value.records.map(formatRecord)
  lines.push('', `decisions ${s.decisions}: ${s.agreements} achieved, ${s.disagreements} without consensus (${s.needs_review} need review); ` +
    `votes ${s.agreeing_votes} agreeing, ${s.disagreeing_votes} disagreeing` +
    (s.average_agreement_percentage === null ? '' : `; average agreement ${s.average_agreement_percentage.toFixed(2)}%`))
  return lines.join('\n')
}

function formatCheck (value: { event_hash: string, consensus_achieved: boolean, slots: CheckEntry[] }): string {
  const lines = [`event ${value.event_hash}: consensus ${value.consensus_achieved ? 'ACHIEVED' : 'NOT achieved'}`]
  for (const { record, qc } of value.slots) {
    lines.push(`  ${formatRecord(record)}`)
    if (qc === null) lines.push('    no quorum certificate')
    else lines.push(`    QC: ${qc.votes} votes, ${qc.verified ? 'verifies' : `DOES NOT VERIFY (${qc.error ?? ''})`}`)
    if (record.disagreeing_nodes.length > 0) lines.push(`    disagreeing: ${record.disagreeing_nodes.join(', ')}`)
  }
  return lines.join('\n')
}

function formatTrust (value: { nodes: TrustEntry[], average: number | null }): string {
  if (value.nodes.length === 0) return 'no trust records yet'
  return [
    ...value.nodes.map((n) => `${n.node_id}  ${String(n.score).padStart(3)}  ${n.band.padEnd(8)} ${n.status}`),
    `average ${value.average?.toFixed(2) ?? '-'}`
  ].join('\n')
}

function formatMembers (value: MembersResult): string {
  return [
    `federation ${value.federation_id}, epoch ${value.epoch}: ${value.members.length} members, quorum ${value.quorum} (threshold ${String(value.policy.threshold)}, tie-breaking ${value.policy.tie_breaking})`,
    ...value.warnings.map((w) => `warning: ${w}`),
    ...value.members.map((m) => `${m.node_id}  ${(m.site_id ?? '-').padEnd(16)} ${(m.jurisdiction ?? '-').padEnd(6)} trust ${String(m.score).padStart(3)} ${m.band} (${m.status})  reputation ${String(m.reputation).padStart(3)}`)
  ].join('\n')
}

function formatGenesis (value: GenesisResult): string {
  return [
    `genesis ${value.file} verified: federation ${value.federation_id}, ${value.members} founding members (${value.result === 'created' ? 'stored' : 'already stored'})`,
    ...value.warnings.map((w) => `warning: ${w}`)
  ].join('\n')
}

/** Registers `consensus`, `trust` and `members`. */
export function register (program: Command): void {
  const consensus = program.command('consensus').description('brokerless consensus: decisions, quorum certificates, genesis')

  consensus.command('history')
    .description('recent decisions (newest first) and statistics over all of them')
    .option('--limit <n>', `how many records (1-${HISTORY_QUERY_LIMIT_MAX})`, parseLimit, 20)
    .addOption(jsonOption())
    .addOption(dataDirOption())
    .action(async (options: { limit: number, json: boolean, dataDir: string }) => {
      print(await runOperation<{ records: HistoryRecord[], statistics: HistoryStatistics }>(resolve(options.dataDir), 'consensus.history', { limit: options.limit }), options.json, formatHistory)
    })

  consensus.command('check')
    .description('whether an event hash reached consensus, re-verifying its quorum certificate')
    .argument('<event_hash>', '64 hex characters')
    .addOption(jsonOption())
    .addOption(dataDirOption())
    .action(async (eventHash: string, options: { json: boolean, dataDir: string }) => {
      print(await runOperation<{ event_hash: string, consensus_achieved: boolean, slots: CheckEntry[] }>(resolve(options.dataDir), 'consensus.check', { event_hash: eventHash }), options.json, formatCheck)
    })

  consensus.command('genesis')
    .description('verify a signed genesis file and store the founding membership (default: consensus.genesis in config.yaml)')
    .argument('[file]', 'genesis YAML file')
    .addOption(jsonOption())
    .addOption(dataDirOption())
    .action(async (file: string | undefined, options: { json: boolean, dataDir: string }) => {
      const args = file === undefined ? {} : { file: resolve(file) }
      print(await runOperation<GenesisResult>(resolve(options.dataDir), 'consensus.genesis', args), options.json, formatGenesis)
    })

  consensus.command('propose')
    .description('propose an event in a slot on the running node: it votes for it and gossips both to the federation')
    .requiredOption('--type <type>', `event type: ${EVENT_TYPES.join(', ')}`)
    .requiredOption('--slot <slot>', 'slot id, e.g. gov/12')
    .option('--title <title>', 'governance_proposal: the title')
    .option('--text <text>', 'governance_proposal: the text', '')
    .option('--body <json>', 'the event body as JSON (other event types)')
    .addOption(jsonOption())
    .addOption(dataDirOption())
    .action(async (options: { type: string, slot: string, title?: string, text: string, body?: string, json: boolean, dataDir: string }) => {
      let body: unknown
      if (options.body !== undefined) {
        try { body = JSON.parse(options.body) } catch { throw new OperationArgumentError('--body must be JSON') }
      } else {
        body = { title: options.title ?? '', text: options.text }
      }
      const result = await runOperation<{ event_hash: string, slot: string }>(resolve(options.dataDir), 'consensus.propose', { type: options.type, slot: options.slot, body })
      print(result, options.json, (r) => `proposed ${r.event_hash} in slot ${r.slot}, and voted for it`)
    })

  consensus.command('vote')
    .description('sign and gossip this node\'s vote for an event hash in a slot (on the running node)')
    .requiredOption('--slot <slot>', 'slot id')
    .argument('<event_hash>', '64 hex characters')
    .addOption(jsonOption())
    .addOption(dataDirOption())
    .action(async (eventHash: string, options: { slot: string, json: boolean, dataDir: string }) => {
      const result = await runOperation<{ slot: string, event_hash: string, status: string }>(resolve(options.dataDir), 'consensus.vote', { slot: options.slot, event_hash: eventHash })
      print(result, options.json, (r) => `voted for ${r.event_hash} in slot ${r.slot} (slot ${r.status})`)
    })

  program.command('trust')
    .description('trust score, band and status of every node, and the average; --boost / --penalize apply the admin rules first')
    .addOption(new Option('--boost <node_id>', 'admin boost: +10 to a member').conflicts('penalize'))
    .option('--penalize <node_id>', 'admin penalty: −20 to a member')
    .addOption(jsonOption())
    .addOption(dataDirOption())
    .action(async (options: { boost?: string, penalize?: string, json: boolean, dataDir: string }) => {
      const dataDir = resolve(options.dataDir)
      if (options.boost !== undefined) await runOperation(dataDir, 'consensus.trust-adjust', { node_id: options.boost, rule: 'admin_boost' })
      if (options.penalize !== undefined) await runOperation(dataDir, 'consensus.trust-adjust', { node_id: options.penalize, rule: 'admin_penalty' })
      print(await runOperation<{ nodes: TrustEntry[], average: number | null }>(dataDir, 'consensus.trust', {}), options.json, formatTrust)
    })

  program.command('members')
    .description('the federation\'s current members with their trust')
    .addOption(jsonOption())
    .addOption(dataDirOption())
    .action(async (options: { json: boolean, dataDir: string }) => {
      print(await runOperation<MembersResult>(resolve(options.dataDir), 'consensus.members', {}), options.json, formatMembers)
    })
}
