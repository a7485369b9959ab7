/**
 * The libp2p host's own settings that are easy to get wrong: the connection
 * monitor must ping on fedmesh's ping protocol, and libp2p's reconnect queue
 * must back off with real numbers.
 */
import test from 'ava'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import type { Connection, Metrics, Peer, PeerId, Stream } from '@libp2p/interface'
import { byteStream } from 'it-byte-stream'
import { CONNECTION_MONITOR_INTERVAL_MS, CONNECTION_MONITOR_TIMEOUT_MS, KAD_KEEP_ALIVE_TAG, PROTOCOL_PREFIX, quietLibp2pLogger, skipKnownProtocolMerges, type FedmeshLibp2p, type HostInit, type ProtocolMergeHost } from '../../src/net/host.ts'
import { ByteCounter } from '../../sim/byte-counter.ts'
import { startedHost } from '../fixtures/hosts.ts'
import { KAD_SELF_QUERY_EVENT } from '../../src/services/joining/joining.ts'

/** Byte counters that also note every stream whose protocol was negotiated, by direction. */
class ProtocolRecorder extends ByteCounter implements Metrics {
  readonly negotiated: Array<{ protocol: string, direction: string }> = []
  override trackProtocolStream (stream: Stream, _connection: Connection): void {
    if (stream.protocol !== undefined) this.negotiated.push({ protocol: stream.protocol, direction: stream.direction })
  }
}

async function host (extra: Partial<HostInit> = {}): Promise<FedmeshLibp2p> {
  return await startedHost('host-test', extra)
}

