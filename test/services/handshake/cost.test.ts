/**
 * What the handshake service costs a node per connection (issue 17): no
 * relation where a node has nothing to agree, and heartbeats that never dial.
 * Counted, on an injected clock with the relation timer driven by the test
 * (`tickMs: 0`); nothing depends on how fast the machine is.
 */
import test from 'ava'
import type { PeerId } from '@libp2p/interface'
import type { FedmeshNode } from '../../../src/node/node.ts'
import { clockFrom } from '../../../src/runtime/clock.ts'
import { HANDSHAKE_PROTOCOL_ID, HEARTBEATS_MISSED_MAX } from '../../../src/core/handshake/index.ts'
import { testIdentity } from '../../fixtures/federation.ts'
import { auditEntries, startFederation, startRelatedPair, until } from './federation.ts'

const INTERVAL_MS = 1000

/** Counts the handshake streams a node dials (dialProtocol on the handshake protocol). */
function countHandshakeDials (node: FedmeshNode): { dials: number } {
  const counter = { dials: 0 }
  const libp2p = node.libp2p
  const dialProtocol = libp2p.dialProtocol.bind(libp2p)
  libp2p.dialProtocol = (async (peer, protocols, options) => {
    if ((Array.isArray(protocols) ? protocols : [protocols]).includes(HANDSHAKE_PROTOCOL_ID)) counter.dials++
    return await dialProtocol(peer, protocols, options)
  }) as typeof libp2p.dialProtocol
  return counter
}

test('two members whose policies allow no bilateral class with each other open no relation (no handshake stream, no audit record)', async (t) => {
  const init = { handshake: { tickMs: 0 } }
  const federation = await startFederation('hs-cost-none', [
    { site: 'site_a', init },
    // b bootstraps to a: started once both are counted
    { site: 'site_b', init, offline: true }
  ])
  t.teardown(federation.stop)
  const [a, b] = federation.nodes
  const counted = [countHandshakeDials(a!), countHandshakeDials(b!)]
  await b!.start()
  await until('connected', () => a!.libp2p.getPeers().length === 1 && b!.libp2p.getPeers().length === 1)
  // the connect handlers have run; two ticks each would let either side open
  for (let i = 0; i < 2; i++) await Promise.all([a!.handshake.tick(), b!.handshake.tick()])
  t.deepEqual(a!.handshake.relations(), [])
  t.deepEqual(b!.handshake.relations(), [])
  t.deepEqual(counted.map((c) => c.dials), [0, 0])
  t.false((await auditEntries(a!)).some((e) => e.kind === 'handshake'))
})

test('when only the higher PeerId has something to agree, it opens the relation at its second tick with the peer connected', async (t) => {
  const label = 'hs-cost-higher'
  const [ia, ib] = await Promise.all([testIdentity(`${label}/site_a`, 'site_a'), testIdentity(`${label}/site_b`, 'site_b')])
  const higherIsA = ia!.peerId > ib!.peerId
  const init = { handshake: { tickMs: 0 } }
  const federation = await startFederation(label, [
    { site: 'site_a', init, ...(higherIsA ? { allows: { site_b: ['incident_summary' as const] } } : {}) },
    { site: 'site_b', init, ...(higherIsA ? {} : { allows: { site_a: ['incident_summary' as const] } }) }
  ])
  t.teardown(federation.stop)
  const [a, b] = federation.nodes
  const [higher, lower] = higherIsA ? [a!, b!] : [b!, a!]
  const lowerId = higherIsA ? ib!.peerId : ia!.peerId
  await until('connected', () => a!.libp2p.getPeers().length === 1 && b!.libp2p.getPeers().length === 1)
  await lower.handshake.tick()
  t.is(lower.handshake.relations().length, 0, 'the lower PeerId has nothing to agree: it never opens')
  await higher.handshake.tick()
  t.is(higher.handshake.relation(lowerId), undefined, 'one tick of grace for the lower PeerId')
  await higher.handshake.tick()
  await until('the relation active', () => higher.handshake.relation(lowerId)?.state === 'active')
  t.deepEqual(higher.handshake.relation(lowerId)!.agreed?.sends, [], 'the peer wants nothing: nothing agreed either way')
})

