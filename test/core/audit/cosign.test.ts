/**
 * The origin's checks on a cosignature handed to it directly (core/audit/cosign.ts): each hostile
 * delivery is refused with its precise reason, and only a member's own signature on exactly our
 * checkpoint is kept.
 */
import test from 'ava'
import { signCheckpoint, signCosignature } from '../../../src/core/audit/checkpoint.ts'
import { checkCosignatureDelivery, type CosignatureContext, type CosignatureDeliveryFields } from '../../../src/core/audit/cosign.ts'
import { CosignatureRefusedError } from '../../../src/core/audit/errors.ts'
import { realMember, realVerifier } from '../consensus/fixtures.ts'

const origin = realMember(1)
const witness = realMember(2)
const other = realMember(3)
const NOW = 1_700_000_000_000
const own = signCheckpoint(origin.signer, { origin: `fedmesh/fed/${origin.node_id}`, size: 42, root: new Uint8Array(32).fill(7) })

function delivery (by = witness, init: { timestampMs?: number, size?: number, root?: Uint8Array } = {}): CosignatureDeliveryFields {
  const cosignature = signCosignature(by.signer, { checkpoint: own, witness: witness.node_id, timestampMs: init.timestampMs ?? NOW })
  return { size: BigInt(init.size ?? own.size), root: init.root ?? own.root, timestampMs: BigInt(cosignature.timestamp_ms), ed25519: cosignature.signature.ed25519, mldsa: cosignature.signature.mldsa }
}

const context = (over: Partial<CosignatureContext> = {}): CosignatureContext => ({
  witness: witness.node_id,
  witnessKey: witness.signer.publicKey,
  ownCheckpoint: (size) => size === own.size ? own : undefined,
  held: () => undefined,
  nowMs: NOW,
  skewMsMax: 60_000,
  verifier: realVerifier,
  ...over
})

const refused = (t: any, fn: () => unknown, reason: string): void => {
  const err = t.throws(fn, { instanceOf: CosignatureRefusedError })
  t.is(err.reason, reason)
  t.is(err.name, 'CosignatureRefusedError')
}

test('a member\'s cosignature on our checkpoint is kept', (t) => {
  const { size, cosignature } = checkCosignatureDelivery(delivery(), context())
  t.is(size, 42)
  t.is(cosignature.witness, witness.node_id)
  t.is(cosignature.timestamp_ms, NOW)
})

test('every hostile delivery is refused with its precise reason', (t) => {
  refused(t, () => checkCosignatureDelivery({ ...delivery(), root: new Uint8Array(31) }, context()), 'malformed')
  refused(t, () => checkCosignatureDelivery({ ...delivery(), size: 0n }, context()), 'malformed')
  refused(t, () => checkCosignatureDelivery({ ...delivery(), ed25519: new Uint8Array(63) }, context()), 'malformed')
  refused(t, () => checkCosignatureDelivery({ ...delivery(), mldsa: new Uint8Array(5000) }, context()), 'malformed')
  // a replay (the same bytes) is dropped before any signature work; another valid one of the same witness is a duplicate too
  const first = delivery()
  const kept = checkCosignatureDelivery(first, context()).cosignature
  const holding = context({ held: (size, who) => size === 42 && who === witness.node_id ? kept : undefined })
  refused(t, () => checkCosignatureDelivery({ ...first }, { ...holding, verifier: { verify: () => { throw new Error('a replay costs no verification') } } }), 'duplicate')
  refused(t, () => checkCosignatureDelivery(delivery(witness, { timestampMs: NOW + 1 }), holding), 'duplicate')
  // a forgery in the name of a witness we already hold is still a forgery
  refused(t, () => checkCosignatureDelivery(delivery(other), holding), 'bad_signature')
  refused(t, () => checkCosignatureDelivery(delivery(witness, { timestampMs: NOW - 60_001 }), context()), 'skew')
  refused(t, () => checkCosignatureDelivery(delivery(witness, { timestampMs: NOW + 60_001 }), context()), 'skew')
  // a non-member (no key in the membership) is refused before any signature work
  refused(t, () => checkCosignatureDelivery(delivery(), context({ witnessKey: undefined })), 'not_member')
  // a checkpoint we never signed, or another root at our size
  refused(t, () => checkCosignatureDelivery(delivery(witness, { size: 43 }), context()), 'unknown_checkpoint')
  refused(t, () => checkCosignatureDelivery(delivery(witness, { root: new Uint8Array(32).fill(8) }), context()), 'unknown_checkpoint')
  // forged: another member signed it in the witness's name (the connection says the witness sent it)
  refused(t, () => checkCosignatureDelivery(delivery(other), context()), 'bad_signature')
  // relayed: the witness's genuine cosignature handed over by someone else is checked against the sender's key
  refused(t, () => checkCosignatureDelivery(delivery(), context({ witness: other.node_id, witnessKey: other.signer.publicKey })), 'bad_signature')
})
