/**
 * `audit verify` against a tampered store: every edit, deletion, reordering
 * or insertion of records is found, and the first bad leaf is named.
 * Tampering goes straight to the sublevels, as someone with the data dir would.
 */
import test from 'ava'
import fc from 'fast-check'
import { Store } from '../../src/store/store.ts'
import { AuditLog } from '../../src/store/audit-log.ts'
import { AUDIT_SUBLEVELS, leafKey, nodeKey } from '../../src/store/audit-layout.ts'
import { encodeAuditRecord, type AuditRecord } from '../../src/core/audit/record.ts'
import { hashLeaf } from '../../src/core/audit/hash.ts'
import { appendLeafHashes, emptyTree } from '../../src/core/audit/tree.ts'
import { signCheckpoint } from '../../src/core/audit/checkpoint.ts'
import { digestMember } from '../core/consensus/fixtures.ts'

const record = (i: number, note = ''): AuditRecord => ({ kind: 'operator', timestamp_ms: 1000 + i, action: 'test.append', detail: `record ${i}${note}` })

async function logWith (size: number) {
  const store = await Store.open()
  const log = await AuditLog.open(store)
  for (let at = 0; at < size; at += 50) await log.append(Array.from({ length: Math.min(50, size - at) }, (_, i) => record(at + i)), store)
  const leaves = store.sublevel<Uint8Array>(AUDIT_SUBLEVELS.leaves, 'view')
  const nodes = store.sublevel<Uint8Array>(AUDIT_SUBLEVELS.nodes, 'view')
  return { store, log, leaves, nodes }
}

type Tamper = 'edit' | 'delete' | 'swap' | 'insert-shift' | 'append-extra'

/** Applies one kind of tampering at `index`; returns the index verify must name. */
async function tamper (kind: Tamper, index: number, size: number, { leaves }: Awaited<ReturnType<typeof logWith>>): Promise<number> {
  switch (kind) {
    case 'edit':
      await leaves.put(leafKey(index), encodeAuditRecord(record(index, ' (edited)')))
      return index
    case 'delete':
      await leaves.del(leafKey(index))
      return index
    case 'swap': {
      const other = index === size - 1 ? index - 1 : index + 1
      const [a, b] = await leaves.getMany([leafKey(index), leafKey(other)])
      await leaves.batch([{ type: 'put', key: leafKey(index), value: b as Uint8Array }, { type: 'put', key: leafKey(other), value: a as Uint8Array }])
      return Math.min(index, other)
    }
    case 'insert-shift': {
      // a forged record at `index`, every later record moved up one key
      for (let i = size - 1; i >= index; i--) await leaves.put(leafKey(i + 1), (await leaves.get(leafKey(i))) as Uint8Array)
      await leaves.put(leafKey(index), encodeAuditRecord(record(index, ' (forged)')))
      return index
    }
    case 'append-extra':
      await leaves.put(leafKey(size), encodeAuditRecord(record(size)))
      return size
  }
}

const kinds: Tamper[] = ['edit', 'delete', 'swap', 'insert-shift', 'append-extra']

test('an untouched log verifies', async (t) => {
  const { log } = await logWith(123)
  const report = await log.verify()
  t.true(report.ok)
  if (report.ok) t.is(report.size, 123)
})

test('editing, deleting, reordering or inserting any record is found, naming its index (random logs)', async (t) => {
  await fc.assert(fc.asyncProperty(
    fc.integer({ min: 2, max: 160 }), fc.nat(), fc.constantFrom(...kinds),
    async (size, indexRaw, kind) => {
      const log = await logWith(size)
      const named = await tamper(kind, indexRaw % size, size, log)
      const report = await log.log.verify()
      if (report.ok) throw new Error(`${kind} at ${indexRaw % size} of ${size} went unnoticed`)
      if (report.first_bad_index !== named) throw new Error(`${kind} at ${indexRaw % size} of ${size}: verify named ${report.first_bad_index} (${report.detail})`)
    }
  ), { numRuns: 150, seed: 15 })
  t.pass()
})

test('deleting the newest record is found: the committed size says it is missing', async (t) => {
  const log = await logWith(40)
  await log.leaves.del(leafKey(39))
  const report = await log.log.verify()
  t.false(report.ok)
  if (!report.ok) t.like(report, { first_bad_index: 39, problem: 'missing-leaf' })
})

test('a record rewritten together with its stored hash is found at the subtree above it', async (t) => {
  const log = await logWith(64)
  const forged = encodeAuditRecord(record(21, ' (forged)'))
  await log.leaves.put(leafKey(21), forged)
  await log.nodes.put(nodeKey(0, 21), hashLeaf(forged))
  const report = await log.log.verify()
  t.false(report.ok)
  if (!report.ok) t.like(report, { first_bad_index: 20, problem: 'node-mismatch' }) // the pair 20..21
})

test('a log rewritten consistently, hashes and all, is caught by the node\'s own signed checkpoint', async (t) => {
  const log = await logWith(40)
  await log.log.saveCheckpoint(signCheckpoint(digestMember(1).signer, { origin: 'o', size: 16, root: await log.log.rootAt(16) }))
  await log.log.saveCheckpoint(signCheckpoint(digestMember(1).signer, { origin: 'o', size: 32, root: await log.log.rootAt(32) }))
  // rewrite leaf 20 and every stored node over the whole log to match
  const leaves = Array.from({ length: 40 }, (_, i) => encodeAuditRecord(i === 20 ? record(20, ' (forged)') : record(i)))
  const { nodes } = appendLeafHashes(emptyTree(), leaves.map(hashLeaf))
  await log.leaves.put(leafKey(20), leaves[20])
  await log.nodes.batch(nodes.map((n) => ({ type: 'put' as const, key: nodeKey(n.level, n.index), value: n.hash })))
  const report = await log.log.verify()
  t.false(report.ok)
  if (!report.ok) t.like(report, { first_bad_index: 16, problem: 'checkpoint-mismatch' }) // somewhere in 16..31
})
