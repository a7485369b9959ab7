/**
 * The move-ack service (see index.ts). Decisions are core/migration/move-ack's;
 * this class validates inbound acks, stores them with the seen-id, keeps the
 * moves still to acknowledge, resolves them and gossips its own acks.
 */
import { z } from 'zod'
import { fromString, toString } from 'uint8arrays'
import { InputError, PayloadRefusedError, PayloadSchemaError } from '../../core/errors.ts'
import {
  buildReceipt, moveAckReason, newerMoveAck, signMoveAck, validateMoveAck, type MoveAck, type Receipt, type SignedMoveAck
} from '../../core/migration/move-ack.ts'
import { MOVE_ACK_VERSION } from '../../core/migration/constants.ts'
import { MoveAckClockError, MoveAckSignatureError, RedirectError, RedirectNotFoundError } from '../../core/migration/errors.ts'
import { parseParticipantId } from '../../core/identity/participant-id.ts'
import { decodeJsonPayload } from '../../wire/json-payload.ts'
import { signedMoveAckOf, type MoveToAcknowledge } from '../../store/move-acks.ts'
import type { BatchOperation } from '../../store/store.ts'
import type { ValidatedEnvelope } from '../envelopes/index.ts'
import {
  MOVE_ACK_ATTEMPTS_MAX, MOVE_ACK_CLASS, MOVE_ACK_CONTENT_TYPE, MOVE_ACK_PAYLOAD_BYTES_MAX, MOVE_ACK_SCHEMA_ID, MOVE_ACK_TODOS_MAX, MOVE_ACKS_PER_TICK_MAX,
  MOVE_ACKS_STORED_MAX
} from './constants.ts'
import type { MoveAcks, MoveAcksComponents, MoveAcksInit, MoveRef } from './index.ts'
import { PeriodicTask } from '../../runtime/periodic.ts'

const payloadSchema = z.strictObject({
  ack: z.record(z.string(), z.unknown()),
  signature: z.strictObject({ ed25519: z.string().max(200), mldsa: z.string().max(8 * 1024) })
})

/** The `move_ack` payload of a signed ack (protocols/move-ack.md). */
export function encodeMoveAckPayload (signed: SignedMoveAck): Uint8Array {
  return new TextEncoder().encode(JSON.stringify({
    ack: signed.ack,
    signature: { ed25519: toString(signed.signature.ed25519, 'base64pad'), mldsa: toString(signed.signature.mldsa, 'base64pad') }
  }))
}

/** A `move_ack` payload from the wire (schema only: no signature checked); PayloadSchemaError for anything else. */
export function decodeMoveAckPayload (bytes: Uint8Array): SignedMoveAck {
  const p = decodeJsonPayload(bytes, { schema: payloadSchema, bytesMax: MOVE_ACK_PAYLOAD_BYTES_MAX, what: 'move_ack' })
  try {
    return { ack: p.ack as unknown as MoveAck, signature: { ed25519: fromString(p.signature.ed25519, 'base64pad'), mldsa: fromString(p.signature.mldsa, 'base64pad') } }
  } catch {
    throw new PayloadSchemaError('move_ack signature is not base64')
  }
}

export class MoveAckService implements MoveAcks {
  private readonly ticks: PeriodicTask
  /** stored acks (bounded by MOVE_ACKS_STORED_MAX) */
  private stored = 0
  /** moves waiting to be resolved (bounded by MOVE_ACK_TODOS_MAX) */
  private todos = 0

  constructor (private readonly components: MoveAcksComponents, private readonly init: MoveAcksInit) {
    this.ticks = new PeriodicTask({
      run: async () => { await this.tickAlone() },
      periodMs: init.pollMs,
      onError: (err) => { components.logger.warn({ err: err.message }, 'move ack tick failed') }
    })
  }

  async start (): Promise<void> {
    this.stored = (await this.components.acks.allAcks()).length
    this.todos = (await this.components.acks.todos()).length
    this.components.envelopes.register({
      dataClass: MOVE_ACK_CLASS,
      decodePayload: (payload, envelope) => this.decode(payload, envelope),
      commit: async (signed: SignedMoveAck, _envelope, persist) => {
        await persist(await this.storeOperations(signed))
        return undefined
      }
    })
    this.ticks.start()
  }

