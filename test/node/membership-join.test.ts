/**
 * Joining an existing federation by a membership event: three founders hold a
 * genesis; a fourth node, holding only the genesis, is refused until a
 * membership_add event is decided with its QC. Then every founder admits it
 * (directory, gater and status change together), and it fetches the
 * membership chain and verifies it from the genesis alone.
 */
import test from 'ava'
import { multiaddr } from '@multiformats/multiaddr'
import { FedmeshNode } from '../../src/node/node.ts'
import { parseConfig } from '../../src/config/load.ts'
import { createLogger } from '../../src/runtime/log.ts'
import { PassThrough } from 'node:stream'
import { publicKeyToJson } from '../../src/core/consensus/member.ts'
import { signFounderEntry } from '../../src/core/consensus/founder-entry.ts'
import { verifyMembershipChain, membershipChainEntryToJson } from '../../src/core/consensus/membership-chain.ts'
import { ConsensusStore } from '../../src/store/consensus.ts'
import { hybridVerifier } from '../../src/crypto/hybrid.ts'
import { loadTestGenesis, testGenesis, testIdentity, type TestGenesis, type TestIdentity } from '../fixtures/federation.ts'

const FEDERATION = 'join-net'
const address = (tag: string, site: string): string => `/memory/${tag}-${process.pid}-${site}`

