/**
 * The lean profile's process-wide verification cache gives the verifier's
 * own answers (a bad signature stays bad), counts its hits, and the report
 * names every deviation from production.
 */
import test from 'ava'
import { CachingVerifier, deviations } from '../../sim/profile.ts'
import { hybridSignerFromSeeds, hybridVerifier } from '../../src/crypto/hybrid.ts'
import { loadScenario, parseScenario } from '../../sim/scenario.ts'

test('the verification cache answers as the verifier does and counts hits', (t) => {
  const signer = hybridSignerFromSeeds({ ed25519Seed: new Uint8Array(32).fill(1), mldsaSeed: new Uint8Array(32).fill(2) })
  const message = new TextEncoder().encode('an envelope')
  const signature = signer.sign(message)
  const cache = new CachingVerifier(hybridVerifier())
  t.true(cache.verify(signer.publicKey, message, signature))
  t.true(cache.verify(signer.publicKey, message, signature))
  const tampered = new TextEncoder().encode('an envelopE')
  t.false(cache.verify(signer.publicKey, tampered, signature))
  t.false(cache.verify(signer.publicKey, tampered, signature), 'a cached failure stays a failure')
  t.deepEqual({ hits: cache.hits, misses: cache.misses }, { hits: 2, misses: 2 })
  // a malformed key object: no crash, no cache entry
  t.false(cache.verify({} as never, message, signature))
})

test('the report names the lean cache and virtual time among the deviations', async (t) => {
  const scenario = parseScenario({ ...await loadScenario('sim/scenarios/smoke.yaml'), profile: 'lean' })
  const list = deviations(scenario, { workers: 0, clock: 'virtual' })
  t.true(list.some((d) => d.startsWith('lean: one signature verification cache')))
  t.true(list.some((d) => d.startsWith('virtual time')))
  t.false(deviations({ ...scenario, profile: 'production' }, { workers: 0, clock: 'real' }).some((d) => d.startsWith('lean')))
})

test('a sim-only checkpoint retention is named among the deviations, production\'s is not', async (t) => {
  const lean = await loadScenario('sim/scenarios/lean.yaml')
  t.true(deviations(lean, { workers: 0, clock: 'real' }).some((d) => d.startsWith('audit: 2 checkpoints kept per origin')))
  const smoke = await loadScenario('sim/scenarios/smoke.yaml')
  t.false(deviations(smoke, { workers: 0, clock: 'real' }).some((d) => d.includes('checkpoints kept per origin')))
})
