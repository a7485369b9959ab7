import test from 'ava'
import { createConsensusState, applyVote, applyEvidence, learnEvent, closeSlot, applyTrust, VoterExcludedError, SlotsFullError, SLOTS_RETAINED_MAX, type ConsensusState, type StepResult } from '../../../src/core/consensus/machine.ts'
import { eventHash, parseEvent, type ConsensusEvent } from '../../../src/core/consensus/event.ts'
import { verifyQC } from '../../../src/core/consensus/quorum-certificate.ts'
import { verifyEvidence } from '../../../src/core/consensus/evidence.ts'
import { memberToJson } from '../../../src/core/consensus/member.ts'
import { DEFAULT_POLICY, type ConsensusPolicy } from '../../../src/core/consensus/threshold.ts'
import { VoteFromNonMemberError, VoteSignatureError, VoteWrongFederationError, type Vote } from '../../../src/core/consensus/vote.ts'
import { SLOTS_OPEN_MAX } from '../../../src/core/consensus/constants.ts'
import { realMember, realVerifier, membershipOf, voteBy, hashOf, digestMember, digestVerifier, type TestMember } from './fixtures.ts'

const FED = 'grid'
const T0 = Date.UTC(2026, 10, 24)
const source066: ConsensusPolicy = { threshold: 0.66, min_participating_nodes: 2, tie_breaking: 'timestamp_priority' }

function start (members: TestMember[], policy: ConsensusPolicy = source066): ConsensusState {
  return createConsensusState({ membership: membershipOf(FED, members), policy, now: T0 })
}

/** Feeds votes in order with the real verifier; returns the last result and every record. */
function feed (state: ConsensusState, votes: Vote[], verifier = realVerifier): StepResult {
  let result: StepResult = { state, records: [], evidence: [] }
  for (const vote of votes) {
    const next = applyVote(result.state, vote, { now: T0 + 1000, verifier })
    result = { state: next.state, records: [...result.records, ...next.records], evidence: [...result.evidence, ...next.evidence] }
  }
  return result
}

const history = (result: StepResult) => result.records.filter((r) => r.kind === 'history').map((r) => r.record).at(-1)

// The governance source's examples, threshold 0.66
const sourceExamples: Array<[number, number, boolean]> = [[3, 2, true], [3, 1, false], [5, 4, true], [5, 3, false]]
for (const [n, agreeing, achieved] of sourceExamples) {
  test(`threshold 0.66: ${agreeing}/${n} nodes agreeing → consensus ${achieved ? 'achieved' : 'failed'}`, (t) => {
    const members = Array.from({ length: n }, (_, i) => realMember(i))
    const votes = members.map((m, i) => voteBy(m, FED, 'gov/1', i < agreeing ? hashOf('A') : hashOf(`other-${i}`)))
    // the decided record is written once, when the QC forms: the dissenting votes come first so it holds every node's hash
    const result = feed(start(members), achieved ? [...votes.slice(agreeing), ...votes.slice(0, agreeing)] : votes)
    const record = history(result)
    t.truthy(record)
    t.is(record!.consensus_achieved, achieved)
    t.is(result.state.slots.get('gov/1')!.status, achieved ? 'decided' : 'failed')
    t.is(record!.agreement_percentage, Math.round((agreeing / n) * 10000) / 100)
    t.is(record!.participating_nodes.length, n)
    if (achieved) {
      t.is(record!.consensus_hash, hashOf('A'))
      t.deepEqual(record!.disagreeing_nodes.length, n - agreeing)
    }
  })
}

test('a decision emits a QC that verifies independently, and history with every node hash', (t) => {
  const members = [0, 1, 2, 3].map(realMember)
  const result = feed(start(members, DEFAULT_POLICY), [...members].reverse().map((m, i) => voteBy(m, FED, 'gov/2', i > 0 ? hashOf('A') : hashOf('B'))))
  const qc = result.records.find((r) => r.kind === 'qc')
  t.truthy(qc)
  if (qc?.kind !== 'qc') return
  t.is(qc.qc.votes.length, 3)
  t.notThrows(() => { verifyQC(qc.qc, { membership: result.state.membership, policy: DEFAULT_POLICY, verifier: realVerifier }) })
  const record = history(result)!
  t.is(record.resolution, 'quorum')
  t.deepEqual(record.disagreeing_nodes, [members[3]!.node_id])
  t.is(record.node_hashes[members[3]!.node_id], hashOf('B'))
})

test('agreement +2 for the decided hash\'s voters, disagreement −5 for the others', (t) => {
  const members = [0, 1, 2, 3].map(realMember)
  const result = feed(start(members, DEFAULT_POLICY), members.map((m, i) => voteBy(m, FED, 'gov/3', i < 3 ? hashOf('A') : hashOf('B'))))
  t.deepEqual(members.map((m) => result.state.trust.get(m.node_id)!.score), [52, 52, 52, 45])
})

