/**
 * Consensus commands: `consensus history|check|pending|genesis|propose|vote`, `trust` (`members` is in members.ts).
 * Each runs an operation (on the store, or through the running node's API).
 */
import { type Command, Option, InvalidArgumentError } from 'commander'
import { resolve } from 'node:path'
import { CliError, defaultDataDir, print, runOperation } from '../context.ts'
import type { HistoryRecord, HistoryStatistics } from '../../core/consensus/history.ts'
import type { TrustEntry } from '../../core/consensus/trust.ts'
import type { CheckResult, GenesisResult, PendingResult, VoteResult } from '../../operations/consensus.ts'
import type { PendingEvent } from '../../core/consensus/pending.ts'
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

function formatCheck (value: CheckResult): string {
  const lines = [`event ${value.event_hash}: ${value.state} (consensus ${value.consensus_achieved ? 'ACHIEVED' : 'NOT achieved'})`]
  for (const p of value.pending) lines.push(`  ${p.slot.padEnd(20)} PENDING  ${p.votes} vote(s)${p.quorum === null ? '' : ` of ${p.quorum} needed`}`)
  for (const { record, qc } of value.slots) {
    lines.push(`  ${formatRecord(record)}`)
    if (qc === null) lines.push('    no quorum certificate')
    else lines.push(`    QC: ${qc.votes} votes, ${qc.verified ? 'verifies' : `DOES NOT VERIFY (${qc.error ?? ''})`}`)
    if (record.disagreeing_nodes.length > 0) lines.push(`    disagreeing: ${record.disagreeing_nodes.join(', ')}`)
  }
  return lines.join('\n')
}

/** An event as the operator reads it before voting. */
function formatEvent (e: PendingEvent, indent = ''): string[] {
  const lines = [
    `${indent}${e.type}: ${e.title}`,
    `${indent}  hash      ${e.event_hash}`,
    `${indent}  proposer  ${e.proposer.site_id ?? '(no site)'} ${e.proposer.peer_id}`,
    `${indent}  proposed  ${time(e.initiated_at)}`,
    `${indent}  votes     ${e.votes}`
  ]
  const body = e.type === 'governance_proposal' ? (e.body as { text: string }).text : JSON.stringify(e.body)
  if (body !== '') lines.push(`${indent}  body      ${body.split('\n').join(`\n${indent}            `)}`)
  return lines
}

function formatPending (value: PendingResult): string {
  if (value.slots.length === 0) return 'no pending slots'
  const lines: string[] = []
  for (const slot of value.slots) {
    lines.push(`slot ${slot.slot}: quorum ${slot.quorum} of ${slot.membership_size}, deadline ${time(slot.deadline)}${slot.voted === null ? '' : `, this node voted ${short(slot.voted)}`}`)
    if (slot.events.length === 0) lines.push('  no event known yet')
    for (const event of slot.events) lines.push(...formatEvent(event, '  '))
    const awaiting = Object.entries(slot.awaiting_event)
    if (awaiting.length > 0) lines.push(`  waiting for their event: ${awaiting.map(([hash, n]) => `${short(hash)} (${n})`).join(', ')}`)
  }
  return lines.join('\n')
}

/** Exit code of `consensus check` for a hash this node does not know (docs/consensus.md). */
export const EXIT_UNKNOWN_HASH = 3

function formatTrust (value: { nodes: TrustEntry[], average: number | null }): string {
  if (value.nodes.length === 0) return 'no trust records yet'
  return [
    ...value.nodes.map((n) => `${n.node_id}  ${String(n.score).padStart(3)}  ${n.band.padEnd(8)} ${n.status}`),
    `average ${value.average?.toFixed(2) ?? '-'}`
  ].join('\n')
}

function formatGenesis (value: GenesisResult): string {
  return [
    `genesis ${value.file} verified: federation ${value.federation_id}, ${value.members} founding members (${value.result === 'created' ? 'stored' : 'already stored'})`,
    ...value.warnings.map((w) => `warning: ${w}`)
  ].join('\n')
}

/** Registers `consensus` and `trust`. */
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
    .description('pending, decided or failed for an event hash this node knows (exit 0), re-verifying QCs; exit 3 for an unknown hash')
    .argument('<event_hash>', '64 hex characters')
    .addOption(jsonOption())
    .addOption(dataDirOption())
    .action(async (eventHash: string, options: { json: boolean, dataDir: string }) => {
      let result: CheckResult
      try {
        result = await runOperation<CheckResult>(resolve(options.dataDir), 'consensus.check', { event_hash: eventHash })
      } catch (err) {
        if ((err as Error).name === 'UnknownEventHashError') throw new CliError((err as Error).message.replace(/^node API [^:]*: /, ''), EXIT_UNKNOWN_HASH, { name: 'UnknownEventHashError', cause: err })
        throw err
      }
      print(result, options.json, formatCheck)
    })

  consensus.command('pending')
    .description('open slots: each event\'s type, title, body and proposer (site and PeerId), the deadline and the votes so far per hash')
    .addOption(jsonOption())
    .addOption(dataDirOption())
    .action(async (options: { json: boolean, dataDir: string }) => {
      print(await runOperation<PendingResult>(resolve(options.dataDir), 'consensus.pending', {}), options.json, formatPending)
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
    .description('sign and gossip this node\'s vote in a slot (on the running node); without a hash, for the slot\'s one pending event, printed first')
    .requiredOption('--slot <slot>', 'slot id')
    .argument('[event_hash]', '64 hex characters (default: the slot\'s pending event)')
    .addOption(jsonOption())
    .addOption(dataDirOption())
    .action(async (eventHash: string | undefined, options: { slot: string, json: boolean, dataDir: string }) => {
      const args = eventHash === undefined ? { slot: options.slot } : { slot: options.slot, event_hash: eventHash }
      const result = await runOperation<VoteResult>(resolve(options.dataDir), 'consensus.vote', args)
      print(result, options.json, (r) => [
        ...(r.event === undefined ? [] : [`slot ${r.slot}:`, ...formatEvent(r.event, '  ')]),
        `voted for ${r.event_hash} in slot ${r.slot} (slot ${r.status})`
      ].join('\n'))
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
}
