import test from 'ava'
import { mkdir, mkdtemp, readdir, rm, stat, truncate, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { LogBook } from '../../src/core/sync/log-book.ts'
import { SEGMENT_BYTES_MAX, SegmentPathError } from '../../src/store/log-segments.ts'
import { Store } from '../../src/store/store.ts'
import { SYNC_LINKS_SUBLEVEL, SYNC_LOG_SUBLEVEL, SYNC_SEGMENTS_DIR, SyncLogRepository } from '../../src/store/sync-logs.ts'

const ORIGIN = '12D3KooWGzxzKZYveHXtpG6AsrUJBcWxHBFS2HsEoGTxrMLvKXtf'
const CLASS = 'summary'
const MIB = 1024 * 1024
const link = { hash: 'aa', prev: 'bb' }
const limits = (): { retentionEntries: number, heldEntriesMax: number } => ({ retentionEntries: Number.MAX_SAFE_INTEGER, heldEntriesMax: Number.MAX_SAFE_INTEGER })

/** Entry `seq`'s bytes: its seq at the front and in every byte's reach, so a mix-up between entries is visible. */
function entry (seq: number, size: number): Uint8Array {
  const bytes = new Uint8Array(size)
  new DataView(bytes.buffer).setUint32(0, seq)
  bytes.fill(seq % 251, 4)
  return bytes
}

async function tempDir (t: { teardown: (f: () => Promise<void>) => void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'fedmesh-log-segments-'))
  t.teardown(async () => { await rm(dir, { recursive: true, force: true }) })
  return dir
}

const logDir = (dataDir: string): string => join(dataDir, SYNC_SEGMENTS_DIR, CLASS, ORIGIN)
const segments = async (dataDir: string): Promise<string[]> => (await readdir(logDir(dataDir)).catch(() => [] as string[])).sort()

async function appendAll (store: Store, repository: SyncLogRepository, seqs: number[], size: number): Promise<void> {
  await store.batch(seqs.flatMap((seq) => repository.appendOperations(CLASS, ORIGIN, seq, entry(seq, size), link)))
}

test('on disk the bytes go to segment files, not LevelDB; reads across segments return every entry once and intact', async (t) => {
  const dir = await tempDir(t)
  const store = await Store.open({ dataDir: dir })
  t.teardown(async () => { await store.close() })
  const repository = new SyncLogRepository(store)
  const size = 4000
  const count = Math.ceil((2.5 * SEGMENT_BYTES_MAX) / size) // three segments
  for (let from = 1; from <= count; from += 500) await appendAll(store, repository, Array.from({ length: Math.min(500, count - from + 1) }, (_, i) => from + i), size)

  t.deepEqual(await segments(dir), ['00000001.seg', '00000002.seg', '00000003.seg'])
  for (const name of (await segments(dir)).slice(0, 2)) t.true((await stat(join(logDir(dir), name))).size <= SEGMENT_BYTES_MAX)
  let inStore = 0
  for await (const _ of store.sublevel<Uint8Array>(SYNC_LOG_SUBLEVEL, 'view').keys()) inStore++
  t.is(inStore, 0, 'no envelope bytes in LevelDB')

  const seen: number[] = []
  for (let from = 1; from <= count;) {
    const read = await repository.read({ dataClass: CLASS, origin: ORIGIN, from, to: count, countMax: 512, bytesMax: 256 * 1024 })
    t.true(read.envelopes.length <= 512)
    t.true(read.envelopes.reduce((n, e) => n + e.bytes.byteLength, 0) <= 256 * 1024)
    for (const { seq, bytes } of read.envelopes) {
      t.true(Buffer.from(entry(seq, size)).equals(bytes), `entry ${seq} intact`)
      seen.push(seq)
    }
    from = read.next
  }
  t.deepEqual(seen, Array.from({ length: count }, (_, i) => i + 1))
  t.true(Buffer.from(entry(count, size)).equals(await repository.get(CLASS, ORIGIN, count) as Uint8Array))
  t.is(await repository.get(CLASS, ORIGIN, count + 1), undefined)
})

