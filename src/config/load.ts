/**
 * Reading, validating and writing `config.yaml`.
 */
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { parse, stringify } from 'yaml'
import { InputError } from '../core/errors.ts'
import { keyProblems, yamlProblem, type KeyProblem } from './problems.ts'
import { configSchema, type Config, type ConfigInput } from './schema.ts'

export const CONFIG_FILE_NAME = 'config.yaml'

/** One problem in a config: the dotted key it concerns and what is wrong with it. */
export type ConfigProblem = KeyProblem

/** The config is invalid; `problems` names every bad key. The CLI exits 2 on it. */
export class ConfigError extends InputError {
  static override readonly code = 'ConfigError'
  override readonly name = 'ConfigError'
  readonly problems: ConfigProblem[]
  readonly file: string | undefined

  constructor (problems: ConfigProblem[], file?: string) {
    const where = file === undefined ? 'config' : file
    super(`invalid ${where}:\n${problems.map((p) => `  ${p.key}: ${p.message}`).join('\n')}`)
    this.problems = problems
    this.file = file
  }
}

/** The message for a config that still has `federation.members` (removed: the membership is the only source of members). */
export const FEDERATION_MEMBERS_REMOVED = 'was removed: members now come only from the federation\'s signed genesis and decided membership events. ' +
  'Delete this key, then load the genesis with "fedmesh consensus genesis <file>" (docs/operator.md: the genesis ceremony)'

/** Validates a parsed config object; throws ConfigError naming each bad key. */
export function parseConfig (input: unknown, file?: string): Config {
  const federation = (input as { federation?: unknown } | null)?.federation
  if (federation !== null && typeof federation === 'object' && 'members' in federation) {
    throw new ConfigError([{ key: 'federation.members', message: FEDERATION_MEMBERS_REMOVED }], file)
  }
  const result = configSchema.safeParse(input)
  if (result.success) return result.data
  throw new ConfigError(keyProblems(result.error, input), file)
}

/** Parses YAML text into a validated config. */
export function parseConfigText (text: string, file?: string): Config {
  let raw: unknown
  try {
    raw = parse(text)
  } catch (err) {
    throw new ConfigError([yamlProblem(err)], file)
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ConfigError([{ key: '(root)', message: 'must be a mapping of keys to values' }], file)
  }
  return parseConfig(raw, file)
}

/** Loads `<dataDir>/config.yaml`. */
export async function loadConfig (dataDir: string): Promise<Config> {
  const file = join(dataDir, CONFIG_FILE_NAME)
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new ConfigError([{ key: '(file)', message: `${file} does not exist: run "fedmesh init" first` }], file)
    }
    throw err
  }
  return parseConfigText(text, file)
}

/** Serialises a config as YAML (validating it first, so nothing invalid is ever written). */
export function formatConfig (input: ConfigInput): string {
  const config = parseConfig(input)
  return '# fedmesh node config: see docs/operator.md for every key\n' + stringify(config)
}

/** Writes `<dataDir>/config.yaml`. */
export async function writeConfig (dataDir: string, input: ConfigInput): Promise<Config> {
  const text = formatConfig(input)
  await writeFile(join(dataDir, CONFIG_FILE_NAME), text, { mode: 0o644 })
  return parseConfig(input)
}
