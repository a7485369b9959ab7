import test from 'ava'
import { Store } from '../../src/store/store.ts'
import { ConsensusStore, GenesisConflictError, HISTORY_QUERY_LIMIT_MAX } from '../../src/store/consensus.ts'
import { createConsensusState, applyVote, learnEvent, type StepResult } from '../../src/core/consensus/machine.ts'
import { eventHash } from '../../src/core/consensus/event.ts'
import { verifyQC } from '../../src/core/consensus/quorum-certificate.ts'
import { verifyEvidence } from '../../src/core/consensus/evidence.ts'
import { DEFAULT_POLICY } from '../../src/core/consensus/threshold.ts'
import { initialTrust } from '../../src/core/consensus/trust.ts'
import { realMember, realVerifier, membershipOf, voteBy, hashOf, digestMember, digestVerifier } from '../core/consensus/fixtures.ts'

const FED = 'grid'
const T0 = Date.UTC(2026, 10, 24)

test('every record of a step round-trips through the store', async (t) => {
  const store = await Store.open()
  t.teardown(async () => { await store.close() })
  const consensus = new ConsensusStore(store)
  const members = [0, 1, 2, 3].map(realMember)
  const membership = membershipOf(FED, members)
  t.is(await consensus.initGenesis(membership, DEFAULT_POLICY, members.map((m) => initialTrust(m.node_id, T0))), 'created')

  let state = createConsensusState({ membership, policy: DEFAULT_POLICY, now: T0, trust: await consensus.trust() })
  const votes = [
    voteBy(members[3]!, FED, 'gov/1', hashOf('A')),
    voteBy(members[3]!, FED, 'gov/1', hashOf('B')),
    ...members.slice(0, 3).map((m) => voteBy(m, FED, 'gov/1', hashOf('A')))
  ]
  for (const vote of votes) {
    const step: StepResult = applyVote(state, vote, { now: T0 + 1000, verifier: realVerifier })
    await consensus.persist(step.records)
    state = step.state
  }

  t.deepEqual(await consensus.membership(), membership)
  t.deepEqual(await consensus.membershipAt(0), membership)
  t.deepEqual(await consensus.policy(), DEFAULT_POLICY)
  t.is((await consensus.votes('gov/1')).length, 5)
  const [history] = await consensus.history()
  t.is(history!.consensus_hash, hashOf('A'))
  t.true(history!.consensus_achieved)
  t.deepEqual(history!.equivocating_nodes, [members[3]!.node_id])
  const qc = await consensus.qc('gov/1')
  t.truthy(qc)
  t.notThrows(() => { verifyQC(qc!, { membership, policy: DEFAULT_POLICY, verifier: realVerifier }) })
  const [evidence] = await consensus.evidence()
  t.notThrows(() => { verifyEvidence(evidence!, { federationId: FED, membership, verifier: realVerifier }) })
  t.deepEqual((await consensus.historyForHash(hashOf('A'))).map((r) => r.slot), ['gov/1'])
  t.deepEqual(await consensus.historyForHash(hashOf('C')), [])
  t.true(await consensus.isCompleted('gov/1'))
  t.false(await consensus.isCompleted('gov/2'))
  const trust = new Map((await consensus.trust()).map((r) => [r.node_id, r.score]))
  t.deepEqual(members.map((m) => trust.get(m.node_id)), [52, 52, 52, 30])
})

test('the same genesis twice is unchanged; a different one is refused', async (t) => {
  const store = await Store.open()
  t.teardown(async () => { await store.close() })
  const consensus = new ConsensusStore(store)
  const members = [0, 1, 2].map(realMember)
  await consensus.initGenesis(membershipOf(FED, members), DEFAULT_POLICY, [])
  t.is(await consensus.initGenesis(membershipOf(FED, members), DEFAULT_POLICY, []), 'unchanged')
  await t.throwsAsync(consensus.initGenesis(membershipOf('other', members), DEFAULT_POLICY, []), { instanceOf: GenesisConflictError })
})