  async stop (): Promise<void> {
    await this.ticks.stop()
  }

  /**
   * The writes for a valid ack: kept when newer than the one held from its
   * member; and, the first time this node hears of the move and has not
   * acknowledged it, the move joins those it resolves and acknowledges.
   */
  private async storeOperations (signed: SignedMoveAck): Promise<BatchOperation[]> {
    const { acks, nodeId } = this.components
    const a = signed.ack
    const writes: BatchOperation[] = []
    const current = await acks.ack(a.key, a.seq, a.member)
    if (newerMoveAck(current?.ack, a)) {
      if (current === undefined && this.stored >= MOVE_ACKS_STORED_MAX) {
        throw new PayloadRefusedError('ignore', 'store_full', `${MOVE_ACKS_STORED_MAX} move acks are stored already`)
      }
      writes.push(acks.putAckOperation(signed))
      if (current === undefined) this.stored++
    }
    if (this.init.publish && a.member !== nodeId && this.isNotice(a) && this.todos < MOVE_ACK_TODOS_MAX &&
      await acks.ack(a.key, a.seq, nodeId) === undefined && await acks.todo(a.key, a.seq) === undefined) {
      writes.push(acks.putTodoOperation({ key: a.key, from: a.from, seq: a.seq, grace_until: a.grace_until, attempts: 0 }))
      this.todos++
    }
    return writes
  }

  /** Only the mover's nodes announce a move: an ack by the member of the old id's site, or an ok ack by the member of the new home's site. */
  private isNotice (a: MoveAck): boolean {
    const site = this.components.members.siteOf(a.member)
    if (site === undefined) return false
    return parseParticipantId(a.from).node === site || (a.home !== null && parseParticipantId(a.home).node === site)
  }

  /** Gossip validation: schema, the member is the sender, then the core checks (clock, membership, signature last). */
  private decode (payload: Uint8Array, envelope: ValidatedEnvelope): SignedMoveAck {
    if (envelope.schemaId !== MOVE_ACK_SCHEMA_ID) throw new PayloadSchemaError(`move_ack with schema ${envelope.schemaId}, expected ${MOVE_ACK_SCHEMA_ID}`)
    const signed = decodeMoveAckPayload(payload)
    if (signed.ack?.member !== envelope.source) {
      throw new PayloadRefusedError('reject', 'wrong_issuer', `move ack of member ${String(signed.ack?.member).slice(0, 100)} sent by ${envelope.source}`)
    }
    const { members, verifier, clock } = this.components
    try {
      validateMoveAck(signed, { federationId: this.init.federationId, nowMs: clock.now(), nodeKey: members.key, verifier })
    } catch (err) {
      if (err instanceof MoveAckClockError) throw new PayloadRefusedError('ignore', 'clock_skew', err.message, { cause: err })
      if (err instanceof MoveAckSignatureError) throw new PayloadRefusedError('reject', 'bad_signature', err.message, { cause: err })
      if (err instanceof InputError) throw new PayloadSchemaError(err.message, { cause: err })
      throw err
    }
    return signed
  }

