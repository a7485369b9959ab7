/**
 * A home node killed with SIGKILL mid-protocol — its step reserved, the chain
 * not committed — and restarted on its data dir: real `fedmesh start`
 * processes on TCP loopback; every action through the CLI, the polls through
 * the node's HTTP API. Nothing is flushed
 * on the way down, so what the node knows after the restart is what it had
 * persisted before acknowledging.
 *
 * 1. B (bob's home) is killed after binding and reserving bob, while alice
 *    and carol consent on A: after the restart B still holds the chain with bob
 *    reserved, A's queued consents reach it, bob consents and the chain commits
 *    on both with one certificate (it resumes).
 * 2. A (the proposer, dave's home) is killed after both nodes reserved; after
 *    its restart erin refuses on B: both cancel with the cause recorded, and
 *    dave and erin are offered again at once.
 * At the end, read from both stores: the only reservations left are the
 *    committed chain's (held until it completes), none of the cancelled one.
 */
import test from 'ava'
import { mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { freePort, runFedmesh, startFedmesh, type NodeProcess } from '../../fixtures/cli.ts'
import { loadNodeKeys } from '../../../src/crypto/key-files.ts'
import { formatGenesis, signGenesis } from '../../../src/core/consensus/genesis.ts'
import { publicKeyToJson } from '../../../src/core/consensus/member.ts'
import { Store } from '../../../src/store/store.ts'
import { ChainRepository } from '../../../src/store/chains.ts'

const FEDERATION = 'chains-kill'
/** a bound on each CLI process (a condition's bound, not a timing: a loaded host makes a start-up take tens of seconds) */
const CLI_TIMEOUT_MS = 120_000

interface Site { name: string, dataDir: string, p2pPort: number, apiPort: number, process?: NodeProcess }

async function initSite (name: string, bootstrap: string[]): Promise<Site> {
  const site: Site = { name, dataDir: await mkdtemp(join(tmpdir(), `fedmesh-kill-${name}-`)), p2pPort: await freePort(), apiPort: await freePort() }
  const result = await runFedmesh([
    'init', '--site-id', name, '--jurisdiction', 'UK', '--data-dir', site.dataDir, '--enable-federation', '--federation-id', FEDERATION,
    '--listen', `/ip4/127.0.0.1/tcp/${site.p2pPort}`, '--api-port', String(site.apiPort), '--metrics-interval', '1', ...bootstrap.flatMap((b) => ['--bootstrap', b])
  ], CLI_TIMEOUT_MS)
  if (result.code !== 0) throw new Error(`init ${name} failed: ${result.stderr}`)
  return site
}

async function loadGenesis (sites: Site[]): Promise<void> {
  const keys = await Promise.all(sites.map(async (site) => await loadNodeKeys(site.dataDir)))
  const ids = keys.map((k) => peerIdFromPrivateKey(k.privateKey).toString())
  const genesis = signGenesis({
    version: 1, federation_id: FEDERATION, created_at: new Date().toISOString(),
    consensus: { threshold: 'bft', min_participating_nodes: 2, tie_breaking: 'timestamp_priority' },
    members: sites.map((site, i) => ({ node_id: ids[i]!, public_key: publicKeyToJson(keys[i]!.signer.publicKey), site_id: site.name, jurisdiction: 'UK' }))
  }, new Map(ids.map((id, i) => [id, keys[i]!.signer])))
  const file = join(sites[0]!.dataDir, 'genesis.yaml')
  await writeFile(file, formatGenesis(genesis))
  for (const site of sites) {
    const result = await runFedmesh(['consensus', 'genesis', file, '--data-dir', site.dataDir], CLI_TIMEOUT_MS)
    if (result.code !== 0) throw new Error(`loading the genesis into ${site.name} failed: ${result.stderr}`)
  }
}

async function cli (site: Site, ...args: string[]): Promise<any> {
  const result = await runFedmesh([...args, '--data-dir', site.dataDir, '--json'], CLI_TIMEOUT_MS)
  if (result.code !== 0) throw new Error(`fedmesh ${args.join(' ')} on ${site.name} exited ${result.code}: ${result.stderr}`)
  return JSON.parse(result.stdout)
}

/** An operation on the running node through its HTTP API (`POST /ops/<name>`): the polls, cheaper than a CLI process each under load. */
async function api (site: Site, name: string, args: Record<string, unknown> = {}): Promise<any> {
  const token = (await readFile(join(site.dataDir, 'api.token'), 'utf8')).trim()
  const response = await fetch(`http://127.0.0.1:${site.apiPort}/ops/${name}`, {
    method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(args), signal: AbortSignal.timeout(CLI_TIMEOUT_MS)
  })
  const body = await response.json()
  if (!response.ok) throw new Error(`${name} on ${site.name}: ${response.status} ${JSON.stringify(body)}`)
  return body
}

async function until (what: string, check: () => Promise<boolean>, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 300))
  }
}

const stateOn = async (site: Site, id: string): Promise<string> => (await api(site, 'chain.show', { chain_id: id })).state

/** SIGKILL: no shutdown hook runs, nothing is flushed. */
async function kill (site: Site): Promise<void> {
  const child = site.process!.child
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => { resolve(signal) }))
  child.kill('SIGKILL')
  if (await exited !== 'SIGKILL') throw new Error(`${site.name} did not die of SIGKILL`)
  site.process = undefined
}