test('a batch naming a body commits only once the body is written; a failed write fails the batch and indexes nothing', async (t) => {
  const dir = await tempDir(t)
  const store = await Store.open({ dataDir: dir })
  t.teardown(async () => { await store.close() })
  // the segment file's name is taken by a directory: opening it for writing fails (EISDIR), whoever runs the test
  await mkdir(join(logDir(dir), '00000001.seg'), { recursive: true })
  const repository = new SyncLogRepository(store)
  await t.throwsAsync(appendAll(store, repository, [1, 2], 100), { code: 'EISDIR' })
  t.is(await store.sublevel<string>(SYNC_LINKS_SUBLEVEL, 'utf8').get(`${CLASS}/${ORIGIN}/${String(1).padStart(16, '0')}`), undefined)
  t.is(await repository.get(CLASS, ORIGIN, 1), undefined)
  const book = new LogBook(limits)
  await repository.load(book)
  t.deepEqual(book.positions(), [])
})

test('at start an entry whose bytes a crash cut from its segment leaves the index (a gap sync fills), and segments no entry names are deleted', async (t) => {
  const dir = await tempDir(t)
  {
    const store = await Store.open({ dataDir: dir })
    const repository = new SyncLogRepository(store)
    await appendAll(store, repository, Array.from({ length: 12 }, (_, i) => i + 1), MIB) // 4 per segment
    // a prune whose batch committed but whose segment deletion never ran (a crash between the two)
    await store.batch([1, 2, 3, 4].map((seq) => store.delOperation(SYNC_LINKS_SUBLEVEL, `${CLASS}/${ORIGIN}/${String(seq).padStart(16, '0')}`, 'utf8')))
    await store.close()
  }
  t.deepEqual(await segments(dir), ['00000001.seg', '00000002.seg', '00000003.seg'])
  // a torn write: the newest segment lost the last entry's tail
  await truncate(join(logDir(dir), '00000003.seg'), 3 * MIB + 10)

  // a read-only look (a stopped node's status) leaves the files and the index as they are, but counts no torn entry
  {
    const store = await Store.open({ dataDir: dir })
    const book = new LogBook(limits)
    await new SyncLogRepository(store).load(book)
    t.like(book.find(CLASS, ORIGIN)?.position(), { low: 5, high: 11, count: 7 })
    await store.close()
    t.deepEqual(await segments(dir), ['00000001.seg', '00000002.seg', '00000003.seg'])
  }

  const store = await Store.open({ dataDir: dir })
  t.teardown(async () => { await store.close() })
  const repository = new SyncLogRepository(store)
  const book = new LogBook(limits)
  await repository.load(book, { repair: true })
  t.like(book.find(CLASS, ORIGIN)?.position(), { low: 5, high: 11, count: 7 })
  t.is(await repository.link(CLASS, ORIGIN, 12), undefined, 'the torn entry left the index')
  t.deepEqual(await segments(dir), ['00000002.seg', '00000003.seg'], 'the segment no entry names is gone')
  for (let seq = 5; seq <= 11; seq++) t.true(Buffer.from(entry(seq, MIB)).equals(await repository.get(CLASS, ORIGIN, seq) as Uint8Array))

  // appends go on after the segment's end (the torn bytes are never named again)
  await appendAll(store, repository, [12], MIB)
  t.true(Buffer.from(entry(12, MIB)).equals(await repository.get(CLASS, ORIGIN, 12) as Uint8Array))
})

test('pruning deletes a segment once no entry in it is left, and keeps the ones still named', async (t) => {
  const dir = await tempDir(t)
  const store = await Store.open({ dataDir: dir })
  t.teardown(async () => { await store.close() })
  {
    const repository = new SyncLogRepository(store)
    await appendAll(store, repository, Array.from({ length: 10 }, (_, i) => i + 1), MIB)
  }
  const repository = new SyncLogRepository(store)
  const book = new LogBook(limits)
  await repository.load(book, { repair: true })
  const log = book.find(CLASS, ORIGIN)
  if (log === undefined) throw new Error('no log loaded')
  t.deepEqual(await segments(dir), ['00000001.seg', '00000002.seg', '00000003.seg'])
  const left = await repository.prune(log, 5)
  t.deepEqual(left, { count: 5, low: 6 })
  t.deepEqual(await segments(dir), ['00000002.seg', '00000003.seg'], 'entries 1-4 were segment 1; entry 5 keeps segment 2')
  const read = await repository.read({ dataClass: CLASS, origin: ORIGIN, from: 1, to: 10, countMax: 100, bytesMax: 100 * MIB })
  t.deepEqual(read.envelopes.map((e) => e.seq), [6, 7, 8, 9, 10])
})

