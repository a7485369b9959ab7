/**
 * The genesis ceremony for separate operators (after Cosmos SDK's gentx →
 * collect-gentxs), in files that operators exchange by any channel:
 *
 *   fedmesh genesis founder > alice.json                         # each founder
 *   fedmesh genesis assemble --federation-id F a.json b.json … > genesis.yaml   # one of them
 *   fedmesh genesis sign genesis.yaml > alice.sig.json           # each founder, on its own machine
 *   fedmesh genesis combine genesis.yaml *.sig.json > genesis.signed.yaml
 *   fedmesh genesis verify genesis.signed.yaml                   # anyone
 *   fedmesh consensus genesis genesis.signed.yaml                # each founder loads it
 *
 * Signing needs only this node's own key files; nothing here opens the store,
 * so it works while the node runs.
 */
import { type Command, Option, InvalidArgumentError } from 'commander'
import { resolve } from 'node:path'
import { writeFile } from 'node:fs/promises'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { CliError, EXIT_USAGE, defaultDataDir, print, runOperation } from '../context.ts'
import type { GenesisDraftResult } from '../../operations/membership.ts'
import { loadConfig } from '../../config/load.ts'
import { loadNodeKeys } from '../../crypto/key-files.ts'
import { hybridVerifier } from '../../crypto/hybrid.ts'
import { publicKeyToJson, MEMBER_ADDRESSES_MAX, type MemberJson } from '../../core/consensus/member.ts'
import { signFounderEntry } from '../../core/consensus/founder-entry.ts'
import {
  assembleGenesis, assertGenesisSignatures, combineGenesisSignatures, formatGenesis, genesisDigest, genesisSignatureReport, signGenesisAs,
  type GenesisSignatureReport
} from '../../core/consensus/genesis.ts'
import { TIE_BREAKING_RULES, type ConsensusPolicy } from '../../core/consensus/threshold.ts'
import { loadFounderEntryFile, loadGenesisSignatureFile, readGenesisFile } from '../../store/consensus-genesis.ts'
import type { Config } from '../../config/schema.ts'

const dataDirOption = (): Option => new Option('--data-dir <dir>', 'node data directory (env FEDMESH_DATA_DIR)').default(defaultDataDir(), './.fedmesh')
const jsonOption = (): Option => new Option('--json', 'print JSON').default(false)
const outOption = (): Option => new Option('--out <file>', 'write to this file instead of stdout')
const collect = (value: string, previous: string[]): string[] => [...previous, value]

function parseThreshold (value: string): ConsensusPolicy['threshold'] {
  if (value === 'bft') return 'bft'
  const fraction = Number(value)
  if (!Number.isFinite(fraction) || fraction <= 0.5 || fraction > 1) throw new InvalidArgumentError('must be "bft" or a fraction above 0.5 and at most 1')
  return fraction
}

function parseCount (value: string): number {
  const n = Number(value)
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a positive integer')
  return n
}

/** Writes `text` to `out`, or to stdout. */
async function emit (text: string, out: string | undefined): Promise<void> {
  if (out === undefined) process.stdout.write(text.endsWith('\n') ? text : `${text}\n`)
  else await writeFile(resolve(out), text.endsWith('\n') ? text : `${text}\n`, { flag: 'w' })
}

/** Addresses a founder entry carries by default: the listen addresses that name a host (0.0.0.0 / :: name none). */
function defaultAddresses (config: Config): string[] {
  return config.listen.filter((a) => !/^\/ip4\/0\.0\.0\.0\/|^\/ip6\/::\/|\/(tcp|udp)\/0(\/|$)/.test(a)).slice(0, MEMBER_ADDRESSES_MAX)
}

