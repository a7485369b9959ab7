/**
 * A node's data dir: `config.yaml`, the key files (`node.key`, `mldsa.key`),
 * the API token, the store and the peer store. `init` creates it.
 */
import { mkdir, readdir, writeFile, readFile, stat, chmod, rename } from 'node:fs/promises'
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

/** Bits that must be clear on secrets and on the data dir: nothing for group or others. */
const GROUP_OTHER_BITS = 0o077

export class DataDirExistsError extends InputError {
  static override readonly code = 'DataDirExistsError'
  override readonly name = 'DataDirExistsError'
}

/** The data dir can be read or entered by other users (it holds keys and the store). */
export class DataDirPermissionsError extends InputError {
  static override readonly code = 'DataDirPermissionsError'
  override readonly name = 'DataDirPermissionsError'
}

/** `api.token` is readable or writable by other users. */
export class ApiTokenPermissionsError extends InputError {
  static override readonly code = 'ApiTokenPermissionsError'
  override readonly name = 'ApiTokenPermissionsError'
}

/** `api.token` is missing or empty. */
export class ApiTokenMissingError extends InputError {
  static override readonly code = 'ApiTokenMissingError'
  override readonly name = 'ApiTokenMissingError'
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
  await chmod(dataDir, 0o700) // mkdir's mode is under the umask, and an existing dir keeps its own
  await rotateApiToken(dataDir)
  return await writeConfig(dataDir, options.config)
}

/** Refuses a data dir that other users can enter, read or write (DataDirPermissionsError with the fix). */
export async function checkDataDirMode (dataDir: string): Promise<void> {
  if (process.platform === 'win32') return
  const mode = (await stat(dataDir)).mode & 0o777
  if ((mode & GROUP_OTHER_BITS) !== 0) {
    throw new DataDirPermissionsError(`data dir ${dataDir} has mode ${mode.toString(8)}; it holds keys and the store, so it must be 700 (chmod 700 ${dataDir})`)
  }
}

/**
 * Writes a new bearer token (0600, by rename so a reader never sees half a
 * file); the node's keys and identity are untouched. A running node picks it
 * up at the next request (it re-reads the file when it changes).
 */
export async function rotateApiToken (dataDir: string): Promise<string> {
  const tokenFile = join(dataDir, API_TOKEN_FILE_NAME)
  const staged = `${tokenFile}.new`
  await writeFile(staged, randomBytes(32).toString('base64url') + '\n', { mode: SECRET_FILE_MODE })
  await chmod(staged, SECRET_FILE_MODE) // the mode argument applies only on creation and under the umask
  await rename(staged, tokenFile)
  return tokenFile
}

/** Reads the bearer token the local API expects; refuses a missing, empty or group/other-accessible file. */
export async function readApiToken (dataDir: string): Promise<string> {
  const tokenFile = join(dataDir, API_TOKEN_FILE_NAME)
  let info
  try {
    info = await stat(tokenFile)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new ApiTokenMissingError(`${tokenFile} is missing: make a new one with "fedmesh token rotate" (keys and identity stay)`)
    throw err
  }
  if (process.platform !== 'win32' && (info.mode & GROUP_OTHER_BITS) !== 0) {
    throw new ApiTokenPermissionsError(`${tokenFile} has mode ${(info.mode & 0o777).toString(8)}; the API token must be 600 (chmod 600 ${tokenFile}, or "fedmesh token rotate")`)
  }
  const token = (await readFile(tokenFile, 'utf8')).trim()
  if (token === '') throw new ApiTokenMissingError(`${tokenFile} is empty: make a new one with "fedmesh token rotate"`)
  return token
}

/** The current token, re-read whenever the file changes (a rotated token takes effect without a restart). */
export function apiTokenSource (dataDir: string): () => Promise<string> {
  let cached: { ino: number, mtimeMs: number, size: number, token: string } | undefined
  return async () => {
    const info = await stat(join(dataDir, API_TOKEN_FILE_NAME)).catch(() => undefined)
    if (cached !== undefined && info !== undefined && info.ino === cached.ino && info.mtimeMs === cached.mtimeMs && info.size === cached.size) return cached.token
    const token = await readApiToken(dataDir)
    if (info !== undefined) cached = { ino: info.ino, mtimeMs: info.mtimeMs, size: info.size, token }
    return token
  }
}
