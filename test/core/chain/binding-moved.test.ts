/**
 * Binding a step that names a participant who moved away (issue 14): the
 * reject reason is the precise `participant_moved`, checked before the
 * directory lookup (a moved participant is gone, or paused while it moves).
 */
import test from 'ava'
import { bindSteps, directoryOf, CHAIN_POLICY_DEFAULT, type LocalParticipant } from '../../../src/core/chain/binding.ts'
import { chainContent, digestSigner, peerId, T0 } from './fixtures.ts'

const a = peerId('a')
const b = peerId('b')
const bob = (status: 'active' | 'paused'): LocalParticipant => ({ id: 'sep://bob@b', publicKey: digestSigner('bob').publicKey, status, offers: ['food.catering'], needs: ['design'] })
const content = chainContent(a, [
  { node: b, site: 'b', need: 'design', offer: 'food.catering', participant: 'sep://bob@b' },
  { node: a, site: 'a', need: 'food.catering', offer: 'design', participant: 'sep://alice@a' }
], T0)
const bind = (participants: LocalParticipant[], moved?: string[]) => bindSteps({
  content, node: b, isReserved: () => false, policy: CHAIN_POLICY_DEFAULT, chainsOpen: 0,
  directory: { ...directoryOf(participants), ...(moved === undefined ? {} : { moved: (id: string) => moved.includes(id) }) }
})

test('a step naming a participant that moved away is rejected participant_moved; without the move it binds or is stale as before', (t) => {
  t.deepEqual(bind([], ['sep://bob@b']), { ok: false, reason: 'participant_moved' }, 'moved: no longer in the directory')
  t.deepEqual(bind([bob('paused')], ['sep://bob@b']), { ok: false, reason: 'participant_moved' }, 'moving: paused here until the redirect appears')
  t.deepEqual(bind([]), { ok: false, reason: 'stale_summary' })
  t.deepEqual(bind([bob('paused')]), { ok: false, reason: 'participant_paused' })
  const bound = bind([bob('active')], [])
  t.true(bound.ok)
})
