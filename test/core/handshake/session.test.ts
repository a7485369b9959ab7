import test from 'ava'
import {
  BadHandshakeSignatureError, BadNodeRecordError, HandshakeRefusedByPeerError, IncompatibleVersionError, NotAMemberError, POLICY_ROUNDS_MAX,
  PolicyRefusedError, PolicyRoundsExhaustedError, RevokedKeyError, UnexpectedHandshakeMessageError, agreedPolicy, stepSession,
  type HandshakeMessage
} from '../../../src/core/handshake/index.ts'
import { capabilities, context, membersOf, node, run } from './fixtures.ts'

const [a, b, outsider] = await Promise.all([node('a'), node('b'), node('outsider')])

test('happy path: capabilities, credentials, one proposal, accept; both ends agree the same terms', (t) => {
  const members = membersOf(a, b)
  const result = run({
    initiator: a,
    responder: b,
    initiatorContext: context(a, capabilities(['incident_summary', 'playbook_metadata'], ['incident_summary']), members),
    responderContext: context(b, capabilities(['incident_summary'], ['incident_summary', 'playbook_metadata']), members)
  })
  t.is(result.initiator.phase, 'agreed')
  t.is(result.responder.phase, 'agreed')
  t.deepEqual(result.transcript.map((m) => m.message.kind), ['hello', 'hello_reply', 'auth', 'accept'])
  t.deepEqual(result.initiator.agreed, result.responder.agreed)
  const mine = agreedPolicy('initiator', result.initiator.agreed!)
  t.deepEqual(mine.sends, ['incident_summary', 'playbook_metadata'], 'a offers both, b wants both')
  t.deepEqual(mine.receives, ['incident_summary'], 'b offers only incident_summary')
  const theirs = agreedPolicy('responder', result.responder.agreed!)
  t.deepEqual(theirs.sends, mine.receives)
  t.deepEqual(theirs.receives, mine.sends)
  t.is(mine.heartbeatIntervalMs, 1000)
})

test('a node record that does not verify is refused: BadNodeRecordError, and the initiator hears the refusal', (t) => {
  const members = membersOf(a, b)
  const broken = context(a, capabilities(['incident_summary']), members)
  const forged = new Uint8Array(a.nodeRecord)
  forged[forged.length - 5] ^= 0xff // inside the ML-DSA signature
  const result = run({ initiator: a, responder: b, initiatorContext: { ...broken, local: { ...broken.local, nodeRecord: forged } }, responderContext: context(b, capabilities(['incident_summary']), members) })
  t.true(result.responder.failure instanceof BadNodeRecordError)
  t.true(result.initiator.failure instanceof HandshakeRefusedByPeerError)
  t.regex(result.initiator.failure!.message, /bad_node_record/)
})

test('another node\'s record is refused: the record must be the connection\'s peer\'s', (t) => {
  const members = membersOf(a, b, outsider)
  const ctx = context(a, capabilities([]), members)
  const result = run({ initiator: a, responder: b, initiatorContext: { ...ctx, local: { ...ctx.local, nodeRecord: outsider.nodeRecord } }, responderContext: context(b, capabilities([]), members) })
  t.true(result.responder.failure instanceof BadNodeRecordError)
})

test('a non-member is refused before its record is even checked: NotAMemberError', (t) => {
  const result = run({
    initiator: outsider,
    responder: b,
    initiatorContext: context(outsider, capabilities([]), membersOf(outsider, b)),
    responderContext: context(b, capabilities([]), membersOf(a, b))
  })
  t.true(result.responder.failure instanceof NotAMemberError)
  t.is(result.responder.failure!.code, 'not_a_member')
  t.true(result.initiator.failure instanceof HandshakeRefusedByPeerError)
})

test('a revoked (rotated) key is refused: the record binds a key the membership no longer holds', (t) => {
  // the membership holds the outsider's key for a's PeerId: a's own (valid) record no longer matches it
  const membership = membersOf(a, b)
  membership.set(a.peerId, outsider.signer.publicKey)
  const result = run({ initiator: a, responder: b, initiatorContext: context(a, capabilities([]), membersOf(a, b)), responderContext: context(b, capabilities([]), membership) })
  t.true(result.responder.failure instanceof RevokedKeyError)
})

test('a responder key revoked in the initiator\'s membership is refused by the initiator', (t) => {
  const membership = membersOf(a, b)
  membership.set(b.peerId, outsider.signer.publicKey)
  const result = run({ initiator: a, responder: b, initiatorContext: context(a, capabilities([]), membership), responderContext: context(b, capabilities([]), membersOf(a, b)) })
  t.true(result.initiator.failure instanceof RevokedKeyError)
  t.true(result.responder.failure instanceof HandshakeRefusedByPeerError)
})

test('a transcript signature that does not verify is refused (both halves are required)', (t) => {
  const members = membersOf(a, b)
  for (const half of ['ed25519', 'mldsa'] as const) {
    const result = run({
      initiator: a,
      responder: b,
      initiatorContext: context(a, capabilities([]), members),
      responderContext: context(b, capabilities([]), members),
      tamper: (message) => {
        if (message.kind !== 'auth') return message
        const signature = { ...message.signature, [half]: new Uint8Array(message.signature[half]) }
        signature[half][0] ^= 1
        return { ...message, signature }
      }
    })
    t.true(result.responder.failure instanceof BadHandshakeSignatureError, half)
  }
  // the responder's signature is checked by the initiator just the same
  const replayed = run({
    initiator: a,
    responder: b,
    initiatorContext: context(a, capabilities([]), members),
    responderContext: context(b, capabilities([]), members),
    tamper: (message) => (message.kind === 'hello_reply' ? { ...message, hello: { ...message.hello, nonce: new Uint8Array(32) } } : message)
  })
  t.true(replayed.initiator.failure instanceof BadHandshakeSignatureError, 'a signature over another nonce does not answer this handshake')
})

