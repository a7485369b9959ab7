/**
 * `fedmesh chains` and `fedmesh chain propose|show|consent|refuse|deliver|confirm`:
 * chain settlement from the command line. Each runs an operation (listing on
 * the store; the rest through the running node's API, since they send).
 */
import { type Command, Option, InvalidArgumentError } from 'commander'
import { resolve } from 'node:path'
import { defaultDataDir, print, runOperation } from '../context.ts'
import { parseTimeLimit } from './match.ts'
import { CHAIN_PHASES } from '../../core/chain/state.ts'
import { formatChainLine, formatChainView, type ChainView } from '../../operations/chain-views.ts'
import type { AttestationView, ReputationEntry } from '../../operations/attestations.ts'

const dataDirOption = (): Option => new Option('--data-dir <dir>', 'node data directory (env FEDMESH_DATA_DIR)').default(defaultDataDir(), './.fedmesh')
const jsonOption = (): Option => new Option('--json', 'print JSON').default(false)

function parseNumber (min: number, max: number, integer: boolean): (value: string) => number {
  return (value) => {
    const n = Number(value)
    if (!Number.isFinite(n) || n < min || n > max || (integer && !Number.isInteger(n))) throw new InvalidArgumentError(`must be ${integer ? 'an integer' : 'a number'} from ${min} to ${max}`)
    return n
  }
}

interface Common { dataDir: string, json: boolean }

async function show (options: Common, name: string, args: Record<string, unknown>, verb?: string): Promise<void> {
  const view = await runOperation<ChainView>(resolve(options.dataDir), name, args)
  print(view, options.json, (v) => (verb === undefined ? formatChainView(v) : `${verb}: chain ${v.chain_id.slice(0, 12)} is ${v.state}`))
}

function formatAttestation (a: AttestationView): string {
  const c = a.claims
  const satisfaction = c.satisfaction_rate_permille === null ? 'unrated' : `satisfaction ${c.satisfaction_rate_permille / 1000}`
  return `${a.participant}  by ${a.issuer_site ?? a.issuing_node}  ${c.exchanges_completed} exchanges, ${satisfaction}, ${c.partner_count} partners, ${c.trust_tier}  (issuer reputation ${a.issuer_reputation}, weight ${a.weight_permille / 1000})`
}

function formatReputation (r: ReputationEntry): string {
  return `${r.node_id}  ${(r.site_id ?? '-').padEnd(16)} reputation ${String(r.score).padStart(3)}  accuracy ${r.accuracy_permille / 1000} (${r.observations} observed)  adherence ${r.adherence_permille / 1000} (on time ${r.on_time}, late ${r.late}, honoured ${r.honoured}, broken ${r.broken})`
}

