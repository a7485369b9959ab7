/**
 * Answered heartbeats over real libp2p (memory transport, noise, yamux): the
 * side whose heartbeat falls due opens a stream, the other answers on it with
 * its own, so a relation costs one handshake stream per interval instead of
 * two. An older peer (reads one frame, closes; sends its own heartbeats and
 * closes at once) still works both ways, a silent one is still suspended (and
 * re-established by its next heartbeat), and a malformed answer changes
 * nothing. The relation timers are driven by the test on an injected clock
 * (`tickMs: 0`); streams are counted where the service opens them, never
 * timed.
 */
import test from 'ava'
import { RAW_FRAME } from '../../../src/net/request-stream.ts'
import { pino, type Logger } from 'pino'
import type { Connection, IncomingStreamData, PeerId, Stream } from '@libp2p/interface'
import { pbStream } from 'it-protobuf-stream'
import type { FedmeshNode } from '../../../src/node/node.ts'
import { clockFrom } from '../../../src/runtime/clock.ts'
import { HANDSHAKE_PROTOCOL_ID, HEARTBEATS_MISSED_MAX, type HandshakeMessage } from '../../../src/core/handshake/index.ts'
import { decodeHandshakeMessage, encodeHandshakeMessage, HANDSHAKE_MESSAGE_BYTES_MAX } from '../../../src/wire/handshake.ts'
import { startRelatedPair, until, type RelatedPair } from './federation.ts'

const INTERVAL_MS = 1000

/** Counts the handshake streams a node opens: heartbeats on an open connection (newStream), negotiations and notices (dialProtocol). */
function countHandshakeStreams (node: FedmeshNode): { opened: number } {
  const counter = { opened: 0 }
  const isHandshake = (protocols: string | string[]): boolean => (Array.isArray(protocols) ? protocols : [protocols]).includes(HANDSHAKE_PROTOCOL_ID)
  const libp2p = node.libp2p
  const dialProtocol = libp2p.dialProtocol.bind(libp2p)
  libp2p.dialProtocol = (async (peer, protocols, options) => {
    if (isHandshake(protocols)) counter.opened++
    return await dialProtocol(peer, protocols, options)
  }) as typeof libp2p.dialProtocol
  const counted = new WeakSet<Connection>()
  const getConnections = libp2p.getConnections.bind(libp2p)
  libp2p.getConnections = ((peer?: PeerId) => {
    const connections = getConnections(peer)
    for (const connection of connections) {
      if (counted.has(connection)) continue
      counted.add(connection)
      const newStream = connection.newStream.bind(connection)
      connection.newStream = (async (protocols, options) => {
        if (isHandshake(protocols)) counter.opened++
        return await newStream(protocols, options)
      }) as Connection['newStream']
    }
    return connections
  }) as typeof libp2p.getConnections
  return counter
}

interface LogLine { level: number, msg: string, peer?: string, why?: string, err?: { type?: string, message?: string } }

/** A debug-level logger that keeps its lines. */
function keptLog (): { logger: Logger, lines: LogLine[] } {
  const lines: LogLine[] = []
  return { logger: pino({ level: 'debug' }, { write: (line: string) => { lines.push(JSON.parse(line) as LogLine) } }), lines }
}

interface Pair extends RelatedPair {
  /** this test's clock: moves only when the test moves it */
  clock: { nowMs: number }
  logs: [LogLine[], LogLine[]]
}

async function startPair (label: string): Promise<Pair> {
  const clock = { nowMs: Date.now() }
  const logs = [keptLog(), keptLog()] as const
  const init = (i: 0 | 1): Parameters<typeof startRelatedPair>[1] => ({ clock: clockFrom(() => clock.nowMs), log: logs[i].logger, handshake: { heartbeatIntervalMs: INTERVAL_MS, tickMs: 0 } })
  const pair = await startRelatedPair(label, init(0), init(1))
  return { ...pair, clock, logs: [logs[0].lines, logs[1].lines] }
}

/** What an older peer does with each handshake stream it is opened: read one frame, then `after` (default: close, no answer). */
async function actOld (node: FedmeshNode, after?: (stream: Stream, frames: ReturnType<typeof pbStream>) => Promise<void>): Promise<HandshakeMessage[]> {
  const received: HandshakeMessage[] = []
  await node.libp2p.unhandle(HANDSHAKE_PROTOCOL_ID)
  await node.libp2p.handle(HANDSHAKE_PROTOCOL_ID, ({ stream }: IncomingStreamData) => {
    void (async () => {
      const frames = pbStream(stream, { maxDataLength: HANDSHAKE_MESSAGE_BYTES_MAX })
      const message = decodeHandshakeMessage(await frames.read(RAW_FRAME))
      if (after === undefined) await stream.close()
      else await after(stream, frames)
      received.push(message)
    })().catch((err) => { stream.abort(err as Error) })
  })
  return received
}

