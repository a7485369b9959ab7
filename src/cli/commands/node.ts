/**
 * Node lifecycle commands: `init`, `start`, `status`, `peers`.
 */
import { type Command, Option, InvalidArgumentError } from 'commander'
import { resolve } from 'node:path'
import { defaultDataDir, callApi, print } from '../context.ts'
import { initDataDir } from '../../node/data-dir.ts'
import { runDaemon } from '../../node/daemon.ts'
import { loadConfig } from '../../config/load.ts'
import { API_PORT_DEFAULT, P2P_PORT_DEFAULT, type ConfigInput } from '../../config/schema.ts'
import type { NodeStatus, PeerSummary } from '../../node/node.ts'
import type { MlDsaLevel } from '../../core/signature.ts'

const collect = (value: string, previous: string[]): string[] => [...previous, value]

function parsePort (value: string): number {
  const port = Number(value)
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new InvalidArgumentError('must be a port number (0-65535)')
  return port
}

function parseMlDsaLevel (value: string): MlDsaLevel {
  if (value !== '44' && value !== '65' && value !== '87') throw new InvalidArgumentError('must be 44, 65 or 87')
  return Number(value) as MlDsaLevel
}

const dataDirOption = (): Option => new Option('--data-dir <dir>', 'node data directory (env FEDMESH_DATA_DIR)').default(defaultDataDir(), './.fedmesh')

/** Formats a status for people. */
export function formatStatus (status: NodeStatus): string {
  const lines = [
    `node       ${status.node_id}`,
    `site       ${status.site_id} (${status.jurisdiction})`,
    `capabilities ${status.capabilities.join(', ') || '-'}`,
    `federation ${status.federation.enabled ? `enabled, id ${status.federation.federation_id}` : 'disabled (air-gapped)'}`,
    `listening  ${status.listen.join(' ') || '-'}`,
    `uptime     ${status.uptime_seconds.toFixed(0)} s`,
    `peers      ${status.peers}`,
    `record     ${status.node_record === undefined ? '-' : `seq ${status.node_record.seq}, ML-DSA-${status.node_record.mldsa_level} key bound to this PeerId`}`,
    '',
    'members (latest aggregated_metrics):',
    ...status.members.map((m) => `  ${m.site_id.padEnd(16)} ${m.node_id}  peers=${m.peers} in=${m.messages_in} out=${m.messages_out} up=${m.uptime_seconds.toFixed(0)}s`)
  ]
  return lines.join('\n')
}

function formatPeers (peers: PeerSummary[]): string {
  if (peers.length === 0) return 'no connected peers'
  return peers.map((p) => `${p.peer_id}  ${p.direction.padEnd(8)} ${p.site_id ?? '?'}  ${p.addrs.join(' ')}`).join('\n')
}

/** Registers init/start/status/peers. */
export function register (program: Command): void {
  program.command('init')
    .description('create a node data directory: config, Ed25519 + ML-DSA keys, API token')
    .requiredOption('--site-id <slug>', 'this site\'s id (slug, e.g. uk_north)')
    .requiredOption('--jurisdiction <code>', 'ISO 3166 code, e.g. UK, DE, US-CA')
    .option('--capabilities <list>', 'comma-separated capability slugs, e.g. water,power', '')
    .option('--federation-id <slug>', 'federation to join', 'default')
    .option('--enable-federation', 'leave air-gap mode: listen on the configured addresses and join the bootstrap peers', false)
    .option('--bootstrap <multiaddr>', 'bootstrap peer (repeatable), e.g. /ip4/10.0.0.1/tcp/4001/p2p/12D3Koo…', collect, [])
    .option('--listen <multiaddr>', `libp2p listen address (repeatable; default /ip4/0.0.0.0/tcp/${P2P_PORT_DEFAULT})`, collect, [])
    .option('--api-port <port>', 'local API port', parsePort, API_PORT_DEFAULT)
    .option('--metrics-interval <seconds>', 'aggregated_metrics publish interval', (v) => Number(v))
    .option('--mldsa-level <level>', 'ML-DSA parameter set: 44, 65 or 87', parseMlDsaLevel, 65 as MlDsaLevel)
    .addOption(dataDirOption())
    .option('--force', 'overwrite an existing data directory\'s config and keys', false)
    .action(async (options: {
      siteId: string, jurisdiction: string, capabilities: string, federationId: string, enableFederation: boolean,
      bootstrap: string[], listen: string[], apiPort: number, metricsInterval?: number,
      mldsaLevel: MlDsaLevel, dataDir: string, force: boolean
    }) => {
      const config: ConfigInput = {
        site_id: options.siteId,
        jurisdiction: options.jurisdiction,
        capabilities: options.capabilities === '' ? [] : options.capabilities.split(',').map((c) => c.trim()),
        federation: {
          enabled: options.enableFederation,
          federation_id: options.federationId,
          bootstrap: options.bootstrap,
          ...(options.metricsInterval === undefined ? {} : { metrics_interval_seconds: options.metricsInterval })
        },
        ...(options.listen.length > 0 ? { listen: options.listen } : {}),
        api: { host: '127.0.0.1', port: options.apiPort },
        crypto: { mldsa_level: options.mldsaLevel }
      }
      const dataDir = resolve(options.dataDir)
      const written = await initDataDir({ dataDir, config, force: options.force, mldsaLevel: options.mldsaLevel })
      process.stdout.write(`initialised ${dataDir} for site ${written.site_id}` +
        (written.federation.enabled ? `, federation ${written.federation.federation_id}\n` : ' (air-gapped: set federation.enabled in config.yaml to join a federation)\n'))
    })

  program.command('start')
    .description('run the node in the foreground (SIGINT/SIGTERM stop it cleanly)')
    .addOption(dataDirOption())
    .option('--init-if-missing', 'create the data dir with embedded defaults (an air-gapped node) when it does not exist', false)
    .option('--accept-new-keys', 'start although node.key or mldsa.key changed since the store was last used (a deliberate key change; recorded)', false)
    .action(async (options: { dataDir: string, initIfMissing: boolean, acceptNewKeys: boolean }) => {
      const code = await runDaemon({ dataDir: resolve(options.dataDir), initIfMissing: options.initIfMissing, acceptNewKeys: options.acceptNewKeys })
      // libp2p and level are closed by now; exit so a lingering handle cannot keep a stopped node alive
      process.exit(code)
    })

  program.command('status')
    .description('show the running node\'s status and every member\'s latest metrics')
    .addOption(dataDirOption())
    .option('--json', 'print JSON', false)
    .action(async (options: { dataDir: string, json: boolean }) => {
      const dataDir = resolve(options.dataDir)
      const status = await callApi<NodeStatus>(dataDir, await loadConfig(dataDir), 'GET', '/status')
      print(status, options.json, formatStatus)
    })

  program.command('peers')
    .description('list the running node\'s connected peers')
    .addOption(dataDirOption())
    .option('--json', 'print JSON', false)
    .action(async (options: { dataDir: string, json: boolean }) => {
      const dataDir = resolve(options.dataDir)
      const peers = await callApi<PeerSummary[]>(dataDir, await loadConfig(dataDir), 'GET', '/peers')
      print(peers, options.json, formatPeers)
    })
}