  /** Signs, stores (dropping the move from those to resolve) and gossips this node's ack. */
  private async issue (move: MoveRef, outcome: { home: string } | { reason: string }): Promise<void> {
    const { acks, signer, clock, nodeId, envelopes, logger } = this.components
    const previous = await acks.ack(move.key, move.seq, nodeId)
    const pending = await acks.todo(move.key, move.seq)
    const ack: MoveAck = {
      version: MOVE_ACK_VERSION,
      federation_id: this.init.federationId,
      key: move.key,
      from: move.from,
      seq: move.seq,
      grace_until: move.graceUntil,
      member: nodeId,
      status: 'home' in outcome ? 'ok' : 'failed',
      home: 'home' in outcome ? outcome.home : null,
      reason: 'reason' in outcome ? outcome.reason : null,
      // always later than the one it replaces, so every receiver keeps the new one
      issued_at: Math.max(clock.now(), (previous?.ack.issued_at ?? 0) + 1)
    }
    const signed = signMoveAck(ack, signer)
    await acks.batch([acks.putAckOperation(signed), acks.deleteTodoOperation(move)])
    if (previous === undefined) this.stored++
    if (pending !== undefined) this.todos--
    try {
      await envelopes.publish(MOVE_ACK_CLASS, envelopes.seal(MOVE_ACK_CLASS, MOVE_ACK_SCHEMA_ID, encodeMoveAckPayload(signed), MOVE_ACK_CONTENT_TYPE))
    } catch (err) {
      // stored and sealed into this node's origin log: anti-entropy sync delivers it later
      logger.debug({ err: (err as Error).message, participant: move.from }, 'gossiping a move ack failed')
    }
    logger.info({ participant: move.from, seq: move.seq, status: ack.status }, 'move acknowledged')
  }

  async acknowledge (move: MoveRef, home: string): Promise<void> {
    if (!this.init.publish) return
    const held = await this.components.acks.ack(move.key, move.seq, this.components.nodeId)
    if (held?.ack.status === 'ok' && held.ack.home === home) return
    await this.issue(move, { home })
  }

  async receipt (move: MoveRef): Promise<Receipt> {
    const { acks, members, clock } = this.components
    const held = (await acks.acks(move.key, move.seq)).map((record) => signedMoveAckOf(record).ack)
    return buildReceipt({
      key: move.key, seq: move.seq, graceUntil: move.graceUntil, nowMs: clock.now(),
      members: members.members().map((node) => ({ node, site: members.siteOf(node) ?? null })),
      acks: held
    })
  }

  async tick (): Promise<void> {
    await this.ticks.runNow()
  }

  private async tickAlone (): Promise<void> {
    const { acks, clock } = this.components
    const now = clock.now()
    const expiredAcks = (await acks.allAcks()).filter((record) => now > record.ack.grace_until)
    const todos = await acks.todos()
    const expiredTodos = todos.filter((todo) => now > todo.grace_until)
    if (expiredAcks.length + expiredTodos.length > 0) {
      await acks.batch([...expiredAcks.map((record) => acks.deleteAckOperation(record.ack)), ...expiredTodos.map((todo) => acks.deleteTodoOperation(todo))])
      this.stored -= expiredAcks.length
      this.todos -= expiredTodos.length
    }
    let budget = MOVE_ACKS_PER_TICK_MAX
    for (const todo of todos) {
      if (now > todo.grace_until || budget-- <= 0) continue
      await this.resolveAndAcknowledge(todo)
    }
  }

  /**
   * Resolves a move's old id: ok when resolution followed a redirect of this
   * participant key with at least the move's seq; failed at once on a
   * resolution error (a loop, too many hops); failed after attemptsMax
   * lookups that found no such redirect.
   */
  private async resolveAndAcknowledge (todo: MoveToAcknowledge): Promise<void> {
    const move: MoveRef = { key: todo.key, from: todo.from, seq: todo.seq, graceUntil: todo.grace_until }
    let problem: Error
    try {
      const resolution = await this.components.resolve(todo.from)
      if (resolution.key === todo.key && resolution.hops.some((hop) => hop.seq >= todo.seq)) {
        await this.issue(move, { home: resolution.home })
        return
      }
      problem = new RedirectNotFoundError(`no redirect of ${todo.from} with seq ≥ ${todo.seq} found in the DHT (${resolution.hops.length === 0 ? 'it resolves to itself' : `it resolves to ${resolution.home}`})`)
    } catch (err) {
      if (err instanceof RedirectError) {
        await this.issue(move, { reason: moveAckReason(err) })
        return
      }
      problem = err as Error
    }
    const attempts = todo.attempts + 1
    if (attempts >= (this.init.attemptsMax ?? MOVE_ACK_ATTEMPTS_MAX)) {
      await this.issue(move, { reason: moveAckReason(problem) })
      return
    }
    await this.components.acks.batch([this.components.acks.putTodoOperation({ ...todo, attempts })])
  }
}
