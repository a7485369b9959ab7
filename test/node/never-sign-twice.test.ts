/**
 * Slashing protection: a node never signs two different votes in one slot,
 * whether through `vote` or `propose`, including across a restart; the
 * signer's calls show that no second vote signature was ever produced.
 */
import test from 'ava'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { FedmeshNode } from '../../src/node/node.ts'
import { parseConfig } from '../../src/config/load.ts'
import { VOTE_DOMAIN } from '../../src/core/consensus/constants.ts'
import type { HybridSigner } from '../../src/core/signature.ts'
import { loadTestGenesis, testGenesis, testIdentity, type TestIdentity } from '../fixtures/federation.ts'

const FEDERATION = 'slashing'
const VOTE_PREFIX = Buffer.from(`${VOTE_DOMAIN}\n`)

/** The identity's signer, counting the vote signatures it makes (envelopes are signed by it too). */
function countingSigner (identity: TestIdentity): { signer: HybridSigner, votes: () => number } {
  let votes = 0
  return {
    signer: {
      publicKey: identity.signer.publicKey,
      sign: (message) => {
        if (Buffer.from(message.subarray(0, VOTE_PREFIX.length)).equals(VOTE_PREFIX)) votes++
        return identity.signer.sign(message)
      }
    },
    votes: () => votes
  }
}

// operation results are plain JSON
const run = async (node: FedmeshNode, name: string, args: unknown): Promise<any> => await node.operations.run(name, args)

test('propose or vote a second time in one slot is AlreadyVotedError, also after a restart, and no second vote is ever signed', async (t) => {
  const [self, other] = await Promise.all([testIdentity('slashing/self', 'self'), testIdentity('slashing/other', 'other')])
  const genesis = testGenesis(FEDERATION, [self, other])
  const dataDir = await mkdtemp(join(tmpdir(), 'fedmesh-slashing-'))
  const config = parseConfig({ site_id: 'self', jurisdiction: 'UK', listen: [`/memory/slashing-${process.pid}`], federation: { enabled: true, federation_id: FEDERATION, metrics_interval_seconds: 3600 } })
  const open = async (counting: ReturnType<typeof countingSigner>): Promise<FedmeshNode> =>
    await FedmeshNode.create({ config, privateKey: self.privateKey, signer: counting.signer, dataDir, transport: 'memory', libp2pMetrics: false })

  const first = countingSigner(self)
  let node = await open(first)
  await loadTestGenesis(node, genesis)
  await node.start()
  const proposal = await run(node, 'consensus.propose', { type: 'governance_proposal', slot: 'gov/1', body: { title: 'first', text: '' } })
  t.is(first.votes(), 1)
  await t.throwsAsync(run(node, 'consensus.propose', { type: 'governance_proposal', slot: 'gov/1', body: { title: 'again', text: '' } }), { name: 'AlreadyVotedError' })
  await t.throwsAsync(run(node, 'consensus.vote', { slot: 'gov/1', event_hash: 'f'.repeat(64) }), { name: 'AlreadyVotedError' })
  const same = await run(node, 'consensus.vote', { slot: 'gov/1', event_hash: proposal.event_hash })
  t.is(same.event_hash, proposal.event_hash, 'the same vote again re-sends the stored one')
  t.is(first.votes(), 1, 'no second vote signature')
  await node.stop()

  const second = countingSigner(self)
  node = await open(second)
  t.teardown(async () => { await node.stop() })
  await node.start()
  await t.throwsAsync(run(node, 'consensus.vote', { slot: 'gov/1', event_hash: 'e'.repeat(64) }), { name: 'AlreadyVotedError' })
  await t.throwsAsync(run(node, 'consensus.propose', { type: 'governance_proposal', slot: 'gov/1', body: { title: 'after restart', text: '' } }), { name: 'AlreadyVotedError' })
  t.is(second.votes(), 0, 'nothing signed after the restart')
  // another slot is still open to it
  await run(node, 'consensus.propose', { type: 'governance_proposal', slot: 'gov/2', body: { title: 'next', text: '' } })
  t.is(second.votes(), 1)
})
