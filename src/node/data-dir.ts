/**
 * A node's data dir: `config.yaml`, the key files (`node.key`, `mldsa.key`),
 * the API token, the store and the peer store. `init` creates it.
 */
import { mkdir, readdir, writeFile, readFile, stat, chmod } from 'node:fs/promises'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'
import { writeConfig, parseConfig, CONFIG_FILE_NAME } from '../config/load.ts'
import type { Config, ConfigInput } from '../config/schema.ts'
import { createNodeKeyFiles } from '../crypto/key-files.ts'
import { InputError } from '../core/errors.ts'
import type { MlDsaLevel } from '../core/signature.ts'

/** The local API's bearer token. */
export const API_TOKEN_FILE_NAME = 'api.token'

/** Secret files (keys, token) are readable by the owner only. */
export const SECRET_FILE_MODE = 0o600

export class DataDirExistsError extends InputError {
  static override readonly code = 'DataDirExistsError'
  override readonly name = 'DataDirExistsError'
}

export interface InitOptions {
  dataDir: string
  config: ConfigInput
  force?: boolean
  mldsaLevel?: MlDsaLevel
}

/** True when `dir` already holds a node (a config file). */
export async function isInitialised (dataDir: string): Promise<boolean> {
  try {
    await stat(join(dataDir, CONFIG_FILE_NAME))
    return true
  } catch {
    return false
  }
}

/**
 * Creates a data dir: validates the config first (so a bad flag writes
 * nothing), then keys, token and config. Refuses a non-empty dir unless `force`.
 */
export async function initDataDir (options: InitOptions): Promise<Config> {
  const { dataDir } = options
  // validate before touching the disk, so a bad flag writes nothing
  parseConfig(options.config)
  await mkdir(dataDir, { recursive: true, mode: 0o700 })
  const existing = await readdir(dataDir)
  if (existing.length > 0 && options.force !== true) {
    throw new DataDirExistsError(`${dataDir} is not empty (${existing.slice(0, 3).join(', ')}${existing.length > 3 ? ', …' : ''}); pass --force to overwrite its config and keys`)
  }
  await createNodeKeyFiles(dataDir, { force: options.force === true, ...(options.mldsaLevel === undefined ? {} : { mldsaLevel: options.mldsaLevel }) })
  const tokenFile = join(dataDir, API_TOKEN_FILE_NAME)
  await writeFile(tokenFile, randomBytes(32).toString('base64url') + '\n', { mode: SECRET_FILE_MODE })
  await chmod(tokenFile, SECRET_FILE_MODE) // mode applies only on creation; --force rewrites an existing file

  return await writeConfig(dataDir, options.config)
}

/** Reads the bearer token the local API expects. */
export async function readApiToken (dataDir: string): Promise<string> {
  return (await readFile(join(dataDir, API_TOKEN_FILE_NAME), 'utf8')).trim()
}