/** Registers `chains`, `chain …`, `attestations` and `reputation`. */
export function register (program: Command): void {
  program.command('attestations')
    .description('the latest attestation per participant this node holds (its own and other members\'), weighted by issuer reputation')
    .option('--participant <id>', 'only this participant (handle or sep:// id)')
    .addOption(dataDirOption())
    .addOption(jsonOption())
    .action(async (options: Common & { participant?: string }) => {
      const result = await runOperation<{ attestations: AttestationView[] }>(resolve(options.dataDir), 'attestations.list', options.participant === undefined ? {} : { participant: options.participant })
      print(result, options.json, (r) => (r.attestations.length === 0 ? 'no attestations' : r.attestations.map(formatAttestation).join('\n')))
    })

  program.command('reputation')
    .description('the reputation this node keeps of every member: attestation accuracy and protocol adherence (docs/reputation.md)')
    .addOption(dataDirOption())
    .addOption(jsonOption())
    .action(async (options: Common) => {
      const result = await runOperation<{ members: ReputationEntry[] }>(resolve(options.dataDir), 'reputation.list', {})
      print(result, options.json, (r) => (r.members.length === 0 ? 'no members' : r.members.map(formatReputation).join('\n')))
    })

  program.command('chains')
    .description('chains this node takes part in, newest first')
    .addOption(new Option('--state <state>', 'only chains in this state').choices([...CHAIN_PHASES]))
    .addOption(dataDirOption())
    .addOption(jsonOption())
    .action(async (options: Common & { state?: string }) => {
      const result = await runOperation<{ chains: ChainView[] }>(resolve(options.dataDir), 'chains.list', options.state === undefined ? {} : { state: options.state })
      print(result, options.json, (r) => (r.chains.length === 0 ? 'no chains' : r.chains.map(formatChainLine).join('\n')))
    })

  const chain = program.command('chain').description('settle a chain: propose, consent or refuse, deliver, confirm (on a running node)')

  chain.command('propose')
    .description('propose a chain `fedmesh match` finds to every home node')
    .option('--chain <n>', 'which chain of the match report (default: among those with a participant of this node, the best-attested one; ties in clearing order)', parseNumber(1, 10_000, true))
    .option('--cap <k>', 'chain length cap for the match', parseNumber(2, 12, true))
    .option('--heuristic', 'pick from the heuristic clearing instead of the exact/certified one (see fedmesh match --exact)')
    .option('--time-limit <seconds>', 'time budget of the exact clearing', parseTimeLimit)
    .option('--consent-minutes <m>', 'consent window (default 60)', parseNumber(10, 7 * 1440, true))
    .option('--execution-days <d>', 'execution window after the consent deadline (default 7)', parseNumber(1 / 1440, 365, false))
    .addOption(dataDirOption())
    .addOption(jsonOption())
    .action(async (options: Common & { chain?: number, cap?: number, heuristic?: boolean, timeLimit?: number, consentMinutes?: number, executionDays?: number }) => {
      await show(options, 'chain.propose', {
        ...(options.chain === undefined ? {} : { chain: options.chain }),
        ...(options.cap === undefined ? {} : { cap: options.cap }),
        ...(options.heuristic === true ? { exact: false } : {}),
        ...(options.timeLimit === undefined ? {} : { time_limit_ms: options.timeLimit }),
        ...(options.consentMinutes === undefined ? {} : { consent_minutes: options.consentMinutes }),
        ...(options.executionDays === undefined ? {} : { execution_days: options.executionDays })
      }, 'proposed')
    })

  chain.command('show')
    .description('one chain in detail')
    .argument('<chain-id>', 'chain id (or its first 8+ characters)')
    .addOption(dataDirOption())
    .addOption(jsonOption())
    .action(async (id: string, options: Common) => { await show(options, 'chain.show', { chain_id: id }) })

  for (const [verb, operation, done] of [['consent', 'chain.consent', 'consented'], ['refuse', 'chain.refuse', 'refused'], ['deliver', 'chain.deliver', 'delivered']] as const) {
    const command = chain.command(verb)
      .description(`${verb} as a participant of this node (signed with its own key)`)
      .argument('<chain-id>', 'chain id (or its first 8+ characters)')
      .requiredOption('--as <participant>', 'handle (alice) or id of the participant')
    if (verb === 'refuse') command.option('--note <text>', 'why (at most 256 characters)')
    command.addOption(dataDirOption()).addOption(jsonOption())
      .action(async (id: string, options: Common & { as: string, note?: string }) => {
        await show(options, operation, { chain_id: id, participant: options.as, ...(options.note === undefined ? {} : { note: options.note }) }, done)
      })
  }

  chain.command('confirm')
    .description('confirm, as its recipient, the edge into a participant\'s step, with a satisfaction 0-1')
    .argument('<chain-id>', 'chain id (or its first 8+ characters)')
    .requiredOption('--as <participant>', 'handle (alice) or id of the participant')
    .requiredOption('--satisfaction <s>', 'satisfaction from 0 to 1', parseNumber(0, 1, false))
    .option('--comment <text>', 'a comment (at most 1024 characters)')
    .addOption(dataDirOption())
    .addOption(jsonOption())
    .action(async (id: string, options: Common & { as: string, satisfaction: number, comment?: string }) => {
      await show(options, 'chain.confirm', { chain_id: id, participant: options.as, satisfaction: options.satisfaction, ...(options.comment === undefined ? {} : { comment: options.comment }) }, 'confirmed')
    })
}
