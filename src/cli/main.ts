/**
 * The `fedmesh` command. Parsing by commander (well kept, typed, generates
 * --help for every subcommand); each command group lives in its own module
 * under `commands/` and registers itself here.
 */
import { Command, CommanderError } from 'commander'
import { VERSION } from '../version.ts'
import { CliError, exitCodeFor } from './context.ts'
import * as nodeCommands from './commands/node.ts'
import * as consensusCommands from './commands/consensus.ts'
import * as participantCommands from './commands/participant.ts'
import * as matchCommands from './commands/match.ts'
import * as consoleCommands from './commands/console.ts'
import * as auditCommands from './commands/audit.ts'
import * as chainCommands from './commands/chains.ts'
import * as tokenCommands from './commands/token.ts'
import * as genesisCommands from './commands/genesis.ts'
import * as memberCommands from './commands/members.ts'
import * as syncCommands from './commands/sync.ts'
import * as disputeCommands from './commands/dispute.ts'
import * as discoverCommands from './commands/discover.ts'
import * as relationCommands from './commands/relations.ts'
import * as sendCommands from './commands/send.ts'

type Register = (program: Command) => void

/** Command groups; a feature adds its module here (import it above, list it here). */
const commandModules: Array<{ register: Register }> = [
  nodeCommands,
  consensusCommands,
  participantCommands,
  matchCommands,
  consoleCommands,
  auditCommands,
  chainCommands,
  tokenCommands,
  genesisCommands,
  memberCommands,
  syncCommands,
  disputeCommands,
  discoverCommands,
  relationCommands,
  sendCommands,
]

/** Builds the program with every command registered. */
export async function buildProgram (): Promise<Command> {
  const program = new Command()
  program
    .name('fedmesh')
    .description('A sovereign federation node on libp2p')
    .version(VERSION)
    .showHelpAfterError()
    .exitOverride()
  for (const module of commandModules) module.register(program)
  return program
}

/** Runs the CLI; resolves to the process exit code. */
export async function main (argv: string[]): Promise<number> {
  const program = await buildProgram()
  try {
    await program.parseAsync(argv, { from: 'user' })
    return 0
  } catch (err) {
    if (err instanceof CommanderError) {
      // help and version exit "successfully" through commander's override
      return err.exitCode === 0 ? 0 : 2
    }
    const code = exitCodeFor(err)
    writeError(err, code, argv.includes('--json'))
    return code
  }
}

/** Error messages echo input; this much is shown (a 100,000-character handle is not printed back whole). */
export const ERROR_MESSAGE_CHARS_MAX = 2_000

/** Prints a failure: `fedmesh: <ErrorName>: <message>` on stderr, or with --json a JSON error object on stdout. */
function writeError (err: unknown, exitCode: number, json: boolean): void {
  const name = err instanceof Error ? err.name : 'Error'
  const text = err instanceof Error ? err.message : String(err)
  const message = text.length > ERROR_MESSAGE_CHARS_MAX ? `${text.slice(0, ERROR_MESSAGE_CHARS_MAX)}… (${text.length - ERROR_MESSAGE_CHARS_MAX} more characters)` : text
  if (json && !(err instanceof CliError && err.reported)) process.stdout.write(JSON.stringify({ error: { name, message, exit_code: exitCode } }, null, 2) + '\n')
  else process.stderr.write(`fedmesh: ${name}: ${message}\n`)
}
