/**
 * Audit commands: `audit verify|tail|export|prove|consistency`. Each runs an
 * operation (on the store, or through the running node's API).
 */
import { type Command, Option, InvalidArgumentError } from 'commander'
import { CliError, EXIT_FAILURE, defaultDataDir, print, runOperation } from '../context.ts'
import type { AuditConsistencyResult, AuditEntryView, AuditExportResult, AuditProveResult, AuditTailResult } from '../../operations/audit.ts'
import type { AuditVerifyReport } from '../../store/audit-verify.ts'
import { AUDIT_LOG_LEAVES_MAX } from '../../core/audit/constants.ts'
import { AUDIT_ENTRIES_LIMIT_MAX } from '../../store/audit-log.ts'

const dataDirOption = (): Option => new Option('--data-dir <dir>', 'node data directory (env FEDMESH_DATA_DIR)').default(defaultDataDir(), './.fedmesh')
const jsonOption = (): Option => new Option('--json', 'print JSON').default(false)

/** A commander parser for an integer in [min, max]. */
const integer = (min: number, max: number) => (value: string): number => {
  const n = Number(value)
  if (!Number.isSafeInteger(n) || n < min || n > max) throw new InvalidArgumentError(`must be an integer from ${min} to ${max}`)
  return n
}

/** One entry as a line: index, time, kind, then what the kind says. */
export function formatEntry (e: AuditEntryView): string {
  const r = e as Record<string, unknown>
  const text = (key: string): string => (r[key] === undefined ? '' : String(r[key]))
  let what: string
  switch (e.kind) {
    case 'boundary': what = `${text('direction').padEnd(3)} ${text('data_class')} ${text('peer')} ${text('verdict')}${r.reason === undefined ? '' : ` (${text('reason')})`}`; break
    case 'boundary_batch': what = `in  ${text('data_class')} ${text('peer')} accepted ${Array.isArray(r.message_ids) ? r.message_ids.length : 0} from ${text('source')}`; break
    case 'operator': what = `${text('action')} ${text('detail')}`; break
    case 'membership': what = `${text('change')} ${text('node')}${r.epoch === undefined ? '' : ` epoch ${text('epoch')}`}`; break
    case 'policy': what = `${text('change')} ${r.peer === undefined ? 'federation-wide' : text('peer')}${r.policy_hash === undefined ? '' : ` ${text('policy_hash').slice(0, 16)}`}`; break
    case 'handshake': what = `${text('peer')} ${text('from_state')} → ${text('to_state')}`; break
    default: what = JSON.stringify(e)
  }
  return `${String(e.index).padStart(8)}  ${e.time}  ${e.kind.padEnd(10)} ${what}`
}

function formatVerify (report: AuditVerifyReport): string {
  return report.ok
    ? `audit log verifies: ${report.size} leaves, root ${report.root}, ${report.checkpoints_checked} own checkpoints checked`
    : `audit log does NOT verify: first bad leaf ${report.first_bad_index} (${report.problem}): ${report.detail}`
}

function formatTail (value: AuditTailResult): string {
  return [...value.entries.map(formatEntry), `log: ${value.size} leaves, root ${value.root}`].join('\n')
}

function formatProve (value: AuditProveResult): string {
  return [
    `leaf ${value.index} is in the tree of ${value.size} leaves (root ${value.root}); the proof verifies`,
    `leaf hash ${value.leaf_hash}`,
    ...value.proof.map((hash, i) => `  ${String(i).padStart(2)} ${hash}`)
  ].join('\n')
}

function formatConsistency (value: AuditConsistencyResult): string {
  return [
    `the tree of ${value.new_size} leaves (root ${value.new_root}) extends the tree of ${value.old_size} (root ${value.old_root}); the proof verifies`,
    ...value.proof.map((hash, i) => `  ${String(i).padStart(2)} ${hash}`)
  ].join('\n')
}

/** Registers `audit`. */
export function register (program: Command): void {
  const audit = program.command('audit').description('the audit log: verify it, read it, prove inclusion and consistency')

  audit.command('verify')
    .description('recompute the Merkle tree from the stored records; names the first bad leaf (exit 1)')
    .addOption(jsonOption()).addOption(dataDirOption())
    .action(async (opts: { json: boolean, dataDir: string }) => {
      const report = await runOperation<AuditVerifyReport>(opts.dataDir, 'audit.verify', {})
      print(report, opts.json, formatVerify)
      if (!report.ok) throw new CliError(`audit log does not verify: first bad leaf ${report.first_bad_index}`, EXIT_FAILURE, { name: 'AuditLogCorruptError', reported: true })
    })

  audit.command('tail')
    .description('the newest records (or --limit records from --since)')
    .addOption(new Option('--since <index>', 'first index').argParser(integer(0, AUDIT_LOG_LEAVES_MAX)))
    .addOption(new Option('--limit <n>', 'records').argParser(integer(1, AUDIT_ENTRIES_LIMIT_MAX)).default(20))
    .addOption(jsonOption()).addOption(dataDirOption())
    .action(async (opts: { since?: number, limit: number, json: boolean, dataDir: string }) => {
      const value = await runOperation<AuditTailResult>(opts.dataDir, 'audit.tail', { limit: opts.limit, ...(opts.since === undefined ? {} : { since: opts.since }) })
      print(value, opts.json, formatTail)
    })

  audit.command('export')
    .description('every record from --since on, one per line (--json: JSON Lines, one record object per line)')
    .addOption(new Option('--since <index>', 'first index').argParser(integer(0, AUDIT_LOG_LEAVES_MAX)).default(0))
    .addOption(jsonOption()).addOption(dataDirOption())
    .action(async (opts: { since: number, json: boolean, dataDir: string }) => {
      // page by page, so an export of any size holds one page in memory
      let since: number | null = opts.since
      while (since !== null) {
        const page: AuditExportResult = await runOperation<AuditExportResult>(opts.dataDir, 'audit.export', { since })
        if (page.entries.length > 0) process.stdout.write(page.entries.map((e) => (opts.json ? JSON.stringify(e) : formatEntry(e))).join('\n') + '\n')
        since = page.next
      }
    })

  audit.command('prove')
    .description('the inclusion proof of one record (checked before it is printed)')
    .argument('<index>', 'leaf index', integer(0, AUDIT_LOG_LEAVES_MAX))
    .addOption(new Option('--size <n>', 'tree size to prove against (default: the current size)').argParser(integer(1, AUDIT_LOG_LEAVES_MAX)))
    .addOption(jsonOption()).addOption(dataDirOption())
    .action(async (index: number, opts: { size?: number, json: boolean, dataDir: string }) => {
      print(await runOperation<AuditProveResult>(opts.dataDir, 'audit.prove', { index, ...(opts.size === undefined ? {} : { size: opts.size }) }), opts.json, formatProve)
    })

  audit.command('consistency')
    .description('the consistency proof from an older size to the current (or --new-size) tree')
    .argument('<old-size>', 'the older tree size', integer(1, AUDIT_LOG_LEAVES_MAX))
    .addOption(new Option('--new-size <n>', 'the newer tree size (default: the current size)').argParser(integer(1, AUDIT_LOG_LEAVES_MAX)))
    .addOption(jsonOption()).addOption(dataDirOption())
    .action(async (oldSize: number, opts: { newSize?: number, json: boolean, dataDir: string }) => {
      print(await runOperation<AuditConsistencyResult>(opts.dataDir, 'audit.consistency', { old_size: oldSize, ...(opts.newSize === undefined ? {} : { new_size: opts.newSize }) }), opts.json, formatConsistency)
    })
}
