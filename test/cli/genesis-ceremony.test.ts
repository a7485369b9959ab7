/**
 * Three operators from nothing, through the CLI only: three `fedmesh start`
 * processes with separate data dirs start without a genesis (and say so),
 * run the whole ceremony — founder → assemble → sign ×3 → combine → verify →
 * load — federate, and then decide a proposal.
 */
import test from 'ava'
import { mkdtemp, readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort, runFedmesh, startFedmesh, type CliResult, type NodeProcess } from '../fixtures/cli.ts'

const FEDERATION = 'ceremony'

interface Operator { name: string, dataDir: string, apiPort: number, p2pPort: number, process?: NodeProcess, peerId?: string }

/** Generous bounds: a loaded CI machine takes seconds per CLI process (these bound a hang, they measure nothing). */
const COMMAND_MS_MAX = 120_000
const WAIT_MS_MAX = 90_000

async function fedmesh (...args: string[]): Promise<CliResult> {
  return await runFedmesh(args, COMMAND_MS_MAX)
}

async function ok (...args: string[]): Promise<string> {
  const result = await fedmesh(...args)
  if (result.code !== 0) throw new Error(`fedmesh ${args.join(' ')} exited ${String(result.code)}: ${result.stderr}`)
  return result.stdout
}

async function until (what: string, check: () => Promise<boolean>, timeoutMs = WAIT_MS_MAX): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (await check()) return
    await new Promise((resolve) => setTimeout(resolve, 300))
  }
  throw new Error(`timed out waiting for ${what}`)
}

