/**
 * `fedmesh participant add|list|remove`: the node's own participants.
 * Each runs an operation (on the store, or through the running node's API).
 */
import { type Command, Option, InvalidArgumentError } from 'commander'
import { resolve } from 'node:path'
import { defaultDataDir, print, runOperation } from '../context.ts'
import type { ParticipantRecord } from '../../store/participants.ts'
import { WEIGHT_MAX } from '../../core/matching/limits.ts'
import { readFile, writeFile } from 'node:fs/promises'
import type { ParticipantExport } from '../../core/migration/export.ts'
import type { MoveStart, MoveStatusView, ResolutionView } from '../../services/migration/index.ts'

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

async function writeOutput (file: string | undefined, text: string, secret = false): Promise<void> {
  if (file === undefined || file === '-') process.stdout.write(text)
  else await writeFile(resolve(file), text, secret ? { mode: 0o600 } : {})
}

function formatMoveStatus (s: MoveStatusView): string {
  const lines = [s.participant]
  if (s.outgoing !== undefined) lines.push(`  moving out to ${s.outgoing.to_site}: ${s.outgoing.status}${s.outgoing.redirect === undefined ? '' : ` → ${s.outgoing.redirect.to}, served until ${new Date(s.outgoing.redirect.grace_until).toISOString()}`}${s.outgoing.note === undefined ? '' : ` (${s.outgoing.note})`}`)
  if (s.incoming !== undefined) lines.push(`  moved in from ${s.incoming.from}: ${s.incoming.status}${s.incoming.published_peers === undefined ? '' : `, redirect taken by ${s.incoming.published_peers} DHT peer answers`}${s.incoming.redirect?.signed_by === 'recovery' ? ' (recovery-key redirect)' : ''}${s.incoming.note === undefined ? '' : ` (${s.incoming.note})`}`)
  if (s.receipt !== undefined) {
    const r = s.receipt
    const counts = ['resolved', 'failed', 'pending', 'unacknowledged'].map((status) => `${r.members.filter((m) => m.status === status).length} ${status}`).join(', ')
    lines.push(`  receipt (seq ${r.seq}, ${r.complete ? 'complete' : `open until ${new Date(r.grace_until).toISOString()}`}): ${counts}`)
    for (const m of r.members) {
      const detail = m.status === 'resolved' ? ` → ${m.home!}` : m.status === 'failed' ? `: ${m.reason!}` : ''
      lines.push(`    ${m.site ?? '(no site)'} ${m.member}: ${m.status}${detail}`)
    }
  }
  return lines.join('\n')
}