test('no common version: IncompatibleVersionError', (t) => {
  const members = membersOf(a, b)
  const result = run({ initiator: a, responder: b, initiatorContext: context(a, capabilities([], [], { versions: [7] }), members), responderContext: context(b, capabilities([]), members) })
  t.true(result.responder.failure instanceof IncompatibleVersionError)
})

test('policy refused: the responder requires a class the initiator does not offer', (t) => {
  const members = membersOf(a, b)
  const result = run({
    initiator: a,
    responder: b,
    initiatorContext: context(a, capabilities(['playbook_metadata'], ['incident_summary', 'playbook_metadata']), members),
    responderContext: context(b, capabilities(['incident_summary'], ['incident_summary', 'playbook_metadata']), members, ['incident_summary'])
  })
  t.true(result.responder.failure instanceof PolicyRefusedError)
  t.is(result.responder.failure!.code, 'policy_refused')
  t.true(result.initiator.failure instanceof HandshakeRefusedByPeerError)
  t.is(result.initiator.agreed, undefined)
  t.is(result.responder.agreed, undefined)
})

test('policy refused by the initiator itself when the responder does not offer what it requires', (t) => {
  const members = membersOf(a, b)
  const result = run({
    initiator: a,
    responder: b,
    initiatorContext: context(a, capabilities(['incident_summary']), members, ['coordination_request']),
    responderContext: context(b, capabilities(['incident_summary']), members)
  })
  t.true(result.initiator.failure instanceof PolicyRefusedError)
})

test('a proposal beyond what the responder allows gets a counter-proposal, which the initiator accepts', (t) => {
  const members = membersOf(a, b)
  const result = run({
    initiator: a,
    responder: b,
    initiatorContext: context(a, capabilities(['incident_summary', 'playbook_metadata']), members),
    responderContext: context(b, capabilities(['incident_summary']), members),
    // the initiator's first proposal asks the responder to send playbook_metadata, which it does not offer
    tamper: (message) => (message.kind === 'auth' ? { ...message, proposal: { ...message.proposal, responderSends: ['incident_summary', 'playbook_metadata'] } } : message)
  })
  t.deepEqual(result.transcript.map((m) => m.message.kind), ['hello', 'hello_reply', 'auth', 'counter', 'accept'])
  t.is(result.initiator.phase, 'agreed')
  t.deepEqual(result.responder.agreed!.responderSends, ['incident_summary'])
})

test(`a peer that keeps countering outside policy exhausts the rounds (${POLICY_ROUNDS_MAX}) and fails`, (t) => {
  const members = membersOf(a, b)
  const greedy = (message: HandshakeMessage, from: 'initiator' | 'responder'): HandshakeMessage | undefined => {
    if (from !== 'initiator') return message
    if (message.kind === 'auth') return { ...message, proposal: { ...message.proposal, responderSends: ['incident_summary', 'playbook_metadata'] } }
    // instead of accepting the counter, insist again
    if (message.kind === 'accept') return undefined
    return message
  }
  const responderContext = context(b, capabilities(['incident_summary']), members)
  const result = run({ initiator: a, responder: b, initiatorContext: context(a, capabilities(['incident_summary', 'playbook_metadata']), members), responderContext, tamper: greedy })
  // the responder countered in round 2; the greedy initiator now counters round 3, and so on
  let responder = result.responder
  t.is(responder.phase, 'negotiating')
  t.is(responder.round, 2)
  const terms = { initiatorSends: ['incident_summary' as const], responderSends: ['incident_summary' as const, 'playbook_metadata' as const], heartbeatIntervalMs: 1000, messageBytesMax: 64 * 1024 }
  let round = 3
  const outbound: HandshakeMessage[] = []
  while (responder.phase === 'negotiating') {
    const step = stepSession(responder, { kind: 'counter', round, terms }, responderContext)
    responder = step.session
    outbound.push(...step.outbound)
    round += 2
  }
  t.true(responder.failure instanceof PolicyRoundsExhaustedError)
  t.is(responder.failure!.code, 'rounds_exhausted')
  t.like(outbound.at(-1), { kind: 'refuse', code: 'rounds_exhausted' })
  t.true(outbound.filter((m) => m.kind === 'counter').every((m) => m.kind === 'counter' && m.round <= POLICY_ROUNDS_MAX))
})

test('an accept of terms never proposed, or a message out of order, is refused', (t) => {
  const members = membersOf(a, b)
  const result = run({
    initiator: a,
    responder: b,
    initiatorContext: context(a, capabilities(['incident_summary']), members),
    responderContext: context(b, capabilities(['incident_summary']), members),
    tamper: (message) => (message.kind === 'accept' ? { ...message, terms: { ...message.terms, responderSends: ['incident_summary', 'coordination_request'] } } : message)
  })
  t.true(result.initiator.failure instanceof UnexpectedHandshakeMessageError)
  const early = run({
    initiator: a,
    responder: b,
    initiatorContext: context(a, capabilities([]), members),
    responderContext: context(b, capabilities([]), members),
    tamper: (message) => (message.kind === 'hello' ? { kind: 'counter', round: 2, terms: { initiatorSends: [], responderSends: [], heartbeatIntervalMs: 1000, messageBytesMax: 1 } } : message)
  })
  t.true(early.responder.failure instanceof UnexpectedHandshakeMessageError)
})
