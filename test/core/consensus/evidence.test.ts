import test from 'ava'
import { equivocationEvidence, verifyEvidence, evidenceFromJson, evidenceToJson, InvalidEvidenceError } from '../../../src/core/consensus/evidence.ts'
import { VoteSignatureError } from '../../../src/core/consensus/vote.ts'
import { realMember, realVerifier, membershipOf, voteBy, hashOf } from './fixtures.ts'

const FED = 'grid'
const members = [0, 1, 2, 3].map(realMember)
const check = { federationId: FED, membership: membershipOf(FED, members), verifier: realVerifier }
const offender = members[3]!
const a = voteBy(offender, FED, 'gov/7', hashOf('a'))
const b = voteBy(offender, FED, 'gov/7', hashOf('b'))

test('two signed votes by one member for different hashes in one slot are evidence anyone can verify', (t) => {
  const evidence = equivocationEvidence(a, b)
  t.is(evidence.offender, offender.node_id)
  t.notThrows(() => { verifyEvidence(evidence, check) })
  // order-independent: the same pair gives the same evidence
  t.deepEqual(equivocationEvidence(b, a), evidence)
  // and it survives JSON (gossip, store)
  t.notThrows(() => { verifyEvidence(evidenceFromJson(JSON.parse(JSON.stringify(evidenceToJson(evidence)))), check) })
})

test('forged evidence does not verify: a vote the offender never signed', (t) => {
  const forged = { ...a, event_hash: hashOf('c') } // signature covers hash a, not c
  const err = t.throws(() => { verifyEvidence(equivocationEvidence(forged, b), check) })
  t.true(err instanceof VoteSignatureError)
})

test('forged evidence does not verify: another member\'s vote passed off as the offender\'s', (t) => {
  const framed = { ...voteBy(members[0]!, FED, 'gov/7', hashOf('c')), voter: offender.node_id }
  t.is(t.throws(() => { verifyEvidence(equivocationEvidence(a, framed), check) })?.name, 'VoteSignatureError')
})

test('two votes for the same hash, in different slots, or by different members are no evidence', (t) => {
  t.throws(() => { verifyEvidence(equivocationEvidence(a, a), check) }, { instanceOf: InvalidEvidenceError })
  const otherSlot = voteBy(offender, FED, 'gov/8', hashOf('b'))
  t.throws(() => { verifyEvidence(equivocationEvidence(a, otherSlot), check) }, { instanceOf: InvalidEvidenceError })
  const otherVoter = voteBy(members[0]!, FED, 'gov/7', hashOf('b'))
  t.throws(() => { verifyEvidence(equivocationEvidence(a, otherVoter), check) }, { instanceOf: InvalidEvidenceError })
})