test(`history is newest first and one query returns at most HISTORY_QUERY_LIMIT_MAX (${HISTORY_QUERY_LIMIT_MAX}) records`, async (t) => {
  const store = await Store.open()
  t.teardown(async () => { await store.close() })
  const consensus = new ConsensusStore(store)
  const members = [0, 1].map(digestMember)
  let state = createConsensusState({ membership: membershipOf(FED, members), policy: DEFAULT_POLICY, now: T0 })
  for (let i = 0; i <= HISTORY_QUERY_LIMIT_MAX; i++) {
    for (const m of members) {
      const step = applyVote(state, voteBy(m, FED, `s/${i}`, hashOf('A')), { now: T0 + i, verifier: digestVerifier })
      await consensus.persist(step.records)
      state = step.state
    }
  }
  const newest = await consensus.history(3)
  t.deepEqual(newest.map((r) => r.slot), [`s/${HISTORY_QUERY_LIMIT_MAX}`, `s/${HISTORY_QUERY_LIMIT_MAX - 1}`, `s/${HISTORY_QUERY_LIMIT_MAX - 2}`])
  t.is((await consensus.history(HISTORY_QUERY_LIMIT_MAX)).length, HISTORY_QUERY_LIMIT_MAX)
  t.is((await consensus.history(HISTORY_QUERY_LIMIT_MAX + 1)).length, HISTORY_QUERY_LIMIT_MAX)
  t.is((await consensus.allHistory()).length, HISTORY_QUERY_LIMIT_MAX + 1)
})

test('after a restart the state comes back: membership, trust and the pending slots\' votes', async (t) => {
  const store = await Store.open()
  t.teardown(async () => { await store.close() })
  const consensus = new ConsensusStore(store)
  const members = [0, 1, 2, 3].map(realMember)
  const membership = membershipOf(FED, members)
  await consensus.initGenesis(membership, DEFAULT_POLICY, members.map((m) => initialTrust(m.node_id, T0)))
  let state = createConsensusState({ membership, policy: DEFAULT_POLICY, now: T0, trust: await consensus.trust() })
  // the pending slot's event is stored, so its votes count again after the restart
  const event = { federation_id: FED, slot: 'open', type: 'governance_proposal' as const, initiated_at: T0, proposer: members[0]!.node_id, body: { title: 'B', text: '' } }
  const B = eventHash(event)
  const learned = learnEvent(state, event, { now: T0, verifier: realVerifier })
  await consensus.persist(learned.records)
  state = learned.state
  const votes = [
    ...members.slice(0, 3).map((m) => voteBy(m, FED, 'done', hashOf('A'))),
    ...members.slice(0, 2).map((m) => voteBy(m, FED, 'open', B)),
    // a vote for a hash whose event never arrived: stored, and held (not counted) after the restart
    voteBy(members[3]!, FED, 'orphan', hashOf('C'))
  ]
  for (const vote of votes) {
    const step = applyVote(state, vote, { now: T0, verifier: realVerifier })
    await consensus.persist(step.records)
    state = step.state
  }
  const restored = await consensus.restoreState({ fallbackPolicy: DEFAULT_POLICY, now: T0, verifier: realVerifier })
  t.truthy(restored)
  t.deepEqual(restored!.membership, membership)
  t.deepEqual([...restored!.trust.values()].map((r) => r.score).sort(), [50, 52, 52, 52])
  t.false(restored!.slots.has('done'))
  t.is(restored!.slots.get('open')!.counts.get(B), 2)
  t.false(restored!.slots.has('orphan'), 'a vote without its event opens no slot')
  t.is(restored!.held.size, 1)
  // the third vote decides the restored slot
  const step = applyVote(restored!, voteBy(members[2]!, FED, 'open', B), { now: T0, verifier: realVerifier })
  t.is(step.state.slots.get('open')!.status, 'decided')
  const empty = await Store.open()
  t.is(await new ConsensusStore(empty).restoreState({ fallbackPolicy: DEFAULT_POLICY, now: T0, verifier: realVerifier }), undefined)
  await empty.close()
})
