import test from 'ava'
import {
  parseParticipantId, formatParticipantId, shortParticipantId, HANDLE_LENGTH_MAX, NODE_ID_LENGTH_MAX, PARTICIPANT_ID_LENGTH_MAX,
  InvalidHandleError, InvalidNodeIdError, ParticipantIdSchemeError, ParticipantIdTooLongError, InvalidParticipantIdError
} from '../../../src/core/identity/participant-id.ts'
import { InvalidParticipantIdError as MatchingInvalidParticipantIdError } from '../../../src/core/matching/errors.ts'

const site = 'uk_north'
const peerId = '12D3KooWDZsLhX29oTnM7yUGBJaUtFyDDaYALxJgauRMepGMVJnD'

test('a participant id parses into handle and node (the site id) and formats back', (t) => {
  t.deepEqual(parseParticipantId(`sep://ada.l@${site}`), { handle: 'ada.l', node: site })
  t.is(formatParticipantId({ handle: 'ada.l', node: site }), `sep://ada.l@${site}`)
  for (const handle of ['a', 'ada', 'ada_l-2', 'x.y.z', '0']) t.is(formatParticipantId(parseParticipantId(`sep://${handle}@${site}`)), `sep://${handle}@${site}`)
  t.is(shortParticipantId(`sep://ada@${site}`), `ada@${site}`)
})

test('a PeerId is accepted as the node part too', (t) => {
  t.deepEqual(parseParticipantId(`sep://ada@${peerId}`), { handle: 'ada', node: peerId })
})

test('matching and identity share one error class for bad participant ids', (t) => {
  t.is(MatchingInvalidParticipantIdError, InvalidParticipantIdError)
})

const refusals: Array<[string, string, new (...args: never[]) => InvalidParticipantIdError]> = [
  ['wrong scheme', `http://ada@${site}`, ParticipantIdSchemeError],
  ['no scheme', `ada@${site}`, ParticipantIdSchemeError],
  ['no node', 'sep://ada', InvalidParticipantIdError],
  ['empty handle', `sep://@${site}`, InvalidHandleError],
  ['uppercase handle', `sep://Ada@${site}`, InvalidHandleError],
  ['handle with space', `sep://a da@${site}`, InvalidHandleError],
  ['doubled separator', `sep://a..b@${site}`, InvalidHandleError],
  ['leading separator', `sep://.ab@${site}`, InvalidHandleError],
  ['two @', `sep://ada@b@${site}`, InvalidParticipantIdError],
  ['empty node', 'sep://ada@', InvalidNodeIdError],
  ['node with a slash', 'sep://ada@uk/north', InvalidNodeIdError],
  ['node with a doubled separator', 'sep://ada@uk__north', InvalidNodeIdError]
]
for (const [what, text, errorClass] of refusals) {
  test(`a participant id with ${what} is refused with ${errorClass.name}`, (t) => {
    const err = t.throws(() => parseParticipantId(text), { instanceOf: errorClass })
    t.true(err instanceof InvalidParticipantIdError)
  })
}

test('handle length: HANDLE_LENGTH_MAX is accepted, one more is refused', (t) => {
  t.notThrows(() => parseParticipantId(`sep://${'a'.repeat(HANDLE_LENGTH_MAX)}@${site}`))
  t.throws(() => parseParticipantId(`sep://${'a'.repeat(HANDLE_LENGTH_MAX + 1)}@${site}`), { instanceOf: InvalidHandleError })
  t.throws(() => formatParticipantId({ handle: 'a'.repeat(HANDLE_LENGTH_MAX + 1), node: site }), { instanceOf: InvalidHandleError })
})

test('node length: NODE_ID_LENGTH_MAX is accepted, one more is refused', (t) => {
  t.notThrows(() => parseParticipantId(`sep://a@${'z'.repeat(NODE_ID_LENGTH_MAX)}`))
  t.throws(() => formatParticipantId({ handle: 'a', node: 'z'.repeat(NODE_ID_LENGTH_MAX + 1) }), { instanceOf: InvalidNodeIdError })
})

test('whole id length: PARTICIPANT_ID_LENGTH_MAX is accepted, one more is refused before any other check', (t) => {
  const longest = `sep://${'a'.repeat(HANDLE_LENGTH_MAX)}@${'z'.repeat(NODE_ID_LENGTH_MAX)}`
  t.is(longest.length, PARTICIPANT_ID_LENGTH_MAX)
  t.notThrows(() => parseParticipantId(longest))
  t.throws(() => parseParticipantId(`${longest}z`), { instanceOf: ParticipantIdTooLongError })
})

test('a very long handle is not echoed back whole', (t) => {
  const err = t.throws(() => parseParticipantId(`sep://${'A'.repeat(10_000)}@x`))
  t.true(err.message.length < 400)
})