test('three operators run the genesis ceremony with the CLI only, federate and decide a proposal', async (t) => {
  const work = await mkdtemp(join(tmpdir(), 'fedmesh-ceremony-'))
  const operators: Operator[] = []
  for (const name of ['alpha', 'bravo', 'charlie']) {
    operators.push({ name, dataDir: join(work, name), apiPort: await freePort(), p2pPort: await freePort() })
  }
  t.teardown(async () => { await Promise.all(operators.map(async (o) => await o.process?.terminate())) })
  const [alpha] = operators as [Operator, Operator, Operator]

  // each operator: init and start; no genesis yet (operators act in parallel, as separate people would)
  const launch = async (o: Operator): Promise<void> => {
    const bootstrap = o === alpha ? [] : ['--bootstrap', `/ip4/127.0.0.1/tcp/${alpha.p2pPort}/p2p/${alpha.peerId!}`]
    await ok('init', '--site-id', o.name, '--jurisdiction', 'UK', '--capabilities', 'water', '--data-dir', o.dataDir,
      '--enable-federation', '--federation-id', FEDERATION, '--listen', `/ip4/127.0.0.1/tcp/${o.p2pPort}`,
      '--api-port', String(o.apiPort), '--metrics-interval', '1', ...bootstrap)
    o.process = startFedmesh(o.dataDir)
    o.peerId = (await o.process.waitFor('ready', WAIT_MS_MAX)).peerId as string
  }
  await launch(alpha)
  await Promise.all(operators.slice(1).map(launch))
  await Promise.all(operators.map(async (o) => {
    const status = JSON.parse(await ok('status', '--json', '--data-dir', o.dataDir)) as { membership: { loaded: boolean, note?: string } }
    t.false(status.membership.loaded, `${o.name} starts without a genesis`)
    t.regex(status.membership.note ?? '', /no genesis loaded/)
    t.true(o.process!.logs.some((line) => typeof line.msg === 'string' && /no genesis loaded/.test(line.msg)), `${o.name} logs that it has no genesis`)
  }))

  // 1. founder entries, one per operator (files they would send each other)
  await Promise.all(operators.map(async (o) => await ok('genesis', 'founder', '--data-dir', o.dataDir, '--out', join(work, `${o.name}.json`))))
  const entry = JSON.parse(await readFile(join(work, 'alpha.json'), 'utf8')) as { member: { node_id: string, site_id: string, addresses: string[] } }
  t.is(entry.member.node_id, alpha.peerId!)
  t.deepEqual(entry.member.addresses, [`/ip4/127.0.0.1/tcp/${alpha.p2pPort}`])

  // 2. one operator assembles the unsigned genesis
  const genesis = join(work, 'genesis.yaml')
  await ok('genesis', 'assemble', '--federation-id', FEDERATION, '--threshold', 'bft', '--out', genesis, ...operators.map((o) => join(work, `${o.name}.json`)))

  // 3. each signs on its own "machine" (its own data dir, its own keys)
  await Promise.all(operators.map(async (o) => await ok('genesis', 'sign', genesis, '--data-dir', o.dataDir, '--out', join(work, `${o.name}.sig.json`))))

  // signing recorded the draft: before any genesis is loaded, each node admits the draft's founders (and dials them)
  await until('the founders of the draft to connect before the genesis is loaded', async () => {
    const lists = await Promise.all(operators.map(async (o) => JSON.parse(await ok('peers', '--json', '--data-dir', o.dataDir)) as Array<{ peer_id: string }>))
    return lists.every((peers, i) => operators.every((other, j) => i === j || peers.some((p) => p.peer_id === other.peerId)))
  })
  for (const o of operators) {
    const status = JSON.parse(await ok('status', '--json', '--data-dir', o.dataDir)) as { membership: { loaded: boolean, note?: string } }
    t.false(status.membership.loaded)
    t.regex(status.membership.note ?? '', /the 3 founders of the genesis draft it signed/)
  }

  // two of three signatures: verify names the missing founder and fails
  const partial = join(work, 'genesis.partial.yaml')
  await ok('genesis', 'combine', genesis, join(work, 'alpha.sig.json'), join(work, 'bravo.sig.json'), '--out', partial)
  const incomplete = await fedmesh('genesis', 'verify', partial)
  t.is(incomplete.code, 2)
  t.regex(incomplete.stdout, new RegExp(`MISSING\\s+${operators[2]!.peerId!} \\(charlie\\)`))
  t.regex(incomplete.stderr, /GenesisSignersError: .*charlie/)

  // 4. combine all three, verify, load on each running node
  const signed = join(work, 'genesis.signed.yaml')
  await ok('genesis', 'combine', genesis, ...operators.map((o) => join(work, `${o.name}.sig.json`)), '--out', signed)
  t.regex(await ok('genesis', 'verify', signed), /signed\s+\S+ \(charlie\)/)
  await Promise.all(operators.map(async (o) => { t.regex(await ok('consensus', 'genesis', signed, '--data-dir', o.dataDir), /verified: federation ceremony, 3 founding members \(stored\)/) }))

  // the running nodes took the membership at once, connect, and gossip
  await until('every node to hold the membership and every member\'s metrics (connected, gossiping)', async () => {
    const statuses = await Promise.all(operators.map(async (o) => JSON.parse(await ok('status', '--json', '--data-dir', o.dataDir)) as { membership: { loaded: boolean, epoch: number, members: number, site_id: string }, members: Array<{ site_id: string }> }))
    statuses.forEach((status, i) => { t.like(status.membership, { loaded: true, epoch: 0, members: 3, site_id: operators[i]!.name }) })
    return statuses.every((status) => operators.every((other) => status.members.some((m) => m.site_id === other.name)))
  })

  // 5. decide a proposal: alpha proposes, bravo and charlie vote (bft quorum of 3 is 3)
  const proposal = JSON.parse(await ok('consensus', 'propose', '--type', 'governance_proposal', '--slot', 'gov/1', '--title', 'Share water telemetry', '--json', '--data-dir', alpha.dataDir)) as { event_hash: string }
  // a node signs only events it has seen: each voter waits until its node lists the proposal, as an operator would
  await Promise.all(operators.slice(1).map(async (o) => {
    await until(`${o.name} to list the proposal`, async () => {
      const pending = JSON.parse(await ok('consensus', 'pending', '--json', '--data-dir', o.dataDir)) as { slots: Array<{ slot: string, events: Array<{ event_hash: string }> }> }
      return pending.slots.some((s) => s.slot === 'gov/1' && s.events.some((e) => e.event_hash === proposal.event_hash))
    })
    await ok('consensus', 'vote', '--slot', 'gov/1', proposal.event_hash, '--data-dir', o.dataDir)
  }))
  await Promise.all(operators.map(async (o) => {
    await until(`${o.name} to decide gov/1`, async () => {
      const history = JSON.parse(await ok('consensus', 'history', '--json', '--data-dir', o.dataDir)) as { records: Array<{ slot: string, consensus_achieved: boolean, consensus_hash: string | null }> }
      return history.records.some((r) => r.slot === 'gov/1' && r.consensus_achieved && r.consensus_hash === proposal.event_hash)
    })
  }))
  t.pass('every operator\'s node decided gov/1')
})
