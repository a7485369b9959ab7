/**
 * Moving a participant between nodes, with three `fedmesh start` processes on
 * TCP loopback (issue 14): Alice moves from A to B; C resolves her new home
 * through the DHT; her history is intact on B; at every step she is active
 * on exactly one node, also when the new node is killed after the import and
 * before the publish, and when the old node is down while the move completes.
 * One test, one federation: three processes and their restarts are the cost.
 * (The uninterrupted move runs in-process: migration-service.test.ts.)
 */
import test from 'ava'
import { mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { parse, stringify } from 'yaml'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { freePort, runFedmesh, startFedmesh, type CliResult, type NodeProcess, loadGenesisThroughCli } from '../fixtures/cli.ts'
import { loadNodeKeys } from '../../src/crypto/key-files.ts'
import { readApiToken } from '../../src/node/data-dir.ts'
import { verifyExport, type ParticipantExport } from '../../src/core/migration/export.ts'
import { publicKeyFromClaims } from '../../src/core/chain/node-statement.ts'
import { hybridVerifier } from '../../src/crypto/hybrid.ts'
import type { HybridPublicKey } from '../../src/core/signature.ts'

interface Site { name: string, dataDir: string, apiPort: number, p2pPort: number, process?: NodeProcess, peerId?: string }

const FED = 'move-fed'

async function initSite (name: string, bootstrap: string[]): Promise<Site> {
  const site: Site = { name, dataDir: await mkdtemp(join(tmpdir(), `fedmesh-move-${name}-`)), apiPort: await freePort(), p2pPort: await freePort() }
  const result = await runFedmesh([
    'init', '--site-id', name, '--jurisdiction', 'UK', '--data-dir', site.dataDir, '--enable-federation', '--federation-id', FED,
    '--listen', `/ip4/127.0.0.1/tcp/${site.p2pPort}`, '--api-port', String(site.apiPort), ...bootstrap.flatMap((b) => ['--bootstrap', b])
  ])
  if (result.code !== 0) throw new Error(`init ${name} failed: ${result.stderr}`)
  // the old node looks for the redirect every 200 ms here (default 30 s); a short cooldown shows the refusal without waiting a month
  const file = join(site.dataDir, 'config.yaml')
  const config = parse(await readFile(file, 'utf8')) as Record<string, unknown>
  config.migration = { ...(config.migration as object), poll_seconds: 0.2, cooldown_hours: 1 }
  // acks gossiped while a node was down reach it by anti-entropy sync: every second here (default 10 s)
  config.sync = { ...(config.sync as object), interval_seconds: 1 }
  await writeFile(file, stringify(config))
  return site
}

async function startSite (site: Site): Promise<void> {
  site.process = startFedmesh(site.dataDir)
  const ready = await site.process.waitFor('ready')
  site.peerId = ready.peerId as string
}

async function loadGenesis (sites: Site[]): Promise<void> {
  await loadGenesisThroughCli(sites, FED)
}

async function api<T> (site: Site, path: string): Promise<T> {
  const response = await fetch(`http://127.0.0.1:${site.apiPort}${path}`, { headers: { authorization: `Bearer ${await readApiToken(site.dataDir)}` } })
  return await response.json() as T
}

/** Runs an operation through a running node's API (faster than spawning the CLI, for polling). */
async function op<T> (site: Site, name: string, args: unknown): Promise<{ ok: boolean, body: T }> {
  const response = await fetch(`http://127.0.0.1:${site.apiPort}/ops/${name}`, {
    method: 'POST', body: JSON.stringify(args), headers: { authorization: `Bearer ${await readApiToken(site.dataDir)}`, 'content-type': 'application/json' }
  })
  return { ok: response.ok, body: await response.json() as T }
}

const running = (site: Site): boolean => site.process !== undefined && site.process.child.exitCode === null && site.process.child.signalCode === null

async function until (what: string, check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (await check()) return
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
  throw new Error(`timed out waiting for ${what}`)
}

async function cli (site: Site, ...args: string[]): Promise<CliResult> {
  return await runFedmesh([...args, '--data-dir', site.dataDir])
}

/** Alice's records on a site: [id, status]. */
async function alices (site: Site): Promise<Array<[string, string]>> {
  let list: Array<{ id: string, status?: string }>
  if (running(site)) {
    list = (await op<Array<{ id: string, status?: string }>>(site, 'participant.list', {})).body
  } else {
    // a stopped node: the CLI reads its store directly
    const result = await cli(site, 'participant', 'list', '--json')
    if (result.code !== 0) throw new Error(`participant list on ${site.name}: ${result.stderr}`)
    list = JSON.parse(result.stdout) as Array<{ id: string, status?: string }>
  }
  return list.filter((p) => p.id.startsWith('sep://alice@')).map((p) => [p.id, p.status ?? 'active'])
}

/** Sites where alice is active (matched, bound): exactly one at every step. */
async function activeHomes (sites: Site[]): Promise<string[]> {
  const homes: string[] = []
  for (const site of sites) {
    for (const [, status] of await alices(site)) if (status === 'active') homes.push(site.name)
  }
  return homes
}

async function federation (t: { teardown: (fn: () => Promise<void>) => void }): Promise<{ a: Site, b: Site, c: Site }> {
  const a = await initSite('site_a', [])
  const aId = peerIdFromPrivateKey((await loadNodeKeys(a.dataDir)).privateKey).toString()
  const aAddr = `/ip4/127.0.0.1/tcp/${a.p2pPort}/p2p/${aId}`
  const b = await initSite('site_b', [aAddr])
  const c = await initSite('site_c', [aAddr])
  await loadGenesis([a, b, c])
  const added = await cli(a, 'participant', 'add', '--handle', 'alice', '--offer', 'legal.contracts', '--need', 'food.catering')
  if (added.code !== 0) throw new Error(added.stderr)
  t.teardown(async () => { await Promise.all([a, b, c].map(async (s) => await s.process?.terminate())) })
  await startSite(a)
  await Promise.all([startSite(b), startSite(c)])
  await until('b and c to connect to each other', async () => (await api<Array<{ peer_id: string }>>(b, '/peers')).some((p) => p.peer_id === c.peerId))
  return { a, b, c }
}

test('alice moves from A to B through an interrupted move: C resolves her new home through the DHT, her history is intact on B, she is active on exactly one node at every step, the receipt on A and B lists A, B and C as having resolved her new home, a second move inside the cooldown is refused, and her recovery key overrides the (stolen-key) move: she ends hosted on C only', async (t) => {
  const { a, b, c } = await federation(t)
  const dir = await mkdtemp(join(tmpdir(), 'fedmesh-move-files-'))
  const exportFile = join(dir, 'alice.json')
  const keyFile = join(dir, 'alice.key')

  // a plain export is signed by A and names no target
  const plain = await cli(a, 'participant', 'export', 'alice')
  t.is(plain.code, 0, plain.stderr)
  t.is((JSON.parse(plain.stdout) as ParticipantExport).moving_to, null)

  // a recovery key, made before the move: A's home binding in the export names it
  const recoveryFile = join(dir, 'alice.recovery')
  const recoveryKey = await cli(a, 'participant', 'recovery-key', 'alice', '--out', recoveryFile)
  t.is(recoveryKey.code, 0, recoveryKey.stderr)

  const move = await cli(a, 'participant', 'move', 'alice', '--to', 'site_b', '--out', exportFile, '--key-out', keyFile)
  t.is(move.code, 0, move.stderr)
  t.deepEqual(await alices(a), [['sep://alice@site_a', 'paused']], 'paused on A while it moves')

  // B verifies and imports, then is killed before it publishes anything
  const imported = await cli(b, 'participant', 'accept', exportFile, '--key-file', keyFile, '--import-only', '--json')
  t.is(imported.code, 0, imported.stderr)
  t.is((JSON.parse(imported.stdout) as { incoming: { status: string } }).incoming.status, 'imported')
  b.process!.child.kill('SIGKILL')
  await new Promise((resolve) => b.process!.child.once('exit', resolve))
  t.deepEqual(await alices(b), [], 'an import alone hosts nothing on B')
  t.deepEqual(await alices(a), [['sep://alice@site_a', 'paused']], 'still hosted (paused) on A')
  t.is((await op<{ home: string }>(c, 'participant.resolve', { id: 'sep://alice@site_a' })).body.home, 'sep://alice@site_a', 'nothing published: she still resolves to A')

  // the old node goes down; B comes back and finishes the move (the DHT holds the redirect at C)
  await a.process!.terminate()
  await startSite(b)
  await until('b to reconnect to c', async () => (await api<Array<{ peer_id: string }>>(b, '/peers')).some((p) => p.peer_id === c.peerId))
  const accepted = await cli(b, 'participant', 'accept', exportFile, '--key-file', keyFile, '--json')
  t.is(accepted.code, 0, accepted.stderr)
  const status = JSON.parse(accepted.stdout) as { incoming: { status: string, from: string } }
  t.is(status.incoming.status, 'hosted')
  t.is(status.incoming.from, 'sep://alice@site_a')
  t.deepEqual(await alices(b), [['sep://alice@site_b', 'active']])
  t.deepEqual(await activeHomes([a, b, c]), ['site_b'], 'A, down, still holds its paused copy: only B hosts her actively')

  // C has no local knowledge of alice, and A is down: it follows the redirect found in the DHT
  await until('C to resolve alice@site_a to site_b', async () => {
    const r = await op<{ home: string }>(c, 'participant.resolve', { id: 'sep://alice@site_a' })
    return r.ok && r.body.home === 'sep://alice@site_b'
  })
  const resolved = await cli(c, 'participant', 'resolve', 'sep://alice@site_a', '--json')
  t.is(resolved.code, 0, resolved.stderr)
  const hops = (JSON.parse(resolved.stdout) as { hops: Array<{ from: string, to: string, seq: number, countersigner: string }> }).hops
  t.is(hops.length, 1)
  t.is(hops[0]!.seq, 1)
  t.is(hops[0]!.countersigner, b.peerId!)

  // A comes back, finds the redirect, stops hosting her and serves the redirect
  await startSite(a)
  await until('A to stop hosting alice after its restart', async () => (await alices(a)).length === 0, 40_000)
  const outgoing = (await op<{ outgoing: { status: string, redirect: { to: string } } }>(a, 'participant.move-status', { participant: 'alice' })).body
  t.is(outgoing.outgoing.status, 'moved')
  t.is(outgoing.outgoing.redirect.to, 'sep://alice@site_b')
  t.deepEqual(await activeHomes([a, b, c]), ['site_b'])

  // the receipt: B acknowledged when it hosted her; C, told by B's ack, resolved her old id through the DHT and acknowledged;
  // A, back up, found the redirect and acknowledged. Each is a signed move_ack, gossiped (or synced to whoever was down)
  interface ReceiptView { seq: number, complete: boolean, members: Array<{ member: string, site: string | null, status: string, home?: string, reason?: string }> }
  const receiptOn = async (site: Site): Promise<ReceiptView | undefined> => (await op<{ receipt?: ReceiptView }>(site, 'participant.move-status', { participant: 'alice' })).body.receipt
  for (const mover of [b, a]) {
    await until(`the receipt on ${mover.name} to be complete`, async () => (await receiptOn(mover))?.complete === true, 60_000)
    const receipt = (await receiptOn(mover))!
    t.is(receipt.seq, 1)
    t.deepEqual(receipt.members.map((m) => [m.site, m.member, m.status, m.home]).sort(), [
      ['site_a', a.peerId!, 'resolved', 'sep://alice@site_b'],
      ['site_b', b.peerId!, 'resolved', 'sep://alice@site_b'],
      ['site_c', c.peerId!, 'resolved', 'sep://alice@site_b']
    ], `the receipt on ${mover.name} lists A, B and C as having resolved the new home`)
  }
  const statusText = await cli(b, 'participant', 'move-status', 'alice')
  t.is(statusText.code, 0, statusText.stderr)
  t.regex(statusText.stdout, /receipt \(seq 1, complete\): 3 resolved, 0 failed, 0 pending/)
  t.regex(statusText.stdout, new RegExp(`site_c ${c.peerId!}: resolved → sep://alice@site_b`))

  // history intact on B: B's export carries A's final attestation and the redirect, and every signature in it verifies
  const exported = (await op<ParticipantExport>(b, 'participant.export', { participant: 'alice' })).body
  const original = JSON.parse(await readFile(exportFile, 'utf8')) as ParticipantExport
  t.is(exported.participant.id, 'sep://alice@site_b')
  t.deepEqual(exported.participant.public_key, original.participant.public_key, 'the same key: the identity moved')
  t.is(exported.redirects.length, 1)
  t.deepEqual(exported.attestations, original.attestations)
  t.is((exported.attestations[0] as { attestation: { issuing_node: string } }).attestation.issuing_node, a.peerId!)
  t.deepEqual(exported.chains, original.chains)
  const ids = new Map<string, string>([[a.peerId!, 'site_a'], [b.peerId!, 'site_b'], [c.peerId!, 'site_c']])
  const keys = new Map(await Promise.all([a, b, c].map(async (s) => [s.peerId!, (await loadNodeKeys(s.dataDir)).signer.publicKey] as [string, HybridPublicKey])))
  const verified = verifyExport(exported, {
    membership: { nodeKey: (node) => keys.get(node), nodeOfSite: (site) => [...ids].find(([, s]) => s === site)?.[0] },
    verifier: hybridVerifier(), federationId: FED, nowMs: Date.now()
  })
  t.deepEqual(verified.publicKey, publicKeyFromClaims(original.participant.public_key))

  // a second move inside the cooldown is refused
  const again = await cli(b, 'participant', 'move', 'alice', '--to', 'site_c', '--out', join(dir, 'again.json'), '--key-out', join(dir, 'again.key'))
  t.not(again.code, 0)
  t.regex(again.stderr, /MoveCooldownError/)

  // her key was stolen and the move to B was the thief's: inside the recovery window she recovers to C with her recovery key
  const wrong = await cli(c, 'participant', 'recover', exportFile, '--recovery-key-file', keyFile)
  t.not(wrong.code, 0)
  t.regex(wrong.stderr, /KeyControlError/, 'her own key is not her recovery key')
  const recovered = await cli(c, 'participant', 'recover', exportFile, '--recovery-key-file', recoveryFile, '--key-file', keyFile, '--json')
  t.is(recovered.code, 0, recovered.stderr)
  const recovery = JSON.parse(recovered.stdout) as { incoming: { status: string, from: string, redirect: { signed_by: string, seq: number, to: string } } }
  t.like(recovery.incoming, { status: 'hosted', from: 'sep://alice@site_a', redirect: { signed_by: 'recovery', seq: 2, to: 'sep://alice@site_c' } })
  // the recovery-key redirect wins over the stolen-key one everywhere; B stops hosting her: she is active on C only
  for (const site of [a, b, c]) {
    await until(`${site.name} to resolve alice@site_a to site_c`, async () => (await op<{ home: string }>(site, 'participant.resolve', { id: 'sep://alice@site_a' })).body.home === 'sep://alice@site_c')
  }
  await until('B to stop hosting alice', async () => (await alices(b)).length === 0)
  t.deepEqual(await activeHomes([a, b, c]), ['site_c'])
  t.is((await op<{ incoming: { status: string } }>(b, 'participant.move-status', { participant: 'alice' })).body.incoming.status, 'overridden')
})
