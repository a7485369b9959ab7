/**
 * The genesis and members commands in-process (commander program, key files,
 * store on disk): the errors an operator meets during the ceremony are named,
 * with exit code 2, and `members propose` takes its options wherever they stand.
 */
import test from 'ava'
import { mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fedmesh } from '../fixtures/in-process-cli.ts'
import { initDataDir } from '../../src/node/data-dir.ts'

async function ok (...args: string[]): Promise<string> {
  const result = await fedmesh(...args)
  if (result.code !== 0) throw new Error(`fedmesh ${args.join(' ')} exited ${result.code}: ${result.stderr}`)
  return result.stdout
}

/** Three initialised data dirs (not started) and their founder entries. */
async function founders (federation: string, sites = ['north', 'south', 'east']): Promise<{ work: string, dirs: string[], entries: string[] }> {
  const work = await mkdtemp(join(tmpdir(), 'fedmesh-genesis-cli-'))
  const dirs: string[] = []
  const entries: string[] = []
  for (const site of sites) {
    const dir = join(work, site)
    await initDataDir({ dataDir: dir, config: { site_id: site.replace(/-\d+$/, ''), jurisdiction: 'UK', federation: { enabled: true, federation_id: federation } } })
    const entry = join(work, `${site}.json`)
    await ok('genesis', 'founder', '--address', `/ip4/10.0.0.${dirs.length + 1}/tcp/4001`, '--out', entry, '--data-dir', dir)
    dirs.push(dir)
    entries.push(entry)
  }
  return { work, dirs, entries }
}

test.serial('assemble refuses a tampered founder entry and a duplicate site id, naming them', async (t) => {
  const { work, entries } = await founders('cli-fed', ['north', 'south', 'north-2'])
  const duplicate = await fedmesh('genesis', 'assemble', '--federation-id', 'cli-fed', ...entries)
  t.is(duplicate.code, 2)
  t.regex(duplicate.stderr, /DuplicateSiteError: site id "north" is claimed by both/)

  const tampered = JSON.parse(await readFile(entries[1]!, 'utf8'))
  tampered.member.site_id = 'west'
  const path = join(work, 'tampered.json')
  await writeFile(path, JSON.stringify(tampered))
  const refused = await fedmesh('genesis', 'assemble', '--federation-id', 'cli-fed', entries[0]!, path)
  t.is(refused.code, 2)
  t.regex(refused.stderr, /FounderEntrySignatureError: founder entry .*tampered\.json: the self-signature of \S+ \(site west\) does not verify/)
})

test.serial('sign refuses a genesis of another federation or one this node is not in; combine refuses a signature of another genesis', async (t) => {
  const { work, dirs, entries } = await founders('cli-fed')
  const genesis = join(work, 'genesis.yaml')
  await ok('genesis', 'assemble', '--federation-id', 'cli-fed', '--out', genesis, entries[0]!, entries[1]!)
  // east is not a founder of this genesis
  const outsider = await fedmesh('genesis', 'sign', genesis, '--data-dir', dirs[2]!)
  t.is(outsider.code, 2)
  t.regex(outsider.stderr, /GenesisSignersError: \S+ is not a founding member/)

  const other = join(work, 'other.yaml')
  await ok('genesis', 'assemble', '--federation-id', 'cli-fed', '--created-at', '2026-01-01T00:00:00Z', '--out', other, entries[0]!, entries[1]!)
  await ok('genesis', 'sign', other, '--data-dir', dirs[0]!, '--out', join(work, 'other.sig.json'))
  const wrong = await fedmesh('genesis', 'combine', genesis, join(work, 'other.sig.json'))
  t.is(wrong.code, 2)
  t.regex(wrong.stderr, /GenesisSignatureFileError: .*other\.sig\.json signs another genesis/)

  const elsewhere = join(work, 'elsewhere.yaml')
  await ok('genesis', 'assemble', '--federation-id', 'another-fed', '--out', elsewhere, entries[0]!)
  const mismatch = await fedmesh('genesis', 'sign', elsewhere, '--data-dir', dirs[0]!)
  t.is(mismatch.code, 2)
  t.regex(mismatch.stderr, /GenesisFederationMismatchError/)
})

test.serial('members propose: options after the subcommand reach it; unknown and duplicate members are named; sending needs the running node', async (t) => {
  const { work, dirs, entries } = await founders('cli-fed')
  const genesis = join(work, 'genesis.yaml')
  await ok('genesis', 'assemble', '--federation-id', 'cli-fed', '--out', genesis, entries[0]!, entries[1]!)
  const sigs = []
  for (const dir of dirs.slice(0, 2)) {
    const sig = join(dir, 'me.sig.json')
    await ok('genesis', 'sign', genesis, '--data-dir', dir, '--out', sig)
    sigs.push(sig)
  }
  const signed = join(work, 'genesis.signed.yaml')
  await ok('genesis', 'combine', genesis, ...sigs, '--out', signed)
  const verified = JSON.parse(await ok('genesis', 'verify', signed, '--json'))
  t.true(verified.complete)
  await ok('consensus', 'genesis', signed, '--data-dir', dirs[0]!)

  const unknown = await fedmesh('members', 'propose', 'remove', 'nobody', '--data-dir', dirs[0]!, '--json')
  t.is(unknown.code, 2)
  t.is(JSON.parse(unknown.stdout).error.name, 'UnknownMemberError')
  const duplicate = await fedmesh('members', 'propose', 'add', entries[1]!, '--data-dir', dirs[0]!)
  t.is(duplicate.code, 2)
  t.regex(duplicate.stderr, /DuplicateMemberError/)
  // a valid candidate: everything is checked, then sending needs the running node
  const notRunning = await fedmesh('members', 'propose', 'add', entries[2]!, '--data-dir', dirs[0]!)
  t.is(notRunning.code, 2)
  t.regex(notRunning.stderr, /NodeNotRunningError/)
  const listed = JSON.parse(await ok('members', '--json', '--data-dir', dirs[0]!))
  t.deepEqual(listed.members.map((m: { site_id: string }) => m.site_id).sort(), ['north', 'south'])
})