/** An older peer's heartbeat: one frame on a stream of its own, closed at once (nothing read). */
async function oldHeartbeat (from: FedmeshNode, to: FedmeshNode, seq: number, nowMs: number): Promise<void> {
  const stream = await from.libp2p.dialProtocol(to.libp2p.peerId, HANDSHAKE_PROTOCOL_ID)
  await pbStream(stream).write(encodeHandshakeMessage({ kind: 'heartbeat', seq, sentAtMs: nowMs }), RAW_FRAME)
  await stream.close()
}

const debugLines = (lines: LogLine[], msg: string, peer: string): LogLine[] => lines.filter((l) => l.msg === msg && l.peer === peer && l.level === 20)

test('answered heartbeats: after the first interval a relation costs one handshake stream per interval, whichever side opens it, and both sides hear each other every interval', async (t) => {
  const pair = await startPair('hb-answered')
  t.teardown(pair.federation.stop)
  const { a, b, ia, ib, clock } = pair
  const sides = [{ node: a, peer: ib.peerId }, { node: b, peer: ia.peerId }]
  const counters = [countHandshakeStreams(a), countHandshakeStreams(b)]
  const opened = (): number => counters[0]!.opened + counters[1]!.opened
  const last = (i: number): number | undefined => sides[i]!.node.handshake.relation(sides[i]!.peer)!.lastHeartbeatMs

  const perInterval: number[] = []
  for (let k = 0; k < 6; k++) {
    const before = opened()
    const intervalStartMs = clock.nowMs += INTERVAL_MS
    // one side's timer fires first (a, then b, in turn: the roles may swap); the other's a moment later, after the
    // first side's heartbeat was answered
    const [first, second] = k % 2 === 0 ? [0, 1] : [1, 0]
    await sides[first]!.node.handshake.tick()
    await until(`side ${first} to hear the answer to its heartbeat`, () => last(first) === clock.nowMs && last(second) === clock.nowMs, 15_000)
    const afterFirst = opened()
    clock.nowMs += 1
    await sides[second]!.node.handshake.tick()
    // the second side opened a stream of its own only if the answer did not count as its heartbeat
    if (opened() > afterFirst) await until(`side ${second} to hear the answer to its heartbeat`, () => last(second) === clock.nowMs && last(first) === clock.nowMs, 15_000)
    perInterval.push(opened() - before)
    for (const i of [0, 1]) {
      t.is(sides[i]!.node.handshake.relation(sides[i]!.peer)!.state, 'active')
      t.true(sides[i]!.node.handshake.relations()[0]!.last_heartbeat_ms! >= intervalStartMs, `side ${i} heard its peer in interval ${k}`)
    }
  }
  t.true(perInterval[0]! <= 2, 'the first interval: each side learns that the other answers')
  t.deepEqual(perInterval.slice(1), [1, 1, 1, 1, 1], 'then one stream per interval, both sides together')
})

test('an older peer that does not answer: the heartbeat counts as delivered, the node keeps opening its own every interval, and answering the older peer\'s heartbeats (its stream already closed) breaks nothing', async (t) => {
  const pair = await startPair('hb-old-peer')
  t.teardown(pair.federation.stop)
  const { a, b, ib, clock } = pair
  const received = await actOld(b)
  const counter = countHandshakeStreams(a)

  for (let k = 1; k <= 4; k++) {
    clock.nowMs += INTERVAL_MS
    // the older peer's timer fires first: a hears it and answers on a stream the peer has closed
    await oldHeartbeat(b, a, k, clock.nowMs)
    await until('a to hear the older peer', () => a.handshake.relation(ib.peerId)!.lastHeartbeatMs === clock.nowMs)
    // that answer cannot count as a's heartbeat: the older peer never read it
    await a.handshake.tick()
    t.is(counter.opened, k, `a opened its own heartbeat stream in interval ${k}`)
    await until('the older peer to get a\'s heartbeat', () => received.length === k)
    t.like(received[k - 1], { kind: 'heartbeat', sentAtMs: clock.nowMs })
  }
  await until('every unanswered heartbeat logged', () => debugLines(pair.logs[0], 'heartbeat not answered', ib.peerId).length === 4)
  t.like(a.handshake.relation(ib.peerId), { state: 'active', establishments: 1, lastHeartbeatMs: clock.nowMs })
  t.deepEqual(debugLines(pair.logs[0], 'heartbeat not delivered', ib.peerId), [], 'every heartbeat was delivered')
  t.deepEqual(pair.logs[0].filter((l) => l.level > 30 && /heartbeat|handshake/.test(l.msg)), [], 'no warning or error')
})

