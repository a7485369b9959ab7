/**
 * Membership commands: `members` lists the current membership with trust;
 * `members propose add <founder-entry.json>` and `members propose remove
 * <peer-id|site-id>` propose a membership change on the running node (it
 * votes for it and gossips both); the change takes effect once decided.
 */
import { type Command, Option } from 'commander'
import { resolve } from 'node:path'
import { defaultDataDir, print, runOperation } from '../context.ts'
import type { MembersResult } from '../../operations/consensus.ts'
import type { MembershipProposal } from '../../operations/membership.ts'
import { FOUNDER_ENTRY_BYTES_MAX } from '../../core/consensus/founder-entry.ts'
import { readCeremonyFile } from '../../store/consensus-genesis.ts'
import { FounderEntryFormatError } from '../../core/consensus/founder-entry.ts'

const dataDirOption = (): Option => new Option('--data-dir <dir>', 'node data directory (env FEDMESH_DATA_DIR)').default(defaultDataDir(), './.fedmesh')
const jsonOption = (): Option => new Option('--json', 'print JSON').default(false)
const slotOption = (): Option => new Option('--slot <slot>', 'slot id (default membership/<next epoch>/<hash of the change>)')

function formatMembers (value: MembersResult): string {
  return [
    `federation ${value.federation_id}, epoch ${value.epoch}: ${value.members.length} members, quorum ${value.quorum} (threshold ${String(value.policy.threshold)}, tie-breaking ${value.policy.tie_breaking})`,
    ...value.warnings.map((w) => `warning: ${w}`),
    ...value.members.map((m) => `${m.node_id}  ${(m.site_id ?? '-').padEnd(16)} ${(m.jurisdiction ?? '-').padEnd(6)} trust ${String(m.score).padStart(3)} ${m.band} (${m.status})  reputation ${String(m.reputation).padStart(3)}`)
  ].join('\n')
}

function formatProposal (p: MembershipProposal): string {
  const what = p.type === 'membership_add' ? 'add' : 'remove'
  return [
    `proposed to ${what} ${p.node_id}${p.site_id === null ? '' : ` (site ${p.site_id})`} in slot ${p.slot} (epoch ${p.epoch} once decided), and voted for it`,
    `event ${p.event_hash}`,
    `other members vote: fedmesh consensus vote --slot ${p.slot} ${p.event_hash}`
  ].join('\n')
}

/** Registers `members` and `members propose add|remove`. */
export function register (program: Command): void {
  const members = program.command('members')
    .description('the federation\'s current members with their trust; "members propose" changes the membership by consensus')
    .addOption(jsonOption())
    .addOption(dataDirOption())
    .action(async (options: { json: boolean, dataDir: string }) => {
      print(await runOperation<MembersResult>(resolve(options.dataDir), 'consensus.members', {}), options.json, formatMembers)
    })

  const propose = members.command('propose').description('propose a membership change on the running node (decided by the members\' votes)')

  propose.command('add')
    .description('propose adding the node of a founder entry (from "fedmesh genesis founder" on that node)')
    .argument('<founder-entry>', 'the joining node\'s founder entry JSON file')
    .addOption(slotOption())
    .addOption(jsonOption())
    .addOption(dataDirOption())
    .action(async (path: string, _local: unknown, command: Command) => {
      // `members` has --json and --data-dir too: commander gives them to the parent wherever they stand
      const options = command.optsWithGlobals<{ slot?: string, json: boolean, dataDir: string }>()
      const file = resolve(path)
      const text = await readCeremonyFile(file, FOUNDER_ENTRY_BYTES_MAX, 'founder entry')
      let entry: unknown
      try { entry = JSON.parse(text) } catch (err) { throw new FounderEntryFormatError(`founder entry ${file} is not JSON: ${(err as Error).message}`) }
      const result = await runOperation<MembershipProposal>(resolve(options.dataDir), 'members.propose-add', { entry, ...(options.slot === undefined ? {} : { slot: options.slot }) })
      print(result, options.json, formatProposal)
    })

  propose.command('remove')
    .description('propose removing a member, named by PeerId or site id')
    .argument('<member>', 'PeerId or site id')
    .addOption(slotOption())
    .addOption(jsonOption())
    .addOption(dataDirOption())
    .action(async (member: string, _local: unknown, command: Command) => {
      const options = command.optsWithGlobals<{ slot?: string, json: boolean, dataDir: string }>()
      const result = await runOperation<MembershipProposal>(resolve(options.dataDir), 'members.propose-remove', { member, ...(options.slot === undefined ? {} : { slot: options.slot }) })
      print(result, options.json, formatProposal)
    })
}
