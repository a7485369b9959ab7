import test from 'ava'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Store, type BatchOperation } from '../../src/store/store.ts'
import { AuditLog, AUDIT_STAGE_RECORDS_MAX } from '../../src/store/audit-log.ts'
import { encodeAuditRecord, type AuditRecord } from '../../src/core/audit/record.ts'
import { hashLeaf, toHex } from '../../src/core/audit/hash.ts'
import { verifyConsistencyProof, verifyInclusionProof } from '../../src/core/audit/proof.ts'
import { signCheckpoint } from '../../src/core/audit/checkpoint.ts'
import { mth } from '../core/audit/rfc-naive.ts'
import { digestMember } from '../core/consensus/fixtures.ts'

const record = (i: number): AuditRecord => ({
  kind: 'boundary', timestamp_ms: 1_700_000_000_000 + i, direction: i % 2 === 0 ? 'in' : 'out', data_class: 'summary', peer: `peer-${i % 7}`, verdict: 'accepted'
})
const records = (from: number, count: number): AuditRecord[] => Array.from({ length: count }, (_, i) => record(from + i))

async function logWith (size: number, batch = 37): Promise<{ store: Store, log: AuditLog }> {
  const store = await Store.open()
  const log = await AuditLog.open(store)
  for (let at = 0; at < size; at += batch) await log.append(records(at, Math.min(batch, size - at)), store)
  return { store, log }
}

test('the log\'s root is RFC 9162\'s MTH of the encoded records, at every size', async (t) => {
  const store = await Store.open()
  const log = await AuditLog.open(store)
  t.is(toHex(log.head().root), toHex(mth([])))
  const leaves: Uint8Array[] = []
  for (let batch = 1; batch <= 12; batch++) {
    const next = records(leaves.length, batch)
    await log.append(next, store)
    leaves.push(...next.map(encodeAuditRecord))
    t.is(log.head().size, leaves.length)
    t.is(toHex(log.head().root), toHex(mth(leaves)))
  }
  for (const size of [1, 2, 7, 33, 64, 78]) t.is(toHex(await log.rootAt(size)), toHex(mth(leaves.slice(0, size))))
})

test('inclusion proofs for every leaf and consistency proofs between committed sizes verify', async (t) => {
  const { log } = await logWith(70)
  const root = log.head().root
  for (let index = 0; index < 70; index++) {
    const p = await log.inclusionProof(index)
    t.is(toHex(p.leafHash), toHex(hashLeaf(encodeAuditRecord(record(index)))))
    t.notThrows(() => { verifyInclusionProof({ index, size: 70, leafHash: p.leafHash, proof: p.proof, root }) })
  }
  for (const [oldSize, newSize] of [[1, 70], [16, 70], [37, 64], [69, 70], [70, 70], [5, 6]]) {
    const p = await log.consistencyProof(oldSize, newSize)
    t.notThrows(() => { verifyConsistencyProof(p) }, `${oldSize} → ${newSize}`)
  }
  const old = await log.inclusionProof(3, 10)
  t.notThrows(() => { verifyInclusionProof({ index: 3, size: 10, leafHash: old.leafHash, proof: old.proof, root: old.root }) })
})

test('proofs are refused for sizes the log has not committed, from size 0 and to a smaller size', async (t) => {
  const { log } = await logWith(10)
  await t.throwsAsync(log.inclusionProof(10), { name: 'ProofRangeError' })
  await t.throwsAsync(log.inclusionProof(0, 11), { name: 'ProofRangeError' })
  await t.throwsAsync(log.consistencyProof(0, 10), { name: 'ConsistencyFromEmptyTreeError' })
  await t.throwsAsync(log.consistencyProof(8, 4), { name: 'ConsistencyToSmallerTreeError' })
})

test('staged records join the caller\'s batch and enter the log only on commit', async (t) => {
  const store = await Store.open()
  const log = await AuditLog.open(store)
  const data = store.sublevel<{ n: number }>('data')
  const ops: BatchOperation[] = [{ type: 'put', sublevel: data, key: 'a', value: { n: 1 } } as unknown as BatchOperation]
  const staged = await log.stage(records(0, 3), ops)
  t.is(staged.firstIndex, 0)
  t.is(log.head().size, 0, 'not committed yet')
  await store.batch(ops)
  staged.commit()
  t.is(log.head().size, 3)
  t.deepEqual(await data.get('a'), { n: 1 })
  t.true((await log.verify()).ok)
})

test('a failed batch aborts its staged append: no gap, the next append takes the same index', async (t) => {
  const { store, log } = await logWith(5)
  const before = log.head()
  const bad = [{ type: 'put', sublevel: store.sublevel('data'), key: 'x', value: undefined } as unknown as BatchOperation]
  await t.throwsAsync(log.append(records(5, 2), store, bad))
  t.deepEqual(log.head(), before)
  const staged = await log.stage(records(5, 1))
  t.is(staged.firstIndex, 5)
  await store.batch(staged.operations)
  staged.commit()
  t.true((await log.verify()).ok)
})

test('a second stage waits until the first is committed, so indices never collide', async (t) => {
  const { store, log } = await logWith(2)
  const first = await log.stage(records(2, 2))
  let secondStaged = false
  const secondPromise = log.stage(records(4, 1)).then((s) => { secondStaged = true; return s })
  await new Promise((resolve) => setImmediate(resolve))
  t.false(secondStaged)
  await store.batch(first.operations)
  first.commit()
  const second = await secondPromise
  t.is(second.firstIndex, 4)
  await store.batch(second.operations)
  second.commit()
  t.is(log.head().size, 5)
  t.true((await log.verify()).ok)
  t.throws(() => { first.commit() }, { message: /once/ })
})

