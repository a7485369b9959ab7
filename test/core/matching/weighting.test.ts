/**
 * Attestation and reputation weights in matching (core/matching/weighting.ts,
 * issue 13 items 7–8): between two otherwise-equal chains the better-attested
 * one is chosen (a local participant, a remote node), through the real
 * clearing and through the `match` operation on a store; and weighting never
 * lowers the number of participants served (property test).
 */
import test from 'ava'
import fc from 'fast-check'
import { Taxonomy } from '../../../src/core/matching/taxonomy.ts'
import { buildInstance, parseInstanceDocument, type InstanceNodeInput } from '../../../src/core/matching/instance.ts'
import { clear } from '../../../src/core/matching/clearing.ts'
import { chainScore, clearPreferringServed, localParticipantWeight, rankChains, remoteNodeWeight } from '../../../src/core/matching/weighting.ts'
import { REPUTATION_NEUTRAL_PERMILLE } from '../../../src/core/reputation/reputation.ts'
import { Store } from '../../../src/store/store.ts'
import { parseConfig } from '../../../src/config/load.ts'
import { createOperations } from '../../../src/operations/index.ts'
import { systemClock } from '../../../src/runtime/clock.ts'
import { hybridVerifier } from '../../../src/crypto/hybrid.ts'
import { AttestationRepository } from '../../../src/store/attestations.ts'
import { SummaryRepository } from '../../../src/store/matching-summaries.ts'
import { smallInstanceDocument } from './brute-force.ts'

const taxonomy = Taxonomy.of(['design', 'food', 'legal'])

test('the formulas: operator weight first, attested satisfaction next, neutral when unrated; remote nodes by attestations and reputation', (t) => {
  t.is(localParticipantWeight(7, 900), 7)
  t.is(localParticipantWeight(undefined, 900), 900)
  t.is(localParticipantWeight(undefined, null), REPUTATION_NEUTRAL_PERMILLE)
  t.is(remoteNodeWeight([]), 500, 'nothing known: neutral')
  t.is(remoteNodeWeight([{ satisfaction_rate_permille: 900 }], 100), 950)
  t.true(remoteNodeWeight([{ satisfaction_rate_permille: 900 }], 10) < remoteNodeWeight([], 50), 'a low-reputation node\'s fine claims count for nothing, and its reputation counts against it')
  t.true(remoteNodeWeight([{ satisfaction_rate_permille: 900 }], 80) > remoteNodeWeight([{ satisfaction_rate_permille: 900 }], 50), 'the same claims weigh more from a better node')
  t.is(chainScore([], () => 1), 0)
  t.deepEqual(rankChains([{ steps: [{ node: 'a', need: 'x', offer: 'y' }] }, { steps: [{ node: 'b', need: 'x', offer: 'y' }] }, { steps: [{ node: 'a', need: 'x', offer: 'y' }] }], (s) => (s.node === 'b' ? 2 : 1)), [1, 0, 2])
})

test('two otherwise-equal chains: the clearing takes the better-attested local participant and the higher-reputation remote node', (t) => {
  // alice and dave on A both give legal for food; B and C each have one unit giving food for legal
  const local = (aliceWeight: number, daveWeight?: number): InstanceNodeInput => ({
    id: 'a',
    participants: [
      ...(daveWeight === undefined ? [] : [{ id: 'sep://dave@a', needs: ['food'], offers: ['legal'], weight: daveWeight }]),
      { id: 'sep://alice@a', needs: ['food'], offers: ['legal'], weight: aliceWeight }
    ]
  })
  const remote = (weights: number[]): InstanceNodeInput[] => weights.map((weight, i) => ({ id: ['b', 'c'][i]!, weight, summary: [{ need: 'legal', offer: 'food', count: 1 }] }))
  const chainOf = (nodes: InstanceNodeInput[]): string[] => {
    const result = clear(buildInstance(taxonomy, nodes), { cap: 4 })
    t.is(result.participantsServed, 2, 'one chain of two either way')
    return result.chains[0]!.steps.map((s) => s.participant ?? s.node).sort()
  }
  const good = localParticipantWeight(undefined, 950)
  const unrated = localParticipantWeight(undefined, null)
  t.deepEqual(chainOf([local(good, unrated), ...remote([500])]), ['b', 'sep://alice@a'], 'alice is better attested than dave')
  t.deepEqual(chainOf([local(unrated, good), ...remote([500])]), ['b', 'sep://dave@a'], 'and the other way round')
  const trusted = remoteNodeWeight([{ satisfaction_rate_permille: 900 }], 90)
  const doubtful = remoteNodeWeight([{ satisfaction_rate_permille: 900 }], 20)
  t.deepEqual(chainOf([local(good), ...remote([doubtful, trusted])]), ['c', 'sep://alice@a'], 'C has the better reputation')
  t.deepEqual(chainOf([local(good), ...remote([trusted, doubtful])]), ['b', 'sep://alice@a'])
})

