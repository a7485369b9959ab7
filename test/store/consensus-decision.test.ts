/**
 * A decided slot's stored record and QC are immutable: a late vote and
 * equivocation evidence that arrive afterwards are stored beside them and
 * leave their bytes unchanged.
 */
import test from 'ava'
import { Store } from '../../src/store/store.ts'
import { CONSENSUS_SUBLEVELS, ConsensusStore } from '../../src/store/consensus.ts'
import { applyVote, createConsensusState, type ConsensusState } from '../../src/core/consensus/machine.ts'
import { DEFAULT_POLICY } from '../../src/core/consensus/threshold.ts'
import type { Vote } from '../../src/core/consensus/vote.ts'
import { hashOf, membershipOf, realMember, realVerifier, voteBy } from '../core/consensus/fixtures.ts'

const FED = 'grid'
const T0 = Date.UTC(2026, 10, 24)

/** Applies votes one step at a time, persisting each step as the service does. */
async function deliver (store: ConsensusStore, state: ConsensusState, votes: Vote[]): Promise<ConsensusState> {
  for (const vote of votes) {
    const step = applyVote(state, vote, { now: T0 + 1000, verifier: realVerifier })
    await store.persist(step.records)
    state = step.state
  }
  return state
}

test('the stored decision of a slot is byte-identical before and after later votes and equivocation evidence', async (t) => {
  const store = await Store.open({})
  t.teardown(async () => { await store.close() })
  const consensus = new ConsensusStore(store)
  const members = [0, 1, 2, 3].map(realMember)
  let state = createConsensusState({ membership: membershipOf(FED, members), policy: DEFAULT_POLICY, now: T0 })
  state = await deliver(consensus, state, members.slice(0, 3).map((m) => voteBy(m, FED, 'gov/1', hashOf('A'))))
  const raw = async (sublevel: string): Promise<string> => Buffer.from((await store.sublevel<Uint8Array>(sublevel, 'view').get('gov/1'))!).toString('hex')
  const [historyBefore, qcBefore] = [await raw(CONSENSUS_SUBLEVELS.history), await raw(CONSENSUS_SUBLEVELS.qcs)]
  t.true((await consensus.historyForHash(hashOf('A')))[0]!.consensus_achieved)

  // later: member 3's late vote for another hash, then member 0 signs a second hash (equivocation)
  state = await deliver(consensus, state, [voteBy(members[3]!, FED, 'gov/1', hashOf('B')), voteBy(members[0]!, FED, 'gov/1', hashOf('C'))])
  t.is((await consensus.evidence()).length, 1, 'the evidence is stored beside the decision')
  t.is((await consensus.votes('gov/1')).length, 5, 'the late votes are stored too')
  t.is(await raw(CONSENSUS_SUBLEVELS.history), historyBefore)
  t.is(await raw(CONSENSUS_SUBLEVELS.qcs), qcBefore)
  t.is(state.slots.get('gov/1')!.status, 'decided')
})
