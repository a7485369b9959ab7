import test from 'ava'
import { randomBytes } from 'node:crypto'
import { SyncResponse } from '../../../protocols/sync.ts'
import { encodeSyncResponse, encodeSyncResponseParts } from '../../../src/services/sync/fetch-response.ts'

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
      // the parts the responder writes: the same bytes, the envelopes themselves not copied
      const parts = encodeSyncResponseParts(response)
      t.true(same(parts.subarray(), fast), `parts: ${count} envelopes, next ${nextSeq}`)
      if (!(parts instanceof Uint8Array)) for (const envelope of envelopes) if (envelope.byteLength > 0) t.true([...parts].includes(envelope), 'an envelope is a part as it is, not a copy')
      const decoded = SyncResponse.decode(fast)
      t.is(decoded.nextSeq, nextSeq)
      t.is(decoded.envelopes.length, count)
      for (const [i, bytes] of decoded.envelopes.entries()) t.true(same(bytes, envelopes[i]))
    }
  }
})

test('frontiers, evidence and out-of-range seqs go through protons unchanged', (t) => {
  const frontiers = { frontiers: [{ dataClass: 'summary', origin: 'o', low: 1n, frontier: 2n, high: 3n }], envelopes: [], nextSeq: 0n, evidence: [] }
  const evidence = { frontiers: [], envelopes: [], nextSeq: 0n, evidence: [{ first: new Uint8Array([1]), second: new Uint8Array([2]) }] }
  const huge = { frontiers: [], envelopes: [new Uint8Array([9])], nextSeq: 2n ** 63n, evidence: [] }
  for (const response of [frontiers, evidence, huge]) {
    t.true(same(encodeSyncResponse(response), SyncResponse.encode(response)))
    t.true(same(encodeSyncResponseParts(response).subarray(), SyncResponse.encode(response)))
  }
})
