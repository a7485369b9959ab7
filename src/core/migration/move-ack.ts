/**
 * Move acknowledgements (the receipt of a move, issue 14 item 5): each member
 * node, having resolved a moved participant's old id through the DHT, signs
 * "for the participant with key K, moved from F by redirect seq N, I resolved
 * the home H" (ok) or "I could not: reason" (failed). The mover's nodes list
 * them as the receipt (`participant move-status`). Gossiped as the data class
 * `move_ack` (protocols/move-ack.md); the first ack of a move, the new node's,
 * is also how the other members learn there is a move to resolve.
 */
import { canonicalJson } from '../consensus/canonical.ts'
import { parseParticipantId } from '../identity/participant-id.ts'
import type { HybridPublicKey, HybridSignature, HybridSigner, SignatureVerifier } from '../signature.ts'
import { MOVE_ACK_CLOCK_SKEW_MS_MAX, MOVE_ACK_REASON_CHARS_MAX, MOVE_ACK_SIGNING_DOMAIN, MOVE_ACK_VERSION, MOVE_GRACE_MS_MAX } from './constants.ts'
import { MoveAckClockError, MoveAckSchemaError, MoveAckSignatureError } from './errors.ts'

/** What an acknowledging member signs. */
export interface MoveAck {
  version: number
  federation_id: string
  /** hex SHA-256 of the participant's key */
  key: string
  /** the id the participant moved from (the redirect's `from`) */
  from: string
  /** the seq of the redirect acknowledged */
  seq: number
  /** the redirect's grace_until: the receipt is kept until then */
  grace_until: number
  /** PeerId of the acknowledging member */
  member: string
  status: 'ok' | 'failed'
  /** ok: the home it resolved; failed: null */
  home: string | null
  /** failed: why (an error name and message); ok: null */
  reason: string | null
  issued_at: number
}

export interface SignedMoveAck {
  ack: MoveAck
  signature: HybridSignature
}

export interface MoveAckCheck {
  federationId: string
  nowMs: number
  /** a member's key by PeerId (undefined: not a member) */
  nodeKey: (node: string) => HybridPublicKey | undefined
  verifier: SignatureVerifier
}

const HEX_64 = /^[0-9a-f]{64}$/
const utf8 = new TextEncoder()

function schema (field: string, problem: string): MoveAckSchemaError {
  return new MoveAckSchemaError(`move ack ${field} ${problem}`)
}

function isTime (value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0
}

function isId (value: unknown): value is string {
  if (typeof value !== 'string') return false
  try {
    parseParticipantId(value)
    return true
  } catch {
    return false
  }
}

/** Checks an ack's fields; throws MoveAckSchemaError. */
export function checkMoveAck (a: MoveAck): void {
  if (a === null || typeof a !== 'object') throw schema('', 'must be an object')
  if (a.version !== MOVE_ACK_VERSION) throw schema('version', `${String(a.version)} is not supported`)
  if (typeof a.federation_id !== 'string' || a.federation_id.length === 0 || a.federation_id.length > 64) throw schema('federation_id', 'must be a slug')
  if (typeof a.key !== 'string' || !HEX_64.test(a.key)) throw schema('key', 'must be a hex SHA-256')
  if (!isId(a.from)) throw schema('from', 'must be a participant id')
  if (!Number.isSafeInteger(a.seq) || a.seq < 1) throw schema('seq', 'must be an integer ≥ 1')
  if (!isTime(a.issued_at) || !isTime(a.grace_until)) throw schema('issued_at/grace_until', 'must be positive millisecond times')
  if (typeof a.member !== 'string' || a.member.length === 0 || a.member.length > 128) throw schema('member', 'must be a PeerId')
  if (a.status === 'ok') {
    if (!isId(a.home)) throw schema('home', 'must be the resolved participant id when ok')
    if (a.reason !== null) throw schema('reason', 'must be null when ok')
  } else if (a.status === 'failed') {
    if (a.home !== null) throw schema('home', 'must be null when failed')
    if (typeof a.reason !== 'string' || a.reason.length === 0 || a.reason.length > MOVE_ACK_REASON_CHARS_MAX) throw schema('reason', `must be 1 to ${MOVE_ACK_REASON_CHARS_MAX} characters when failed`)
  } else {
    throw schema('status', 'must be "ok" or "failed"')
  }
}

function bodyJson (a: MoveAck): string {
  const { version, federation_id, key, from, seq, grace_until, member, status, home, reason, issued_at } = a
  return canonicalJson({ version, federation_id, key, from, seq, grace_until, member, status, home, reason, issued_at })
}

