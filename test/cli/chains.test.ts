/**
 * The seed example settles end to end between `fedmesh start` processes on TCP
 * loopback, through the CLI only: Alice and Carol on node A (uk_north), Bob on
 * node B (uk_south), a third node C (observer) that hosts nobody. A's match
 * finds the chain through B's gossiped summary; propose → consent ×3 →
 * committed → delivered and confirmed ×3 → complete → attestations updated on
 * both home nodes and seen by C; then a dispute opened, exported (the
 * evidence bundle verifies alone) and resolved; and `fedmesh discover` finds
 * capability providers through the DHT.
 */
import test from 'ava'
import { mkdtemp, readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { freePort, runFedmesh, startFedmesh, type NodeProcess, loadGenesisThroughCli } from '../fixtures/cli.ts'
import { loadNodeKeys } from '../../src/crypto/key-files.ts'
import { verifyEvidenceBundle } from '../../src/core/chain/evidence.ts'
import { hybridVerifier } from '../../src/crypto/hybrid.ts'

interface Site { name: string, dataDir: string, p2pPort: number, process?: NodeProcess }

async function initSite (name: string, bootstrap: string[], jurisdiction = 'UK', capabilities: string[] = []): Promise<Site> {
  const site: Site = { name, dataDir: await mkdtemp(join(tmpdir(), `fedmesh-chains-${name}-`)), p2pPort: await freePort() }
  const result = await runFedmesh([
    'init', '--site-id', name, '--jurisdiction', jurisdiction, '--data-dir', site.dataDir, ...(capabilities.length === 0 ? [] : ['--capabilities', capabilities.join(',')]),
    '--enable-federation', '--federation-id', 'chains-cli', '--listen', `/ip4/127.0.0.1/tcp/${site.p2pPort}`,
    '--api-port', String(await freePort()), '--metrics-interval', '1', ...bootstrap.flatMap((b) => ['--bootstrap', b])
  ])
  if (result.code !== 0) throw new Error(`init ${name} failed: ${result.stderr}`)
  return site
}

async function loadGenesis (sites: Site[]): Promise<void> {
  await loadGenesisThroughCli(sites, 'chains-cli')
}

/** `fedmesh <args> --data-dir <site> --json`, parsed; fails the test on a non-zero exit. */
async function cli (site: Site, ...args: string[]): Promise<any> {
  const result = await runFedmesh([...args, '--data-dir', site.dataDir, '--json'])
  if (result.code !== 0) throw new Error(`fedmesh ${args.join(' ')} on ${site.name} exited ${result.code}: ${result.stderr}`)
  return JSON.parse(result.stdout)
}

async function until (what: string, check: () => Promise<boolean>, timeoutMs = 40_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 300))
  }
}

async function stateOn (site: Site, id: string): Promise<string> {
  return (await cli(site, 'chain', 'show', id)).state
}

