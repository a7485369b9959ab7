import test from 'ava'
import { parseEvent, eventHash, InvalidEventError } from '../../../src/core/consensus/event.ts'
import { createMembership, MembershipSizeError, DuplicateMemberError } from '../../../src/core/consensus/membership.ts'
import { canonicalJson } from '../../../src/core/consensus/canonical.ts'
import { PROPOSAL_TEXT_LENGTH_MAX, PROPOSAL_TITLE_LENGTH_MAX, MEMBERS_MAX } from '../../../src/core/consensus/constants.ts'
import { PEER_ID_LENGTH_MAX, PEER_ID_LENGTH_MIN } from '../../../src/core/identity/peer-id.ts'
import { digestMember, nodeId } from './fixtures.ts'

const proposal = (body: { title: string, text: string }, proposer = nodeId(0)) => ({
  type: 'governance_proposal', federation_id: 'grid', slot: 'gov/1', initiated_at: 1, proposer, body
})

test('the event hash is the same for the same event whatever its key order', (t) => {
  const a = parseEvent(proposal({ title: 't', text: 'x' }))
  const b = parseEvent(JSON.parse(canonicalJson(a)))
  t.is(eventHash(a), eventHash(b))
  t.regex(eventHash(a), /^[0-9a-f]{64}$/)
  t.not(eventHash(a), eventHash(parseEvent(proposal({ title: 't', text: 'y' }))))
})

test('canonical JSON sorts keys and drops undefined', (t) => {
  t.is(canonicalJson({ b: 1, a: [true, null, 'x'], c: undefined, d: { z: 0.66, y: -1 } }), '{"a":[true,null,"x"],"b":1,"d":{"y":-1,"z":0.66}}')
  t.throws(() => canonicalJson({ n: Number.NaN }))
})

test(`a proposal title may have PROPOSAL_TITLE_LENGTH_MAX (${PROPOSAL_TITLE_LENGTH_MAX}) characters, not one more`, (t) => {
  t.notThrows(() => parseEvent(proposal({ title: 't'.repeat(PROPOSAL_TITLE_LENGTH_MAX), text: '' })))
  t.throws(() => parseEvent(proposal({ title: 't'.repeat(PROPOSAL_TITLE_LENGTH_MAX + 1), text: '' })), { instanceOf: InvalidEventError })
})

test(`a proposal text may have PROPOSAL_TEXT_LENGTH_MAX (${PROPOSAL_TEXT_LENGTH_MAX}) characters, not one more`, (t) => {
  t.notThrows(() => parseEvent(proposal({ title: 't', text: 'x'.repeat(PROPOSAL_TEXT_LENGTH_MAX) })))
  t.throws(() => parseEvent(proposal({ title: 't', text: 'x'.repeat(PROPOSAL_TEXT_LENGTH_MAX + 1) })), { instanceOf: InvalidEventError })
})

test(`node ids (PeerIds) may have ${PEER_ID_LENGTH_MIN} to PEER_ID_LENGTH_MAX (${PEER_ID_LENGTH_MAX}) characters, not one more or less`, (t) => {
  t.notThrows(() => parseEvent(proposal({ title: 't', text: '' }, '1'.repeat(PEER_ID_LENGTH_MAX))))
  t.notThrows(() => parseEvent(proposal({ title: 't', text: '' }, '1'.repeat(PEER_ID_LENGTH_MIN))))
  for (const length of [PEER_ID_LENGTH_MAX + 1, PEER_ID_LENGTH_MIN - 1]) {
    const err = t.throws(() => parseEvent(proposal({ title: 't', text: '' }, '1'.repeat(length))))
    t.true(err instanceof InvalidEventError)
    t.regex(err?.message ?? '', /proposer/)
  }
})

test('an unknown event type or a policy change that changes nothing is an InvalidEventError', (t) => {
  t.throws(() => parseEvent({ ...proposal({ title: 't', text: '' }), type: 'coup' }), { instanceOf: InvalidEventError })
  t.throws(() => parseEvent({ type: 'policy_change', federation_id: 'grid', slot: 'policy/1', initiated_at: 1, proposer: nodeId(0), body: {} }), { instanceOf: InvalidEventError })
  t.throws(() => parseEvent({ type: 'policy_change', federation_id: 'grid', slot: 'policy/1', initiated_at: 1, proposer: nodeId(0), body: { threshold: 0.5 } }), { instanceOf: InvalidEventError })
})

test(`a membership holds 1 to MEMBERS_MAX (${MEMBERS_MAX}) distinct members`, (t) => {
  const member = (i: number) => ({ node_id: nodeId(i), public_key: digestMember(i).signer.publicKey, joined_at: 0 })
  const many = Array.from({ length: MEMBERS_MAX + 1 }, (_, i) => member(i))
  t.is(createMembership('grid', many.slice(0, MEMBERS_MAX)).members.size, MEMBERS_MAX)
  t.throws(() => createMembership('grid', many), { instanceOf: MembershipSizeError })
  t.throws(() => createMembership('grid', []), { instanceOf: MembershipSizeError })
  t.throws(() => createMembership('grid', [member(1), member(1)]), { instanceOf: DuplicateMemberError })
})
