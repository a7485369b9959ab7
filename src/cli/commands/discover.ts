/**
 * `fedmesh discover --capability <c> [--jurisdiction <j>] [--json]`: members
 * that provide a capability, from DHT provider records, each checked against
 * the membership and its signed node record (on a running node).
 */
import { type Command, Option } from 'commander'
import { resolve } from 'node:path'
import { defaultDataDir, print, runOperation } from '../context.ts'
import type { DiscoveryResult } from '../../services/capabilities/index.ts'

function format (r: DiscoveryResult): string {
  const what = `${r.capability}${r.jurisdiction === null ? '' : ` in ${r.jurisdiction}`}`
  const lines = r.providers.length === 0 ? [`no member provides ${what}`] : [`${r.providers.length} member(s) provide ${what}:`, ...r.providers.map((p) => `  ${p.node_id}  ${(p.site_id ?? '-').padEnd(16)} ${p.jurisdiction.padEnd(6)} ${p.capabilities.join(',')}`)]
  for (const x of r.rejected) lines.push(`  refused ${x.node_id}: ${x.reason}`)
  if (r.truncated) lines.push('  (more providers answered than one query considers)')
  return lines.join('\n')
}

/** Registers `discover`. */
export function register (program: Command): void {
  program.command('discover')
    .description('members that provide a capability, found through DHT provider records and checked against their signed node records')
    .requiredOption('--capability <capability>', 'a capability slug, e.g. water')
    .option('--jurisdiction <code>', 'only providers in this jurisdiction (ISO 3166, e.g. UK)')
    .addOption(new Option('--data-dir <dir>', 'node data directory (env FEDMESH_DATA_DIR)').default(defaultDataDir(), './.fedmesh'))
    .addOption(new Option('--json', 'print JSON').default(false))
    .action(async (options: { capability: string, jurisdiction?: string, dataDir: string, json: boolean }) => {
      const result = await runOperation<DiscoveryResult>(resolve(options.dataDir), 'discover', { capability: options.capability, ...(options.jurisdiction === undefined ? {} : { jurisdiction: options.jurisdiction }) })
      print(result, options.json, format)
    })
}
