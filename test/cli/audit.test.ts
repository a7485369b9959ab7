/**
 * The real `fedmesh audit` commands (commander program, operations, store on
 * disk), run in-process through `main` with stdout captured. Every operation
 * run through the CLI is itself an audit record, so the commands read a log
 * the CLI wrote.
 */
import test from 'ava'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { fedmesh } from '../fixtures/in-process-cli.ts'
import { runOperation } from '../../src/cli/context.ts'
import { writeConfig } from '../../src/config/load.ts'
import { Store } from '../../src/store/store.ts'
import { AUDIT_SUBLEVELS, leafKey } from '../../src/store/audit-layout.ts'
import { encodeAuditRecord } from '../../src/core/audit/record.ts'
import { verifyConsistencyProof, verifyInclusionProof } from '../../src/core/audit/proof.ts'
import { hashLeaf } from '../../src/core/audit/hash.ts'
import { fromString } from 'uint8arrays'

const EXAMPLE = fileURLToPath(new URL('../../bootstrap/genesis.example.yaml', import.meta.url))
const bytes = (hex: string): Uint8Array => fromString(hex, 'base16')

/** Runs `fedmesh <args>` in-process; returns exit code and what it printed. */
/** A data dir whose audit log holds three operator actions: a failed `members`, `consensus genesis`, `members`. */
async function auditedDataDir (): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'fedmesh-cli-audit-'))
  await writeConfig(dir, { site_id: 'uk_north', jurisdiction: 'UK', federation: { federation_id: 'example' } })
  await fedmesh('members', '--data-dir', dir) // fails: no genesis yet
  await fedmesh('consensus', 'genesis', EXAMPLE, '--data-dir', dir)
  await fedmesh('members', '--data-dir', dir)
  return dir
}

test.serial('tail and export show every operator action with its outcome; --since pages', async (t) => {
  const dir = await auditedDataDir()
  const tail = await fedmesh('audit', 'tail', '--json', '--data-dir', dir)
  t.is(tail.code, 0, tail.stderr)
  const value = JSON.parse(tail.stdout)
  t.is(value.size, 3)
  t.deepEqual(value.entries.map((e: any) => [e.index, e.kind, e.action, e.detail]), [
    [0, 'operator', 'consensus.members', 'failed: NoGenesisError'],
    [1, 'operator', 'consensus.genesis', 'ok'],
    [2, 'operator', 'consensus.members', 'ok']
  ])
  // reading the log is not itself recorded (the console polls it)
  t.is(JSON.parse((await fedmesh('audit', 'tail', '--json', '--data-dir', dir)).stdout).size, 3)

  const text = await fedmesh('audit', 'tail', '--since', '1', '--limit', '1', '--data-dir', dir)
  t.is(text.code, 0, text.stderr)
  t.regex(text.stdout, /^\s+1 {2}\S+ {2}operator {3}consensus\.genesis ok\nlog: 3 leaves, root [0-9a-f]{64}\n$/)

  const exported = await fedmesh('audit', 'export', '--json', '--since', '1', '--data-dir', dir)
  t.is(exported.code, 0, exported.stderr)
  // export is an operator action: its own record (index 3) is written after it read the log
  t.deepEqual(exported.stdout.trim().split('\n').map((line) => JSON.parse(line).index), [1, 2])
  // a page says where the next one starts, and that the last one is the last
  t.like(await runOperation<any>(dir, 'audit.export', { since: 0, limit: 2 }), { next: 2 })
  const last = await runOperation<any>(dir, 'audit.export', { since: 3 })
  t.is(last.next, null)
  t.is(last.entries.at(-1).index, last.size - 1)
})

test.serial('prove and consistency print proofs that verify; out-of-range requests are usage errors', async (t) => {
  const dir = await auditedDataDir()
  const prove = await fedmesh('audit', 'prove', '1', '--json', '--data-dir', dir)
  t.is(prove.code, 0, prove.stderr)
  const inclusion = JSON.parse(prove.stdout)
  t.is(inclusion.record.action, 'consensus.genesis')
  t.is(inclusion.leaf_hash, Buffer.from(hashLeaf(encodeAuditRecord(inclusion.record))).toString('hex'))
  t.notThrows(() => { verifyInclusionProof({ index: 1, size: inclusion.size, leafHash: bytes(inclusion.leaf_hash), proof: inclusion.proof.map(bytes), root: bytes(inclusion.root) }) })

  const consistency = await fedmesh('audit', 'consistency', '2', '--new-size', '3', '--json', '--data-dir', dir)
  t.is(consistency.code, 0, consistency.stderr)
  const c = JSON.parse(consistency.stdout)
  t.notThrows(() => { verifyConsistencyProof({ oldSize: 2, newSize: 3, oldRoot: bytes(c.old_root), newRoot: bytes(c.new_root), proof: c.proof.map(bytes) }) })
  t.regex((await fedmesh('audit', 'consistency', '1', '--data-dir', dir)).stdout, /extends the tree of 1 .* the proof verifies/)

  const beyond = await fedmesh('audit', 'prove', '999', '--data-dir', dir)
  t.is(beyond.code, 2)
  t.regex(beyond.stderr, /999/)
  t.is((await fedmesh('audit', 'consistency', '0', '--data-dir', dir)).code, 2)
})

test.serial('verify passes on an intact log and names the first bad leaf of an edited one', async (t) => {
  const dir = await auditedDataDir()
  const intact = await fedmesh('audit', 'verify', '--data-dir', dir)
  t.is(intact.code, 0, intact.stderr)
  t.regex(intact.stdout, /^audit log verifies: 3 leaves, root [0-9a-f]{64}/)

  // the operator edits record 1 on disk: genesis "failed" instead of "ok"
  const store = await Store.open({ dataDir: dir })
  const leaves = store.sublevel<Uint8Array>(AUDIT_SUBLEVELS.leaves, 'view')
  const edited = encodeAuditRecord({ kind: 'operator', timestamp_ms: 0, action: 'consensus.genesis', detail: 'failed: Error', attributes: { outcome: 'failed' } })
  await leaves.put(leafKey(1), edited)
  await store.close()

  const tampered = await fedmesh('audit', 'verify', '--json', '--data-dir', dir)
  t.is(tampered.code, 1)
  const report = JSON.parse(tampered.stdout)
  t.like(report, { ok: false, first_bad_index: 1, problem: 'leaf-hash-mismatch' })
  t.regex(tampered.stderr, /first bad leaf 1/)
})
