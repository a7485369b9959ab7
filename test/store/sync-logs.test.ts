import test from 'ava'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Store } from '../../src/store/store.ts'
import { SyncLogRepository } from '../../src/store/sync-logs.ts'

const ORIGIN = '12D3KooWGzxzKZYveHXtpG6AsrUJBcWxHBFS2HsEoGTxrMLvKXtf'
const ENTRY_BYTES = 4000

/** Entry `seq`'s bytes: its seq in every byte position's reach, so a mix-up between entries is visible. */
function entry (seq: number): Uint8Array {
  const bytes = new Uint8Array(ENTRY_BYTES)
  new DataView(bytes.buffer).setUint32(0, seq)
  bytes.fill(seq % 251, 4)
  return bytes
}

// on disk (classic-level): a range read asks LevelDB for about `bytesMax` per native call, not 16 KiB
for (const where of ['disk', 'memory'] as const) {
  test(`range reads on ${where} return each stored entry once, in order, within countMax and bytesMax, and resume from next`, async (t) => {
    const dir = where === 'disk' ? await mkdtemp(join(tmpdir(), 'fedmesh-sync-logs-')) : undefined
    t.teardown(async () => { if (dir !== undefined) await rm(dir, { recursive: true, force: true }) })
    const store = await Store.open(dir === undefined ? {} : { dataDir: dir })
    const repository = new SyncLogRepository(store)
    const link = { hash: 'aa', prev: 'bb' }
    for (let seq = 1; seq <= 600; seq++) {
      if (seq === 300) continue // a hole: the read skips it
      await store.batch(repository.appendOperations('summary', ORIGIN, seq, entry(seq), link))
    }
    // another log next to it in key order: never read into this one's range
    await store.batch(repository.appendOperations('summary', `${ORIGIN}x`, 1, entry(9999), link))

    // bytes bound: 64 KiB holds 16 entries of 4000 B
    const small = await repository.read({ dataClass: 'summary', origin: ORIGIN, from: 1, to: 600, countMax: 512, bytesMax: 64 * 1024 })
    t.deepEqual(small.envelopes.map((e) => e.seq), Array.from({ length: 16 }, (_, i) => i + 1))
    t.is(small.next, 17)

    // count bound, then resumed to the end: every stored seq once, in order, bytes intact
    const seen: number[] = []
    for (let from = 1; from <= 600;) {
      const read = await repository.read({ dataClass: 'summary', origin: ORIGIN, from, to: 600, countMax: 100, bytesMax: 1024 * 1024 })
      t.true(read.envelopes.length <= 100)
      for (const { seq, bytes } of read.envelopes) {
        t.true(Buffer.from(entry(seq)).equals(bytes), `entry ${seq} intact`)
        seen.push(seq)
      }
      t.true(read.next > from)
      from = read.next
    }
    t.deepEqual(seen, Array.from({ length: 600 }, (_, i) => i + 1).filter((seq) => seq !== 300))

    // a range ending inside the log stops there; a range past the end says so (next = to + 1)
    const middle = await repository.read({ dataClass: 'summary', origin: ORIGIN, from: 295, to: 305, countMax: 512, bytesMax: 1024 * 1024 })
    t.deepEqual(middle.envelopes.map((e) => e.seq), [295, 296, 297, 298, 299, 301, 302, 303, 304, 305])
    t.is(middle.next, 306)
    const past = await repository.read({ dataClass: 'summary', origin: ORIGIN, from: 601, to: 700, countMax: 512, bytesMax: 1024 * 1024 })
    t.deepEqual(past, { envelopes: [], next: 701 })
    await store.close()
  })
}
