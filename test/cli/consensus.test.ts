/**
 * The real `fedmesh` commands (commander program, operations, store on disk),
 * run in-process through `main` with stdout captured.
 */
import test from 'ava'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createHash } from 'node:crypto'
import { fedmesh } from '../fixtures/in-process-cli.ts'
import { writeConfig } from '../../src/config/load.ts'
import { Store } from '../../src/store/store.ts'
import { ConsensusStore } from '../../src/store/consensus.ts'
import { createConsensusState, applyVote } from '../../src/core/consensus/machine.ts'
import { signVote } from '../../src/core/consensus/vote.ts'
import { hybridSignerFromSeeds, hybridVerifier } from '../../src/crypto/hybrid.ts'
import { writeFile } from 'node:fs/promises'
import { FedmeshNode } from '../../src/node/node.ts'
import { createApiServer } from '../../src/api/server.ts'
import { apiTokenSource, rotateApiToken } from '../../src/node/data-dir.ts'
import { VOTE_DOMAIN } from '../../src/core/consensus/constants.ts'
import { eventHash, parseEvent } from '../../src/core/consensus/event.ts'
import { publicKeyToJson } from '../../src/core/consensus/member.ts'
import { signFounderEntry } from '../../src/core/consensus/founder-entry.ts'
import { voteToJson } from '../../src/core/consensus/vote.ts'
import type { HybridSigner } from '../../src/core/signature.ts'
import type { PendingResult } from '../../src/operations/consensus.ts'
import { freePort } from '../fixtures/cli.ts'
import { loadTestGenesis, testGenesis, testIdentity, type TestIdentity } from '../fixtures/federation.ts'

const EXAMPLE = fileURLToPath(new URL('../../bootstrap/genesis.example.yaml', import.meta.url))
const seed = (label: string) => new Uint8Array(createHash('sha256').update(label).digest())
const hashOf = (label: string) => createHash('sha256').update(label).digest('hex')
/** The example genesis founders' signers (its keys come from these published example seeds). */
const founders = [0, 1, 2].map((i) => hybridSignerFromSeeds({ ed25519Seed: seed(`genesis-example/ed25519/${i}`), mldsaSeed: seed(`genesis-example/mldsa/${i}`) }))

/** Runs `fedmesh <args>` in-process; returns exit code and what it printed. */
async function dataDir (): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'fedmesh-cli-consensus-'))
  await writeConfig(dir, { site_id: 'uk_north', jurisdiction: 'UK', federation: { federation_id: 'example' } })
  return dir
}

