/**
 * A member witnessing another's log through the store: the forking origin is
 * caught by a member that cosigned the other history, and the evidence is kept.
 */
import test from 'ava'
import { Store } from '../../src/store/store.ts'
import { AuditLog } from '../../src/store/audit-log.ts'
import { AuditWitnessStore } from '../../src/store/audit-witness.ts'
import { signCheckpoint, signCosignature, verifyCosignature, verifySignedCheckpoint, type SignedCheckpoint } from '../../src/core/audit/checkpoint.ts'
import { verifySplitViewEvidence } from '../../src/core/audit/split-view.ts'
import { witnessCheckpoint } from '../../src/core/audit/witness.ts'
import type { AuditRecord } from '../../src/core/audit/record.ts'
import { realMember, realVerifier } from '../core/consensus/fixtures.ts'

const ORIGIN = 'fedmesh/fed/origin'
const origin = realMember(1)
const witness = realMember(2)
const op = (i: number, note = ''): AuditRecord => ({ kind: 'operator', timestamp_ms: i, action: 'x', detail: `${i}${note}` })

async function logOf (records: AuditRecord[]) {
  const store = await Store.open()
  const log = await AuditLog.open(store)
  await log.append(records, store)
  return { store, log }
}
const checkpointOf = ({ log }: { log: AuditLog }): SignedCheckpoint => signCheckpoint(origin.signer, { origin: ORIGIN, ...log.head() })

test('a member that cosigned one history catches the origin\'s fork and keeps the evidence', async (t) => {
  const shared = Array.from({ length: 20 }, (_, i) => op(i))
  // the origin keeps two stores: the honest one and a fork that rewrote record 7
  const honest = await logOf([...shared, ...Array.from({ length: 5 }, (_, i) => op(20 + i))])
  const fork = await logOf([...shared.map((r, i) => (i === 7 ? op(7, ' (rewritten)') : r)), ...Array.from({ length: 30 }, (_, i) => op(20 + i))])

  const witnessStore = new AuditWitnessStore(await Store.open())
  const first = checkpointOf(honest)
  verifySignedCheckpoint(first, origin.signer.publicKey, realVerifier)
  const d1 = witnessCheckpoint({ latest: await witnessStore.latest(ORIGIN), incoming: first })
  t.is(d1.verdict, 'cosign')
  const cosignature = signCosignature(witness.signer, { checkpoint: first, witness: witness.node_id, timestampMs: 5 })
  verifyCosignature(first, cosignature, witness.signer.publicKey, realVerifier)
  await witnessStore.write([...witnessStore.acceptOperations(first), ...witnessStore.cosignatureOperations(first.size, cosignature)])

  // later the witness receives the fork's checkpoint (gossiped to others) and asks the origin for a proof
  const forked = checkpointOf(fork)
  const latest = await witnessStore.latest(ORIGIN)
  t.deepEqual(witnessCheckpoint({ latest, incoming: forked }), { verdict: 'needs-proof', old_size: 25, new_size: 50 })
  const answer = await fork.log.consistencyProof(25, 50)
  const decision = witnessCheckpoint({ latest, incoming: forked, answer: { old_root: answer.oldRoot, proof: answer.proof } })
  if (decision.verdict !== 'split-view') return t.fail(`expected split-view, got ${decision.verdict}`)
  await witnessStore.write(witnessStore.evidenceOperations(decision.evidence))
  const [kept] = await witnessStore.evidence()
  t.notThrows(() => { verifySplitViewEvidence(kept, origin.signer.publicKey, realVerifier) })
  t.deepEqual((await witnessStore.latest(ORIGIN))?.size, 25, 'the fork was not accepted')
  t.is((await witnessStore.cosignatures(25)).length, 1)

  // the honest history extends what the witness accepted and is cosigned as usual
  await honest.log.append(Array.from({ length: 10 }, (_, i) => op(25 + i)), honest.store)
  const next = checkpointOf(honest)
  const proof = await honest.log.consistencyProof(25)
  t.deepEqual(witnessCheckpoint({ latest, incoming: next, answer: { old_root: proof.oldRoot, proof: proof.proof } }), { verdict: 'cosign', latest: next })
})