test('a QC missing a vote, or with a vote counted twice, does not verify', (t) => {
  const members = [0, 1, 2, 3].map(realMember)
  const result = feed(start(members, DEFAULT_POLICY), members.slice(0, 3).map((m) => voteBy(m, FED, 'gov/4', hashOf('A'))))
  const qc = result.records.find((r) => r.kind === 'qc')
  if (qc?.kind !== 'qc') return t.fail()
  const check = { membership: result.state.membership, policy: DEFAULT_POLICY, verifier: realVerifier }
  t.is(t.throws(() => { verifyQC({ ...qc.qc, votes: qc.qc.votes.slice(1) }, check) })?.name, 'QCInsufficientVotesError')
  t.is(t.throws(() => { verifyQC({ ...qc.qc, votes: [...qc.qc.votes.slice(1), qc.qc.votes[1]!] }, check) })?.name, 'QCDuplicateVoterError')
  t.is(t.throws(() => { verifyQC(qc.qc, { ...check, eventHash: hashOf('B') }) })?.name, 'QCMismatchError')
})

test('equivocation: evidence is produced, the vote is discarded and the offender takes −20', (t) => {
  const members = [0, 1, 2, 3].map(realMember)
  const offender = members[3]!
  const result = feed(start(members, DEFAULT_POLICY), [
    voteBy(offender, FED, 'gov/5', hashOf('A')),
    voteBy(members[0]!, FED, 'gov/5', hashOf('A')),
    voteBy(offender, FED, 'gov/5', hashOf('B')),
    voteBy(members[1]!, FED, 'gov/5', hashOf('A'))
  ])
  t.is(result.evidence.length, 1)
  t.notThrows(() => { verifyEvidence(result.evidence[0]!, { federationId: FED, membership: result.state.membership, verifier: realVerifier }) })
  const slot = result.state.slots.get('gov/5')!
  t.is(slot.counts.get(hashOf('A')), 2) // the offender's A no longer counts: 2 of 3 needed
  t.is(slot.status, 'pending')
  t.is(result.state.trust.get(offender.node_id)!.score, 30)
  // the third honest vote decides; the offender gets no agreement credit
  const decided = feed(result.state, [voteBy(members[2]!, FED, 'gov/5', hashOf('A'))])
  t.is(decided.state.slots.get('gov/5')!.status, 'decided')
  t.is(decided.state.trust.get(offender.node_id)!.score, 30)
  t.deepEqual(history(decided)!.equivocating_nodes, [offender.node_id])
})

test('gossiped evidence penalises the offender once on a node that saw neither vote', (t) => {
  const members = [0, 1, 2, 3].map(realMember)
  const offender = members[3]!
  const producer = feed(start(members, DEFAULT_POLICY), [voteBy(offender, FED, 'gov/6', hashOf('A')), voteBy(offender, FED, 'gov/6', hashOf('B'))])
  const evidence = producer.evidence[0]!
  const receiver = applyEvidence(start(members, DEFAULT_POLICY), evidence, { now: T0, verifier: realVerifier })
  t.is(receiver.state.trust.get(offender.node_id)!.score, 30)
  const again = applyEvidence(receiver.state, evidence, { now: T0, verifier: realVerifier })
  t.is(again.records.length, 0)
  t.is(again.state.trust.get(offender.node_id)!.score, 30)
})

test('a duplicate vote changes nothing and outputs nothing', (t) => {
  const members = [0, 1, 2, 3].map(realMember)
  const vote = voteBy(members[0]!, FED, 'gov/7', hashOf('A'))
  const once = feed(start(members, DEFAULT_POLICY), [vote])
  const twice = applyVote(once.state, vote, { now: T0, verifier: realVerifier })
  t.is(twice.state, once.state)
  t.deepEqual(twice.records, [])
})

test('the machine rejects non-members, other federations, bad signatures and VERY LOW voters with named errors', (t) => {
  const members = [0, 1, 2, 3].map(realMember)
  const state = start(members, DEFAULT_POLICY)
  const context = { now: T0, verifier: realVerifier }
  t.throws(() => applyVote(state, voteBy(realMember(9), FED, 'gov/8', hashOf('A')), context), { instanceOf: VoteFromNonMemberError })
  t.throws(() => applyVote(state, voteBy(members[0]!, 'other', 'gov/8', hashOf('A')), context), { instanceOf: VoteWrongFederationError })
  t.throws(() => applyVote(state, { ...voteBy(members[0]!, FED, 'gov/8', hashOf('A')), event_hash: hashOf('B') }, context), { instanceOf: VoteSignatureError })
  let low = state
  for (let i = 0; i < 2; i++) low = applyTrust(low, members[1]!.node_id, 'admin_penalty', context).state
  t.is(low.trust.get(members[1]!.node_id)!.score, 10)
  const err = t.throws(() => applyVote(low, voteBy(members[1]!, FED, 'gov/8', hashOf('A')), context))
  t.true(err instanceof VoterExcludedError)
  t.is(err?.name, 'VoterExcludedError')
})

