import test from 'ava'
import {
  parseParticipantId, formatParticipantId, HANDLE_LENGTH_MAX, NODE_ID_LENGTH_MAX, NODE_ID_LENGTH_MIN, PARTICIPANT_ID_LENGTH_MAX,
  InvalidHandleError, InvalidNodeIdError, ParticipantIdSchemeError, ParticipantIdTooLongError, ParticipantIdError
} from '../../../src/core/identity/participant-id.ts'

const node = '12D3KooWDZsLhX29oTnM7yUGBJaUtFyDDaYALxJgauRMepGMVJnD'

test('a participant id parses into handle and node id and formats back', (t) => {
  t.deepEqual(parseParticipantId(`sep://ada.l@${node}`), { handle: 'ada.l', nodeId: node })
  t.is(formatParticipantId({ handle: 'ada.l', nodeId: node }), `sep://ada.l@${node}`)
  for (const handle of ['a', 'ada', 'ada_l-2', 'x.y.z', '0']) t.is(formatParticipantId(parseParticipantId(`sep://${handle}@${node}`)), `sep://${handle}@${node}`)
})

const refusals: Array<[string, string, new (...args: never[]) => ParticipantIdError]> = [
  ['wrong scheme', `http://ada@${node}`, ParticipantIdSchemeError],
  ['no scheme', `ada@${node}`, ParticipantIdSchemeError],
  ['no node id', 'sep://ada', InvalidNodeIdError],
  ['empty handle', `sep://@${node}`, InvalidHandleError],
  ['uppercase handle', `sep://Ada@${node}`, InvalidHandleError],
  ['handle with space', `sep://a da@${node}`, InvalidHandleError],
  ['doubled separator', `sep://a..b@${node}`, InvalidHandleError],
  ['leading separator', `sep://.ab@${node}`, InvalidHandleError],
  ['two @', `sep://ada@b@${node}`, InvalidNodeIdError],
  ['node id not base58', `sep://ada@${node.slice(0, -1)}0`, InvalidNodeIdError],
  ['node id too short', `sep://ada@${node.slice(0, NODE_ID_LENGTH_MIN - 1)}`, InvalidNodeIdError]
]
for (const [what, text, errorClass] of refusals) {
  test(`a participant id with ${what} is refused with ${errorClass.name}`, (t) => {
    const err = t.throws(() => parseParticipantId(text), { instanceOf: errorClass })
    t.true(err instanceof ParticipantIdError)
  })
}

test('handle length: HANDLE_LENGTH_MAX is accepted, one more is refused', (t) => {
  t.notThrows(() => parseParticipantId(`sep://${'a'.repeat(HANDLE_LENGTH_MAX)}@${node}`))
  t.throws(() => parseParticipantId(`sep://${'a'.repeat(HANDLE_LENGTH_MAX + 1)}@${node}`), { instanceOf: InvalidHandleError })
  t.throws(() => formatParticipantId({ handle: 'a'.repeat(HANDLE_LENGTH_MAX + 1), nodeId: node }), { instanceOf: InvalidHandleError })
})

test('node id length: NODE_ID_LENGTH_MAX and NODE_ID_LENGTH_MIN are accepted, one past either is refused', (t) => {
  t.notThrows(() => parseParticipantId(`sep://a@${'z'.repeat(NODE_ID_LENGTH_MAX)}`))
  t.notThrows(() => parseParticipantId(`sep://a@${'z'.repeat(NODE_ID_LENGTH_MIN)}`))
  t.throws(() => parseParticipantId(`sep://a@${'z'.repeat(NODE_ID_LENGTH_MIN - 1)}`), { instanceOf: InvalidNodeIdError })
  t.throws(() => formatParticipantId({ handle: 'a', nodeId: 'z'.repeat(NODE_ID_LENGTH_MAX + 1) }), { instanceOf: InvalidNodeIdError })
})

test('whole id length: PARTICIPANT_ID_LENGTH_MAX is accepted, one more is refused before any other check', (t) => {
  const longest = `sep://${'a'.repeat(HANDLE_LENGTH_MAX)}@${'z'.repeat(NODE_ID_LENGTH_MAX)}`
  t.is(longest.length, PARTICIPANT_ID_LENGTH_MAX)
  t.notThrows(() => parseParticipantId(longest))
  t.throws(() => parseParticipantId(`${longest}z`), { instanceOf: ParticipantIdTooLongError })
})
