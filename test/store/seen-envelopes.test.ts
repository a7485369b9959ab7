import test from 'ava'
import { randomBytes } from 'node:crypto'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Store } from '../../src/store/store.ts'
import { SeenEnvelopes } from '../../src/store/seen-envelopes.ts'
import { ReplayCache, validateEnvelope, DuplicateEnvelopeError } from '../../src/wire/pipeline.ts'
import { signEnvelope } from '../../src/wire/envelope.ts'
import { CLOCK_SKEW_MS_MAX } from '../../src/wire/limits.ts'
import { hybridSignerFromSeeds, hybridVerifier } from '../../src/crypto/hybrid.ts'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'

test('ids inside the skew window are reloaded; older ones are pruned', async (t) => {
  const store = await Store.open()
  const seen = new SeenEnvelopes(store, 1000)
  await store.batch([seen.operation('aa', 5_000)])
  await store.batch([seen.operation('bb', 9_500)])
  await store.batch([seen.operation('cc', 10_000)])
  const loaded: string[] = []
  t.is(await seen.load({ add: (id) => { loaded.push(id) } }, 10_200), 2)
  t.deepEqual(loaded, ['bb', 'cc'])
  const again: string[] = []
  await seen.load({ add: (id) => { again.push(id) } }, 0)
  t.deepEqual(again, ['bb', 'cc'], 'the expired id was deleted, not just skipped')
  await store.close()
})

test('an envelope accepted before a restart is still a duplicate after it', async (t) => {
  const dataDir = await mkdtemp(join(tmpdir(), 'fedmesh-seen-'))
  const key = await generateKeyPair('Ed25519')
  const source = peerIdFromPrivateKey(key).toString()
  const signer = hybridSignerFromSeeds({ ed25519Seed: key.raw.subarray(0, 32), mldsaSeed: randomBytes(32) })
  const now = Date.now()
  const bytes = signEnvelope({ id: new Uint8Array(16).fill(3), source, destination: '/fedmesh/f/incident_summary/1', federationId: 'f', dataClass: 'incident_summary', schemaId: 'test/1', payload: new Uint8Array([1]), timestampMs: now }, signer)
  const contextOf = (replay: ReplayCache) => ({ federationId: 'f', now: () => now + 1000, replay, verifier: hybridVerifier(), memberKey: () => signer.publicKey })

  // before the restart: accepted, and remembered
  let store = await Store.open({ dataDir })
  const accepted = validateEnvelope(bytes, contextOf(new ReplayCache()))
  await store.batch([new SeenEnvelopes(store, CLOCK_SKEW_MS_MAX).operation(accepted.idHex, accepted.timestampMs)])
  await store.close()

  // after the restart: a fresh replay cache, warmed from the store
  store = await Store.open({ dataDir })
  const replay = new ReplayCache()
  await new SeenEnvelopes(store, CLOCK_SKEW_MS_MAX).load(replay, now + 1000)
  t.throws(() => validateEnvelope(bytes, contextOf(replay)), { instanceOf: DuplicateEnvelopeError })
  await store.close()
})