test.serial('genesis, members, history, check and trust through the real commands', async (t) => {
  const dir = await dataDir()
  const genesis = await fedmesh('consensus', 'genesis', EXAMPLE, '--data-dir', dir)
  t.is(genesis.code, 0, genesis.stderr)
  t.regex(genesis.stdout, /verified: federation example, 3 founding members \(stored\)/)

  const members = await fedmesh('members', '--json', '--data-dir', dir)
  t.is(members.code, 0, members.stderr)
  const listed = JSON.parse(members.stdout)
  t.is(listed.members.length, 3)
  t.is(listed.quorum, 3)
  t.deepEqual(listed.members.map((m: { band: string }) => m.band), ['MEDIUM', 'MEDIUM', 'MEDIUM'])

  // decide one slot (all three agree) and fail another (three different hashes), as the node would on gossip
  const store = await Store.open({ dataDir: dir })
  const consensus = new ConsensusStore(store)
  let state = createConsensusState({ membership: (await consensus.membership())!, policy: (await consensus.policy())!, now: 1_000, trust: await consensus.trust() })
  const ids = [...state.membership.members.keys()]
  const signerOf = new Map(founders.map((s) => [ids.find((id) => state.membership.members.get(id)!.public_key.ed25519.every((b, i) => b === s.publicKey.ed25519[i]))!, s]))
  const votes = [
    ...ids.map((id) => ({ id, slot: 'gov/1', hash: hashOf('A') })),
    ...ids.map((id, i) => ({ id, slot: 'gov/2', hash: hashOf(`X${i}`) }))
  ]
  for (const v of votes) {
    const step = applyVote(state, signVote(signerOf.get(v.id)!, { federation_id: 'example', slot: v.slot, event_hash: v.hash, voter: v.id }), { now: 2_000, verifier: hybridVerifier() })
    await consensus.persist(step.records)
    state = step.state
  }
  await store.close()

  const history = await fedmesh('consensus', 'history', '--json', '--limit', '5', '--data-dir', dir)
  t.is(history.code, 0, history.stderr)
  const h = JSON.parse(history.stdout)
  t.deepEqual(h.records.map((r: { slot: string }) => r.slot).sort(), ['gov/1', 'gov/2'])
  t.is(h.statistics.agreements, 1)
  t.is(h.statistics.disagreements, 1)

  const text = await fedmesh('consensus', 'history', '--data-dir', dir)
  t.regex(text.stdout, /gov\/1 +ACHIEVED/)
  t.regex(text.stdout, /decisions 2: 1 achieved, 1 without consensus/)

  const check = await fedmesh('consensus', 'check', hashOf('A'), '--data-dir', dir)
  t.is(check.code, 0, check.stderr)
  t.regex(check.stdout, /: decided \(consensus ACHIEVED\)/)
  const failedHash = h.records.find((r: { slot: string }) => r.slot === 'gov/2').event_hash as string
  const failed = await fedmesh('consensus', 'check', failedHash, '--json', '--data-dir', dir)
  t.is(failed.code, 0, failed.stderr)
  t.like(JSON.parse(failed.stdout), { state: 'failed', consensus_achieved: false })
  // with no node running, pending is rebuilt from the store: both slots completed
  const none = await fedmesh('consensus', 'pending', '--data-dir', dir)
  t.is(none.code, 0, none.stderr)
  t.is(none.stdout.trim(), 'no pending slots')
  t.regex(check.stdout, /QC: 3 votes, verifies/)

  const trust = await fedmesh('trust', '--json', '--data-dir', dir)
  const report = JSON.parse(trust.stdout)
  t.deepEqual(report.nodes.map((n: { score: number }) => n.score), [52, 52, 52])
  t.is(report.average, 52)

  const penalized = await fedmesh('trust', '--penalize', ids[0]!, '--json', '--data-dir', dir)
  t.is(penalized.code, 0, penalized.stderr)
  const after = JSON.parse(penalized.stdout).nodes.find((n: { node_id: string }) => n.node_id === ids[0])
  t.deepEqual([after.score, after.band, after.status], [32, 'LOW', 'flagged'])
  const boosted = await fedmesh('trust', '--boost', ids[0]!, '--data-dir', dir)
  t.regex(boosted.stdout, new RegExp(`${ids[0]!} +42 +LOW +flagged`))
  const outsider = await fedmesh('trust', '--boost', '12D3KooWNotAMember1111111111111111111111111111111', '--data-dir', dir)
  t.is(outsider.code, 2)
  t.regex(outsider.stderr, /not a member/)
})

test.serial('bad input exits 2 with a named reason', async (t) => {
  const dir = await dataDir()
  const notHex = await fedmesh('consensus', 'check', 'zz', '--data-dir', dir)
  t.is(notHex.code, 2)
  t.regex(notHex.stderr, /event_hash/)
  const noGenesis = await fedmesh('members', '--data-dir', dir)
  t.is(noGenesis.code, 2)
  t.regex(noGenesis.stderr, /consensus genesis/)
  const unknown = await fedmesh('consensus', 'check', hashOf('nothing'), '--data-dir', dir)
  t.is(unknown.code, 3, 'an unknown hash is exit 3, not bad input')
  t.regex(unknown.stderr, /UnknownEventHashError: this node knows no event with hash/)
  const badLimit = await fedmesh('consensus', 'history', '--limit', '0', '--data-dir', dir)
  t.is(badLimit.code, 2)
})

test.serial('a genesis for another federation than the config\'s is refused', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'fedmesh-cli-consensus-'))
  await writeConfig(dir, { site_id: 'uk_north', jurisdiction: 'UK', federation: { federation_id: 'grid' } })
  const result = await fedmesh('consensus', 'genesis', EXAMPLE, '--data-dir', dir)
  t.is(result.code, 2)
  t.regex(result.stderr, /genesis is for federation "example"/)
})