test('entries a store kept in LevelDB before segments are still read, served with new ones, and pruned', async (t) => {
  const dir = await tempDir(t)
  const store = await Store.open({ dataDir: dir })
  t.teardown(async () => { await store.close() })
  const key = (seq: number): string => `${CLASS}/${ORIGIN}/${String(seq).padStart(16, '0')}`
  // the layout before segments: the bytes in `sync_log`, the link record without a place
  await store.batch([1, 2, 3].flatMap((seq) => [
    store.putOperation(SYNC_LOG_SUBLEVEL, key(seq), entry(seq, 3000), 'view'),
    store.putOperation(SYNC_LINKS_SUBLEVEL, key(seq), `${link.hash}:${link.prev}`, 'utf8')
  ]))
  const repository = new SyncLogRepository(store)
  await appendAll(store, repository, [4, 5], 3000)
  const book = new LogBook(limits)
  await repository.load(book, { repair: true })
  const read = await repository.read({ dataClass: CLASS, origin: ORIGIN, from: 1, to: 5, countMax: 100, bytesMax: MIB })
  t.deepEqual(read.envelopes.map((e) => e.seq), [1, 2, 3, 4, 5])
  for (const { seq, bytes } of read.envelopes) t.true(Buffer.from(entry(seq, 3000)).equals(bytes))
  // the bytes bound holds for them too
  const bounded = await repository.read({ dataClass: CLASS, origin: ORIGIN, from: 1, to: 5, countMax: 100, bytesMax: 7000 })
  t.deepEqual(bounded.envelopes.map((e) => e.seq), [1, 2])
  t.is(bounded.next, 3)
  const log = book.find(CLASS, ORIGIN)
  if (log === undefined) throw new Error('no log loaded')
  await repository.prune(log, 4)
  t.is(await store.sublevel<Uint8Array>(SYNC_LOG_SUBLEVEL, 'view').get(key(2)), undefined, 'pruned from LevelDB')
  t.deepEqual((await repository.read({ dataClass: CLASS, origin: ORIGIN, from: 1, to: 5, countMax: 100, bytesMax: MIB })).envelopes.map((e) => e.seq), [5])
})

test('a log name that is not a data class and a PeerId never reaches the file system', async (t) => {
  const dir = await tempDir(t)
  const store = await Store.open({ dataDir: dir })
  t.teardown(async () => { await store.close() })
  const repository = new SyncLogRepository(store)
  for (const origin of ['../../etc', 'a/b', '', '.']) {
    t.throws(() => repository.appendOperations(CLASS, origin, 1, entry(1, 10), link), { instanceOf: SegmentPathError })
  }
  await writeFile(join(dir, 'marker'), 'x')
  t.deepEqual((await readdir(dir)).sort(), ['marker', 'store'])
})

test('a log with a short retention keeps no segment of mostly pruned bytes: a prune reaching the active segment closes it', async (t) => {
  const dir = await tempDir(t)
  const store = await Store.open({ dataDir: dir })
  t.teardown(async () => { await store.close() })
  const repository = new SyncLogRepository(store)
  const book = new LogBook(limits)
  await repository.load(book, { repair: true })
  const size = 7000 // an audit checkpoint's size; 16 of them are retained
  const onDisk = async (): Promise<number> => {
    let bytes = 0
    for (const name of await segments(dir)) bytes += (await stat(join(logDir(dir), name))).size
    return bytes
  }
  let most = 0
  let seq = 0
  for (let round = 0; round < 40; round++) {
    await appendAll(store, repository, Array.from({ length: 16 }, () => ++seq), size)
    for (let s = seq - 15; s <= seq; s++) book.log(CLASS, ORIGIN).load(s, link)
    const log = book.find(CLASS, ORIGIN)
    if (log === undefined) throw new Error('no log')
    const excess = log.position().count - 16
    if (excess > 0) {
      const left = await repository.prune(log, excess)
      log.pruned(left.count, left.low)
    }
    most = Math.max(most, await onDisk())
  }
  // 640 entries written, 16 kept: what is on disk stays within a few prunes' worth all along, never a segment
  // growing towards 4 MiB of pruned bytes
  t.true(most <= 3 * 16 * size, `at most ${most} bytes on disk for 16 entries of ${size}`)
  const read = await repository.read({ dataClass: CLASS, origin: ORIGIN, from: 1, to: seq, countMax: 100, bytesMax: MIB })
  t.deepEqual(read.envelopes.map((e) => e.seq), Array.from({ length: 16 }, (_, i) => seq - 15 + i))
  for (const { seq: s, bytes: b } of read.envelopes) t.true(Buffer.from(entry(s, size)).equals(b))
})
