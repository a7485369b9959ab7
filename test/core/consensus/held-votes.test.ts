/**
 * Votes for an event this node has not seen are verified and held, never
 * counted, until the event arrives; the hold is bounded in number and age.
 */
import test from 'ava'
import { createConsensusState, learnEvent, receiveVote, EventFromNonMemberError, type ConsensusState, type StepResult } from '../../../src/core/consensus/machine.ts'
import { eventHash, parseEvent, type ConsensusEvent } from '../../../src/core/consensus/event.ts'
import { HELD_VOTES_MAX, HELD_VOTE_AGE_MS_MAX, HeldVotesFullError } from '../../../src/core/consensus/held-votes.ts'
import { pendingSlots } from '../../../src/core/consensus/pending.ts'
import { createMembership } from '../../../src/core/consensus/membership.ts'
import { DEFAULT_POLICY } from '../../../src/core/consensus/threshold.ts'
import { VoteFromNonMemberError, VoteSignatureError } from '../../../src/core/consensus/vote.ts'
import { digestMember, digestVerifier, hashOf, voteBy, type TestMember } from './fixtures.ts'

const FED = 'grid'
const T0 = Date.UTC(2026, 10, 24)
const members = [0, 1, 2, 3].map(digestMember)
const context = (now = T0) => ({ now, verifier: digestVerifier })

function start (): ConsensusState {
  const membership = createMembership(FED, members.map((m, i) => ({ node_id: m.node_id, public_key: m.signer.publicKey, site_id: `site_${i}`, joined_at: 0 })), 0)
  return createConsensusState({ membership, policy: DEFAULT_POLICY, now: T0 })
}

function proposal (slot: string, proposer: TestMember, title = 'Adopt the plan'): ConsensusEvent {
  return parseEvent({ federation_id: FED, slot, type: 'governance_proposal', initiated_at: T0, proposer: proposer.node_id, body: { title, text: 'the text' } })
}

test('a vote before its event is held, opens no slot and is not counted; the event applies it', (t) => {
  const event = proposal('gov/1', members[0]!)
  const hash = eventHash(event)
  const held = receiveVote(start(), voteBy(members[1]!, FED, 'gov/1', hash), context())
  t.false(held.state.slots.has('gov/1'), 'no slot opens for a hash with no known event')
  t.is(held.state.held.size, 1)
  t.deepEqual(held.records.map((r) => r.kind), ['vote'], 'stored, so a restart holds it again')
  t.deepEqual(pendingSlots(held.state, { nodeId: members[0]!.node_id, slotTimeoutMs: 1000 }), [])
  t.deepEqual(receiveVote(held.state, voteBy(members[1]!, FED, 'gov/1', hash), context()).records, [], 'the same vote again changes nothing')

  const learned = learnEvent(held.state, event, context(T0 + 5))
  t.is(learned.state.held.size, 0)
  t.is(learned.state.slots.get('gov/1')!.counts.get(hash), 1, 'counted once the event is known')
  const [slot] = pendingSlots(learned.state, { nodeId: members[1]!.node_id, slotTimeoutMs: 1000 })
  t.like(slot, { slot: 'gov/1', quorum: 3, membership_size: 4, votes: { [hash]: 1 }, awaiting_event: {}, voted: hash, deadline: slot!.opened_at + 1000 })
  t.like(slot!.events[0], { event_hash: hash, type: 'governance_proposal', title: 'Adopt the plan', body: { title: 'Adopt the plan', text: 'the text' }, proposer: { peer_id: members[0]!.node_id, site_id: 'site_0' }, votes: 1 })
})

test('a vote for a made-up hash in an open slot waits beside it, listed as awaiting its event, never counted', (t) => {
  const event = proposal('gov/2', members[0]!)
  let state = learnEvent(start(), event, context()).state
  state = receiveVote(state, voteBy(members[2]!, FED, 'gov/2', hashOf('made up')), context()).state
  const [slot] = pendingSlots(state, { nodeId: members[0]!.node_id, slotTimeoutMs: 1000 })
  t.deepEqual(slot!.votes, {})
  t.deepEqual(slot!.awaiting_event, { [hashOf('made up')]: 1 })
})

test('held votes are checked on arrival: a non-member or a bad signature is refused, not held', (t) => {
  const outsider = digestMember(9)
  t.throws(() => receiveVote(start(), voteBy(outsider, FED, 'gov/3', hashOf('x')), context()), { instanceOf: VoteFromNonMemberError })
  const forged = { ...voteBy(members[1]!, FED, 'gov/3', hashOf('x')), voter: members[2]!.node_id }
  t.throws(() => receiveVote(start(), forged, context()), { instanceOf: VoteSignatureError })
})

test('two held hashes from one voter in one slot are equivocation at once', (t) => {
  const first = receiveVote(start(), voteBy(members[1]!, FED, 'gov/4', hashOf('a')), context())
  const second = receiveVote(first.state, voteBy(members[1]!, FED, 'gov/4', hashOf('b')), context())
  t.is(second.evidence.length, 1)
  t.is(second.evidence[0]!.offender, members[1]!.node_id)
  t.is(second.state.held.size, 0)
})

test(`at most HELD_VOTES_MAX (${HELD_VOTES_MAX}) votes are held; older than HELD_VOTE_AGE_MS_MAX they are dropped`, (t) => {
  let state = start()
  for (let i = 0; i < HELD_VOTES_MAX; i++) state = receiveVote(state, voteBy(members[i % 4]!, FED, `s/${i}`, hashOf(`h${i}`)), context()).state
  t.is(state.held.size, HELD_VOTES_MAX)
  t.throws(() => receiveVote(state, voteBy(members[0]!, FED, 's/full', hashOf('one more')), context()), { instanceOf: HeldVotesFullError })
  // at the age limit they are still held; one millisecond later they make room
  t.throws(() => receiveVote(state, voteBy(members[0]!, FED, 's/full', hashOf('one more')), context(T0 + HELD_VOTE_AGE_MS_MAX)), { instanceOf: HeldVotesFullError })
  const later = receiveVote(state, voteBy(members[0]!, FED, 's/full', hashOf('one more')), context(T0 + HELD_VOTE_AGE_MS_MAX + 1))
  t.is(later.state.held.size, 1)
  // an expired vote is not applied when its event comes at last
  const event = proposal('s/0', members[1]!)
  const expired = receiveVote(start(), voteBy(members[0]!, FED, 's/0', eventHash(event)), context())
  const learned: StepResult = learnEvent(expired.state, event, context(T0 + HELD_VOTE_AGE_MS_MAX + 1))
  t.is(learned.state.slots.get('s/0')!.counts.size, 0)
})

test('an event proposed by a non-member is refused', (t) => {
  t.throws(() => learnEvent(start(), proposal('gov/5', digestMember(9)), context()), { instanceOf: EventFromNonMemberError })
})
