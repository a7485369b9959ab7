/**
 * `fedmesh start`: a node in the foreground until SIGINT/SIGTERM.
 *
 * Order matters for a clean stop: the API closes first (no new operations),
 * then the node (libp2p, then the stores, each flushed and closed), so the
 * store reopens cleanly afterwards. A stop that hangs is cut off after
 * `SHUTDOWN_MS_MAX` with exit code 1.
 */
import { join } from 'node:path'
import { loadConfig, ConfigError, CONFIG_FILE_NAME } from '../config/load.ts'
import { hybridVerifier } from '../crypto/hybrid.ts'
import { loadNodeKeys } from '../crypto/key-files.ts'
import { FedmeshNode } from './node.ts'
import { createApiServer } from '../api/server.ts'
import { createLogger } from '../runtime/log.ts'
import { readApiToken, isInitialised, initDataDir, checkDataDirMode, apiTokenSource } from './data-dir.ts'
import { checkNodeKeys } from '../store/node-identity.ts'
import { InputError } from '../core/errors.ts'
import { ConsensusStore } from '../store/consensus.ts'
import { configPolicy } from '../config/policy.ts'
import { consensusWarnings } from '../operations/consensus.ts'
import type { ConfigInput } from '../config/schema.ts'
import type { FastifyInstance } from 'fastify'

/** A stop must finish within this, or the process exits anyway. */
export const SHUTDOWN_MS_MAX = 4_000

/** The config `npm start` writes on first run: an air-gapped node. */
export const EMBEDDED_DEFAULT_CONFIG: ConfigInput = {
  site_id: 'local-node',
  jurisdiction: 'XX',
  capabilities: []
}

export interface DaemonOptions {
  dataDir: string
  /** create the data dir with EMBEDDED_DEFAULT_CONFIG when it does not exist */
  initIfMissing?: boolean
  /** start although the key files differ from the ones this store was used with (a deliberate key change; recorded) */
  acceptNewKeys?: boolean
}

/** A libp2p listen address is taken by another process. */
export class ListenAddressInUseError extends InputError {
  static override readonly code = 'ListenAddressInUseError'
  override readonly name = 'ListenAddressInUseError'
}

/** The local API's port is taken by another process. */
export class ApiPortInUseError extends InputError {
  static override readonly code = 'ApiPortInUseError'
  override readonly name = 'ApiPortInUseError'
}

/** True for an "address already in use" failure, however deep libp2p wrapped it. */
function addressInUse (err: unknown): boolean {
  for (let e = err as { code?: string, message?: string, cause?: unknown, errors?: unknown[] } | undefined, depth = 0; e !== undefined && e !== null && depth < 8; depth++) {
    if (e.code === 'EADDRINUSE' || (e.message ?? '').includes('EADDRINUSE')) return true
    if (Array.isArray(e.errors) && e.errors.some(addressInUse)) return true
    e = e.cause as typeof e
  }
  return false
}

/** A started node and its API, and how to stop both. */
export interface RunningNode {
  node: FedmeshNode
  api: FastifyInstance
  stop: () => Promise<void>
}

/** Loads the data dir, starts the node and the local API. */
export async function startDaemon (options: DaemonOptions): Promise<RunningNode> {
  const { dataDir } = options
  if (options.initIfMissing === true && !(await isInitialised(dataDir))) {
    await initDataDir({ dataDir, config: EMBEDDED_DEFAULT_CONFIG })
  }
  const config = await loadConfig(dataDir)
  const log = createLogger({ level: config.log.level, siteId: config.site_id })
  const backend = config.crypto.mldsa_backend === 'auto' ? undefined : config.crypto.mldsa_backend
  const keys = await loadNodeKeys(dataDir, backend === undefined ? {} : { backend })
  if (keys.signer.publicKey.mldsaLevel !== config.crypto.mldsa_level) {
    throw new ConfigError([{ key: 'crypto.mldsa_level', message: `is ${config.crypto.mldsa_level} but mldsa.key holds an ML-DSA-${keys.signer.publicKey.mldsaLevel} key` }], join(dataDir, CONFIG_FILE_NAME))
  }
  await checkDataDirMode(dataDir)
  await readApiToken(dataDir) // present and 0600 before anything starts
  const node = await FedmeshNode.create({ config, privateKey: keys.privateKey, signer: keys.signer, verifier: hybridVerifier(backend), dataDir, log })
  const api = createApiServer({ node, token: apiTokenSource(dataDir), operations: node.operations })
  try {
    const identity = await checkNodeKeys(node.store, { publicKey: keys.signer.publicKey, peerId: node.peerId.toString(), nowMs: Date.now(), ...(options.acceptNewKeys === true ? { acceptNewKeys: true } : {}) })
    if (identity === 'changed') log.warn({ peerId: node.peerId.toString() }, 'the node\'s keys changed; accepted with --accept-new-keys and recorded in the store')
    await warnAboutQuorums(node)
    try {
      await node.start()
    } catch (err) {
      if (addressInUse(err)) throw new ListenAddressInUseError(`a listen address (${config.listen.join(', ')}) is in use by another process: change "listen" in ${join(dataDir, CONFIG_FILE_NAME)} or stop that process`, { cause: err })
      throw err
    }
    try {
      await api.listen({ host: config.api.host, port: config.api.port })
    } catch (err) {
      if (addressInUse(err)) throw new ApiPortInUseError(`the API port ${config.api.host}:${config.api.port} is in use by another process: change "api.port" in ${join(dataDir, CONFIG_FILE_NAME)} or stop that process`, { cause: err })
      throw err
    }
  } catch (err) {
    await api.close().catch(() => {})
    await node.stop().catch(() => {})
    throw err
  }
  log.info({ api: `http://${config.api.host}:${config.api.port}`, peerId: node.peerId.toString(), addrs: node.multiaddrs() }, 'ready')
  let stopping: Promise<void> | undefined
  const stop = async (): Promise<void> => {
    stopping ??= (async () => {
      await api.close()
      await node.stop()
    })()
    await stopping
  }
  return { node, api, stop }
}

/**
 * Warns at start, naming n, when the consensus threshold gives quorums that
 * intersect in f or fewer members (e.g. 0.66 at n = 50 or 100), or that n
 * members cannot reach.
 */
async function warnAboutQuorums (node: FedmeshNode): Promise<void> {
  const consensus = new ConsensusStore(node.store)
  const membership = await consensus.membership()
  if (membership === undefined) return
  const policy = (await consensus.policy()) ?? configPolicy(node.config)
  for (const warning of consensusWarnings(policy, membership.members.size)) {
    node.log.warn({ members: membership.members.size, threshold: policy.threshold }, warning)
  }
}

/** Runs until a signal, then stops cleanly; resolves to the exit code. */
export async function runDaemon (options: DaemonOptions): Promise<number> {
  const running = await startDaemon(options)
  return await new Promise<number>((resolve) => {
    const onSignal = (signal: NodeJS.Signals): void => {
      running.node.log.info({ signal }, 'stopping')
      const timer = setTimeout(() => {
        running.node.log.error(`stop took longer than ${SHUTDOWN_MS_MAX} ms; exiting anyway`)
        resolve(1)
      }, SHUTDOWN_MS_MAX)
      timer.unref()
      running.stop().then(() => { clearTimeout(timer); resolve(0) }, (err: unknown) => {
        clearTimeout(timer)
        running.node.log.error({ err }, 'stop failed')
        resolve(1)
      })
    }
    process.once('SIGINT', onSignal)
    process.once('SIGTERM', onSignal)
  })
}
