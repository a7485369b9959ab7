/**
 * Persist before effects: a consensus step whose write fails changes nothing
 * in memory, and its message is IGNOREd (persist_failed) so that a later copy
 * is still accepted.
 */
import test from 'ava'
import { Store, type BatchOperation } from '../../../src/store/store.ts'
import { ConsensusStore } from '../../../src/store/consensus.ts'
import { systemClock } from '../../../src/runtime/clock.ts'
import { hashOf } from '../../core/consensus/fixtures.ts'
import { startInboundStack } from '../fixtures/inbound-stack.ts'
import { member, verifier, voteEnvelope, writeGenesis } from '../fixtures/federation.ts'

/** A store whose batches fail while `failing` is set (a full disk, say). */
function flakyStore (store: Store): { store: Store, failing: { on: boolean } } {
  const failing = { on: false }
  const flaky = Object.create(store) as Store
  flaky.batch = async (operations: BatchOperation[]) => {
    if (failing.on) throw new Error('no space left on device')
    await store.batch(operations)
  }
  return { store: flaky, failing }
}

test('a vote whose commit fails leaves the consensus state unchanged, is IGNOREd, and a later copy is accepted', async (t) => {
  const members = [member(0), member(1), member(2)]
  const backing = await Store.open()
  await writeGenesis(backing, members, Date.now())
  const { store, failing } = flakyStore(backing)
  const stack = await startInboundStack({ store, signer: members[0]!.signer, verifier, clock: systemClock, nodeId: members[0]!.node_id })
  t.teardown(() => { stack.stop() })

  const envelope = voteEnvelope(members[1]!, 'gov/1', hashOf('adopt'), Date.now())
  failing.on = true
  const refused = await stack.channel.receive('vote', envelope)
  t.deepEqual(refused, { action: 'ignore', code: 'persist_failed' })
  t.is(stack.consensus.slot('gov/1'), undefined, 'the step did not take effect in memory')
  t.is((await new ConsensusStore(backing).votes('gov/1')).length, 0, 'nothing was written')

  failing.on = false
  const accepted = await stack.channel.receive('vote', envelope)
  t.is(accepted.action, 'accept', 'the same envelope is not a duplicate: its id was never remembered')
  // its event is unknown: the vote is stored and held (not counted), so no slot opens for it
  t.is(stack.consensus.slot('gov/1'), undefined)
  t.is((await new ConsensusStore(backing).votes('gov/1')).length, 1)
  t.like(await stack.channel.receive('vote', envelope), { action: 'ignore', code: 'duplicate' }, 'once committed, a copy is a duplicate')
})

test('a forged vote is REJECTed by the machine\'s own error code, through the one verdict mapping', async (t) => {
  const members = [member(0), member(1), member(2)]
  const store = await Store.open()
  await writeGenesis(store, members, Date.now())
  const stack = await startInboundStack({ store, signer: members[0]!.signer, verifier, clock: systemClock, nodeId: members[0]!.node_id })
  t.teardown(() => { stack.stop() })
  // member 1 relays, signing the envelope itself, a vote that claims to be member 2's but is signed with member 1's key
  const { signVote, voteToJson } = await import('../../../src/core/consensus/vote.ts')
  const { envelopeBy } = await import('../fixtures/federation.ts')
  const forged = signVote(members[1]!.signer, { federation_id: 'crash-test', slot: 'gov/2', event_hash: hashOf('x'), voter: members[2]!.node_id })
  const bytes = envelopeBy(members[1]!, 'vote', 'fedmesh.consensus/1', new TextEncoder().encode(JSON.stringify({ kind: 'vote', vote: voteToJson(forged) })), Date.now())
  t.deepEqual(await stack.channel.receive('vote', bytes), { action: 'reject', code: 'bad_vote_signature' })
  t.is(stack.consensus.slot('gov/2'), undefined)
})
