/**
 * Origin log equivocation evidence is self-contained: two envelopes the
 * origin signed that cannot both be in its log (one seq, two bodies; or seq
 * n+1 not linking to seq n), checked with the membership alone.
 */
import test from 'ava'
import { randomBytes } from 'node:crypto'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { hybridSignerFromSeeds, hybridVerifier } from '../../../src/crypto/hybrid.ts'
import { decodeEnvelope, envelopeBodyHash, signEnvelope } from '../../../src/wire/envelope.ts'
import { verifyLogEvidence, evidenceKey } from '../../../src/services/sync/evidence.ts'
import { SignedEnvelope } from '../../../protocols/envelope.ts'

const FEDERATION = 'grid'
const NOW = 1_800_000_000_000

async function origin (): Promise<{ id: string, signer: ReturnType<typeof hybridSignerFromSeeds> }> {
  const key = await generateKeyPair('Ed25519')
  return { id: peerIdFromPrivateKey(key).toString(), signer: hybridSignerFromSeeds({ ed25519Seed: key.raw.subarray(0, 32), mldsaSeed: randomBytes(32) }) }
}

function entry (o: Awaited<ReturnType<typeof origin>>, seq: number, prevHash: Uint8Array, payload: number): Uint8Array {
  return signEnvelope({
    id: new Uint8Array(randomBytes(16)), timestampMs: NOW, source: o.id, destination: 'topic', federationId: FEDERATION, dataClass: 'incident_summary',
    schemaId: 'fedmesh.test/1', payload: new Uint8Array([payload]), originSeq: seq, prevHash
  }, o.signer)
}

test('one seq with two bodies and a seq not linking to its predecessor are evidence; anything else is refused', async (t) => {
  const a = await origin()
  const other = await origin()
  const context = { federationId: FEDERATION, memberKey: (id: string) => id === a.id ? a.signer.publicKey : id === other.id ? other.signer.publicKey : undefined, verifier: hybridVerifier() }
  const one = entry(a, 1, new Uint8Array(0), 1)
  const hashOne = envelopeBodyHash(decodeEnvelope(one))
  const two = entry(a, 2, hashOne, 2)
  const twoFork = entry(a, 2, hashOne, 3)
  const threeElsewhere = entry(a, 3, new Uint8Array(32).fill(7), 4)

  const fork = verifyLogEvidence(twoFork, two, context)
  t.like(fork, { origin: a.id, dataClass: 'incident_summary', seq: 2, kind: 'fork' })
  t.deepEqual(verifyLogEvidence(two, twoFork, context), fork, 'canonical order: the same evidence whichever way round')
  t.is(evidenceKey(fork), `incident_summary/${a.id}/2/fork`)
  t.like(verifyLogEvidence(threeElsewhere, two, context), { seq: 3, kind: 'link' })

  const refused = (x: Uint8Array, y: Uint8Array, why: string): void => { t.throws(() => verifyLogEvidence(x, y, context), { code: 'invalid_evidence' }, why) }
  refused(two, two, 'the same envelope twice')
  refused(one, two, 'seq 2 links to seq 1')
  refused(one, threeElsewhere, 'not neighbours')
  refused(two, entry(other, 2, hashOne, 3), 'two origins')
  const signed = SignedEnvelope.decode(twoFork)
  refused(two, SignedEnvelope.encode({ ...signed, mldsaSignature: signed.mldsaSignature.map((b, i) => i === 0 ? b ^ 1 : b) }), 'a signature that does not verify')
  t.throws(() => verifyLogEvidence(two, twoFork, { ...context, federationId: 'elsewhere' }), { code: 'invalid_evidence' })
})