test(`a peer that neither answers nor sends is suspended after ${HEARTBEATS_MISSED_MAX} intervals, however many heartbeats it was sent`, async (t) => {
  const pair = await startPair('hb-silent')
  t.teardown(pair.federation.stop)
  const { a, ib, clock } = pair
  const received = await actOld(pair.b)
  const activatedMs = a.handshake.relation(ib.peerId)!.lastHeartbeatMs!
  for (let k = 1; k <= HEARTBEATS_MISSED_MAX; k++) {
    clock.nowMs = activatedMs + k * INTERVAL_MS
    await a.handshake.tick()
    await until('the heartbeat delivered', () => received.length === k)
    await until('its missing answer logged', () => debugLines(pair.logs[0], 'heartbeat not answered', ib.peerId).length === k)
    t.is(a.handshake.relation(ib.peerId)!.state, 'active', `${k} intervals`)
  }
  t.is(a.handshake.relation(ib.peerId)!.lastHeartbeatMs, activatedMs, 'sending heartbeats is not hearing the peer')
  clock.nowMs += 1
  await a.handshake.tick()
  t.like(a.handshake.relation(ib.peerId), { state: 'suspended', reason: 'missed_heartbeats' })
})

test('a malformed answer (another message, junk, an oversized frame, none while the stream is held open) is logged at debug and changes nothing', async (t) => {
  const pair = await startPair('hb-malformed')
  t.teardown(pair.federation.stop)
  const { a, b, ib, clock } = pair
  const answers: Array<{ answer: (stream: Stream, frames: ReturnType<typeof pbStream>) => Promise<void>, why: string, err?: RegExp }> = [
    // a termination as an answer is not taken as one
    { answer: async (_, frames) => { await frames.write(encodeHandshakeMessage({ kind: 'terminate', forced: true, noticeMs: 0, reason: 'answer' }), RAW_FRAME) }, why: 'answered with terminate' },
    { answer: async (_, frames) => { await frames.write(new Uint8Array(64).fill(0xff), RAW_FRAME) }, why: 'no answer', err: /HandshakeSchemaError/ },
    { answer: async (stream) => { await pbStream(stream, { maxDataLength: 2 * HANDSHAKE_MESSAGE_BYTES_MAX }).write(new Uint8Array(HANDSHAKE_MESSAGE_BYTES_MAX + 1), RAW_FRAME) }, why: 'no answer', err: /InvalidDataLength/ },
    // holds the stream open, answering nothing: the sender's read ends at its timeout
    { answer: async (stream) => { await until('the sender to give up on the answer', () => stream.status !== 'open') }, why: 'no answer', err: /abort|timeout/i }
  ]
  let turn = 0
  const received = await actOld(b, async (stream, frames) => {
    await answers[turn]!.answer(stream, frames)
    await stream.close()
  })

  for (const [k, { why, err }] of answers.entries()) {
    turn = k
    // the peer's own heartbeat keeps the relation alive; a's comes a moment later and gets the malformed answer
    clock.nowMs += INTERVAL_MS
    await oldHeartbeat(b, a, k + 1, clock.nowMs)
    const heardMs = clock.nowMs
    await until('a to hear the peer\'s own heartbeat', () => a.handshake.relation(ib.peerId)!.lastHeartbeatMs === heardMs)
    clock.nowMs += 1
    await a.handshake.tick()
    await until('the malformed answer logged', () => debugLines(pair.logs[0], 'heartbeat not answered', ib.peerId).length === k + 1)
    const line = debugLines(pair.logs[0], 'heartbeat not answered', ib.peerId)[k]!
    t.is(line.why, why)
    if (err !== undefined) t.regex(`${line.err?.type ?? ''} ${line.err?.message ?? ''}`, err)
    await until('the answering handler done', () => received.length === k + 1)
    t.like(a.handshake.relation(ib.peerId), { state: 'active', lastHeartbeatMs: heardMs, establishments: 1 }, `answer ${k}: not heard, nothing changed`)
  }
  t.deepEqual(pair.logs[0].filter((l) => l.level > 30 && /heartbeat|handshake/.test(l.msg)), [], 'no warning or error')
})

test('a heartbeat from a peer this node suspended starts a re-establishment', async (t) => {
  const pair = await startPair('hb-suspended')
  t.teardown(pair.federation.stop)
  const { a, b, ib, clock } = pair
  // b goes quiet (its handshake service stopped: no heartbeats, no answers) and a suspends it
  await b.handshake.stop()
  clock.nowMs += HEARTBEATS_MISSED_MAX * INTERVAL_MS + 1
  await a.handshake.tick()
  t.is(a.handshake.relation(ib.peerId)!.state, 'suspended')
  // b is back; its first heartbeat reaches a, which handshakes again at once
  await b.handshake.start()
  await oldHeartbeat(b, a, 1, clock.nowMs)
  await until('the relation re-established', () => a.handshake.relation(ib.peerId)!.state === 'active')
  t.like(a.handshake.relation(ib.peerId), { establishments: 2, reason: 're_established' })
})