test('match on a store: the attested participant is chosen, and the weights are reported', async (t) => {
  const store = await Store.open()
  t.teardown(async () => { await store.close() })
  const operations = createOperations({ store, config: parseConfig({ site_id: 'uk_north', jurisdiction: 'UK' }), dataDir: undefined, clock: systemClock, verifier: hybridVerifier() })
  await operations.run('participant.add', { handle: 'zed', offers: ['legal.contracts'], needs: ['food.catering'] })
  await operations.run('participant.add', { handle: 'amy', offers: ['legal.contracts'], needs: ['food.catering'] })
  await new SummaryRepository(store).put({ node: 'uk_south', entries: [{ need: 'legal.contracts', offer: 'food.catering', count: 1 }] }, '12D3KooWRemote', 1)
  const before = await operations.run('match', {}) as { participants_served: number, chains: Array<{ steps: Array<{ participant?: string }> }>, weighting: { participants: Record<string, number>, nodes: Record<string, number>, fallback: boolean } }
  t.is(before.chains.length, 1)
  t.true(before.chains[0]!.steps.some((s) => s.participant === 'sep://amy@uk_north'), 'equal weights: the smaller id')
  t.deepEqual(before.weighting, { participants: { 'sep://amy@uk_north': 500, 'sep://zed@uk_north': 500 }, nodes: { uk_south: 500 }, fallback: false })
  // zed's home node (this one) attests a high satisfaction: now zed is preferred
  const repo = new AttestationRepository(store)
  await repo.batch([repo.putOperation({
    attestation: {
      version: 1, federation_id: 'f', issuing_node: '12D3KooWSelf', participant: 'sep://zed@uk_north', participant_key: '00'.repeat(32), issued_at_ms: 1,
      claims: { exchanges_completed: 4, satisfaction_rate_permille: 950, partner_count: 4, member_since_ms: 0, vouches_received: 0, trust_tier: 'established' }
    },
    signature: { ed25519: new Uint8Array(64), mldsa: new Uint8Array(16) }
  }, 1)])
  const after = await operations.run('match', {}) as typeof before
  t.is(after.participants_served, before.participants_served, 'the same number served')
  t.true(after.chains[0]!.steps.some((s) => s.participant === 'sep://zed@uk_north'), 'the attested participant is chosen')
  t.is(after.weighting.participants['sep://zed@uk_north'], 950)
})

test('weighting never lowers the number of participants served (property)', async (t) => {
  await fc.assert(fc.asyncProperty(smallInstanceDocument({ sharedIdentities: true }), fc.array(fc.integer({ min: 0, max: 1000 }), { minLength: 16, maxLength: 16 }), fc.integer({ min: 2, max: 4 }), async (document, weights, cap) => {
    const plain = parseInstanceDocument(document)
    let k = 0
    const next = (): number => weights[k++ % weights.length]!
    const weighted = buildInstance(plain.taxonomy, plain.nodes.map((n) => ({
      id: n.id,
      weight: next(),
      participants: n.participants.map((p) => ({ ...p, weight: next() })),
      summary: n.summary
    })))
    const unweightedServed = clear(plain, { cap }).participantsServed
    const chosen = await clearPreferringServed(() => clear(weighted, { cap }), () => clear(plain, { cap }))
    return chosen.clearing.participantsServed >= unweightedServed
  }), { numRuns: 300 })
  t.pass()
})