async function until (what: string, check: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

test('the connection monitor pings on the fedmesh ping protocol and the peer answers it', async (t) => {
  const recorder = new ProtocolRecorder()
  const a = await host({ metrics: () => recorder, connectionMonitorIntervalMs: 100 })
  const b = await host()
  t.teardown(async () => { await Promise.all([a.stop(), b.stop()]) })
  const connection = await a.dial(b.getMultiaddrs()[0])
  const ping = `/${PROTOCOL_PREFIX}/ping/1.0.0`
  // trackProtocolStream runs only after multistream-select agreed on the protocol: a refused /ipfs/ping never shows here.
  // kad-dht adds a connected contact without pinging it (verifyDhtContactsByMembership); the monitor pings every period.
  const pings = (): number => recorder.negotiated.filter((s) => s.protocol === ping && s.direction === 'outbound').length
  await until('three negotiated ping streams', () => pings() >= 3)
  await until('the monitor to measure a round trip', () => connection.rtt !== undefined)
  t.is(connection.status, 'open')
  t.false(recorder.negotiated.some((s) => s.protocol.startsWith('/ipfs/')))
})

test('the connection monitor pings every 30 s by default, not libp2p\'s 10 s', async (t) => {
  const a = await host()
  t.teardown(async () => { await a.stop() })
  t.is(CONNECTION_MONITOR_INTERVAL_MS, 30_000)
  // libp2p keeps the monitor among its components; its period is not otherwise observable without waiting for it
  const monitor = (a as unknown as { components: { connectionMonitor?: { pingIntervalMs?: number } } }).components.connectionMonitor
  t.is(monitor?.pingIntervalMs, CONNECTION_MONITOR_INTERVAL_MS)
})

test('a monitor ping unanswered for 5 s does not abort the connection (libp2p\'s timeout floor was the timeout)', async (t) => {
  // one ping in the test's window: ping allows one outbound stream per connection, and the monitor aborts the
  // connection when the next period cannot open its stream (the timeout is shorter than the period for that reason)
  const a = await host({ connectionMonitorIntervalMs: 6000 })
  const b = await host()
  t.teardown(async () => { await Promise.all([a.stop(), b.stop()]) })
  t.true(CONNECTION_MONITOR_TIMEOUT_MS > 5000 && CONNECTION_MONITOR_TIMEOUT_MS < CONNECTION_MONITOR_INTERVAL_MS)
  const ping = `/${PROTOCOL_PREFIX}/ping/1.0.0`
  // b takes a's ping and never answers it: a peer whose event loop is busy, or a slow link
  const held: Stream[] = []
  await b.unhandle(ping)
  await b.handle(ping, ({ stream }) => { held.push(stream) }, { runOnLimitedConnection: true })
  const connection = await a.dial(b.getMultiaddrs()[0])
  await until('the monitor\'s first ping, held by b', () => held.length > 0, 60_000)
  const heldAt = Date.now()
  // libp2p's floor is 5 s: wait past it (timers due earlier run first, so an abort would already have happened)
  await until('5.5 s since b took the ping', () => Date.now() - heldAt > 5500, 60_000)
  t.is(connection.status, 'open')
  for (const stream of held) stream.abort(new Error('test over'))
})

test('the ping service waits for a ping\'s bytes as long as the monitor waits for its answer (ping\'s own 10 s aborted it)', async (t) => {
  const a = await host()
  const b = await host()
  t.teardown(async () => { await Promise.all([a.stop(), b.stop()]) })
  t.true(CONNECTION_MONITOR_TIMEOUT_MS > 10_000)
  // a pinger whose bytes are late: its event loop was busy between opening the stream and writing to it
  const stream = await a.dialProtocol(b.getMultiaddrs()[0], `/${PROTOCOL_PREFIX}/ping/1.0.0`)
  const openedAt = Date.now()
  await until('10.5 s since the stream opened', () => Date.now() - openedAt > 10_500, 60_000)
  const bytes = byteStream(stream)
  const sent = new Uint8Array(32).fill(7)
  await bytes.write(sent)
  t.deepEqual((await bytes.read({ bytes: 32 })).subarray(), sent)
  await bytes.unwrap().close()
})

test('libp2p\'s reconnect queue backs off with numbers, not NaN (no TimeoutNaNWarning)', async (t) => {
  const warnings: string[] = []
  const onWarning = (warning: Error): void => { warnings.push(warning.name) }
  process.on('warning', onWarning)
  let denying = false
  let redials = 0
  let target: PeerId | undefined
  // every reconnect attempt passes the gater first: refusing it makes each attempt fail at once, and counts it
  const a = await host({ denyPeer: (peer) => { if (denying && target?.equals(peer) === true) { redials++; return true } return false } })
  const b = await host()
  t.teardown(async () => { process.off('warning', onWarning); await Promise.all([a.stop(), b.stop()]) })
  target = b.peerId
  await a.dial(b.getMultiaddrs()[0])
  // a keep-alive tag (kad-dht puts one on its closest peers) puts the peer in the reconnect queue when it disconnects
  await a.peerStore.merge(b.peerId, { tags: { 'keep-alive-test': { value: 1 } } })
  denying = true
  await a.hangUp(b.peerId)
  // with NaN backoff the second attempt follows the first within a millisecond, after Node's warning
  await until('a second reconnect attempt', () => redials >= 2)
  await new Promise((resolve) => setImmediate(resolve))
  t.false(warnings.includes('TimeoutNaNWarning'), `warnings: ${warnings.join(', ')}`)
})

test('kad-dht\'s keep-alive tag never reaches the peer store: a trimmed closest DHT peer is not redialled by the reconnect queue', async (t) => {
  const redials = new Map<string, number>()
  let denying = false
  // every reconnect attempt passes the gater first: refusing it counts it
  const a = await host({ denyPeer: (peer) => { if (!denying) return false; redials.set(peer.toString(), (redials.get(peer.toString()) ?? 0) + 1); return true } })
  const b = await host()
  const c = await host()
  t.teardown(async () => { await Promise.all([a.stop(), b.stop(), c.stop()]) })
  // kad-dht's first self-query (1 s ± 20 % after start) dials the node's routing table: had it landed after the
  // hang-ups it would have counted as a redial (a dialling b, or b dialling a). Let each host's pass first; the next is minutes away.
  const selfQueried = [a, b, c].map(async (h) => { await new Promise((resolve) => { (h as unknown as EventTarget).addEventListener(KAD_SELF_QUERY_EVENT, resolve, { once: true }) }) })
  await a.dial(b.getMultiaddrs()[0])
  await a.dial(c.getMultiaddrs()[0])
  await Promise.all(selfQueried)
  // b: what kad-dht's closest-peers tagger writes for each of its 20 closest peers; c: another keep-alive tag (the control)
  await a.peerStore.merge(b.peerId, { tags: { 'kad-close': { value: 50 }, [KAD_KEEP_ALIVE_TAG]: { value: 1 } } })
  await a.peerStore.merge(c.peerId, { tags: { 'keep-alive-test': { value: 1 } } })
  const tags = (await a.peerStore.get(b.peerId)).tags
  t.true(tags.has('kad-close'), 'the closeness tag (the pruner\'s priority) is kept')
  t.false(tags.has(KAD_KEEP_ALIVE_TAG))
  denying = true
  // b disconnects first: the reconnect queue has decided about b before it redials c
  await a.hangUp(b.peerId)
  await a.hangUp(c.peerId)
  await until('the control peer redialled', () => (redials.get(c.peerId.toString()) ?? 0) >= 1)
  t.is(redials.get(b.peerId.toString()) ?? 0, 0, 'the closest DHT peer is not redialled')
})

/** kad-dht's routing table, as far as these tests read it (private in kad-dht 15). */
interface RoutingTableView { add: (peer: PeerId) => Promise<void>, find: (peer: PeerId) => Promise<PeerId | undefined> }

test('kad-dht adds a contact to its routing table by membership, without dialling it to ping', async (t) => {
  const dialled: string[] = []
  let member = ''
  // the gater sees every dial a makes: none may reach the contacts
  const a = await host({ admits: (id) => id === member, denyPeer: (peer) => { dialled.push(peer.toString()); return false } })
  const b = await host()
  const c = await host()
  t.teardown(async () => { await Promise.all([a.stop(), b.stop(), c.stop()]) })
  member = b.peerId.toString()
  // both reachable: kad-dht's own check (a ping) would dial each and add both
  await a.peerStore.merge(b.peerId, { multiaddrs: b.getMultiaddrs() })
  await a.peerStore.merge(c.peerId, { multiaddrs: c.getMultiaddrs() })
  const table = (a.services.dht as unknown as { routingTable: RoutingTableView }).routingTable
  await table.add(b.peerId)
  await table.add(c.peerId)
  t.deepEqual(await table.find(b.peerId), b.peerId, 'the unconnected member is in the table')
  t.is(await table.find(c.peerId), undefined, 'the non-member is not')
  t.deepEqual(dialled.filter((peer) => peer === b.peerId.toString() || peer === c.peerId.toString()), [])
  t.is(a.getConnections().length, 0)
})

/** A peer store that records in memory which protocols each peer has, counts the merges that reach it, and announces changes. */
function fakeStore (): { host: ProtocolMergeHost, reached: () => number, announce: (peer: Peer) => void, protocolsOf: (id: PeerId) => string[] } {
  const records = new Map<string, Peer>()
  let reached = 0
  let listener: ((event: CustomEvent<{ peer: Peer }>) => void) | undefined
  const announce = (peer: Peer): void => { listener?.(new CustomEvent('peer:update', { detail: { peer } })) }
  const host = {
    peerStore: {
      merge: async (id: PeerId, data: { protocols?: string[] }) => {
        reached++
        const before = records.get(id.toString())
        const protocols = [...new Set([...(before?.protocols ?? []), ...(data.protocols ?? [])])].sort()
        const peer = { id, protocols, addresses: [], metadata: new Map(), tags: new Map() } as unknown as Peer
        records.set(id.toString(), peer)
        if (before === undefined || before.protocols.join() !== protocols.join()) announce(peer)
        return peer
      },
      delete: async (id: PeerId) => { records.delete(id.toString()) }
    },
    addEventListener: (_type: 'peer:update', l: (event: CustomEvent<{ peer: Peer }>) => void) => { listener = l }
  }
  return { host: host as unknown as ProtocolMergeHost, reached: () => reached, announce, protocolsOf: (id) => records.get(id.toString())?.protocols ?? [] }
}

test('a stream\'s protocol merge the peer store already holds never reaches the store; a new protocol, a change and a deleted peer do', async (t) => {
  const store = fakeStore()
  skipKnownProtocolMerges(store.host)
  const { peerStore } = store.host
  const peer = peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
  await peerStore.merge(peer, { protocols: ['/a'] })
  t.is(store.reached(), 1, 'the first merge of /a is written')
  for (let i = 0; i < 5; i++) t.deepEqual((await peerStore.merge(peer, { protocols: ['/a'] })).protocols, ['/a'])
  t.is(store.reached(), 1, 'five more merges of /a: the record known answers, the store is not touched')
  await peerStore.merge(peer, { protocols: ['/b'] })
  t.is(store.reached(), 2, 'a protocol the record lacks is written')
  await peerStore.merge(peer, { protocols: ['/a', '/b'] })
  t.is(store.reached(), 2)
  await peerStore.merge(peer, { protocols: ['/a'], tags: { x: { value: 1 } } } as never)
  t.is(store.reached(), 3, 'a merge of more than protocols always reaches the store')
  // identify replaced the peer's protocols (announced): /a is no longer held, so merging it is written again
  store.announce({ id: peer, protocols: ['/b'], addresses: [], metadata: new Map(), tags: new Map() } as unknown as Peer)
  await peerStore.merge(peer, { protocols: ['/a'] })
  t.is(store.reached(), 4)
  await peerStore.delete(peer)
  await peerStore.merge(peer, { protocols: ['/a'] })
  t.is(store.reached(), 5, 'after a delete the merge is written again')
  t.deepEqual(store.protocolsOf(peer), ['/a'])
})

test('over real hosts, streams still record their protocols in the peer store', async (t) => {
  const a = await host()
  const b = await host()
  t.teardown(async () => { await Promise.all([a.stop(), b.stop()]) })
  const protocol = '/fedmesh/test-merge/1.0.0'
  // identify first, then the handler: the protocol can reach a's peer store only by the streams' merges
  await a.dial(b.getMultiaddrs()[0])
  const identified = async (): Promise<boolean> => (await a.peerStore.get(b.peerId).catch(() => undefined))?.protocols.includes(`/${PROTOCOL_PREFIX}/ping/1.0.0`) === true
  for (const deadline = Date.now() + 15_000; !(await identified());) {
    if (Date.now() > deadline) throw new Error('timed out waiting for identify')
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  t.false((await a.peerStore.get(b.peerId)).protocols.includes(protocol))
  await b.handle(protocol, ({ stream }) => { void stream.close() })
  for (let i = 0; i < 3; i++) {
    const stream = await a.dialProtocol(b.getMultiaddrs()[0], protocol)
    await stream.close()
  }
  t.true((await a.peerStore.get(b.peerId)).protocols.includes(protocol), 'the dialling side recorded the protocol')
})

test('with DEBUG unset libp2p gets one no-op logger for every component (no debug logger built per connection or stream); with DEBUG set, its own', async (t) => {
  const quiet = quietLibp2pLogger({})
  t.not(quiet, undefined)
  const log = quiet!.forComponent('libp2p:test')
  t.false(log.enabled)
  t.is(quiet!.forComponent('libp2p:other'), log)
  t.is(log.newScope('scope'), log)
  t.notThrows(() => { log('message %s', 'x'); log.error('error'); log.trace('trace') })
  t.is(quietLibp2pLogger({ DEBUG: 'libp2p:*' }), undefined)
  // the host hands it to libp2p: every component's logger is the same no-op (libp2p's default builds a new one per call)
  const a = await host()
  t.teardown(async () => { await a.stop() })
  const components = (a as unknown as { components: { logger: { forComponent: (name: string) => unknown } } }).components
  if ((process.env['DEBUG'] ?? '') === '') t.is(components.logger.forComponent('a'), components.logger.forComponent('b'))
  else t.not(components.logger.forComponent('a'), components.logger.forComponent('b'))
})