// ---- against running nodes: the commands reach each node's local API (its store is locked by the node) ----

const VOTE_PREFIX = Buffer.from(`${VOTE_DOMAIN}\n`)

interface RunningSite {
  site: string
  dir: string
  node: FedmeshNode
  identity: TestIdentity
  /** vote signatures this node's signer made */
  votesSigned: () => number
  stop: () => Promise<void>
}

/** The identity's signer, counting the vote signatures it makes. */
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

/** Three founders (quorum 3 of 3), each a running node with its data dir, config.yaml, API token and listening API. */
async function runningFederation (tag: string, voting: Array<Record<string, 'manual' | 'auto'>>): Promise<{ sites: RunningSite[], stop: () => Promise<void> }> {
  const federationId = `cli-${tag}`
  const names = ['north', 'south', 'east']
  const identities = await Promise.all(names.map(async (site) => await testIdentity(`cli-consensus/${tag}/${site}`, site)))
  const genesis = testGenesis(federationId, identities)
  const sites: RunningSite[] = []
  const stop = async (): Promise<void> => { await Promise.all(sites.map(async (s) => { await s.stop() })) }
  for (const [i, identity] of identities.entries()) {
    const dir = await mkdtemp(join(tmpdir(), `fedmesh-cli-running-${identity.site}-`))
    const port = await freePort()
    const input = {
      site_id: identity.site, jurisdiction: 'UK', listen: [`/memory/cli-${tag}-${process.pid}-${i}`],
      api: { host: '127.0.0.1', port },
      federation: { enabled: true, federation_id: federationId, bootstrap: i === 0 ? [] : [sites[0]!.node.multiaddrs()[0]!.toString()], metrics_interval_seconds: 3600 },
      consensus: { voting: voting[i] ?? {} }
    }
    const config = await writeConfig(dir, input)
    await rotateApiToken(dir)
    const counting = countingSigner(identity)
    const node = await FedmeshNode.create({ config, privateKey: identity.privateKey, signer: counting.signer, dataDir: dir, transport: 'memory', libp2pMetrics: false, gossipHeartbeatMs: 100 })
    await loadTestGenesis(node, genesis)
    await node.start()
    const api = createApiServer({ node, token: apiTokenSource(dir), operations: node.operations })
    await api.listen({ host: '127.0.0.1', port })
    sites.push({ site: identity.site, dir, node, identity, votesSigned: counting.votes, stop: async () => { await api.close(); await node.stop() } })
  }
  const topic = `/fedmesh/${federationId}/vote/1`
  await until('the vote topic mesh', () => sites.every((s) => s.node.libp2p.services.pubsub.getSubscribers(topic).length >= sites.length - 1))
  return { sites, stop }
}