async function start (site: Site): Promise<void> {
  site.process = startFedmesh(site.dataDir)
  await site.process.waitFor('ready', CLI_TIMEOUT_MS)
}

test('a home node SIGKILLed mid-protocol and restarted on its data dir: the chain resumes, or cancels cleanly with every reservation released', async (t) => {
  t.timeout(600_000, 'about 20 CLI processes and 6 node starts on a loaded host')
  const started = Date.now()
  const mark = (what: string): void => { t.log(`${((Date.now() - started) / 1000).toFixed(1)} s: ${what}`) }
  const a = await initSite('uk_north', [])
  const aId = peerIdFromPrivateKey((await loadNodeKeys(a.dataDir)).privateKey).toString()
  const b = await initSite('uk_south', [`/ip4/127.0.0.1/tcp/${a.p2pPort}/p2p/${aId}`])
  const sites = [a, b]
  await loadGenesis(sites)
  t.teardown(async () => { await Promise.all(sites.map(async (s) => await s.process?.terminate())) })
  for (const site of sites) await start(site)
  mark('both nodes ready')

  // 1. B is killed with bob reserved, before the commit; it resumes
  await cli(a, 'participant', 'add', '--handle', 'alice', '--offer', 'legal.contracts', '--need', 'food.catering')
  await cli(a, 'participant', 'add', '--handle', 'carol', '--offer', 'design', '--need', 'legal.contracts')
  await cli(b, 'participant', 'add', '--handle', 'bob', '--offer', 'food.catering', '--need', 'design')
  await until('A\'s match to find the chain through B\'s summary', async () => (await api(a, 'match')).chains.length === 1)
  const first: string = (await cli(a, 'chain', 'propose', '--heuristic')).chain_id
  await until('both home nodes to be consenting', async () => (await stateOn(a, first)) === 'consenting' && (await stateOn(b, first)) === 'consenting')
  mark('both consenting')
  await kill(b)
  await cli(a, 'chain', 'consent', first, '--as', 'alice')
  await cli(a, 'chain', 'consent', first, '--as', 'carol')
  t.is(await stateOn(a, first), 'consenting', 'no commit without bob')
  await start(b)
  mark('B restarted')
  const restored = await api(b, 'chain.show', { chain_id: first })
  t.is(restored.state, 'consenting', 'B restored the chain from its store')
  t.is(restored.steps.find((s: { node: string }) => s.node === 'uk_south').participant, 'sep://bob@uk_south', 'with bob still bound')
  t.is((await api(b, 'match')).chains.length, 0, 'and still reserved: not offered elsewhere')
  await cli(b, 'chain', 'consent', first, '--as', 'bob')
  await until('both nodes to commit', async () => (await stateOn(a, first)) === 'committed' && (await stateOn(b, first)) === 'committed')
  const certificate = (await api(a, 'chain.show', { chain_id: first })).certificate_hash
  t.regex(certificate, /^[0-9a-f]{64}$/)
  t.is((await api(b, 'chain.show', { chain_id: first })).certificate_hash, certificate, 'one commit certificate on both')

  mark('first chain committed')
  // 2. A, the proposer, is killed with dave and erin reserved; after its restart erin refuses
  await cli(a, 'participant', 'add', '--handle', 'dave', '--offer', 'it.hosting', '--need', 'energy.solar')
  await cli(b, 'participant', 'add', '--handle', 'erin', '--offer', 'energy.solar', '--need', 'it.hosting')
  await until('A\'s match to find dave and erin', async () => (await api(a, 'match')).chains.length === 1)
  const second: string = (await cli(a, 'chain', 'propose', '--heuristic')).chain_id
  await until('both home nodes to be consenting', async () => (await stateOn(a, second)) === 'consenting' && (await stateOn(b, second)) === 'consenting')
  await cli(a, 'chain', 'consent', second, '--as', 'dave')
  await kill(a)
  await start(a)
  mark('A restarted')
  t.is(await stateOn(a, second), 'consenting', 'A restored the chain and dave\'s consent')
  await cli(b, 'chain', 'refuse', second, '--as', 'erin', '--note', 'changed my mind')
  await until('both nodes to cancel', async () => (await stateOn(a, second)) === 'cancelled' && (await stateOn(b, second)) === 'cancelled')
  for (const site of sites) {
    const view = await api(site, 'chain.show', { chain_id: second })
    t.deepEqual(view.cancel, { reason: 'refused', index: view.steps.findIndex((s: { participant?: string }) => s.participant === 'sep://erin@uk_south') }, `${site.name} records the cause`)
  }
  await until('dave and erin to be offered again on both nodes', async () => (await api(a, 'match')).chains.length === 1 && (await api(b, 'match')).chains.length === 1)
  t.is(await stateOn(a, first), 'committed', 'the committed chain survived A\'s kill too')

  // from the stores: only the committed chain holds reservations (until it completes)
  for (const site of sites) await site.process!.terminate()
  for (const site of sites) site.process = undefined
  const reservations = async (site: Site): Promise<Record<string, string>> => {
    const store = await Store.open({ dataDir: site.dataDir })
    try {
      return Object.fromEntries(await new ChainRepository(store).reservations())
    } finally {
      await store.close()
    }
  }
  t.deepEqual(await reservations(a), { 'sep://alice@uk_north': first, 'sep://carol@uk_north': first })
  t.deepEqual(await reservations(b), { 'sep://bob@uk_south': first })
})
