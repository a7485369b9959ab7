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
import { main } from '../../src/cli/main.ts'
import { writeConfig } from '../../src/config/load.ts'
import { Store } from '../../src/store/store.ts'
import { ConsensusStore } from '../../src/store/consensus.ts'
import { createConsensusState, applyVote } from '../../src/core/consensus/machine.ts'
import { signVote } from '../../src/core/consensus/vote.ts'
import { hybridSignerFromSeeds, hybridVerifier } from '../../src/crypto/hybrid.ts'

const EXAMPLE = fileURLToPath(new URL('../../bootstrap/genesis.example.yaml', import.meta.url))
const seed = (label: string) => new Uint8Array(createHash('sha256').update(label).digest())
const hashOf = (label: string) => createHash('sha256').update(label).digest('hex')
/** The example genesis founders' signers (its keys come from these published example seeds). */
const founders = [0, 1, 2].map((i) => hybridSignerFromSeeds({ ed25519Seed: seed(`genesis-example/ed25519/${i}`), mldsaSeed: seed(`genesis-example/mldsa/${i}`) }))

/** Runs `fedmesh <args>` in-process; returns exit code and what it printed. */
async function fedmesh (...args: string[]): Promise<{ code: number, stdout: string, stderr: string }> {
  let stdout = ''
  let stderr = ''
  const out = process.stdout.write.bind(process.stdout)
  const err = process.stderr.write.bind(process.stderr)
  process.stdout.write = ((chunk: string) => { stdout += chunk; return true }) as typeof process.stdout.write
  process.stderr.write = ((chunk: string) => { stderr += chunk; return true }) as typeof process.stderr.write
  try {
    return { code: await main(args), stdout, stderr }
  } finally {
    process.stdout.write = out
    process.stderr.write = err
  }
}

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
  t.regex(check.stdout, /consensus ACHIEVED/)
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
  t.is(unknown.code, 2)
  t.regex(unknown.stderr, /no completed slot/)
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
