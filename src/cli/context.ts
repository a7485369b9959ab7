/**
 * What every CLI command shares: the data dir option, running an operation on
 * the store or through the running node's API, printing JSON or text, and
 * turning typed errors into exit codes.
 */
import { resolve } from 'node:path'
import { readApiToken } from '../node/data-dir.ts'
import { loadConfig, ConfigError } from '../config/load.ts'
import { Store, StoreLockedError } from '../store/store.ts'
import { createOperations, OperationArgumentError } from '../operations/index.ts'
import { hybridVerifier } from '../crypto/hybrid.ts'
import { systemClock } from '../runtime/clock.ts'
import type { Config } from '../config/schema.ts'
import { InputError } from '../core/errors.ts'

/** Default data dir: `./.fedmesh`, or $FEDMESH_DATA_DIR. */
export function defaultDataDir (): string {
  return resolve(process.env.FEDMESH_DATA_DIR ?? '.fedmesh')
}

/** Exit codes: 1 runtime failure, 2 bad input (config, arguments), 3 node not reachable. */
export const EXIT_FAILURE = 1
export const EXIT_USAGE = 2
export const EXIT_UNREACHABLE = 3

/** A CLI failure with the exit code it should produce. */
export class CliError extends Error {
  static readonly code: string = 'CliError'
  override readonly name: string
  readonly exitCode: number
  /** the command printed its result already (e.g. a failed verification's JSON report): only the exit code and a stderr line remain */
  readonly reported: boolean
  /** `name`: the error's stable name when it is not a CliError of its own (an error the node's API reported by name) */
  constructor (message: string, exitCode: number = EXIT_FAILURE, options?: ErrorOptions & { name?: string, reported?: boolean }) {
    super(message, options)
    this.exitCode = exitCode
    this.name = options?.name ?? 'CliError'
    this.reported = options?.reported ?? false
  }
}

/** Calls the running node's local API with the data dir's token. */
export async function callApi<R> (dataDir: string, config: Config, method: 'GET' | 'POST', path: string, body?: unknown): Promise<R> {
  const token = await readApiToken(dataDir)
  const host = config.api.host.includes(':') ? `[${config.api.host}]` : config.api.host
  let response: Response
  try {
    response = await fetch(`http://${host}:${config.api.port}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(10_000)
    })
  } catch (err) {
    throw new CliError(`cannot reach the node's API at ${host}:${config.api.port}: is "fedmesh start" running for ${dataDir}?`, EXIT_UNREACHABLE, { cause: err, name: 'NodeUnreachableError' })
  }
  const text = await response.text()
  let payload: unknown
  try {
    payload = JSON.parse(text)
  } catch {
    payload = { error: text }
  }
  if (!response.ok) {
    const error = (payload as { error?: string, name?: string }).error ?? response.statusText
    const name = (payload as { name?: unknown }).name
    throw new CliError(`node API ${path}: ${error}`, response.status === 400 ? EXIT_USAGE : EXIT_FAILURE, { name: typeof name === 'string' && /^[A-Za-z]{1,64}$/.test(name) ? name : 'NodeApiError' })
  }
  return payload as R
}

/**
 * Runs a registered operation: directly on the store when no node holds it,
 * otherwise through the running node's API.
 */
export async function runOperation<R> (dataDir: string, name: string, args: unknown): Promise<R> {
  const config = await loadConfig(dataDir)
  let store: Store
  try {
    store = await Store.open({ dataDir })
  } catch (err) {
    if (err instanceof StoreLockedError) {
      return await callApi<R>(dataDir, config, 'POST', `/ops/${encodeURIComponent(name)}`, args)
    }
    throw err
  }
  try {
    const backend = config.crypto.mldsa_backend === 'auto' ? undefined : config.crypto.mldsa_backend
    const operations = createOperations({ store, config, dataDir, clock: systemClock, verifier: hybridVerifier(backend) })
    return await operations.run(name, args) as R
  } finally {
    await store.close()
  }
}

/** Prints `value` as JSON, or as text through `format`. */
export function print<T> (value: T, json: boolean, format: (value: T) => string): void {
  process.stdout.write(json ? JSON.stringify(value, null, 2) + '\n' : format(value) + '\n')
}

/** The exit code for an error thrown by a command. */
export function exitCodeFor (err: unknown): number {
  if (err instanceof CliError) return err.exitCode
  if (err instanceof ConfigError || err instanceof OperationArgumentError) return EXIT_USAGE
  if (err instanceof InputError) return EXIT_USAGE
  return EXIT_FAILURE
}
