/**
 * `fedmesh console`: prints the operator console's URL (and where the login
 * token is); it opens nothing by itself, so it works over SSH and in scripts.
 */
import { type Command, Option } from 'commander'
import { join, resolve } from 'node:path'
import { defaultDataDir, print, CliError, EXIT_UNREACHABLE } from '../context.ts'
import { loadConfig } from '../../config/load.ts'
import { API_TOKEN_FILE_NAME } from '../../node/data-dir.ts'
import { CONSOLE_PREFIX } from '../../api/console/index.ts'
import type { Config } from '../../config/schema.ts'

/** How long the reachability check waits for `/healthz` (ms). */
export const CONSOLE_CHECK_MS_MAX = 3_000

export interface ConsoleInfo {
  url: string
  token_file: string
  /** whether the node's API answered `/healthz` just now */
  running: boolean
}

/** The console's URL for a config: a wildcard listen address is reached on loopback. */
export function consoleUrl (config: Config): string {
  const host = config.api.host === '0.0.0.0' ? '127.0.0.1' : config.api.host === '::' ? '::1' : config.api.host
  return `http://${host.includes(':') ? `[${host}]` : host}:${config.api.port}${CONSOLE_PREFIX}`
}

async function isRunning (url: string): Promise<boolean> {
  try {
    const response = await fetch(new URL('/healthz', url), { signal: AbortSignal.timeout(CONSOLE_CHECK_MS_MAX) })
    return response.ok
  } catch {
    return false
  }
}

function formatInfo (info: ConsoleInfo): string {
  return [
    info.url,
    `log in with the token in ${info.token_file}`,
    ...(info.running ? [] : ['the node is not running: start it with "fedmesh start", then open the URL'])
  ].join('\n')
}

/** Registers `console`. */
export function register (program: Command): void {
  program.command('console')
    .description('print the URL of the operator console in the browser (opens nothing); exit 3 when the node is not running')
    .addOption(new Option('--data-dir <dir>', 'node data directory (env FEDMESH_DATA_DIR)').default(defaultDataDir(), './.fedmesh'))
    .option('--json', 'print JSON', false)
    .action(async (options: { dataDir: string, json: boolean }) => {
      const dataDir = resolve(options.dataDir)
      const url = consoleUrl(await loadConfig(dataDir))
      const info: ConsoleInfo = { url, token_file: join(dataDir, API_TOKEN_FILE_NAME), running: await isRunning(url) }
      print(info, options.json, formatInfo)
      if (!info.running) throw new CliError(`no node API answers at ${new URL('/healthz', url).href}`, EXIT_UNREACHABLE)
    })
}