function event (fields: Partial<ConsensusEvent> & Pick<ConsensusEvent, 'type' | 'body'>): ConsensusEvent {
  return parseEvent({ federation_id: FED, slot: 'membership/1', initiated_at: T0, proposer: realMember(0).node_id, ...fields })
}

test('membership changes only when its event is decided, and the new member can then vote', (t) => {
  const members = [0, 1, 2, 3].map(realMember)
  const newcomer = realMember(4)
  const add = event({ type: 'membership_add', body: { member: memberToJson({ node_id: newcomer.node_id, public_key: newcomer.signer.publicKey, joined_at: 0 }) } })
  const hash = eventHash(add)
  let result = learnEvent(start(members, DEFAULT_POLICY), add, { now: T0, verifier: realVerifier })
  result = feed(result.state, members.slice(0, 2).map((m) => voteBy(m, FED, 'membership/1', hash)))
  t.is(result.state.membership.members.size, 4) // 2 of 3 votes: pending, nothing changes
  t.throws(() => applyVote(result.state, voteBy(newcomer, FED, 'gov/9', hashOf('A')), { now: T0, verifier: realVerifier }), { instanceOf: VoteFromNonMemberError })
  result = feed(result.state, [voteBy(members[2]!, FED, 'membership/1', hash)])
  t.is(result.state.membership.members.size, 5)
  t.is(result.state.membership.epoch, 1)
  t.true(result.records.some((r) => r.kind === 'membership'))
  t.notThrows(() => applyVote(result.state, voteBy(newcomer, FED, 'gov/9', hashOf('A')), { now: T0, verifier: realVerifier }))
})

test('a decided event whose body arrives after the QC still takes effect', (t) => {
  const members = [0, 1, 2, 3].map(realMember)
  const remove = event({ type: 'membership_remove', body: { node_id: members[3]!.node_id } })
  const decided = feed(start(members, DEFAULT_POLICY), members.slice(0, 3).map((m) => voteBy(m, FED, 'membership/1', eventHash(remove))))
  t.is(decided.state.membership.members.size, 4)
  const learnt = learnEvent(decided.state, remove, { now: T0, verifier: realVerifier })
  t.is(learnt.state.membership.members.size, 3)
  t.false(learnt.state.membership.members.has(members[3]!.node_id))
})

test('a decided policy change replaces the threshold', (t) => {
  const members = [0, 1, 2].map(realMember)
  const change = event({ type: 'policy_change', slot: 'policy/1', body: { threshold: 1 } })
  let result = learnEvent(start(members, DEFAULT_POLICY), change, { now: T0, verifier: realVerifier })
  result = feed(result.state, members.map((m) => voteBy(m, FED, 'policy/1', eventHash(change))))
  t.is(result.state.policy.threshold, 1)
})

test('tie-breaking resolves a failed slot: timestamp_priority, lexicographic, trust_weighted, manual_review', (t) => {
  const members = [0, 1, 2, 3].map(realMember)
  const early = event({ type: 'governance_proposal', slot: 'gov/10', initiated_at: T0, body: { title: 'early', text: '' } })
  const late = event({ type: 'governance_proposal', slot: 'gov/10', initiated_at: T0 + 5, body: { title: 'late', text: '' } })
  const [he, hl] = [eventHash(early), eventHash(late)]
  const outcome = (rule: ConsensusPolicy['tie_breaking'], boost?: string) => {
    let state = start(members, { ...DEFAULT_POLICY, tie_breaking: rule })
    if (boost !== undefined) state = applyTrust(state, boost, 'admin_boost', { now: T0 }).state
    state = learnEvent(state, early, { now: T0, verifier: realVerifier }).state
    state = learnEvent(state, late, { now: T0, verifier: realVerifier }).state
    return history(feed(state, members.map((m, i) => voteBy(m, FED, 'gov/10', i < 2 ? hl : he))))!
  }
  const byTime = outcome('timestamp_priority')
  t.is(byTime.consensus_hash, he)
  t.false(byTime.consensus_achieved)
  t.is(byTime.resolution, 'timestamp_priority')
  t.is(outcome('lexicographic').consensus_hash, [he, hl].sort()[0])
  t.is(outcome('trust_weighted', members[3]!.node_id).consensus_hash, he)
  t.is(outcome('trust_weighted', members[0]!.node_id).consensus_hash, hl)
  const manual = outcome('manual_review')
  t.is(manual.consensus_hash, null)
  t.true(manual.needs_review)
})