/** A report in words: one line per founder. */
function formatReport (value: { file: string, federation_id: string, digest: string, report: GenesisSignatureReport, sites: Record<string, string | null> }): string {
  const name = (id: string): string => `${id}${value.sites[id] === null || value.sites[id] === undefined ? '' : ` (${value.sites[id] ?? ''})`}`
  const r = value.report
  return [
    `genesis ${value.file}: federation ${value.federation_id}, digest ${value.digest}`,
    ...r.valid.map((id) => `  signed   ${name(id)}`),
    ...r.missing.map((id) => `  MISSING  ${name(id)}`),
    ...r.bad.map((id) => `  BAD      ${name(id)}`),
    ...r.doubled.map((id) => `  TWICE    ${name(id)}`),
    ...r.strangers.map((id) => `  NOT A FOUNDER ${id}`)
  ].join('\n')
}

/** Registers `genesis founder|assemble|sign|combine|verify`. */
export function register (program: Command): void {
  const genesis = program.command('genesis').description('the genesis ceremony: founder entries, assembly, per-founder signatures, combination, verification (files only)')

  genesis.command('founder')
    .description('print this node\'s founder entry (JSON): PeerId, site id, jurisdiction, capabilities, public keys, address hints, self-signed')
    .option('--address <multiaddr>', 'an address other founders can dial (repeatable; default: the listen addresses that name a host)', collect, [])
    .addOption(outOption())
    .addOption(dataDirOption())
    .action(async (options: { address: string[], out?: string, dataDir: string }) => {
      const dataDir = resolve(options.dataDir)
      const config = await loadConfig(dataDir)
      const keys = await loadNodeKeys(dataDir, config.crypto.mldsa_backend === 'auto' ? {} : { backend: config.crypto.mldsa_backend })
      const addresses = options.address.length > 0 ? options.address : defaultAddresses(config)
      for (const a of addresses) {
        try { multiaddr(a) } catch (err) { throw new CliError(`--address ${a} is not a multiaddr: ${(err as Error).message}`, EXIT_USAGE, { name: 'InvalidAddressError' }) }
      }
      const member: MemberJson = {
        node_id: peerIdFromPrivateKey(keys.privateKey).toString(),
        public_key: publicKeyToJson(keys.signer.publicKey),
        site_id: config.site_id,
        jurisdiction: config.jurisdiction,
        capabilities: config.capabilities,
        addresses: addresses.slice(0, MEMBER_ADDRESSES_MAX)
      }
      await emit(JSON.stringify(signFounderEntry(member, keys.signer), null, 2), options.out)
    })

  genesis.command('assemble')
    .description('check founder entries (self-signatures, unique PeerIds and site ids) and write the unsigned genesis YAML')
    .requiredOption('--federation-id <id>', 'the federation id (every founder\'s config.yaml federation_id)')
    .option('--threshold <t>', 'quorum threshold: bft (⌊2n/3⌋+1) or a fraction above 0.5', parseThreshold, 'bft' as ConsensusPolicy['threshold'])
    .option('--min-participating <n>', 'fewest voters a decision needs', parseCount)
    .addOption(new Option('--tie-breaking <rule>', 'rule when no hash reaches the threshold').choices([...TIE_BREAKING_RULES]))
    .option('--created-at <iso>', 'the agreed genesis time, ISO 8601 (default: now)')
    .argument('<entries...>', 'founder entry files (from "fedmesh genesis founder")')
    .addOption(outOption())
    .action(async (entries: string[], options: { federationId: string, threshold: ConsensusPolicy['threshold'], minParticipating?: number, tieBreaking?: ConsensusPolicy['tie_breaking'], createdAt?: string, out?: string }) => {
      const verifier = hybridVerifier()
      const members: MemberJson[] = []
      for (const path of entries) members.push((await loadFounderEntryFile(path, verifier)).entry.member)
      const document = assembleGenesis({
        federation_id: options.federationId,
        created_at: options.createdAt ?? new Date().toISOString(),
        consensus: {
          threshold: options.threshold,
          ...(options.minParticipating === undefined ? {} : { min_participating_nodes: options.minParticipating }),
          ...(options.tieBreaking === undefined ? {} : { tie_breaking: options.tieBreaking })
        },
        members
      })
      await emit(formatGenesis(document), options.out)
    })

  genesis.command('sign')
    .description('sign a genesis with this node\'s keys only and print the signature file (JSON); each founder signs on its own machine')
    .argument('<genesis>', 'the genesis YAML (unsigned, or partly signed)')
    .addOption(outOption())
    .addOption(dataDirOption())
    .action(async (path: string, options: { out?: string, dataDir: string }) => {
      const dataDir = resolve(options.dataDir)
      const config = await loadConfig(dataDir)
      const keys = await loadNodeKeys(dataDir, config.crypto.mldsa_backend === 'auto' ? {} : { backend: config.crypto.mldsa_backend })
      const { document } = await readGenesisFile(resolve(path))
      if (document.federation_id !== config.federation.federation_id) {
        throw new CliError(`the genesis is for federation "${document.federation_id}", this node's config.yaml says "${config.federation.federation_id}"`, EXIT_USAGE, { name: 'GenesisFederationMismatchError' })
      }
      const file = signGenesisAs(document, peerIdFromPrivateKey(keys.privateKey).toString(), keys.signer)
      await emit(JSON.stringify(file, null, 2), options.out)
      if (options.out !== undefined) process.stderr.write(`signed genesis ${file.genesis_digest} of federation ${file.federation_id} as ${file.signature.node_id} → ${resolve(options.out)}\n`)
      // until a genesis is loaded, the node admits the founders of the draft it signed (the running node at once)
      try {
        await runOperation<GenesisDraftResult>(dataDir, 'genesis.draft', { file: resolve(path) })
      } catch (err) {
        process.stderr.write(`fedmesh: warning: the signature is written, but the node did not record the draft (${(err as Error).name}: ${(err as Error).message}); its founders are admitted only once the genesis is loaded\n`)
      }
    })

  genesis.command('combine')
    .description('merge founders\' signature files into the genesis and print the signed genesis YAML; warns about founders still missing')
    .argument('<genesis>', 'the genesis YAML the founders signed')
    .argument('<signatures...>', 'signature files (from "fedmesh genesis sign")')
    .addOption(outOption())
    .action(async (path: string, signatures: string[], options: { out?: string }) => {
      const verifier = hybridVerifier()
      const { document } = await readGenesisFile(resolve(path))
      const files = []
      for (const s of signatures) {
        const { file, signature } = await loadGenesisSignatureFile(resolve(s))
        files.push({ source: file, file: signature })
      }
      const combined = combineGenesisSignatures(document, files, verifier)
      await emit(formatGenesis(combined), options.out)
      const report = genesisSignatureReport(combined, verifier)
      if (report.missing.length > 0) process.stderr.write(`fedmesh: warning: still missing the signature of ${report.missing.map((id) => `${id}${document.members.find((m) => m.node_id === id)?.site_id === undefined ? '' : ` (site ${document.members.find((m) => m.node_id === id)?.site_id ?? ''})`}`).join(', ')}\n`)
    })

  genesis.command('verify')
    .description('check every founder\'s signature: names each missing or bad one; exit 0 only when the genesis is complete and valid')
    .argument('<genesis>', 'the genesis YAML')
    .addOption(jsonOption())
    .action(async (path: string, options: { json: boolean }) => {
      const verifier = hybridVerifier()
      const { file, document } = await readGenesisFile(resolve(path))
      const report = genesisSignatureReport(document, verifier)
      const sites = Object.fromEntries(document.members.map((m) => [m.node_id, m.site_id ?? null]))
      const value = { file, federation_id: document.federation_id, digest: genesisDigest(document), complete: report.valid.length === document.members.length && report.bad.length + report.strangers.length + report.doubled.length === 0, report, sites }
      print(value, options.json, formatReport)
      try {
        assertGenesisSignatures(document, report)
      } catch (err) {
        // the report was printed: the error adds its name and the exit code
        throw new CliError((err as Error).message, EXIT_USAGE, { name: (err as Error).name, reported: true, cause: err })
      }
    })
}
