/**
 * Move acknowledgements (core/migration/move-ack.ts): what a member signs,
 * what validation refuses (schema, clock, non-member, forged signature) and
 * the receipt built from the acks held.
 */
import test from 'ava'
import { createHash } from 'node:crypto'
import { hybridSignerFromSeeds, hybridVerifier } from '../../../src/crypto/hybrid.ts'
import type { HybridSigner } from '../../../src/core/signature.ts'
import { buildReceipt, moveAckReason, signMoveAck, validateMoveAck, type MoveAck } from '../../../src/core/migration/move-ack.ts'
import { RedirectLoopError } from '../../../src/core/migration/errors.ts'
import { MOVE_ACK_REASON_CHARS_MAX } from '../../../src/core/migration/constants.ts'

const seed = (label: string): Uint8Array => new Uint8Array(createHash('sha256').update(label).digest())
const signer = (label: string): HybridSigner => hybridSignerFromSeeds({ ed25519Seed: seed(`${label}/e`), mldsaSeed: seed(`${label}/m`) })
const verifier = hybridVerifier()
const FED = 'fed'
const T0 = 1_800_000_000_000
const DAY = 86_400_000
const KEY = 'ab'.repeat(32)
const nodes: Record<string, HybridSigner> = { 'peer-a': signer('a'), 'peer-b': signer('b'), 'peer-c': signer('c') }
const check = (nowMs = T0) => ({ federationId: FED, nowMs, nodeKey: (n: string) => nodes[n]?.publicKey, verifier })

function ack (change: Partial<MoveAck> = {}): MoveAck {
  return { version: 1, federation_id: FED, key: KEY, from: 'sep://alice@a', seq: 1, grace_until: T0 + 30 * DAY, member: 'peer-c', status: 'ok', home: 'sep://alice@b', reason: null, issued_at: T0, ...change }
}

test('an ack signed by its member validates; one signed by another key, or from a non-member, is refused', (t) => {
  t.is(validateMoveAck(signMoveAck(ack(), nodes['peer-c']!), check()).home, 'sep://alice@b')
  t.throws(() => validateMoveAck(signMoveAck(ack(), nodes['peer-a']!), check()), { name: 'MoveAckSignatureError' })
  t.throws(() => validateMoveAck(signMoveAck(ack({ member: 'peer-x' }), nodes['peer-c']!), check()), { name: 'MoveAckSignatureError', message: /not a member/ })
  const signed = signMoveAck(ack(), nodes['peer-c']!)
  t.throws(() => validateMoveAck({ ...signed, ack: { ...signed.ack, home: 'sep://alice@c' } }, check()), { name: 'MoveAckSignatureError' })
})

test('an ack with a bad shape, another federation, from the future or after its grace is refused', (t) => {
  const c = nodes['peer-c']!
  t.throws(() => signMoveAck(ack({ status: 'ok', home: null }), c), { name: 'MoveAckSchemaError' })
  t.throws(() => signMoveAck(ack({ status: 'failed', home: null, reason: null }), c), { name: 'MoveAckSchemaError' })
  t.throws(() => signMoveAck(ack({ status: 'failed', home: 'sep://alice@b', reason: 'x' }), c), { name: 'MoveAckSchemaError' })
  t.throws(() => signMoveAck(ack({ key: 'nothex' }), c), { name: 'MoveAckSchemaError' })
  t.throws(() => signMoveAck(ack({ from: 'alice' }), c), { name: 'MoveAckSchemaError' })
  t.throws(() => validateMoveAck(signMoveAck(ack({ federation_id: 'other' }), c), check()), { name: 'MoveAckSchemaError' })
  t.throws(() => validateMoveAck(signMoveAck(ack({ issued_at: T0 + 10 * 60_000 }), c), check()), { name: 'MoveAckClockError' })
  t.throws(() => validateMoveAck(signMoveAck(ack(), c), check(T0 + 31 * DAY)), { name: 'MoveAckClockError' })
})

test('a failure reason names the error and is bounded', (t) => {
  t.is(moveAckReason(new RedirectLoopError('loop')), 'RedirectLoopError: loop')
  t.is(moveAckReason(new Error('x'.repeat(1000))).length, MOVE_ACK_REASON_CHARS_MAX)
  t.notThrows(() => signMoveAck(ack({ status: 'failed', home: null, reason: moveAckReason(new Error('x'.repeat(1000))) }), nodes['peer-c']!))
})

test('the receipt lists every member: resolved, failed with its reason, pending; the latest ack of a member counts; it completes when all acked or the grace ends', (t) => {
  const members = [{ node: 'peer-c', site: 'c' }, { node: 'peer-a', site: 'a' }, { node: 'peer-b', site: 'b' }]
  const acks = [
    ack({ member: 'peer-b' }),
    ack({ member: 'peer-c', status: 'failed', home: null, reason: 'RedirectNotFoundError: none', issued_at: T0 }),
    // another move's ack is not this receipt's
    ack({ member: 'peer-a', seq: 2, issued_at: T0 })
  ]
  const open = buildReceipt({ key: KEY, seq: 1, graceUntil: T0 + DAY, nowMs: T0, members, acks })
  t.false(open.complete)
  t.deepEqual(open.members.map((m) => [m.site, m.status, m.home ?? m.reason ?? null]), [
    ['a', 'pending', null], ['b', 'resolved', 'sep://alice@b'], ['c', 'failed', 'RedirectNotFoundError: none']
  ])
  // c retried and resolved later; a acked
  const later = [...acks, ack({ member: 'peer-c', issued_at: T0 + 5 }), ack({ member: 'peer-a', issued_at: T0 + 6 })]
  const done = buildReceipt({ key: KEY, seq: 1, graceUntil: T0 + DAY, nowMs: T0 + 10, members, acks: later })
  t.true(done.complete)
  t.deepEqual(done.members.map((m) => m.status), ['resolved', 'resolved', 'resolved'])
  // past the grace, who never acked is unacknowledged
  const over = buildReceipt({ key: KEY, seq: 1, graceUntil: T0 + DAY, nowMs: T0 + 2 * DAY, members, acks })
  t.true(over.complete)
  t.is(over.members[0]!.status, 'unacknowledged')
})