test('closing a pending slot at its deadline fails it and resolves it by tie-breaking', (t) => {
  const members = [0, 1, 2, 3].map(realMember)
  const open = feed(start(members, { ...DEFAULT_POLICY, tie_breaking: 'lexicographic' }), [voteBy(members[0]!, FED, 'gov/11', hashOf('A'))])
  t.is(open.state.slots.get('gov/11')!.status, 'pending')
  const closed = closeSlot(open.state, 'gov/11', { now: T0 + 60_000 })
  t.is(closed.state.slots.get('gov/11')!.status, 'failed')
  t.is(history(closed)!.consensus_hash, hashOf('A'))
  t.is(history(closed)!.completed_at, T0 + 60_000)
})

test(`at most SLOTS_OPEN_MAX (${SLOTS_OPEN_MAX}) slots may be pending; the next one is refused`, (t) => {
  const members = [0, 1, 2, 3].map(digestMember)
  let state = createConsensusState({ membership: membershipOf(FED, members), policy: DEFAULT_POLICY, now: T0 })
  const context = { now: T0, verifier: digestVerifier }
  for (let i = 0; i < SLOTS_OPEN_MAX; i++) state = applyVote(state, voteBy(members[0]!, FED, `s/${i}`, hashOf('A')), context).state
  t.is(state.slots.size, SLOTS_OPEN_MAX)
  t.throws(() => applyVote(state, voteBy(members[0]!, FED, `s/${SLOTS_OPEN_MAX}`, hashOf('A')), context), { instanceOf: SlotsFullError })
  // a vote in an open slot is still fine
  t.notThrows(() => applyVote(state, voteBy(members[1]!, FED, 's/0', hashOf('A')), context))
})

test(`at most SLOTS_RETAINED_MAX (${SLOTS_RETAINED_MAX}) completed slots stay in memory; the earliest completed goes first`, (t) => {
  const members = [0, 1].map(digestMember)
  let state = createConsensusState({ membership: membershipOf(FED, members), policy: DEFAULT_POLICY, now: T0 })
  for (let i = 0; i < SLOTS_RETAINED_MAX; i++) {
    for (const m of members) state = applyVote(state, voteBy(m, FED, `s/${i}`, hashOf('A')), { now: T0 + i, verifier: digestVerifier }).state
  }
  t.is(state.slots.size, SLOTS_RETAINED_MAX)
  t.is(state.slots.pending, 0)
  state = applyVote(state, voteBy(members[0]!, FED, 'next', hashOf('A')), { now: T0 + SLOTS_RETAINED_MAX, verifier: digestVerifier }).state
  t.is(state.slots.size, SLOTS_RETAINED_MAX)
  t.false(state.slots.has('s/0'))
  t.true(state.slots.has('s/1'))
  t.true(state.slots.has('next'))
})

test('a decided change that cannot apply (adding a member twice) is void and the deciding vote still counts', (t) => {
  const members = [0, 1, 2, 3].map(realMember)
  const again = event({ type: 'membership_add', body: { member: memberToJson({ node_id: members[1]!.node_id, public_key: members[1]!.signer.publicKey, joined_at: 0 }) } })
  let result = learnEvent(start(members, DEFAULT_POLICY), again, { now: T0, verifier: realVerifier })
  result = feed(result.state, members.slice(0, 3).map((m) => voteBy(m, FED, 'membership/1', eventHash(again))))
  t.is(result.state.slots.get('membership/1')!.status, 'decided')
  t.is(result.state.membership.epoch, 0)
  t.is(result.state.membership.members.size, 4)
})

test('a decided slot\'s record and QC are written once: a late vote and later equivocation evidence are stored beside them', (t) => {
  const members = [0, 1, 2, 3].map(realMember)
  const decided = feed(start(members, DEFAULT_POLICY), members.slice(0, 3).map((m) => voteBy(m, FED, 'gov/9', hashOf('A'))))
  t.is(decided.records.filter((r) => r.kind === 'history').length, 1)
  t.is(decided.records.filter((r) => r.kind === 'qc').length, 1)
  // a late honest vote: stored, earns trust, changes no record
  const late = feed(decided.state, [voteBy(members[3]!, FED, 'gov/9', hashOf('B'))])
  t.deepEqual(late.records.map((r) => r.kind).sort(), ['trust', 'vote'])
  // a voter of the QC signs a second hash: evidence and penalty, still no history or QC record
  const second = voteBy(members[0]!, FED, 'gov/9', hashOf('C'))
  const evidence = feed(late.state, [second])
  t.deepEqual([...new Set(evidence.records.map((r) => r.kind))].sort(), ['evidence', 'trust', 'vote'])
  t.is(evidence.evidence.length, 1)
  t.is(evidence.state.slots.get('gov/9')!.status, 'decided')
})
