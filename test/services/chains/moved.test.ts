/**
 * A chain naming a participant that moved away (issue 14): its old home
 * rejects the step with the precise reason `participant_moved` (not a
 * silent stale_summary), the proposer cancels and releases; the same node
 * still binds its other participants normally.
 */
import test from 'ava'
import { MoveRepository } from '../../../src/store/participant-moves.ts'
import { ChainRepository } from '../../../src/store/chains.ts'
import type { FedmeshNode } from '../../../src/node/node.ts'
import { federation, run, until } from './federation.ts'

async function stateOn (node: FedmeshNode, id: string): Promise<string | undefined> {
  return (await run(node, 'chains.list', {})).chains.find((c: { chain_id: string }) => c.chain_id === id)?.state
}

test('a proposal naming a participant that moved away from the step\'s node is rejected participant_moved and cancelled everywhere', async (t) => {
  const fed = await federation('moved', [{ site: 'uk_north' }, { site: 'uk_south' }])
  t.teardown(fed.stop)
  const [a, b] = fed.nodes as [FedmeshNode, FedmeshNode]
  await run(a, 'participant.add', { handle: 'alice', offers: ['legal.contracts'], needs: ['food.catering'] })
  await run(a, 'participant.add', { handle: 'carol', offers: ['design'], needs: ['legal.contracts'] })
  await run(b, 'participant.add', { handle: 'bob', offers: ['food.catering'], needs: ['design'] })
  await run(b, 'participant.add', { handle: 'dave', offers: ['food.catering'], needs: ['design'] })
  // bob moved from uk_south to uk_north: B no longer hosts him and serves the redirect (the migration service's records)
  await run(b, 'participant.remove', { participant: 'bob' })
  await new MoveRepository(b.store).putOutgoing({ participant: 'sep://bob@uk_south', to_site: 'uk_north', started_at: Date.now(), status: 'moved', previous_status: 'active' })
  const steps = (bob: string): Array<{ node: string, need: string, offer: string, participant?: string }> => [
    { node: 'uk_south', need: 'design', offer: 'food.catering', participant: bob },
    { node: 'uk_north', need: 'food.catering', offer: 'legal.contracts', participant: 'sep://alice@uk_north' },
    { node: 'uk_north', need: 'legal.contracts', offer: 'design', participant: 'sep://carol@uk_north' }
  ]
  const { id } = await a.chains.propose({ steps: steps('sep://bob@uk_south') })
  await until('A to learn of the rejection', async () => (await stateOn(a, id)) === 'cancelled')
  for (const node of [a, b]) {
    const view = await run(node, 'chain.show', { chain_id: id })
    t.deepEqual(view.cancel, { reason: 'rejected', node: b.peerId.toString(), reject: 'participant_moved' })
  }
  t.is((await new ChainRepository(a.store).reservations()).size, 0)
  // a participant B still hosts is bound as before
  const { id: other } = await a.chains.propose({ steps: steps('sep://dave@uk_south') })
  await until('both consenting', async () => (await stateOn(a, other)) === 'consenting' && (await stateOn(b, other)) === 'consenting')
  t.pass()
})
