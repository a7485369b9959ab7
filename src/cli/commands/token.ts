/**
 * `fedmesh token rotate`: a new local API bearer token in `<data dir>/api.token`
 * (0600). Only the token changes — keys, PeerId and store stay — and a running
 * node accepts the new token from its next request on.
 */
import { type Command, Option } from 'commander'
import { resolve } from 'node:path'
import { CliError, EXIT_USAGE, defaultDataDir, print } from '../context.ts'
import { isInitialised, rotateApiToken } from '../../node/data-dir.ts'

/** Registers `token`. */
export function register (program: Command): void {
  const token = program.command('token').description('the local API\'s bearer token')
  token.command('rotate')
    .description('replace api.token with a new random token (keys and identity stay)')
    .addOption(new Option('--data-dir <dir>', 'node data directory (env FEDMESH_DATA_DIR)').default(defaultDataDir(), './.fedmesh'))
    .addOption(new Option('--json', 'print JSON').default(false))
    .action(async (options: { dataDir: string, json: boolean }) => {
      const dataDir = resolve(options.dataDir)
      if (!(await isInitialised(dataDir))) throw new CliError(`${dataDir} holds no node (no config.yaml): run "fedmesh init" first`, EXIT_USAGE)
      const file = await rotateApiToken(dataDir)
      print({ token_file: file }, options.json, (value) => `new API token written to ${value.token_file} (mode 600); a running node accepts it from its next request`)
    })
}
