import test from 'ava'
import { randomBytes } from 'node:crypto'
import { SyncResponse } from '../../../protocols/sync.ts'
import { pushable } from 'it-pushable'
import { byteStream } from 'it-byte-stream'
import { lpStream } from 'it-length-prefixed-stream'
import { encodeSyncResponse, framedFetchResponse, lengthPrefixed, readFrame } from '../../../src/services/sync/fetch-response.ts'

const same = (a: Uint8Array, b: Uint8Array): boolean => Buffer.from(a).equals(Buffer.from(b))

test('a fetch response encodes byte for byte as protons does, and decodes back', (t) => {
  const sizes = [0, 1, 127, 128, 300, 3852, 16_383, 16_384, 2_097_152]
  const seqs = [0n, 1n, 127n, 128n, 16_384n, 2n ** 32n + 5n, BigInt(Number.MAX_SAFE_INTEGER)]
  for (const nextSeq of seqs) {
    for (const count of [0, 1, 3]) {
      const envelopes = Array.from({ length: count }, (_, i) => new Uint8Array(randomBytes(sizes[(i * 4 + Number(nextSeq % 7n)) % sizes.length])))
      const response: SyncResponse = { frontiers: [], envelopes, nextSeq, evidence: [] }
      const fast = encodeSyncResponse(response)
      t.true(same(fast, SyncResponse.encode(response)), `${count} envelopes, next ${nextSeq}`)
      // the frame a responder reads the envelopes into: once they are in place, the length-prefixed encoding
      if (nextSeq <= BigInt(Number.MAX_SAFE_INTEGER)) {
        const laid = framedFetchResponse(envelopes.map((e) => e.byteLength), Number(nextSeq))
        t.deepEqual(laid.envelopes.map((view) => view.byteLength), envelopes.map((e) => e.byteLength))
        laid.envelopes.forEach((view, i) => { view.set(envelopes[i]) })
        t.true(same(laid.frame, lengthPrefixed(SyncResponse.encode(response))), `frame: ${count} envelopes, next ${nextSeq}`)
      }
      const decoded = SyncResponse.decode(fast)
      t.is(decoded.nextSeq, nextSeq)
      t.is(decoded.envelopes.length, count)
      for (const [i, bytes] of decoded.envelopes.entries()) t.true(same(bytes, envelopes[i]))
    }
  }
})

test('a frame is never laid out for a next_seq a number cannot hold exactly', (t) => {
  for (const next of [2 ** 53, 2 ** 64, -1, 1.5, Number.NaN]) t.throws(() => framedFetchResponse([10], next), { instanceOf: RangeError })
})

test('frontiers, evidence and out-of-range seqs go through protons unchanged', (t) => {
  const frontiers = { frontiers: [{ dataClass: 'summary', origin: 'o', low: 1n, frontier: 2n, high: 3n }], envelopes: [], nextSeq: 0n, evidence: [] }
  const evidence = { frontiers: [], envelopes: [], nextSeq: 0n, evidence: [{ first: new Uint8Array([1]), second: new Uint8Array([2]) }] }
  const huge = { frontiers: [], envelopes: [new Uint8Array([9])], nextSeq: 2n ** 63n, evidence: [] }
  for (const response of [frontiers, evidence, huge]) {
    t.true(same(encodeSyncResponse(response), SyncResponse.encode(response)))
  }
})

/** A byte stream over chunks that arrive as given (split anywhere), as a responder reads a requester's frames. */
function arriving (chunks: Uint8Array[]): ReturnType<typeof byteStream> {
  const source = pushable<Uint8Array>()
  for (const chunk of chunks) source.push(chunk)
  source.end()
  return byteStream({ source, sink: async () => {} })
}

test('readFrame reads what it-length-prefixed-stream (the requester\'s pbStream) writes, however it is split, and refuses a frame over the bound', async (t) => {
  const messages = [new Uint8Array(0), new Uint8Array(randomBytes(1)), new Uint8Array(randomBytes(127)), new Uint8Array(randomBytes(128)), new Uint8Array(randomBytes(70_000))]
  // what the requester puts on the stream: the same framing as lpStream's write
  const written: Uint8Array[] = []
  const writer = lpStream({ source: (async function * () {})(), sink: async (source: AsyncIterable<Uint8Array | { subarray: () => Uint8Array }>) => { for await (const chunk of source) written.push(chunk instanceof Uint8Array ? chunk : chunk.subarray()) } })
  for (const message of messages) await writer.write(message)
  const wire = Buffer.concat(written)
  t.true(same(wire, Buffer.concat(messages.map(lengthPrefixed))), 'lengthPrefixed frames as the requester\'s stream does')
  for (const split of [1, 3, 4096, wire.byteLength]) {
    const chunks: Uint8Array[] = []
    for (let at = 0; at < wire.byteLength; at += split) chunks.push(wire.subarray(at, at + split))
    const bytes = arriving(chunks)
    for (const message of messages) t.true(same(await readFrame(bytes, 100_000, {}), message), `split ${split}`)
    await t.throwsAsync(readFrame(bytes, 100_000, {}), undefined, 'the end of the stream is an error, not a frame')
  }
  await t.throwsAsync(readFrame(arriving([lengthPrefixed(new Uint8Array(1001))]), 1000, {}), { instanceOf: RangeError })
  await t.throwsAsync(readFrame(arriving([new Uint8Array(9).fill(0xff)]), 1000, {}), { instanceOf: RangeError }, 'a length prefix that never ends')
})
