/**
 * `fedmesh dispute open|list|show|resolve|escalate|recommend|rule|export`:
 * disputes about one edge of a committed chain (operations/disputes.ts),
 * carried to the other home node and the panel by the running node. Each
 * runs an operation (through the running node's API, or on the store for
 * reads).
 */
import { type Command, Option, InvalidArgumentError } from 'commander'
import { writeFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { defaultDataDir, print, runOperation } from '../context.ts'
import type { DisputeView } from '../../operations/disputes.ts'

const dataDirOption = (): Option => new Option('--data-dir <dir>', 'node data directory (env FEDMESH_DATA_DIR)').default(defaultDataDir(), './.fedmesh')
const jsonOption = (): Option => new Option('--json', 'print JSON').default(false)

function parseEdge (value: string): number {
  const n = Number(value)
  if (!Number.isInteger(n) || n < 0 || n > 11) throw new InvalidArgumentError('must be an edge index from 0 to 11')
  return n
}

function parseSatisfaction (value: string): number {
  const n = Number(value)
  if (value.trim() === '' || !Number.isFinite(n) || n < 0 || n > 1) throw new InvalidArgumentError('must be a number from 0 to 1')
  return n
}

function formatDispute (d: DisputeView): string {
  return [
    `dispute ${d.dispute_id}`,
    `chain ${d.chain_id}, edge ${d.edge}: ${d.provider.participant} → ${d.recipient.participant}`,
    `layer ${d.layer}, ${d.status}${d.ruling === null ? '' : ` (ruling: ${d.ruling.outcome}, satisfaction ${d.ruling.satisfaction_permille / 1000})`}; this node: ${d.role}`,
    ...d.messages.map((m) => `  ${m.kind} by ${m.signer}`),
    ...(d.panel === null ? [] : [`panel: ${d.panel.join(', ')} (${d.rulings.length} ruled)`]),
    `arbitration draw (certificate ${d.draw.certificate_hash}): ${d.draw.ranked.map((r) => r.site_id ?? r.node_id).join(', ') || 'no uninvolved member'}${d.draw.panel === null ? ` — ${d.draw.note ?? 'no panel'}` : ''}`
  ].join('\n')
}

interface Common { dataDir: string, json: boolean }

/** Registers `dispute …`. */
export function register (program: Command): void {
  const dispute = program.command('dispute').description('disputes about an edge of a committed chain: direct, mediation, arbitration; evidence export')

  dispute.command('open')
    .description('open a dispute about an edge, as its provider or recipient (a participant of this node)')
    .argument('<chain-id>', 'chain id (or its first 8+ characters)')
    .requiredOption('--edge <n>', 'the edge index (as `fedmesh chain show` lists them)', parseEdge)
    .requiredOption('--as <participant>', 'handle (alice) or id of the participant')
    .option('--text <text>', 'what is wrong (at most 4096 characters)')
    .addOption(dataDirOption())
    .addOption(jsonOption())
    .action(async (chainId: string, options: Common & { edge: number, as: string, text?: string }) => {
      const result = await runOperation<DisputeView>(resolve(options.dataDir), 'dispute.open', { chain_id: chainId, edge: options.edge, participant: options.as, ...(options.text === undefined ? {} : { text: options.text }) })
      print(result, options.json, formatDispute)
    })

  dispute.command('list')
    .description('every dispute on this node, newest first')
    .addOption(dataDirOption())
    .addOption(jsonOption())
    .action(async (options: Common) => {
      const result = await runOperation<{ disputes: DisputeView[] }>(resolve(options.dataDir), 'dispute.list', {})
      print(result, options.json, (r) => (r.disputes.length === 0 ? 'no disputes' : r.disputes.map((d) => `${d.dispute_id.slice(0, 12)}  ${d.status.padEnd(8)} ${d.layer.padEnd(11)} chain ${d.chain_id.slice(0, 12)} edge ${d.edge}`).join('\n')))
    })

  dispute.command('show')
    .description('one dispute, with the arbitration draw its chain\'s commit certificate gives')
    .argument('<dispute-id>', 'dispute id (or its first 8+ characters)')
    .addOption(dataDirOption())
    .addOption(jsonOption())
    .action(async (id: string, options: Common) => { print(await runOperation<DisputeView>(resolve(options.dataDir), 'dispute.show', { dispute_id: id }), options.json, formatDispute) })

  for (const [verb, operation, done] of [['resolve', 'dispute.resolve', 'resolved'], ['escalate', 'dispute.escalate', 'escalated']] as const) {
    dispute.command(verb)
      .description(verb === 'resolve' ? 'mark the dispute resolved, as one of its parties' : 'escalate to mediation, then to arbitration, as one of its parties')
      .argument('<dispute-id>', 'dispute id (or its first 8+ characters)')
      .requiredOption('--as <participant>', 'handle (alice) or id of the participant')
      .option('--text <text>', 'a note (at most 4096 characters)')
      .addOption(dataDirOption())
      .addOption(jsonOption())
      .action(async (id: string, options: Common & { as: string, text?: string }) => {
        const result = await runOperation<DisputeView>(resolve(options.dataDir), operation, { dispute_id: id, participant: options.as, ...(options.text === undefined ? {} : { text: options.text }) })
        print(result, options.json, (d) => `${done}: dispute ${d.dispute_id.slice(0, 12)} is ${d.status} (layer ${d.layer})`)
      })
  }

  dispute.command('recommend')
    .description('record this node\'s signed recommendation, as a home node of the dispute (mediation); the other home node receives it')
    .argument('<dispute-id>', 'dispute id (or its first 8+ characters)')
    .requiredOption('--text <text>', 'the recommendation (at most 4096 characters)')
    .addOption(dataDirOption())
    .addOption(jsonOption())
    .action(async (id: string, options: Common & { text: string }) => {
      const result = await runOperation<DisputeView>(resolve(options.dataDir), 'dispute.recommend', { dispute_id: id, text: options.text })
      print(result, options.json, (d) => `recommended: dispute ${d.dispute_id.slice(0, 12)} has ${d.recommendations.length} of 2 recommendations`)
    })

  dispute.command('rule')
    .description('sign this node\'s ruling, as a drawn panelist (arbitration); a majority of the panel binds')
    .argument('<dispute-id>', 'dispute id (or its first 8+ characters)')
    .addOption(new Option('--decision <side>', 'who was right').choices(['provider', 'recipient']).makeOptionMandatory())
    .requiredOption('--satisfaction <0..1>', 'the satisfaction the edge counts with from now on', parseSatisfaction)
    .option('--text <text>', 'the reasons (at most 4096 characters)')
    .addOption(dataDirOption())
    .addOption(jsonOption())
    .action(async (id: string, options: Common & { decision: string, satisfaction: number, text?: string }) => {
      const result = await runOperation<DisputeView>(resolve(options.dataDir), 'dispute.rule', { dispute_id: id, decision: options.decision, satisfaction: options.satisfaction, ...(options.text === undefined ? {} : { text: options.text }) })
      print(result, options.json, (d) => `ruled: dispute ${d.dispute_id.slice(0, 12)} is ${d.status}${d.ruling === null ? '' : ` (${d.ruling.outcome}, satisfaction ${d.ruling.satisfaction_permille / 1000})`}`)
    })

  dispute.command('export')
    .description('the evidence bundle: every signed message of the chain and the dispute with the signers\' keys (format fedmesh-evidence/1)')
    .argument('<dispute-id>', 'dispute id (or its first 8+ characters)')
    .option('--out <file>', 'write the bundle to this file instead of stdout')
    .addOption(dataDirOption())
    .action(async (id: string, options: { dataDir: string, out?: string }) => {
      const bundle = await runOperation<unknown>(resolve(options.dataDir), 'dispute.export', { dispute_id: id })
      const text = JSON.stringify(bundle, null, 2) + '\n'
      if (options.out === undefined) process.stdout.write(text)
      else {
        await writeFile(resolve(options.out), text)
        process.stdout.write(`evidence bundle written to ${resolve(options.out)}\n`)
      }
    })
}