async function until (what: string, check: () => Promise<boolean> | boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

/** A logger whose JSON lines the test can read. */
function capturedLog (): { log: FedmeshNode['log'], lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = []
  const stream = new PassThrough()
  stream.on('data', (chunk: Buffer) => { for (const text of chunk.toString().split('\n')) if (text.trim() !== '') lines.push(JSON.parse(text)) })
  return { log: createLogger({ level: 'info', destination: stream }), lines }
}

async function startNode (identity: TestIdentity, tag: string, bootstrap: string[], genesis: TestGenesis, log?: FedmeshNode['log']): Promise<FedmeshNode> {
  const config = parseConfig({
    site_id: identity.site, jurisdiction: 'UK', listen: [address(tag, identity.site)],
    federation: { enabled: true, federation_id: FEDERATION, bootstrap, metrics_interval_seconds: 3600 }
  })
  const node = await FedmeshNode.create({ config, privateKey: identity.privateKey, signer: identity.signer, transport: 'memory', libp2pMetrics: false, gossipHeartbeatMs: 100, ...(log === undefined ? {} : { log }) })
  await loadTestGenesis(node, genesis)
  await node.start()
  return node
}

const run = async (node: FedmeshNode, name: string, args: unknown): Promise<any> => await node.operations.run(name, args)
const connected = (a: FedmeshNode, b: FedmeshNode): boolean => a.libp2p.getPeers().some((p) => p.equals(b.peerId))

test('a fourth node is refused before the QC of its membership_add, admitted by every member after it, and verifies the chain from genesis', async (t) => {
  const tag = 'join'
  const [a, b, c, d] = await Promise.all([testIdentity('join-a', 'site_a'), testIdentity('join-b', 'site_b'), testIdentity('join-c', 'site_c'), testIdentity('join-d', 'site_d')])
  const genesis = testGenesis(FEDERATION, [a, b, c])
  const nodeA = await startNode(a, tag, [], genesis)
  const bootstrap = [`${address(tag, 'site_a')}/p2p/${a.peerId}`]
  const [nodeB, nodeC] = await Promise.all([startNode(b, tag, bootstrap, genesis), startNode(c, tag, bootstrap, genesis)])
  const founders = [nodeA, nodeB, nodeC]
  const newcomerLog = capturedLog()
  // the newcomer holds the same genesis (epoch 0, without itself) and knows A as its bootstrap peer
  const nodeD = await startNode(d, tag, bootstrap, genesis, newcomerLog.log)
  t.teardown(async () => { await Promise.all([...founders, nodeD].map(async (node) => { await node.stop() })) })
  const topic = `/fedmesh/${FEDERATION}/vote/1`
  await until('the founders to mesh on the vote topic', () => founders.every((node) => node.libp2p.services.pubsub.getSubscribers(topic).length >= 2))
  t.is(nodeD.status().membership.site_id, null, 'the newcomer is not a member of the membership it holds')

  // before the QC: refused in both directions
  await t.throwsAsync(nodeD.libp2p.dial(multiaddr(`${address(tag, 'site_b')}/p2p/${b.peerId}`)), undefined, 'a founder refuses the newcomer')
  await t.throwsAsync(nodeB.libp2p.dial(multiaddr(`${address(tag, 'site_d')}/p2p/${d.peerId}`)), undefined, 'a founder does not dial the newcomer')

  // the newcomer's operator sends its founder entry; A's operator proposes it, B votes: 2 of the quorum of 3
  const entry = signFounderEntry({ node_id: d.peerId, public_key: publicKeyToJson(d.signer.publicKey), site_id: 'site_d', jurisdiction: 'UK', capabilities: ['water'], addresses: [address(tag, 'site_d')] }, d.signer)
  const proposal = await run(nodeA, 'members.propose-add', { entry })
  t.is(proposal.type, 'membership_add')
  t.is(proposal.epoch, 1)
  t.regex(proposal.slot, /^membership\/1\//)
  await run(nodeB, 'consensus.vote', { slot: proposal.slot, event_hash: proposal.event_hash })
  await until('A and B to hold both votes', () => [nodeA, nodeB].every((node) => node.consensus.slot(proposal.slot)?.first_votes.size === 2))
  // two votes cannot make a QC of three: still refused, still epoch 0 everywhere
  for (const node of founders) t.is(node.status().membership.epoch, 0)
  await t.throwsAsync(nodeD.libp2p.dial(multiaddr(`${address(tag, 'site_a')}/p2p/${a.peerId}`)), undefined, 'refused before the QC')

  await run(nodeC, 'consensus.vote', { slot: proposal.slot, event_hash: proposal.event_hash })
  // decided: every founder's membership, directory, gater and status change together
  await until('every founder to reach epoch 1', () => founders.every((node) => node.status().membership.epoch === 1))
  for (const node of founders) {
    const status = node.status().membership
    t.is(status.members, 4)
    const members = await run(node, 'consensus.members', {})
    t.deepEqual(members.members.map((m: { site_id: string }) => m.site_id).sort(), ['site_a', 'site_b', 'site_c', 'site_d'])
  }
  // every founder admits it: the founders dial it at its address hint, and it is connected to each
  await until('the newcomer to be connected to every founder', () => founders.every((node) => connected(node, nodeD) && connected(nodeD, node)))

  // the newcomer fetched the chain and verified it from the genesis: it is a member of its own membership now
  await until('the newcomer to hold epoch 1', () => nodeD.status().membership.epoch === 1)
  t.is(nodeD.status().membership.site_id, 'site_d')
  t.is(nodeD.status().membership.members, 4)
  t.true(newcomerLog.lines.some((line) => line.msg === 'membership chain verified from genesis' && line.from === 0 && line.epoch === 1))

  // what it stored is a chain anyone can check from the genesis alone: the event and its QC, replayed
  const store = new ConsensusStore(nodeD.store)
  const epoch1 = await store.membershipAt(1)
  t.deepEqual(epoch1?.decided_by, { slot: proposal.slot, event_hash: proposal.event_hash })
  const qc = await store.qc(proposal.slot)
  const event = (await store.events(proposal.slot))[0]!
  t.is(qc?.votes.length, 3)
  const replayed = verifyMembershipChain({ membership: genesis.membership, policy: genesis.policy, verifier: hybridVerifier(), entries: [membershipChainEntryToJson({ event, qc: qc!, decided_at: 0 })] })
  t.deepEqual([...replayed[0]!.membership.members.keys()].sort(), [...epoch1!.members.keys()].sort())
  // a chain with one vote short does not verify
  t.throws(() => verifyMembershipChain({ membership: genesis.membership, policy: genesis.policy, verifier: hybridVerifier(), entries: [membershipChainEntryToJson({ event, qc: { ...qc!, votes: qc!.votes.slice(1) }, decided_at: 0 })] }), { name: 'MembershipChainError' })

  // removal by site id: once decided (3 of the 4 members vote), every founder drops it and refuses it
  const removal = await run(nodeA, 'members.propose-remove', { member: 'site_d' })
  t.like(removal, { type: 'membership_remove', node_id: d.peerId, site_id: 'site_d', epoch: 2 })
  await Promise.all([nodeB, nodeC].map(async (node) => await run(node, 'consensus.vote', { slot: removal.slot, event_hash: removal.event_hash })))
  await until('every founder to reach epoch 2', () => founders.every((node) => node.status().membership.epoch === 2 && node.status().membership.members === 3))
  await until('every founder to drop its connections to the removed node', () => founders.every((node) => !connected(node, nodeD)))
  await t.throwsAsync(nodeD.libp2p.dial(multiaddr(`${address(tag, 'site_a')}/p2p/${a.peerId}`)), undefined, 'refused after its removal')
})
