/**
 * Bytes on the wire between three nodes (every protocol stream captured in
 * plaintext, see capture.ts): a bilateral class one peer may not receive
 * never reaches it in any form, by any protocol; one a peer sends outside its
 * agreed policy is rejected, counted and audited, and never stored.
 */
import test from 'ava'
import { peerIdFromString } from '@libp2p/peer-id'
import { pbStream } from 'it-protobuf-stream'
import { randomBytes } from 'node:crypto'
import { signEnvelope } from '../../../src/wire/envelope.ts'
import { BILATERAL_PROTOCOL_ID, decodeBilateralAck } from '../../../src/wire/bilateral.ts'
import { DataClassNotAllowedError } from '../../../src/services/policies/index.ts'
import { auditEntries, FEDERATION, startFederation, until } from '../handshake/federation.ts'
import { StreamCapture } from './capture.ts'

const RAW = { encode: (bytes: Uint8Array) => bytes, decode: (data: { subarray: () => Uint8Array }) => data.subarray() }
const marker = (label: string): Uint8Array => new TextEncoder().encode(`MARKER-${label}-${randomBytes(12).toString('hex')}`)

test('a class not allowed to a peer never reaches it in any form; one sent outside policy is rejected, counted and audited', async (t) => {
  const captures = [new StreamCapture(), new StreamCapture(), new StreamCapture()]
  const federation = await startFederation('bl-wire', [
    // a shares incident summaries with b only
    { site: 'site_a', allows: { site_b: ['incident_summary'] }, init: { libp2pMetricsImpl: () => captures[0]! } },
    { site: 'site_b', allows: { site_a: ['incident_summary'] }, init: { libp2pMetricsImpl: () => captures[1]! } },
    // c would take them from a, but a does not offer them to c
    { site: 'site_c', allows: { site_a: ['incident_summary'], site_b: ['incident_summary'] }, init: { libp2pMetricsImpl: () => captures[2]! } }
  ])
  t.teardown(federation.stop)
  const [a, b, c] = federation.nodes
  const [ia, ib, ic] = federation.ids
  await until('a\'s relations with b and c active', () =>
    a!.handshake.relation(ib!.peerId)?.state === 'active' && a!.handshake.relation(ic!.peerId)?.state === 'active' &&
    b!.handshake.relation(ia!.peerId)?.state === 'active' && c!.handshake.relation(ia!.peerId)?.state === 'active')
  t.deepEqual(a!.handshake.relation(ic!.peerId)!.agreed!.sends, [], 'nothing bilateral agreed with c')

  // 1. refused on the send path, by every way out: the bilateral stream, gossip
  const forC = marker('for-c')
  await t.throwsAsync(a!.bilateral.send({ dataClass: 'incident_summary', to: 'site_c', payload: forC }), { instanceOf: DataClassNotAllowedError })
  t.throws(() => a!.envelopes.seal('incident_summary', 'fedmesh.bilateral/1', forC), { instanceOf: DataClassNotAllowedError })
  t.deepEqual(await a!.bilateral.queued(), {}, 'not queued either')

  // 2. the same class to b, whose policy allows it, is delivered (the capture's positive control)
  const forB = marker('for-b')
  t.like(await a!.bilateral.send({ dataClass: 'incident_summary', to: 'site_b', payload: forB }), { status: 'delivered', site: 'site_b' })
  // 3. a later message a gossips reaches c: anything a had put on the wire for c before it would have arrived by now
  await a!.publishMetrics()
  await until('c to take a\'s metrics report', () => c!.status().members.some((m: any) => m.node_id === ia!.peerId))

  t.true(captures[1]!.received(forB), 'b received the message meant for it (the capture sees bilateral payloads)')
  t.true(captures[0]!.sent(forB))
  t.false(captures[0]!.sent(forC), 'a never wrote the refused payload to any stream')
  for (const [i, capture] of captures.entries()) t.false(capture.received(forC), `node ${i} never received the refused payload`)
  t.false(captures[2]!.received(forB), 'c never saw b\'s message either, by any protocol')
  t.true(captures[2]!.protocolsReceived().size >= 2, 'c did receive other traffic from the federation')
  t.true((await auditEntries(a!)).some((e) => e.kind === 'boundary' && e.direction === 'out' && e.peer === ic!.peerId && e.verdict === 'rejected' && e.reason === 'DataClassNotAllowedError'))

  // 4. c sends a incident_summary outside the agreed policy (bypassing its own send path): rejected, counted, audited, not stored
  const outside = marker('outside')
  const envelope = signEnvelope({
    id: new Uint8Array(randomBytes(16)), timestampMs: Date.now(), source: ic!.peerId, destination: ia!.peerId, federationId: FEDERATION,
    dataClass: 'incident_summary', schemaId: 'fedmesh.bilateral/1', payload: outside
  }, ic!.signer)
  const stream = await c!.libp2p.dialProtocol(peerIdFromString(ia!.peerId), BILATERAL_PROTOCOL_ID)
  const frames = pbStream(stream, { maxDataLength: 1024 * 1024 })
  await frames.write(envelope, RAW)
  const ack = decodeBilateralAck(await frames.read(RAW))
  await stream.close()
  t.deepEqual(ack, { outcome: 'rejected', error: 'BilateralClassNotAllowedError' })
  t.true(captures[0]!.received(outside), 'it did reach a (so the refusal is a\'s, not the network\'s)')
  t.deepEqual(a!.bilateral.rejected(), { class_not_allowed: 1 })
  t.regex(await a!.metrics.registry.metrics(), /fedmesh_bilateral_rejected_total\{code="class_not_allowed"\} 1/)
  await until('the rejection audited', async () => (await auditEntries(a!)).some((e) =>
    e.kind === 'boundary' && e.direction === 'in' && e.peer === ic!.peerId && e.data_class === 'incident_summary' && e.verdict === 'rejected' && e.reason === 'reject:class_not_allowed'))
  const inbox = await a!.bilateral.inbox()
  t.false(inbox.some((m) => Buffer.from(m.payload, 'base64').includes(Buffer.from(outside))), 'never stored')
})
