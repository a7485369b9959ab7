import test from 'ava'
import {
  checkpointMessage, cosignatureFromJson, cosignatureToJson, signCheckpoint, signCosignature, signedCheckpointFromJson, signedCheckpointToJson,
  verifyCosignature, verifySignedCheckpoint
} from '../../../src/core/audit/checkpoint.ts'
import { realMember, realVerifier } from '../consensus/fixtures.ts'

const origin = realMember(1)
const witness = realMember(2)
const root = new Uint8Array(32).fill(7)
const checkpoint = { origin: 'fedmesh/test-fed/node-1', size: 42, root }

test('a checkpoint signs origin, size and base64 root on lines behind its domain', (t) => {
  t.is(new TextDecoder().decode(checkpointMessage(checkpoint)), `fedmesh/checkpoint/1\nfedmesh/test-fed/node-1\n42\n${Buffer.from(root).toString('base64')}\n`)
})

test('a signed checkpoint verifies with the origin key only, and not once any field changes', (t) => {
  const signed = signCheckpoint(origin.signer, checkpoint)
  t.notThrows(() => { verifySignedCheckpoint(signed, origin.signer.publicKey, realVerifier) })
  t.throws(() => { verifySignedCheckpoint(signed, witness.signer.publicKey, realVerifier) }, { name: 'CheckpointSignatureError' })
  t.throws(() => { verifySignedCheckpoint({ ...signed, size: 43 }, origin.signer.publicKey, realVerifier) }, { name: 'CheckpointSignatureError' })
  t.throws(() => { verifySignedCheckpoint({ ...signed, root: new Uint8Array(32) }, origin.signer.publicKey, realVerifier) }, { name: 'CheckpointSignatureError' })
  t.throws(() => { verifySignedCheckpoint({ ...signed, origin: 'fedmesh/other' }, origin.signer.publicKey, realVerifier) }, { name: 'CheckpointSignatureError' })
})

test('a cosignature binds the witness, the time and the checkpoint', (t) => {
  const cosignature = signCosignature(witness.signer, { checkpoint, witness: witness.node_id, timestampMs: 1000 })
  t.notThrows(() => { verifyCosignature(checkpoint, cosignature, witness.signer.publicKey, realVerifier) })
  t.throws(() => { verifyCosignature({ ...checkpoint, size: 41 }, cosignature, witness.signer.publicKey, realVerifier) }, { name: 'CheckpointSignatureError' })
  t.throws(() => { verifyCosignature(checkpoint, { ...cosignature, timestamp_ms: 1001 }, witness.signer.publicKey, realVerifier) }, { name: 'CheckpointSignatureError' })
  t.throws(() => { verifyCosignature(checkpoint, cosignature, origin.signer.publicKey, realVerifier) }, { name: 'CheckpointSignatureError' })
  const again = cosignatureFromJson(JSON.parse(JSON.stringify(cosignatureToJson(cosignature))))
  t.notThrows(() => { verifyCosignature(checkpoint, again, witness.signer.publicKey, realVerifier) })
})

test('signed checkpoints survive JSON and malformed ones are refused by name', (t) => {
  const signed = signCheckpoint(origin.signer, checkpoint)
  const back = signedCheckpointFromJson(JSON.parse(JSON.stringify(signedCheckpointToJson(signed))))
  t.notThrows(() => { verifySignedCheckpoint(back, origin.signer.publicKey, realVerifier) })
  const json = signedCheckpointToJson(signed)
  t.throws(() => signedCheckpointFromJson({ ...json, root: 'ab' }), { name: 'MalformedCheckpointError' })
  t.throws(() => signedCheckpointFromJson({ ...json, size: -1 }), { name: 'MalformedCheckpointError' })
  t.throws(() => signedCheckpointFromJson({ ...json, origin: 'two\nlines' }), { name: 'MalformedCheckpointError' })
  t.throws(() => checkpointMessage({ ...checkpoint, origin: 'x'.repeat(256) }), { name: 'MalformedCheckpointError' })
  t.notThrows(() => checkpointMessage({ ...checkpoint, origin: 'x'.repeat(255) }))
})