test('the seed example settles end to end between fedmesh processes through the CLI only', async (t) => {
  const a = await initSite('uk_north', [], 'UK', ['water'])
  const aId = peerIdFromPrivateKey((await loadNodeKeys(a.dataDir)).privateKey).toString()
  const boot = `/ip4/127.0.0.1/tcp/${a.p2pPort}/p2p/${aId}`
  const b = await initSite('uk_south', [boot], 'IE', ['water', 'power'])
  const c = await initSite('observer', [boot])
  const sites = [a, b, c]
  await loadGenesis(sites)
  t.teardown(async () => { await Promise.all(sites.map(async (s) => await s.process?.terminate())) })
  for (const site of sites) {
    site.process = startFedmesh(site.dataDir)
    await site.process.waitFor('ready')
  }
  await until('every node to see every other node\'s metrics (the gossip mesh)', async () => {
    for (const site of sites) {
      const status = await cli(site, 'status')
      if (status.members.length < sites.length) return false
    }
    return true
  })

  await cli(a, 'participant', 'add', '--handle', 'alice', '--offer', 'legal.contracts', '--need', 'food.catering')
  await cli(a, 'participant', 'add', '--handle', 'carol', '--offer', 'design', '--need', 'legal.contracts')
  await cli(b, 'participant', 'add', '--handle', 'bob', '--offer', 'food.catering', '--need', 'design')
  await until('A\'s match to find the chain through B\'s summary', async () => (await cli(a, 'match')).chains.length === 1)

  const proposed = await cli(a, 'chain', 'propose')
  const id: string = proposed.chain_id
  t.regex(id, /^[0-9a-f]{64}$/)
  await until('both home nodes to be consenting', async () => (await stateOn(a, id)) === 'consenting' && (await stateOn(b, id)) === 'consenting')
  const shownOnA = await cli(a, 'chain', 'show', id.slice(0, 12))
  t.is(shownOnA.steps.find((s: { node: string }) => s.node === 'uk_south').participant, 'sep://bob@uk_south', 'B bound its real participant and A knows it')
  t.is((await cli(a, 'match')).chains.length, 0, 'reserved participants are not offered again')

  await cli(b, 'chain', 'consent', id, '--as', 'bob')
  await cli(a, 'chain', 'consent', id, '--as', 'alice')
  await cli(a, 'chain', 'consent', id, '--as', 'carol')
  await until('both nodes to hold the commit certificate', async () => (await stateOn(a, id)) === 'committed' && (await stateOn(b, id)) === 'committed')
  const certificate = (await cli(a, 'chain', 'show', id)).certificate_hash
  t.regex(certificate, /^[0-9a-f]{64}$/)
  t.is((await cli(b, 'chain', 'show', id)).certificate_hash, certificate, 'one certificate on both nodes')
  t.deepEqual((await cli(c, 'chains')).chains, [], 'the uninvolved node takes no part in the chain')

  // edge 0: alice → carol (legal), edge 1: carol → bob (design), edge 2: bob → alice (catering)
  await cli(a, 'chain', 'deliver', id, '--as', 'alice')
  await cli(a, 'chain', 'confirm', id, '--as', 'carol', '--satisfaction', '0.9')
  await cli(a, 'chain', 'deliver', id, '--as', 'carol')
  await cli(b, 'chain', 'deliver', id, '--as', 'bob')
  await cli(a, 'chain', 'confirm', id, '--as', 'alice', '--satisfaction', '1', '--comment', 'lovely food')
  await until('B to see carol\'s delivery', async () => {
    const view = await cli(b, 'chain', 'show', id)
    return view.edges.some((e: { provider: number, delivered: boolean }) => view.steps[e.provider].participant === 'sep://carol@uk_north' && e.delivered)
  })
  await cli(b, 'chain', 'confirm', id, '--as', 'bob', '--satisfaction', '0.7')
  await until('both nodes to complete', async () => (await stateOn(a, id)) === 'complete' && (await stateOn(b, id)) === 'complete')
  const complete = await cli(b, 'chain', 'show', id)
  t.deepEqual(complete.edges.map((e: { satisfaction: number }) => e.satisfaction).sort(), [0.7, 0.9, 1])
  t.is((await cli(a, 'chains', '--state', 'complete')).chains.length, 1)
  t.is((await cli(a, 'match')).chains.length, 1, 'after completion the participants match again')

  // each home node attests its participants; every member, the uninvolved one included, holds all three
  const expected = { 'sep://alice@uk_north': 900, 'sep://carol@uk_north': 700, 'sep://bob@uk_south': 1000 }
  const attested = async (site: Site): Promise<Record<string, number | null>> => {
    const { attestations } = await cli(site, 'attestations')
    return Object.fromEntries(attestations.map((x: { participant: string, claims: { satisfaction_rate_permille: number | null } }) => [x.participant, x.claims.satisfaction_rate_permille]))
  }
  for (const site of sites) {
    await until(`${site.name} to hold the three attestations`, async () => Object.keys(await attested(site)).length === 3)
    t.deepEqual(await attested(site), expected, `${site.name} holds each participant's satisfaction as its provider`)
  }
  const onC = (await cli(c, 'attestations', '--participant', 'sep://bob@uk_south')).attestations
  t.is(onC.length, 1)
  t.like(onC[0], { issuer_site: 'uk_south', claims: { exchanges_completed: 1, partner_count: 2, trust_tier: 'probationary' }, issuer_reputation: 50 })
  const members = await cli(a, 'members')
  t.true(members.members.every((m: { reputation: number }) => Number.isInteger(m.reputation) && m.reputation >= 0 && m.reputation <= 100), 'members show a reputation beside trust')
  const reputation = (await cli(a, 'reputation')).members.find((m: { site_id: string }) => m.site_id === 'uk_south')
  t.true(reputation.on_time >= 1 && reputation.honoured >= 1, 'A saw B answer on time and honour the chain')

  // alice disputes bob's delivery; the evidence bundle a court gets verifies on its own
  const edge = complete.edges.findIndex((e: { recipient: number }) => complete.steps[e.recipient].participant === 'sep://alice@uk_north')
  const dispute = await cli(a, 'dispute', 'open', id.slice(0, 12), '--edge', String(edge), '--as', 'alice', '--text', 'half the order')
  t.like(dispute, { layer: 'direct', status: 'open', draw: { certificate_hash: certificate, panel: null } })
  t.is(dispute.draw.ranked.length, 1, 'the one uninvolved member is ranked; a panel of 3 needs more members')
  const file = join(a.dataDir, 'evidence.json')
  const exported = await runFedmesh(['dispute', 'export', dispute.dispute_id, '--out', file, '--data-dir', a.dataDir])
  t.is(exported.code, 0, exported.stderr)
  const bundle = JSON.parse(await readFile(file, 'utf8'))
  t.is(verifyEvidenceBundle(bundle, hybridVerifier()), 1 + 2 + 3 + 2 + 3 + 3 + 1)
  t.is((await cli(a, 'dispute', 'resolve', dispute.dispute_id, '--as', 'alice')).status, 'resolved')

  // capability discovery through DHT provider records, checked against signed node records
  const sitesOf = (r: { providers: Array<{ site_id: string }> }): string[] => r.providers.map((p) => p.site_id).sort()
  await until('C to find both water providers', async () => sitesOf(await cli(c, 'discover', '--capability', 'water')).length === 2)
  t.deepEqual(sitesOf(await cli(c, 'discover', '--capability', 'water', '--jurisdiction', 'UK')), ['uk_north'])
  t.deepEqual(sitesOf(await cli(c, 'discover', '--capability', 'power')), ['uk_south'])
})
