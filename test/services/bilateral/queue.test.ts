/**
 * Heartbeats, suspension and store-and-forward between two real nodes on an
 * injected clock: the test moves time and runs the relation timers itself,
 * so nothing depends on how fast the machine is.
 */
import test from 'ava'
import { clockFrom } from '../../../src/runtime/clock.ts'
import { HEARTBEATS_MISSED_MAX } from '../../../src/core/handshake/index.ts'
import { auditEntries, startFederation, startRelatedPair, until } from '../handshake/federation.ts'

const INTERVAL_MS = 1000

test('a peer that misses K heartbeats is suspended; bilateral data for it is queued, then delivered after re-establishment', async (t) => {
  let nowMs = Date.now()
  const clock = clockFrom(() => nowMs)
  const init = { clock, handshake: { heartbeatIntervalMs: INTERVAL_MS, tickMs: 0 } }
  const { federation, a, b, ia, ib } = await startRelatedPair('bl-queue', init)
  t.teardown(federation.stop)

  // heartbeats keep it active: b ticks (sends one), a hears it
  nowMs += INTERVAL_MS * (HEARTBEATS_MISSED_MAX - 1)
  await b!.handshake.tick()
  await until('a to hear b\'s heartbeat', () => a!.handshake.relation(ib!.peerId)!.lastHeartbeatMs === nowMs)
  // b goes quiet: it neither sends heartbeats nor answers a's (a peer answers on a's heartbeat stream while its
  // handshake service runs, protocols/handshake.md "Answered heartbeats")
  await b!.handshake.stop()
  nowMs += INTERVAL_MS * HEARTBEATS_MISSED_MAX
  await a!.handshake.tick()
  t.is(a!.handshake.relation(ib!.peerId)!.state, 'active', 'K intervals since the last heartbeat: not yet')

  // one more millisecond and a suspends it
  nowMs += 1
  await a!.handshake.tick()
  t.is(a!.handshake.relation(ib!.peerId)!.state, 'suspended')

  // data for a suspended peer is queued, not dropped, not sent
  const sent = await a!.operations.run('send', { class: 'incident_summary', to: 'site_b', payload_base64: Buffer.from('queued while suspended').toString('base64') }) as { status: string, message_id: string }
  t.is(sent.status, 'queued')
  t.deepEqual(await a!.bilateral.queued(), { [ib!.peerId]: 1 })
  t.deepEqual(await b!.bilateral.inbox(), [])

  // b is back: a's timer, an interval after the suspension, finds it connected and handshakes again; the relation is
  // re-established and the queue flushed
  await b!.handshake.start()
  nowMs += INTERVAL_MS
  await a!.handshake.tick()
  await until('the relation re-established', () => a!.handshake.relation(ib!.peerId)?.state === 'active' && a!.handshake.relation(ib!.peerId)!.establishments >= 2)
  await until('the queued message delivered', async () => (await b!.bilateral.inbox()).length === 1)
  const [received] = await b!.bilateral.inbox()
  t.is(Buffer.from(received!.payload, 'base64').toString(), 'queued while suspended')
  t.is(received!.id, sent.message_id, 'the queued id, so a resend would be a duplicate')
  t.is(received!.from, ia!.peerId)
  await until('the queue empty', async () => Object.keys(await a!.bilateral.queued()).length === 0)

  const entries = await auditEntries(a!)
  t.true(entries.some((e) => e.kind === 'handshake' && e.to_state === 'suspended' && e.reason === 'missed_heartbeats'))
  t.true(entries.some((e) => e.kind === 'handshake' && e.from_state === 'suspended' && e.to_state === 'active' && e.reason === 're_established'))
  t.true(entries.some((e) => e.kind === 'boundary' && e.direction === 'out' && e.data_class === 'incident_summary' && e.verdict === 'accepted' && e.message_id === sent.message_id))
  t.true((await auditEntries(b!)).some((e) => e.kind === 'boundary' && e.direction === 'in' && e.data_class === 'incident_summary' && e.verdict === 'accepted' && e.message_id === sent.message_id))
})

test('data for a member that is offline waits in the persisted queue and goes on the first handshake', async (t) => {
  const federation = await startFederation('bl-offline', [
    { site: 'site_a', allows: { site_b: ['playbook_metadata'] } },
    // a member, not started yet: site_a can only queue for it
    { site: 'site_b', allows: { site_a: ['playbook_metadata'] }, offline: true }
  ])
  t.teardown(federation.stop)
  const [a, b] = federation.nodes
  const [ia, ib] = federation.ids
  t.is(a!.handshake.relation(ib!.peerId), undefined, 'never met')
  const sent = await a!.bilateral.send({ dataClass: 'playbook_metadata', to: 'site_b', payload: new TextEncoder().encode('for later') })
  t.is(sent.status, 'queued')
  // a class the config does not allow with site_b is refused at once, never queued
  await t.throwsAsync(a!.bilateral.send({ dataClass: 'incident_summary', to: 'site_b', payload: new Uint8Array([1]) }), { name: 'DataClassNotAllowedError' })
  t.deepEqual(await a!.bilateral.queued(), { [ib!.peerId]: 1 })

  await b!.start()
  await until('the first handshake', () => a!.handshake.relation(ib!.peerId)?.state === 'active' && b!.handshake.relation(ia!.peerId)?.state === 'active')
  await until('the queued message delivered', async () => (await b!.bilateral.inbox()).length === 1)
  t.is(Buffer.from((await b!.bilateral.inbox())[0]!.payload, 'base64').toString(), 'for later')
  await until('the queue empty', async () => Object.keys(await a!.bilateral.queued()).length === 0)
})
