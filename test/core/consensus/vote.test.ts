import test from 'ava'
import { toString } from 'uint8arrays'
import {
  voteMessage, verifyVote, voteFromJson, voteToJson,
  MalformedVoteError, VoteFromNonMemberError, VoteSignatureError, VoteWrongFederationError
} from '../../../src/core/consensus/vote.ts'
import { VOTE_DOMAIN, FEDERATION_ID_LENGTH_MAX, SLOT_ID_LENGTH_MAX } from '../../../src/core/consensus/constants.ts'
import { realMember, realVerifier, membershipOf, voteBy, hashOf } from './fixtures.ts'

const FED = 'grid'
const members = [0, 1, 2].map(realMember)
const membership = membershipOf(FED, members)
const check = { federationId: FED, membership, verifier: realVerifier }
const H = hashOf('event')

test('the signed bytes are the domain, then length-prefixed federation and slot, then the 32-byte hash', (t) => {
  const bytes = voteMessage('grid', 'gov/1', 'ab'.repeat(32))
  const expected = '6665646d6573682f766f74652f31' + '0a' + '04' + '67726964' + '05' + '676f762f31' + 'ab'.repeat(32)
  t.is(VOTE_DOMAIN, 'fedmesh/vote/1')
  t.is(toString(bytes, 'base16'), expected)
})

test('different fields never give the same signed bytes', (t) => {
  const a = voteMessage('ab', 'c', H)
  const b = voteMessage('a', 'bc', H)
  t.notDeepEqual(a, b)
})

test('a member\'s vote with real hybrid signatures verifies', (t) => {
  t.notThrows(() => { verifyVote(voteBy(members[0]!, FED, 'gov/1', H), check) })
})

test('a vote from a non-member is rejected', (t) => {
  const outsider = realMember(9)
  const err = t.throws(() => { verifyVote(voteBy(outsider, FED, 'gov/1', H), check) })
  t.is(err?.name, 'VoteFromNonMemberError')
  t.true(err instanceof VoteFromNonMemberError)
})

test('a vote for the wrong federation is rejected', (t) => {
  const err = t.throws(() => { verifyVote(voteBy(members[0]!, 'other', 'gov/1', H), check) })
  t.is(err?.name, 'VoteWrongFederationError')
  t.true(err instanceof VoteWrongFederationError)
})

test('a vote with a bad signature is rejected', (t) => {
  const vote = voteBy(members[0]!, FED, 'gov/1', H)
  const forged = { ...vote, event_hash: hashOf('other') }
  t.is(t.throws(() => { verifyVote(forged, check) })?.name, 'VoteSignatureError')
  const flipped = { ...vote, signature: { ...vote.signature, mldsa: vote.signature.mldsa.map((b, i) => (i === 0 ? b ^ 1 : b)) } }
  t.true(t.throws(() => { verifyVote(flipped, check) }) instanceof VoteSignatureError)
  const impostor = { ...voteBy(members[1]!, FED, 'gov/1', H), voter: members[0]!.node_id }
  t.is(t.throws(() => { verifyVote(impostor, check) })?.name, 'VoteSignatureError')
})

test('a vote round-trips through JSON and still verifies', (t) => {
  const vote = voteBy(members[2]!, FED, 'gov/1', H)
  const back = voteFromJson(JSON.parse(JSON.stringify(voteToJson(vote))))
  t.deepEqual(back, vote)
  t.notThrows(() => { verifyVote(back, check) })
})

test('a malformed JSON vote is a MalformedVoteError naming the field', (t) => {
  const json = voteToJson(voteBy(members[0]!, FED, 'gov/1', H))
  const err = t.throws(() => voteFromJson({ ...json, event_hash: 'nothex' }))
  t.true(err instanceof MalformedVoteError)
  t.regex(err?.message ?? '', /event_hash/)
  t.true(t.throws(() => voteFromJson({ ...json, extra: 1 })) instanceof MalformedVoteError)
})

test('slot ids up to SLOT_ID_LENGTH_MAX are accepted, one more is not', (t) => {
  const json = voteToJson(voteBy(members[0]!, FED, 'gov/1', H))
  t.notThrows(() => voteFromJson({ ...json, slot: 's'.repeat(SLOT_ID_LENGTH_MAX) }))
  t.throws(() => voteFromJson({ ...json, slot: 's'.repeat(SLOT_ID_LENGTH_MAX + 1) }), { instanceOf: MalformedVoteError })
})

test('federation ids up to FEDERATION_ID_LENGTH_MAX are accepted, one more is not', (t) => {
  const json = voteToJson(voteBy(members[0]!, FED, 'gov/1', H))
  t.notThrows(() => voteFromJson({ ...json, federation_id: 'f'.repeat(FEDERATION_ID_LENGTH_MAX) }))
  t.throws(() => voteFromJson({ ...json, federation_id: 'f'.repeat(FEDERATION_ID_LENGTH_MAX + 1) }), { instanceOf: MalformedVoteError })
})