/** Registers the move commands: export, move, accept, resolve, move-status, recovery-key, recover. */
function registerMoves (participant: Command): void {
  participant.command('export')
    .description('print the complete signed history of a participant (JSON, docs/participant-export.md); needs the running node')
    .argument('<participant>', 'handle (alice) or id (sep://alice@site)')
    .option('--out <file>', 'write it to a file instead of stdout')
    .addOption(dataDirOption())
    .action(async (id: string, options: { out?: string, dataDir: string }) => {
      const document = await runOperation<ParticipantExport>(resolve(options.dataDir), 'participant.export', { participant: id })
      await writeOutput(options.out, JSON.stringify(document, null, 2) + '\n')
    })

  participant.command('move')
    .description('start moving a participant to another member site: pause it here, write its export (naming the target) and its key for the new node')
    .argument('<participant>', 'handle (alice) or id (sep://alice@site)')
    .requiredOption('--to <site>', 'the site id of the new home')
    .requiredOption('--key-out <file>', 'where to write the participant key (a secret: the new node asks it to prove key control)')
    .option('--out <file>', 'write the export to a file instead of stdout')
    .addOption(dataDirOption())
    .action(async (id: string, options: { to: string, keyOut: string, out?: string, dataDir: string }) => {
      const started = await runOperation<MoveStart>(resolve(options.dataDir), 'participant.move', { participant: id, to: options.to })
      await writeFile(resolve(options.keyOut), started.key + '\n', { mode: 0o600 })
      await writeOutput(options.out, JSON.stringify(started.export, null, 2) + '\n')
    })

  participant.command('accept')
    .description('on the new node: verify an export and the participant\'s key, import it, then publish the signed redirect and host it')
    .argument('<export>', 'the export file written by "participant move"')
    .requiredOption('--key-file <file>', 'the participant key file (fedmesh-participant-key:1:…)')
    .option('--import-only', 'verify and import only; switch nothing (run accept again to finish)', false)
    .addOption(dataDirOption())
    .addOption(jsonOption())
    .action(async (file: string, options: { keyFile: string, importOnly: boolean, dataDir: string, json: boolean }) => {
      const document = JSON.parse(await readFile(resolve(file), 'utf8')) as unknown
      const key = (await readFile(resolve(options.keyFile), 'utf8')).trim()
      const status = await runOperation<MoveStatusView>(resolve(options.dataDir), 'participant.accept', { export: document, key, publish: !options.importOnly })
      print(status, options.json, formatMoveStatus)
    })

  participant.command('resolve')
    .description('where a participant id leads now, following signed redirects in the DHT')
    .argument('<id>', 'participant id (sep://alice@site) or a handle of this node')
    .addOption(dataDirOption())
    .addOption(jsonOption())
    .action(async (id: string, options: { dataDir: string, json: boolean }) => {
      const resolution = await runOperation<ResolutionView>(resolve(options.dataDir), 'participant.resolve', { id })
      print(resolution, options.json, (r) => [r.home, ...r.hops.map((h) => `  ${h.from} → ${h.to} (seq ${h.seq}, ${h.signed_by}-signed, until ${new Date(h.grace_until).toISOString()})`)].join('\n'))
    })

  participant.command('move-status')
    .description('this node\'s view of a participant\'s move, with its receipt: which members resolved the new home, which failed (and why), which are pending')
    .argument('<participant>', 'handle (alice) or id (sep://alice@site)')
    .addOption(dataDirOption())
    .addOption(jsonOption())
    .action(async (id: string, options: { dataDir: string, json: boolean }) => {
      const status = await runOperation<MoveStatusView>(resolve(options.dataDir), 'participant.move-status', { participant: id })
      print(status, options.json, formatMoveStatus)
    })

  participant.command('recover')
    .description('on the node the participant recovers to, when its key was stolen: sign a redirect with its recovery key (overriding a stolen-key redirect within the recovery window), countersign, publish it and host the participant')
    .argument('<export>', 'an export of the participant from its last home ("participant export" or "participant move" output)')
    .requiredOption('--recovery-key-file <file>', 'the recovery key file written by "participant recovery-key"')
    .option('--key-file <file>', 'the participant\'s own key file, if it still has it (this node then signs for it)')
    .addOption(dataDirOption())
    .addOption(jsonOption())
    .action(async (file: string, options: { recoveryKeyFile: string, keyFile?: string, dataDir: string, json: boolean }) => {
      const document = JSON.parse(await readFile(resolve(file), 'utf8')) as unknown
      const recoveryKey = (await readFile(resolve(options.recoveryKeyFile), 'utf8')).trim()
      const key = options.keyFile === undefined ? undefined : (await readFile(resolve(options.keyFile), 'utf8')).trim()
      const status = await runOperation<MoveStatusView>(resolve(options.dataDir), 'participant.recover', { export: document, recovery_key: recoveryKey, ...(key === undefined ? {} : { key }) })
      print(status, options.json, formatMoveStatus)
    })

  participant.command('recovery-key')
    .description('make a recovery key for a participant (may override a stolen-key redirect within the recovery window); the node keeps only its public half')
    .argument('<participant>', 'handle (alice) or id (sep://alice@site)')
    .requiredOption('--out <file>', 'where to write the recovery key (a secret)')
    .addOption(dataDirOption())
    .action(async (id: string, options: { out: string, dataDir: string }) => {
      const made = await runOperation<{ participant: string, recovery_key: string }>(resolve(options.dataDir), 'participant.recovery-key', { participant: id })
      await writeFile(resolve(options.out), made.recovery_key + '\n', { mode: 0o600 })
      process.stdout.write(`recovery key of ${made.participant} written to ${options.out}\n`)
    })
}

/** Registers `participant add|list|remove` and the move commands. */
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

  registerMoves(participant)
}
