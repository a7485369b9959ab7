/**
 * `fedmesh send --class <class> --to <site> FILE`: one bilateral message to
 * one peer, through the running node (delivered now, or queued until the
 * relation carries it; refused when the policy does not allow the class).
 * `fedmesh inbox` lists what peers delivered.
 */
import { type Command, Option } from 'commander'
import { readFile, stat } from 'node:fs/promises'
import { resolve } from 'node:path'
import { CliError, EXIT_USAGE, defaultDataDir, print, runOperation } from '../context.ts'
import { BILATERAL_CLASSES } from '../../core/data-class.ts'
import { PAYLOAD_BYTES_MAX } from '../../wire/limits.ts'
import type { BilateralSendResult } from '../../services/bilateral/index.ts'
import type { ReceivedBilateral } from '../../store/bilateral-queue.ts'

const dataDirOption = (): Option => new Option('--data-dir <dir>', 'node data directory (env FEDMESH_DATA_DIR)').default(defaultDataDir(), './.fedmesh')
const jsonOption = (): Option => new Option('--json', 'print JSON').default(false)

interface Common { dataDir: string, json: boolean }

/** Registers `send` and `inbox`. */
export function register (program: Command): void {
  program.command('send')
    .description('send a file\'s bytes as one bilateral message to one peer (on a running node)')
    .requiredOption('--class <class>', `data class: ${BILATERAL_CLASSES.filter((c) => c !== 'chain').join(', ')}, or one a policy keeps out of gossip`)
    .requiredOption('--to <site>', 'the peer\'s site id (or PeerId)')
    .option('--schema <id>', 'schema id of the payload (default fedmesh.bilateral/1)')
    .argument('<file>', 'the payload')
    .addOption(dataDirOption())
    .addOption(jsonOption())
    .action(async (file: string, options: Common & { class: string, to: string, schema?: string }) => {
      const size = (await stat(file)).size
      if (size > PAYLOAD_BYTES_MAX) throw new CliError(`${file} has ${size} bytes, more than a message carries (${PAYLOAD_BYTES_MAX})`, EXIT_USAGE)
      const payload = await readFile(file)
      const result = await runOperation<BilateralSendResult>(resolve(options.dataDir), 'send', {
        class: options.class, to: options.to, payload_base64: payload.toString('base64'), ...(options.schema === undefined ? {} : { schema_id: options.schema })
      })
      print(result, options.json, (r) => `${r.status}: ${r.data_class} ${r.message_id} to ${r.site ?? r.peer}`)
    })

  program.command('inbox')
    .description('bilateral messages peers delivered, oldest first')
    .option('--limit <n>', 'at most this many', (value: string) => Number(value), 100)
    .addOption(dataDirOption())
    .addOption(jsonOption())
    .action(async (options: Common & { limit: number }) => {
      const result = await runOperation<{ messages: ReceivedBilateral[] }>(resolve(options.dataDir), 'bilateral.inbox', { limit: options.limit })
      print(result, options.json, (r) => (r.messages.length === 0
        ? 'no messages'
        : r.messages.map((m) => `${new Date(m.received_at_ms).toISOString()}  ${m.data_class.padEnd(22)} from ${m.site ?? m.from}  ${m.id}  ${Buffer.from(m.payload, 'base64').length} bytes`).join('\n')))
    })
}
