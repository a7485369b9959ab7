/**
 * Three nodes as separate OS processes (`fedmesh start`) on TCP loopback:
 * two know only the bootstrap node's address, find each other through the DHT,
 * connect directly, and each sees the others' aggregated_metrics by gossip.
 */
import test from 'ava'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort, runFedmesh, startFedmesh, type NodeProcess, loadGenesisThroughCli } from '../fixtures/cli.ts'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { Store } from '../../src/store/store.ts'
import { loadNodeKeys } from '../../src/crypto/key-files.ts'

interface Site { name: string, dataDir: string, apiPort: number, p2pPort: number, process?: NodeProcess, peerId?: string }

async function initSite (name: string, bootstrap: string[]): Promise<Site> {
  const site: Site = { name, dataDir: await mkdtemp(join(tmpdir(), `fedmesh-${name}-`)), apiPort: await freePort(), p2pPort: await freePort() }
  const result = await runFedmesh([
    'init', '--site-id', name, '--jurisdiction', 'UK', '--capabilities', 'water,power', '--data-dir', site.dataDir,
    '--enable-federation', '--federation-id', 'test-fed', '--listen', `/ip4/127.0.0.1/tcp/${site.p2pPort}`,
    '--api-port', String(site.apiPort), '--metrics-interval', '1', ...bootstrap.flatMap((b) => ['--bootstrap', b])
  ])
  if (result.code !== 0) throw new Error(`init ${name} failed: ${result.stderr}`)
  return site
}

async function startSite (site: Site): Promise<void> {
  site.process = startFedmesh(site.dataDir)
  const ready = await site.process.waitFor('ready')
  site.peerId = ready.peerId as string
}

async function api<T> (site: Site, path: string): Promise<T> {
  const { readApiToken } = await import('../../src/node/data-dir.ts')
  const response = await fetch(`http://127.0.0.1:${site.apiPort}${path}`, { headers: { authorization: `Bearer ${await readApiToken(site.dataDir)}` } })
  return await response.json() as T
}

async function until (what: string, check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (await check()) return
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
  throw new Error(`timed out waiting for ${what}`)
}

async function loadGenesis (sites: Site[]): Promise<void> {
  await loadGenesisThroughCli(sites, 'test-fed')
}

test('three processes federate through one bootstrap peer, discover each other by DHT and share metrics by gossip', async (t) => {
  const boot = await initSite('boot', [])
  const bootId = peerIdFromPrivateKey((await loadNodeKeys(boot.dataDir)).privateKey).toString()
  const bootAddr = `/ip4/127.0.0.1/tcp/${boot.p2pPort}/p2p/${bootId}`
  const b = await initSite('site_b', [bootAddr])
  const c = await initSite('site_c', [bootAddr])
  const sites = [boot, b, c]
  await loadGenesis(sites)
  t.teardown(async () => { await Promise.all(sites.map(async (s) => await s.process?.terminate())) })
  await startSite(boot)
  await Promise.all([startSite(b), startSite(c)])

  await until('site_b and site_c to connect directly', async () => {
    const peers = await api<Array<{ peer_id: string }>>(b, '/peers')
    return peers.some((p) => p.peer_id === c.peerId)
  })
  t.pass('b found c through the DHT (it was only told about the bootstrap peer)')

  await until('every node to hold every other node\'s aggregated_metrics', async () => {
    for (const site of sites) {
      const status = await api<{ members: Array<{ site_id: string }> }>(site, '/status')
      const seen = new Set(status.members.map((m) => m.site_id))
      if (!sites.every((other) => seen.has(other.name))) return false
    }
    return true
  })

  // `fedmesh status --json` through the CLI shows the same thing
  const cli = await runFedmesh(['status', '--json', '--data-dir', c.dataDir])
  t.is(cli.code, 0, cli.stderr)
  const status = JSON.parse(cli.stdout) as { site_id: string, federation: { enabled: boolean }, members: Array<{ site_id: string, peers: number }> }
  t.is(status.site_id, 'site_c')
  t.true(status.federation.enabled)
  t.deepEqual(status.members.map((m) => m.site_id).sort(), ['boot', 'site_b', 'site_c'])

  // SIGTERM: each node stops within 5 s, cleanly, and its store reopens
  for (const site of sites) {
    const { code, ms } = await site.process!.terminate()
    t.is(code, 0, `${site.name} exit code`)
    t.true(ms < 5000, `${site.name} stopped in ${ms} ms`)
    const store = await Store.open({ dataDir: site.dataDir })
    t.is(await store.schemaVersion(), 1)
    await store.close()
  }
})
