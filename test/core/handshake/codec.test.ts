import test from 'ava'
import { HandshakeSchemaError, type HandshakeMessage } from '../../../src/core/handshake/index.ts'
import { decodeHandshakeMessage, encodeHandshakeMessage, HANDSHAKE_MESSAGE_BYTES_MAX } from '../../../src/wire/handshake.ts'
import * as wire from '../../../protocols/handshake.ts'

const hello = { node: '12D3KooWtest', nonce: new Uint8Array(32).fill(7), capabilities: { versions: [1], offered: ['incident_summary' as const], wanted: [], qos: { heartbeatIntervalMs: 1000, messageBytesMax: 4096 } }, nodeRecord: new Uint8Array([1, 2, 3]) }
const terms = { initiatorSends: ['incident_summary' as const], responderSends: ['playbook_metadata' as const], heartbeatIntervalMs: 1000, messageBytesMax: 4096 }
const signature = { ed25519: new Uint8Array(64).fill(1), mldsa: new Uint8Array(3309).fill(2) }

const messages: HandshakeMessage[] = [
  { kind: 'hello', hello },
  { kind: 'hello_reply', hello, signature },
  { kind: 'auth', signature, proposal: terms },
  { kind: 'counter', round: 2, terms },
  { kind: 'accept', terms },
  { kind: 'refuse', code: 'policy_refused', reason: 'no' },
  { kind: 'heartbeat', seq: 3, sentAtMs: 1_700_000_000_000 },
  { kind: 'terminate', forced: true, noticeMs: 0, reason: 'security' }
]

for (const message of messages) {
  test(`a ${message.kind} survives the codec`, (t) => {
    t.deepEqual(decodeHandshakeMessage(encodeHandshakeMessage(message)), message)
  })
}

test('the codec refuses what breaks the schema', (t) => {
  t.throws(() => decodeHandshakeMessage(new Uint8Array(HANDSHAKE_MESSAGE_BYTES_MAX + 1)), { instanceOf: HandshakeSchemaError }, 'size first')
  t.throws(() => decodeHandshakeMessage(new Uint8Array([0xff, 0xff])), { instanceOf: HandshakeSchemaError }, 'not protobuf')
  t.throws(() => decodeHandshakeMessage(wire.HandshakeMessage.encode({})), { instanceOf: HandshakeSchemaError }, 'no body')
  t.throws(() => decodeHandshakeMessage(wire.HandshakeMessage.encode({ heartbeat: { seq: 1n, sentAtMs: 1n }, refuse: { code: 'x', reason: '' } })), { instanceOf: HandshakeSchemaError }, 'two bodies')
  const bad = (patch: object): Uint8Array => wire.HandshakeMessage.encode({ hello: { ...encodeable(), ...patch } })
  t.throws(() => decodeHandshakeMessage(bad({ nonce: new Uint8Array(31) })), { instanceOf: HandshakeSchemaError }, 'nonce size')
  t.throws(() => decodeHandshakeMessage(bad({ capabilities: { ...encodeable().capabilities, offered: ['secrets'] } })), { instanceOf: HandshakeSchemaError }, 'unknown class')
  t.throws(() => decodeHandshakeMessage(bad({ capabilities: { ...encodeable().capabilities, offered: ['vote', 'vote'] } })), { instanceOf: HandshakeSchemaError }, 'repeated class')
  t.throws(() => decodeHandshakeMessage(bad({ capabilities: { ...encodeable().capabilities, versions: Array.from({ length: 9 }, (_, i) => i) } })), { instanceOf: HandshakeSchemaError }, 'too many versions')
  t.throws(() => decodeHandshakeMessage(wire.HandshakeMessage.encode({ refuse: { code: 'x', reason: 'r'.repeat(257) } })), { instanceOf: HandshakeSchemaError }, 'reason length')
})

function encodeable (): wire.Hello {
  return { node: hello.node, nonce: hello.nonce, capabilities: { versions: [1], offered: ['incident_summary'], wanted: [], heartbeatIntervalMs: 1000, messageBytesMax: 4096 }, nodeRecord: hello.nodeRecord }
}