test('heartbeats ride an open connection and never dial: a disconnected peer is not redialled and its relation is suspended after K intervals', async (t) => {
  let nowMs = Date.now()
  const init = { clock: clockFrom(() => nowMs), handshake: { heartbeatIntervalMs: INTERVAL_MS, tickMs: 0 } }
  const { federation, a, b, ia, ib } = await startRelatedPair('hs-cost-heartbeat', init)
  t.teardown(federation.stop)
  const dials = countHandshakeDials(a!)

  // connected: a's heartbeat reaches b over the open connection
  nowMs += INTERVAL_MS
  await a!.handshake.tick()
  await until('b to hear a\'s heartbeat', () => b!.handshake.relation(ia!.peerId)!.lastHeartbeatMs === nowMs)

  // b goes away (node 0, a, has no bootstrap peer to rejoin through): a's due heartbeats dial nobody
  await b!.stop()
  await until('disconnected', () => a!.libp2p.getConnections().length === 0)
  for (let k = 0; k <= HEARTBEATS_MISSED_MAX; k++) {
    nowMs += INTERVAL_MS
    await a!.handshake.tick()
  }
  t.is(dials.dials, 0, 'no heartbeat dialled')
  t.is(a!.libp2p.getConnections().length, 0)
  t.is(a!.handshake.relation(ib!.peerId)!.state, 'suspended')
})

test('with openAfterMs a first handshake waits until the peer has been connected that long: a connection closed sooner gets no relation', async (t) => {
  const WAIT_MS = 2000
  let nowMs = Date.now()
  const label = 'hs-cost-open-after'
  const [ia, ib] = await Promise.all([testIdentity(`${label}/site_a`, 'site_a'), testIdentity(`${label}/site_b`, 'site_b')])
  const init = { clock: clockFrom(() => nowMs), handshake: { tickMs: 0, openAfterMs: WAIT_MS } }
  const federation = await startFederation(label, [
    { site: 'site_a', init, allows: { site_b: ['incident_summary' as const] } },
    { site: 'site_b', init, allows: { site_a: ['incident_summary' as const] }, offline: true }
  ])
  t.teardown(federation.stop)
  const [a, b] = federation.nodes
  const [lower, higher, lowerId, higherId] = ia!.peerId < ib!.peerId ? [a!, b!, ia!.peerId, ib!.peerId] : [b!, a!, ib!.peerId, ia!.peerId]
  const counted = [countHandshakeDials(a!), countHandshakeDials(b!)]
  await b!.start()
  await until('connected', () => a!.libp2p.getPeers().length === 1 && b!.libp2p.getPeers().length === 1)
  // connected for less than the wait: no side opens, however often the timer looks
  for (let i = 0; i < 3; i++) await Promise.all([a!.handshake.tick(), b!.handshake.tick()])
  nowMs += WAIT_MS - 1
  await Promise.all([a!.handshake.tick(), b!.handshake.tick()])
  t.deepEqual(counted.map((c) => c.dials), [0, 0], 'no handshake before the wait')
  t.deepEqual([a!.handshake.relations(), b!.handshake.relations()], [[], []])
  // the connection closes before the wait is over, and the peer comes back: the wait starts again. Each side's timer
  // looks at the moment its side sees the disconnection (a tick reads the connections before its first await): a
  // poll for "both disconnected" can miss the moment, as joining on a loaded host may redial first
  const ticked = [a!, b!].map(async (node, i) => await new Promise<void>((resolve) => {
    const other = [b!, a!][i]!.libp2p.peerId
    const onDisconnect = (event: CustomEvent<PeerId>): void => {
      if (!event.detail.equals(other)) return
      node.libp2p.removeEventListener('peer:disconnect', onDisconnect)
      void node.handshake.tick()
      resolve()
    }
    node.libp2p.addEventListener('peer:disconnect', onDisconnect)
  }))
  await a!.libp2p.hangUp(b!.libp2p.peerId)
  await Promise.all(ticked)
  nowMs += WAIT_MS
  await b!.libp2p.dial(a!.libp2p.getMultiaddrs()[0]!)
  await until('connected again', () => a!.libp2p.getPeers().length === 1 && b!.libp2p.getPeers().length === 1)
  await Promise.all([a!.handshake.tick(), b!.handshake.tick()])
  t.deepEqual(counted.map((c) => c.dials), [0, 0], 'the wait counts from the new connection')
  // connected long enough: the lower PeerId opens at its next tick, as it would have on connect
  nowMs += WAIT_MS
  await lower.handshake.tick()
  await until('the relation active on both ends', () => lower.handshake.relation(higherId)?.state === 'active' && higher.handshake.relation(lowerId)?.state === 'active')
  t.is(counted[0]!.dials + counted[1]!.dials, 1, 'one handshake, opened by the lower PeerId')
})