/** The bytes a member signs: domain ‖ canonical JSON. */
export function moveAckSigningBytes (ack: MoveAck): Uint8Array {
  checkMoveAck(ack)
  return utf8.encode(MOVE_ACK_SIGNING_DOMAIN + bodyJson(ack))
}

/** Signs an ack as the acknowledging member. */
export function signMoveAck (ack: MoveAck, nodeSigner: HybridSigner): SignedMoveAck {
  return { ack, signature: nodeSigner.sign(moveAckSigningBytes(ack)) }
}

/** A failure reason within the bound (an error's name and message). */
export function moveAckReason (err: unknown): string {
  const text = err instanceof Error ? `${err.name}: ${err.message}` : String(err)
  return text.length <= MOVE_ACK_REASON_CHARS_MAX ? text : `${text.slice(0, MOVE_ACK_REASON_CHARS_MAX - 1)}…`
}

/**
 * Validates an ack, cheapest first and the signature last: schema,
 * federation, clock (not issued in the future beyond the skew, not after its
 * grace), membership of the acknowledging node, signature.
 */
export function validateMoveAck (signed: SignedMoveAck, check: MoveAckCheck): MoveAck {
  const a = signed.ack
  checkMoveAck(a)
  if (a.federation_id !== check.federationId) throw schema('federation_id', `is ${a.federation_id}, this node is in ${check.federationId}`)
  if (a.grace_until - a.issued_at > MOVE_GRACE_MS_MAX) throw schema('grace_until', `is more than ${MOVE_GRACE_MS_MAX} ms after issued_at`)
  if (a.issued_at > check.nowMs + MOVE_ACK_CLOCK_SKEW_MS_MAX) throw new MoveAckClockError(`move ack issued ${a.issued_at - check.nowMs} ms in the future`)
  if (check.nowMs > a.grace_until) throw new MoveAckClockError(`move ack of ${a.from} is past the move's grace (${new Date(a.grace_until).toISOString()})`)
  const key = check.nodeKey(a.member)
  if (key === undefined) throw new MoveAckSignatureError(`move ack signer ${a.member.slice(0, 100)} is not a member`)
  if (!check.verifier.verify(key, moveAckSigningBytes(a), signed.signature)) throw new MoveAckSignatureError(`move ack of ${a.member} does not verify with its membership key`)
  return a
}

/** Of two acks by one member for one move, the one kept: the later issued (an ok after failures replaces them). */
export function newerMoveAck (current: MoveAck | undefined, next: MoveAck): boolean {
  return current === undefined || next.issued_at > current.issued_at
}

/** One member's line in a receipt. */
export interface ReceiptEntry {
  member: string
  site: string | null
  /** resolved: acked ok; failed: acked failed (reason); pending: no ack yet; unacknowledged: no ack and the grace ended */
  status: 'resolved' | 'failed' | 'pending' | 'unacknowledged'
  home?: string
  reason?: string
  at?: number
}

export interface Receipt {
  key: string
  seq: number
  grace_until: number
  /** every member has acked (ok or failed), or the grace ended */
  complete: boolean
  members: ReceiptEntry[]
}

/**
 * The receipt of one move: one line per current member (by PeerId order),
 * from the acks held. Acks from nodes no longer members are left out.
 */
export function buildReceipt (input: { key: string, seq: number, graceUntil: number, nowMs: number, members: ReadonlyArray<{ node: string, site: string | null }>, acks: readonly MoveAck[] }): Receipt {
  const byMember = new Map<string, MoveAck>()
  for (const a of input.acks) {
    if (a.key !== input.key || a.seq !== input.seq) continue
    if (newerMoveAck(byMember.get(a.member), a)) byMember.set(a.member, a)
  }
  const over = input.nowMs > input.graceUntil
  const members = [...input.members].sort((x, y) => (x.node < y.node ? -1 : x.node > y.node ? 1 : 0)).map((m): ReceiptEntry => {
    const a = byMember.get(m.node)
    if (a === undefined) return { member: m.node, site: m.site, status: over ? 'unacknowledged' : 'pending' }
    return a.status === 'ok'
      ? { member: m.node, site: m.site, status: 'resolved', home: a.home!, at: a.issued_at }
      : { member: m.node, site: m.site, status: 'failed', reason: a.reason!, at: a.issued_at }
  })
  return { key: input.key, seq: input.seq, grace_until: input.graceUntil, complete: over || members.every((m) => m.status !== 'pending'), members }
}