async function until (what: string, check: () => Promise<boolean> | boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

/** `fedmesh consensus pending --json` on a site. */
async function pendingOn (site: RunningSite): Promise<PendingResult> {
  const result = await fedmesh('consensus', 'pending', '--json', '--data-dir', site.dir)
  if (result.code !== 0) throw new Error(`consensus pending on ${site.site}: ${result.stderr}`)
  return JSON.parse(result.stdout) as PendingResult
}

async function eventListed (site: RunningSite, slot: string, eventHash: string): Promise<void> {
  await until(`${site.site} to list ${slot}`, async () => (await pendingOn(site)).slots.some((s) => s.slot === slot && s.events.some((e) => e.event_hash === eventHash)))
}

test.serial('pending lists another node\'s proposal with its content; vote without a hash votes for it; check says pending then decided (exit 0) and 3 for an unknown hash', async (t) => {
  const { sites, stop } = await runningFederation('pending', [])
  t.teardown(stop)
  const [north, south, east] = sites as [RunningSite, RunningSite, RunningSite]

  const proposed = await fedmesh('consensus', 'propose', '--type', 'governance_proposal', '--slot', 'gov/7', '--title', 'Share the flood maps', '--text', 'Maps of the last decade, monthly.', '--json', '--data-dir', north.dir)
  t.is(proposed.code, 0, proposed.stderr)
  const { event_hash: hash } = JSON.parse(proposed.stdout) as { event_hash: string }
  await eventListed(south, 'gov/7', hash)

  const listed = (await pendingOn(south)).slots.find((s) => s.slot === 'gov/7')!
  t.is(listed.events.length, 1)
  t.like(listed.events[0], {
    event_hash: hash, type: 'governance_proposal', title: 'Share the flood maps',
    body: { title: 'Share the flood maps', text: 'Maps of the last decade, monthly.' },
    proposer: { peer_id: north.identity.peerId, site_id: 'north' }, votes: 1
  })
  t.deepEqual(listed.votes, { [hash]: 1 })
  t.is(listed.quorum, 3)
  t.is(listed.voted, null)
  t.true(listed.deadline > listed.opened_at)
  const text = await fedmesh('consensus', 'pending', '--data-dir', south.dir)
  t.regex(text.stdout, /slot gov\/7: quorum 3 of 3/)
  t.regex(text.stdout, /governance_proposal: Share the flood maps/)
  t.regex(text.stdout, new RegExp(`proposer +north ${north.identity.peerId}`))
  t.regex(text.stdout, /body +Maps of the last decade, monthly\./)

  // without a hash: the slot's one event is printed, then voted for
  const voted = await fedmesh('consensus', 'vote', '--slot', 'gov/7', '--data-dir', south.dir)
  t.is(voted.code, 0, voted.stderr)
  t.regex(voted.stdout, /governance_proposal: Share the flood maps[\s\S]*voted for [0-9a-f]{64} in slot gov\/7 \(slot pending\)/)
  t.true(voted.stdout.indexOf('Share the flood maps') < voted.stdout.indexOf('voted for'), 'the event is printed before the vote')

  const pendingCheck = await fedmesh('consensus', 'check', hash, '--json', '--data-dir', south.dir)
  t.is(pendingCheck.code, 0, pendingCheck.stderr)
  t.like(JSON.parse(pendingCheck.stdout), { state: 'pending', consensus_achieved: false, pending: [{ slot: 'gov/7', votes: 2, quorum: 3 }] })

  // a made-up hash: never signed, never reported as a pending slot
  const madeUp = hashOf('made up')
  const refused = await fedmesh('consensus', 'vote', '--slot', 'gov/8', madeUp, '--data-dir', south.dir)
  t.is(refused.code, 2)
  t.regex(refused.stderr, /UnknownEventError: .*no event with hash/)
  const unknown = await fedmesh('consensus', 'check', madeUp, '--data-dir', south.dir)
  t.is(unknown.code, 3)
  t.regex(unknown.stderr, /fedmesh: UnknownEventHashError: /)
  t.false((await pendingOn(south)).slots.some((s) => s.slot === 'gov/8'))
  const noEvent = await fedmesh('consensus', 'vote', '--slot', 'gov/8', '--data-dir', south.dir)
  t.is(noEvent.code, 2)
  t.regex(noEvent.stderr, /NoPendingEventError/)

  await eventListed(east, 'gov/7', hash)
  t.is((await fedmesh('consensus', 'vote', '--slot', 'gov/7', hash, '--data-dir', east.dir)).code, 0)
  await until('south to decide gov/7', async () => JSON.parse((await fedmesh('consensus', 'check', hash, '--json', '--data-dir', south.dir)).stdout).state === 'decided')
  const decided = await fedmesh('consensus', 'check', hash, '--data-dir', south.dir)
  t.is(decided.code, 0)
  t.regex(decided.stdout, /: decided \(consensus ACHIEVED\)/)
  t.regex(decided.stdout, /QC: 3 votes, verifies/)
  t.false((await pendingOn(south)).slots.some((s) => s.slot === 'gov/7'), 'a decided slot is no longer pending')
})

test.serial('a vote that arrives before its event is held, unknown to check, and counted once the event arrives', async (t) => {
  const { sites, stop } = await runningFederation('held', [])
  t.teardown(stop)
  const [north, south, east] = sites as [RunningSite, RunningSite, RunningSite]
  // east makes an event and votes for it, but gossips only the vote first
  const event = parseEvent({ federation_id: 'cli-held', slot: 'gov/late', type: 'governance_proposal', initiated_at: Date.now(), proposer: east.identity.peerId, body: { title: 'Late content', text: '' } })
  const hash = eventHash(event)
  const vote = signVote(east.identity.signer, { federation_id: 'cli-held', slot: 'gov/late', event_hash: hash, voter: east.identity.peerId })
  const send = async (payload: unknown): Promise<void> => {
    await east.node.envelopes.publish('vote', east.node.envelopes.seal('vote', 'fedmesh.consensus/1', new TextEncoder().encode(JSON.stringify(payload)), 'application/json'))
  }
  await send({ kind: 'vote', vote: voteToJson(vote) })
  await until('south to store the held vote', async () => (await new ConsensusStore(south.node.store).votes('gov/late')).length === 1)
  const before = await fedmesh('consensus', 'check', hash, '--data-dir', south.dir)
  t.is(before.code, 3, 'a hash known only from votes is not a known event')
  t.false((await pendingOn(south)).slots.some((s) => s.slot === 'gov/late'), 'and opens no slot')

  // an event that names east as proposer but comes in north's envelope is refused
  await north.node.envelopes.publish('vote', north.node.envelopes.seal('vote', 'fedmesh.consensus/1', new TextEncoder().encode(JSON.stringify({ kind: 'event', event })), 'application/json'))
  await until('south to refuse the relayed event', async () => (await south.node.metrics.exposition()).includes('reason="event_not_from_proposer"} 1'))
  t.is((await fedmesh('consensus', 'check', hash, '--data-dir', south.dir)).code, 3)

  await send({ kind: 'event', event })
  await eventListed(south, 'gov/late', hash)
  const listed = (await pendingOn(south)).slots.find((s) => s.slot === 'gov/late')!
  t.deepEqual(listed.votes, { [hash]: 1 }, 'the held vote was checked and counted')
  t.like(listed.events[0], { title: 'Late content', proposer: { site_id: 'east' } })
  const check = await fedmesh('consensus', 'check', hash, '--json', '--data-dir', south.dir)
  t.is(check.code, 0)
  t.like(JSON.parse(check.stdout), { state: 'pending', pending: [{ slot: 'gov/late', votes: 1 }] })
})

/**
 * A membership_add body for a new identity with its founder-entry signature;
 * `forge: 'key'` puts another key under its PeerId, `forge: 'signature'` has
 * the entry signed by another key.
 */
async function candidate (label: string, site: string, forge?: 'key' | 'signature'): Promise<unknown> {
  const identity = await testIdentity(label, site)
  const other = await testIdentity(`${label}/other`, site)
  const member = { node_id: identity.peerId, public_key: publicKeyToJson(forge === 'key' ? other.signer.publicKey : identity.signer.publicKey), site_id: site, jurisdiction: 'UK' }
  const entry = signFounderEntry(member, forge === 'signature' ? other.signer : identity.signer)
  return { member, entry_signature: entry.signature }
}

test.serial('voting policy: south votes automatically (audited) for a candidate whose entry verifies; east (manual) leaves it pending; an auto vote never signs twice', async (t) => {
  const { sites, stop } = await runningFederation('policy', [{}, { membership_add: 'auto' }, {}])
  t.teardown(stop)
  const [north, south, east] = sites as [RunningSite, RunningSite, RunningSite]

  const proposed = await fedmesh('consensus', 'propose', '--type', 'membership_add', '--slot', 'membership/1', '--body', JSON.stringify(await candidate('cli-policy/west', 'west')), '--json', '--data-dir', north.dir)
  t.is(proposed.code, 0, proposed.stderr)
  const { event_hash: hash } = JSON.parse(proposed.stdout) as { event_hash: string }
  await until('south\'s auto vote to reach east', async () => (await pendingOn(east)).slots.find((s) => s.slot === 'membership/1')?.votes[hash] === 2)
  t.is(south.votesSigned(), 1)
  t.is((await pendingOn(south)).slots.find((s) => s.slot === 'membership/1')!.voted, hash)
  const eastSlot = (await pendingOn(east)).slots.find((s) => s.slot === 'membership/1')!
  t.is(eastSlot.voted, null, 'manual: east has not voted')
  t.is(east.votesSigned(), 0)
  t.like(eastSlot.events[0], { type: 'membership_add', title: `admit west (${(await testIdentity('cli-policy/west', 'west')).peerId})` })

  // audited like a manual vote: an operator record, by the voting policy, naming the rule
  const tail = JSON.parse((await fedmesh('audit', 'tail', '--json', '--limit', '200', '--data-dir', south.dir)).stdout) as { entries: Array<Record<string, unknown>> }
  const auto = tail.entries.filter((r) => r.kind === 'operator' && r.actor === 'voting-policy')
  t.is(auto.length, 1)
  t.like(auto[0], { action: 'consensus.vote', detail: 'ok', attributes: { mode: 'auto', rule: 'candidate_entry_verifies', slot: 'membership/1', event_hash: hash } })

  // never sign twice: a second event in the slot (valid too; east gossips it without voting, so the slot stays open)
  // gets no auto vote from south, and a manual vote for it is refused
  const secondEvent = parseEvent({ federation_id: 'cli-policy', slot: 'membership/1', type: 'membership_add', initiated_at: Date.now(), proposer: east.identity.peerId, body: await candidate('cli-policy/west2', 'west2') })
  const secondHash = eventHash(secondEvent)
  await east.node.envelopes.publish('vote', east.node.envelopes.seal('vote', 'fedmesh.consensus/1', new TextEncoder().encode(JSON.stringify({ kind: 'event', event: secondEvent })), 'application/json'))
  await eventListed(south, 'membership/1', secondHash)
  const again = await fedmesh('consensus', 'vote', '--slot', 'membership/1', secondHash, '--data-dir', south.dir)
  t.is(again.code, 2)
  t.regex(again.stderr, /AlreadyVotedError/)
  t.is(south.votesSigned(), 1, 'no second vote signature, automatic or manual')
  t.is((await pendingOn(south)).slots.find((s) => s.slot === 'membership/1')!.voted, hash)

  // a candidate whose key is not its PeerId's: the rule fails, nothing is signed, the operator decides
  const forged = await fedmesh('consensus', 'propose', '--type', 'membership_add', '--slot', 'membership/2', '--body', JSON.stringify(await candidate('cli-policy/mallory', 'mallory', 'key')), '--json', '--data-dir', north.dir)
  t.is(forged.code, 0, forged.stderr)
  const { event_hash: forgedHash } = JSON.parse(forged.stdout) as { event_hash: string }
  await eventListed(south, 'membership/2', forgedHash)
  // a refused vote runs through the node's step queue after any auto vote the event queued: a barrier, then look
  t.is((await fedmesh('consensus', 'vote', '--slot', 'membership/1', secondHash, '--data-dir', south.dir)).code, 2)
  t.is((await pendingOn(south)).slots.find((s) => s.slot === 'membership/2')!.voted, null)
  t.is(south.votesSigned(), 1)

  // a candidate whose founder entry is signed by another key: the rule fails the same way
  const badEntry = await fedmesh('consensus', 'propose', '--type', 'membership_add', '--slot', 'membership/3', '--body', JSON.stringify(await candidate('cli-policy/trudy', 'trudy', 'signature')), '--json', '--data-dir', north.dir)
  t.is(badEntry.code, 0, badEntry.stderr)
  await eventListed(south, 'membership/3', (JSON.parse(badEntry.stdout) as { event_hash: string }).event_hash)
  t.is((await fedmesh('consensus', 'vote', '--slot', 'membership/1', secondHash, '--data-dir', south.dir)).code, 2)
  t.is((await pendingOn(south)).slots.find((s) => s.slot === 'membership/3')!.voted, null)
  t.is(south.votesSigned(), 1)
})

test.serial('consensus.voting: an unknown event type or auto without a rule is a named config error', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'fedmesh-cli-consensus-'))
  await writeFile(join(dir, 'config.yaml'), 'site_id: uk_north\njurisdiction: UK\nconsensus:\n  voting:\n    governance_proposal: auto\n    membership_ad: auto\n')
  const result = await fedmesh('consensus', 'pending', '--data-dir', dir)
  t.is(result.code, 2)
  t.regex(result.stderr, /consensus\.voting\.governance_proposal: NoAutoVoteRuleError/)
  t.regex(result.stderr, /consensus\.voting\.membership_ad: UnknownEventTypeError/)
})
