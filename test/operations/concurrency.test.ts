/**
 * Check-then-write operations are atomic: 20 concurrent adds of one handle
 * give exactly one participant, and the other 19 a DuplicateParticipantError.
 */
import test from 'ava'
import { Store } from '../../src/store/store.ts'
import { parseConfig } from '../../src/config/load.ts'
import { createOperations } from '../../src/operations/index.ts'
import { systemClock } from '../../src/runtime/clock.ts'
import { hybridVerifier } from '../../src/crypto/hybrid.ts'

test('20 concurrent participant.add of one handle: one succeeds, 19 are refused, one record is stored', async (t) => {
  const store = await Store.open()
  t.teardown(async () => { await store.close() })
  const operations = createOperations({ store, config: parseConfig({ site_id: 'race', jurisdiction: 'UK' }), dataDir: undefined, clock: systemClock, verifier: hybridVerifier() })
  const results = await Promise.allSettled(Array.from({ length: 20 }, async () =>
    await operations.run('participant.add', { handle: 'alice', offers: ['legal.contracts'], needs: ['food.catering'] })))
  t.is(results.filter((r) => r.status === 'fulfilled').length, 1)
  const refusals = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected')
  t.is(refusals.length, 19)
  t.true(refusals.every((r) => (r.reason as Error).name === 'DuplicateParticipantError'))
  t.is((await operations.run('participant.list', {}) as unknown[]).length, 1)
})
