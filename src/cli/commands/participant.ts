/**
 * `fedmesh participant add|list|remove`: the node's own participants.
 * Each runs an operation (on the store, or through the running node's API).
 */
import { type Command, Option, InvalidArgumentError } from 'commander'
import { resolve } from 'node:path'
import { defaultDataDir, print, runOperation } from '../context.ts'
import type { ParticipantRecord } from '../../store/participants.ts'
import { WEIGHT_MAX } from '../../core/matching/limits.ts'

const dataDirOption = (): Option => new Option('--data-dir <dir>', 'node data directory (env FEDMESH_DATA_DIR)').default(defaultDataDir(), './.fedmesh')
const jsonOption = (): Option => new Option('--json', 'print JSON').default(false)
const collect = (value: string, previous: string[]): string[] => [...previous, value]

function parseWeight (value: string): number {
  const weight = Number(value)
  if (!Number.isInteger(weight) || weight < 0 || weight > WEIGHT_MAX) throw new InvalidArgumentError(`must be an integer from 0 to ${WEIGHT_MAX}`)
  return weight
}

function formatParticipant (p: ParticipantRecord): string {
  return `${p.id}  offers ${p.offers.join(', ')}  needs ${p.needs.join(', ')}${p.weight === undefined ? '' : `  weight ${p.weight}`}`
}

/** Registers `participant add|list|remove`. */
export function register (program: Command): void {
  const participant = program.command('participant').description('the participants this node hosts (sep://<handle>@<site_id>)')

  participant.command('add')
    .description('add a participant: what it offers and what it needs (categories of the taxonomy)')
    .requiredOption('--handle <handle>', 'handle, e.g. alice (the id becomes sep://alice@<site_id>)')
    .option('--offer <category>', 'a category it offers (repeatable)', collect, [])
    .option('--need <category>', 'a category it needs (repeatable)', collect, [])
    .option('--weight <n>', `value of serving it, 0-${WEIGHT_MAX} (second objective of the clearing)`, parseWeight)
    .addOption(dataDirOption())
    .addOption(jsonOption())
    .action(async (options: { handle: string, offer: string[], need: string[], weight?: number, dataDir: string, json: boolean }) => {
      const args = { handle: options.handle, offers: options.offer, needs: options.need, ...(options.weight === undefined ? {} : { weight: options.weight }) }
      const record = await runOperation<ParticipantRecord>(resolve(options.dataDir), 'participant.add', args)
      print(record, options.json, (r) => `added ${formatParticipant(r)}`)
    })

  participant.command('list')
    .description('list this node\'s participants')
    .addOption(dataDirOption())
    .addOption(jsonOption())
    .action(async (options: { dataDir: string, json: boolean }) => {
      const records = await runOperation<ParticipantRecord[]>(resolve(options.dataDir), 'participant.list', {})
      print(records, options.json, (list) => list.length === 0 ? 'no participants' : list.map(formatParticipant).join('\n'))
    })

  for (const [verb, operation] of [['pause', 'participant.pause'], ['resume', 'participant.resume']] as const) {
    participant.command(verb)
      .description(verb === 'pause' ? 'pause a participant: not matched, not bound to new chains' : 'make a paused participant active again')
      .argument('<participant>', 'handle (alice) or id (sep://alice@site)')
      .addOption(dataDirOption())
      .addOption(jsonOption())
      .action(async (id: string, options: { dataDir: string, json: boolean }) => {
        const record = await runOperation<ParticipantRecord>(resolve(options.dataDir), operation, { participant: id })
        print(record, options.json, (r) => `${r.id} is ${r.status ?? 'active'}`)
      })
  }

  participant.command('auto-consent')
    .description('sign (as the participant) a standing rule: consent to any chain of at most N steps within its categories')
    .argument('<participant>', 'handle (alice) or id (sep://alice@site)')
    .option('--max-length <n>', 'longest chain the rule covers (2-12, default 4)', Number)
    .option('--offer <category>', 'a category it may give (repeatable; default its offers)', collect, [])
    .option('--need <category>', 'a category it may get (repeatable; default its needs)', collect, [])
    .option('--valid-days <d>', 'how long the rule holds (default 30)', Number)
    .option('--clear', 'remove the rule', false)
    .addOption(dataDirOption())
    .addOption(jsonOption())
    .action(async (id: string, options: { maxLength?: number, offer: string[], need: string[], validDays?: number, clear: boolean, dataDir: string, json: boolean }) => {
      const args = {
        participant: id,
        clear: options.clear,
        ...(options.maxLength === undefined ? {} : { chain_length_max: options.maxLength }),
        ...(options.offer.length === 0 ? {} : { offers: options.offer }),
        ...(options.need.length === 0 ? {} : { needs: options.need }),
        ...(options.validDays === undefined ? {} : { valid_days: options.validDays })
      }
      const record = await runOperation<ParticipantRecord>(resolve(options.dataDir), 'participant.auto-consent', args)
      print(record, options.json, (r) => (r.auto_consent === undefined ? `${r.id} has no standing rule` : `${r.id} consents to ${JSON.stringify(r.auto_consent.statement.claims)}`))
    })

  participant.command('remove')
    .description('remove a participant by handle or full id')
    .argument('<participant>', 'handle (alice) or id (sep://alice@site)')
    .addOption(dataDirOption())
    .addOption(jsonOption())
    .action(async (id: string, options: { dataDir: string, json: boolean }) => {
      const record = await runOperation<ParticipantRecord>(resolve(options.dataDir), 'participant.remove', { participant: id })
      print(record, options.json, (r) => `removed ${r.id}`)
    })
}
