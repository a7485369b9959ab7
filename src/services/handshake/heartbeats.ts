/**
 * Answered heartbeats (protocols/handshake.md, "Heartbeats"): the side whose
 * heartbeat falls due opens a stream and writes it; the other side answers on
 * that stream with its own, so a relation costs one stream per interval, not
 * one per side. On the wire nothing is new (same protocol, same message): an
 * older peer neither answers nor reads answers, and this node keeps sending
 * it heartbeats of its own.
 */
import type { Stream } from '@libp2p/interface'
import { pbStream } from 'it-protobuf-stream'
import type { HandshakeMessage } from '../../core/handshake/index.ts'
import { decodeHandshakeMessage, encodeHandshakeMessage, HANDSHAKE_MESSAGE_BYTES_MAX } from '../../wire/handshake.ts'
import { RAW_FRAME } from '../../net/request-stream.ts'

/** Frames on a handshake stream: length-prefixed, each at most HANDSHAKE_MESSAGE_BYTES_MAX. */
export type Frames = ReturnType<typeof pbStream>

/** The frames of a handshake stream. */
export function handshakeFrames (stream: Stream): Frames {
  return pbStream(stream, { maxDataLength: HANDSHAKE_MESSAGE_BYTES_MAX })
}

/** What came back on a heartbeat's stream: the peer's heartbeat, or why there was none (not an error for the relation). */
export type HeartbeatAnswer =
  | { answered: true }
  | { answered: false, why: string, err?: unknown }

/**
 * Per peer: the sequence numbers and send times of this node's heartbeats,
 * and whether the peer answered the last one this node sent it. Only a peer
 * that answers reads answers (the same code does both), so only for such a
 * peer does an answer stand for this node's heartbeat of the interval; an
 * older peer closes its stream without reading, and still gets one of its own.
 */
export class HeartbeatBook {
  private readonly seq = new Map<string, number>()
  private readonly sentMs = new Map<string, number>()
  private readonly answering = new Set<string>()

  /** Whether this node's last heartbeat to `peer` (sent, or an answer that counted) is at least `intervalMs` old. */
  due (peer: string, nowMs: number, intervalMs: number): boolean {
    return nowMs - (this.sentMs.get(peer) ?? -Infinity) >= intervalMs
  }

  /** The next heartbeat for `peer`, recorded as this interval's when `counts` (one this node opens, or an answer the peer reads). */
  next (peer: string, nowMs: number, counts: boolean): HandshakeMessage {
    const seq = (this.seq.get(peer) ?? 0) + 1
    this.seq.set(peer, seq)
    if (counts) this.sentMs.set(peer, nowMs)
    return { kind: 'heartbeat', seq, sentAtMs: nowMs }
  }

  /** Whether `peer` reads answers: it answered the last heartbeat this node sent it. */
  answers (peer: string): boolean {
    return this.answering.has(peer)
  }

  /** What the peer did with this node's last heartbeat. */
  heard (peer: string, answer: HeartbeatAnswer): void {
    if (answer.answered) this.answering.add(peer)
    else this.answering.delete(peer)
  }

  /** A new agreement with `peer` (it may run other code now): learn again whether it answers. */
  forget (peer: string): void {
    this.answering.delete(peer)
  }
}

/**
 * Writes `heartbeat` on a stream this node opened, then reads at most one
 * answer frame (size-limited, decoded and checked like any inbound frame),
 * everything bounded by `signal`. Rejects only when the heartbeat itself could
 * not be written; anything after that is an answer or the reason for none.
 */
export async function sendHeartbeat (stream: Stream, heartbeat: HandshakeMessage, signal: AbortSignal): Promise<HeartbeatAnswer> {
  const frames = handshakeFrames(stream)
  try {
    await frames.write(encodeHandshakeMessage(heartbeat), RAW_FRAME, { signal })
    // this side writes nothing more: the peer (an older one closes at once) sees the end of its input
    await stream.closeWrite({ signal })
  } catch (err) {
    stream.abort(err as Error)
    throw err
  }
  let answer: HandshakeMessage
  try {
    answer = decodeHandshakeMessage(await frames.read(RAW_FRAME, { signal }))
  } catch (err) {
    // the stream ended with no answer (an older peer, a peer with no active relation), a malformed or oversized
    // frame, or the signal: nothing more is read from this stream
    stream.abort(err as Error)
    return { answered: false, why: 'no answer', err }
  }
  await stream.close({ signal }).catch((err) => { stream.abort(err as Error) })
  if (answer.kind !== 'heartbeat') return { answered: false, why: `answered with ${answer.kind}` }
  return { answered: true }
}