test('a record outside its schema is refused before anything is staged', async (t) => {
  const { store, log } = await logWith(3)
  await t.throwsAsync(log.stage([{ kind: 'operator', timestamp_ms: -5, action: 'x' }]), { name: 'MalformedAuditRecordError' })
  await log.append(records(3, 1), store) // the lock was not taken
  t.is(log.head().size, 4)
})

test('entries returns committed records from an index, bounded by a limit', async (t) => {
  const { log } = await logWith(30)
  const tail = await log.entries({ since: 25 })
  t.deepEqual(tail.map((e) => e.index), [25, 26, 27, 28, 29])
  t.deepEqual(tail[0].record, record(25))
  t.deepEqual((await log.entries({ since: 3, limit: 2 })).map((e) => e.index), [3, 4])
  t.deepEqual(await log.entries({ since: 30 }), [])
})

test('the log reopens from disk with its head, and proofs still verify', async (t) => {
  const dataDir = await mkdtemp(join(tmpdir(), 'fedmesh-audit-'))
  try {
    let store = await Store.open({ dataDir })
    let log = await AuditLog.open(store)
    for (let at = 0; at < 300; at += 64) await log.append(records(at, Math.min(64, 300 - at)), store)
    const head = log.head()
    await store.close()
    store = await Store.open({ dataDir })
    log = await AuditLog.open(store)
    t.deepEqual(log.head(), head)
    const p = await log.inclusionProof(123)
    t.notThrows(() => { verifyInclusionProof({ index: 123, size: 300, leafHash: p.leafHash, proof: p.proof, root: head.root }) })
    t.true((await log.verify()).ok)
    await store.close()
  } finally {
    await rm(dataDir, { recursive: true, force: true })
  }
})

test('a saved checkpoint must be of this log; verify checks the tree against saved checkpoints', async (t) => {
  const { log } = await logWith(20)
  const signer = digestMember(1).signer
  await log.saveCheckpoint(signCheckpoint(signer, { origin: 'o', size: 20, root: log.head().root }))
  await log.saveCheckpoint(signCheckpoint(signer, { origin: 'o', size: 8, root: await log.rootAt(8) }))
  await t.throwsAsync(log.saveCheckpoint(signCheckpoint(signer, { origin: 'o', size: 8, root: log.head().root })), { name: 'ForeignCheckpointError' })
  await t.throwsAsync(log.saveCheckpoint(signCheckpoint(signer, { origin: 'o', size: 21, root: log.head().root })), { name: 'ForeignCheckpointError' })
  t.deepEqual((await log.checkpoints()).map((c) => c.size), [8, 20])
  const report = await log.verify()
  t.true(report.ok && report.checkpoints_checked === 2)
})

test('an inclusion proof carries the leaf bytes, which hash to its leaf hash', async (t) => {
  const { log } = await logWith(9)
  const p = await log.inclusionProof(4)
  t.deepEqual(new Uint8Array(p.leaf), encodeAuditRecord(record(4)))
  t.is(toHex(hashLeaf(p.leaf)), toHex(p.leafHash))
})

test('concurrent submits share store batches (group commit) and each gets its own contiguous indices', async (t) => {
  const store = await Store.open()
  const log = await AuditLog.open(store)
  const data = store.sublevel<{ first: number }>('data')
  let batches = 0
  const batch = store.batch.bind(store)
  store.batch = async (ops) => { batches++; await batch(ops) }
  const firsts = await Promise.all(Array.from({ length: 300 }, async (_, i) =>
    await log.submit(records(i * 2, 2), store, [{ type: 'put', sublevel: data, key: String(i), value: { first: i } } as unknown as BatchOperation])))
  t.deepEqual([...firsts].sort((a, b) => a - b), Array.from({ length: 300 }, (_, i) => i * 2))
  t.is(log.head().size, 600)
  t.true(batches < 300 / 4, `${batches} store batches for 300 submits`)
  t.is((await data.keys().all()).length, 300)
  t.true((await log.verify()).ok)
})

test('a bad caller in a group commit fails alone', async (t) => {
  const store = await Store.open()
  const log = await AuditLog.open(store)
  const results = await Promise.allSettled([
    log.submit(records(0, 1), store),
    log.submit(records(1, 1), store),
    log.submit([{ kind: 'operator', timestamp_ms: -1, action: 'x' }], store),
    log.submit(records(2, 1), store, [{ type: 'put', sublevel: store.sublevel('data'), key: 'x', value: undefined } as unknown as BatchOperation]),
    log.submit(records(3, 1), store)
  ])
  t.deepEqual(results.map((r) => r.status), ['fulfilled', 'fulfilled', 'rejected', 'rejected', 'fulfilled'])
  t.is(log.head().size, 3)
  t.true((await log.verify()).ok)
})

test('one stage takes at most AUDIT_STAGE_RECORDS_MAX records', async (t) => {
  const { store, log } = await logWith(0)
  await t.throwsAsync(log.stage(records(0, AUDIT_STAGE_RECORDS_MAX + 1)), { name: 'AuditBatchTooLargeError' })
  await log.append(records(0, AUDIT_STAGE_RECORDS_MAX), store)
  t.is(log.head().size, AUDIT_STAGE_RECORDS_MAX)
})
