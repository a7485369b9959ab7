/**
 * The /fedmesh/dispute/1.0.0 codec: hostile bytes fail with
 * MalformedDisputeMessageError (size, decode, exactly one body, claims),
 * never anything else.
 */
import test from 'ava'
import { randomBytes } from 'node:crypto'
import * as wire from '../../../protocols/dispute.ts'
import { decodeDisputeMessage, encodeDisputeMessage } from '../../../src/services/disputes/codec.ts'
import { DISPUTE_MESSAGE_BYTES_MAX } from '../../../src/services/disputes/constants.ts'

const signature = { ed25519: new Uint8Array(64), mldsa: new Uint8Array(16) }
const party = { kind: 'dispute.resolve', participant: 'sep://a@x', issuedAtMs: 1n, claimsJson: '{"dispute":"00"}', signature }

test('a statement round-trips', (t) => {
  const signed = { statement: { kind: 'dispute.resolve', participant: 'sep://a@x', issuedAtMs: 5, claims: { dispute: 'ab', text: 'ok' } }, signature }
  t.deepEqual(decodeDisputeMessage(encodeDisputeMessage({ kind: 'party', signed })), { kind: 'party', signed })
})

test('hostile bytes: each refused as MalformedDisputeMessageError', (t) => {
  const bad = [
    new Uint8Array(DISPUTE_MESSAGE_BYTES_MAX + 1),
    wire.DisputeMessage.encode({}),
    wire.DisputeMessage.encode({ party, node: { kind: 'dispute.ruling', node: 'n', subject: new Uint8Array(32), issuedAtMs: 1n, claimsJson: '{}', signature } }),
    wire.DisputeMessage.encode({ party: { ...party, claimsJson: '[1]' } }),
    wire.DisputeMessage.encode({ party: { ...party, claimsJson: 'not json' } }),
    wire.DisputeMessage.encode({ party: { ...party, issuedAtMs: 2n ** 60n } }),
    wire.DisputeMessage.encode({ node: { kind: 'chain.commit', node: 'n', subject: new Uint8Array(32), issuedAtMs: 1n, claimsJson: '{}', signature } }),
    wire.DisputeMessage.encode({ node: { kind: 'dispute.ruling', node: 'n', subject: new Uint8Array(31), issuedAtMs: 1n, claimsJson: '{}', signature } }),
    wire.DisputeMessage.encode({ case: { chain: [new Uint8Array([1, 2, 3])], dispute: [] } }),
    wire.DisputeMessage.encode({ case: { chain: [], dispute: [{}] } }),
    wire.DisputeMessage.encode({ case: { chain: new Array(100).fill(new Uint8Array(0)), dispute: [] } })
  ]
  for (const [i, bytes] of bad.entries()) t.throws(() => decodeDisputeMessage(bytes), { name: 'MalformedDisputeMessageError' }, `case ${i}`)
  for (let i = 0; i < 200; i++) {
    try {
      decodeDisputeMessage(randomBytes(1 + (i % 64)))
    } catch (err) {
      t.is((err as Error).name, 'MalformedDisputeMessageError')
    }
  }
})
