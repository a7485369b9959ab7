import test from 'ava'
import { logLimits } from '../../src/config/log-limits.ts'
import { mkdtemp, readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseConfig, parseConfigText, formatConfig, loadConfig, writeConfig, ConfigError } from '../../src/config/load.ts'
import { SLUG_LENGTH_MAX, CAPABILITIES_MAX } from '../../src/config/schema.ts'

const valid = { site_id: 'uk_north', jurisdiction: 'UK', capabilities: ['water', 'power'] }
const peer = '12D3KooWDZsLhX29oTnM7yUGBJaUtFyDDaYALxJgauRMepGMVJnD'

/** The problems a bad config produces, as "key: message". */
function problemsOf (input: unknown): string[] {
  const err = (() => { try { parseConfig(input); return undefined } catch (e) { return e } })()
  if (!(err instanceof ConfigError)) throw new Error('expected a ConfigError')
  return err.problems.map((p) => `${p.key}: ${p.message}`)
}

test('a valid config gets every default filled in', (t) => {
  const config = parseConfig(valid)
  t.is(config.federation.enabled, false)
  t.is(config.federation.federation_id, 'default')
  t.deepEqual(config.federation.bootstrap, [])
  t.is(config.api.host, '127.0.0.1')
  t.is(config.api.port, 7701)
  t.is(config.log.level, 'info')
  t.is(config.audit.witnesses_per_checkpoint, 8)
})

test('audit.witnesses_per_checkpoint is a positive integer', (t) => {
  t.deepEqual(problemsOf({ ...valid, audit: { witnesses_per_checkpoint: 0 } }), ['audit.witnesses_per_checkpoint: must be at least 1'])
  t.is(parseConfig({ ...valid, audit: { witnesses_per_checkpoint: 3 } }).audit.witnesses_per_checkpoint, 3)
})

test('audit.checkpoint_spacing_ms_per_member: 1000 by default, 0..60000', (t) => {
  t.is(parseConfig(valid).audit.checkpoint_spacing_ms_per_member, 1000)
  t.is(parseConfig({ ...valid, audit: { checkpoint_spacing_ms_per_member: 0 } }).audit.checkpoint_spacing_ms_per_member, 0)
  t.deepEqual(problemsOf({ ...valid, audit: { checkpoint_spacing_ms_per_member: -1 } }), ['audit.checkpoint_spacing_ms_per_member: must not be negative'])
  t.deepEqual(problemsOf({ ...valid, audit: { checkpoint_spacing_ms_per_member: 60_001 } }), ['audit.checkpoint_spacing_ms_per_member: must be at most 60000'])
})

test('audit.checkpoints_retained: 16 by default, 1..10000, and the audit_checkpoint class supersedes with that window', (t) => {
  t.is(parseConfig(valid).audit.checkpoints_retained, 16)
  t.deepEqual(problemsOf({ ...valid, audit: { checkpoints_retained: 0 } }), ['audit.checkpoints_retained: must be at least 1'])
  t.deepEqual(problemsOf({ ...valid, audit: { checkpoints_retained: 10_001 } }), ['audit.checkpoints_retained: must be at most 10000'])
  const limits = logLimits(parseConfig({ ...valid, audit: { checkpoints_retained: 5 }, sync: { retention: { default: 50 } } }))
  t.deepEqual(limits('audit_checkpoint'), { retentionEntries: 5, heldEntriesMax: 5, supersedes: true })
  t.deepEqual(limits('vote'), { retentionEntries: 50, heldEntriesMax: 50 })
})

test('a valid file round-trips through YAML', (t) => {
  const config = parseConfig({ ...valid, federation: { enabled: true, federation_id: 'grid', bootstrap: [`/ip4/10.0.0.1/tcp/4001/p2p/${peer}`] } })
  t.deepEqual(parseConfigText(formatConfig(config)), config)
})

test('a valid file round-trips through the data dir', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'fedmesh-config-'))
  const written = await writeConfig(dir, valid)
  t.deepEqual(await loadConfig(dir), written)
  t.regex(await readFile(join(dir, 'config.yaml'), 'utf8'), /site_id: uk_north/)
})

const badInputs: Array<[string, unknown, RegExp]> = [
  ['an unknown key', { ...valid, colour: 'blue' }, /^colour: unknown key$/],
  ['an unknown nested key', { ...valid, federation: { enabled: true, bootstrapp: [] } }, /^federation\.bootstrapp: unknown key$/],
  ['a missing site_id', { jurisdiction: 'UK' }, /^site_id: is required$/],
  ['a capability that is not a slug', { ...valid, capabilities: ['Water Supply'] }, /^capabilities\.0: must be a slug/],
  ['a site id over the length limit', { ...valid, site_id: 'a'.repeat(SLUG_LENGTH_MAX + 1) }, /^site_id: must be at most/],
  ['too many capabilities', { ...valid, capabilities: Array.from({ length: CAPABILITIES_MAX + 1 }, (_, i) => `c${i}`) }, /^capabilities: /],
  ['a bad multiaddr', { ...valid, listen: ['/ip4/999.1.1.1/tcp/1'] }, /^listen\.0: is not a valid multiaddr/],
  ['a bootstrap address without a peer id', { ...valid, federation: { bootstrap: ['/ip4/10.0.0.1/tcp/4001'] } }, /^federation\.bootstrap\.0: must end with \/p2p\/<peer id>/],
  ['a port out of range', { ...valid, api: { port: 70000 } }, /^api\.port: must be between 0 and 65535$/],
  ['a port that is not a number', { ...valid, api: { port: 'http' } }, /^api\.port: must be a number$/],
  ['a bad jurisdiction', { ...valid, jurisdiction: 'United Kingdom' }, /^jurisdiction: must be an ISO 3166 code/],
  ['a bad log level', { ...valid, log: { level: 'loud' } }, /^log\.level: /],
  ['a member list (removed: members come from the genesis)', { ...valid, federation: { members: ['alice'] } }, /^federation\.members: was removed: members now come only from the federation's signed genesis.*fedmesh consensus genesis/]
]

for (const [what, input, expected] of badInputs) {
  test(`config with ${what} is a ConfigError naming the key`, (t) => {
    const problems = problemsOf(input)
    t.true(problems.some((p) => expected.test(p)), problems.join('\n'))
  })
}

test('every bad key is reported at once', (t) => {
  const problems = problemsOf({ site_id: 'Bad Site', jurisdiction: 'uk', api: { port: -1 }, extra: 1 })
  t.true(problems.length >= 4, problems.join('\n'))
})

test('text that is not YAML, or not a mapping, is a ConfigError', (t) => {
  t.throws(() => parseConfigText('site_id: [unclosed'), { instanceOf: ConfigError, message: /not valid YAML/ })
  t.throws(() => parseConfigText('- a\n- b'), { instanceOf: ConfigError, message: /must be a mapping/ })
})

test('a missing config file says to run init', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'fedmesh-config-'))
  await t.throwsAsync(loadConfig(dir), { instanceOf: ConfigError, message: /fedmesh init/ })
})

test('nothing invalid is ever written', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'fedmesh-config-'))
  await t.throwsAsync(writeConfig(dir, { ...valid, api: { port: 99999 } }), { instanceOf: ConfigError })
  await t.throwsAsync(readFile(join(dir, 'config.yaml')), { code: 'ENOENT' })
})
