import test from 'ava'
import { parseConfig, ConfigError } from '../../src/config/load.ts'
import { DEFAULT_ALLOWED_DATA } from '../../src/core/policy/data-policy.ts'

const base = { site_id: 'uk_north', jurisdiction: 'UK' }

test('federation.sites and default_allowed_data default to no site entries and the federation-wide classes', (t) => {
  const config = parseConfig(base)
  t.deepEqual(config.federation.sites, [])
  t.deepEqual(config.federation.default_allowed_data, [...DEFAULT_ALLOWED_DATA])
  const withSites = parseConfig({ ...base, federation: { sites: [{ site_id: 'de_south', allowed_data: ['summary', 'incident_summary'] }] } })
  t.deepEqual(withSites.federation.sites, [{ site_id: 'de_south', allowed_data: ['summary', 'incident_summary'] }])
})

test('an unknown data class or a site listed twice names the key and the policy error', (t) => {
  const err = t.throws(() => parseConfig({
    ...base,
    federation: {
      default_allowed_data: ['summary', 'raw_records'],
      sites: [{ site_id: 'de_south', allowed_data: ['vote'] }, { site_id: 'de_south', allowed_data: ['votes'] }]
    }
  }), { instanceOf: ConfigError })
  const text = err.message
  t.regex(text, /federation\.default_allowed_data\.1: UnknownDataClassError/)
  t.regex(text, /federation\.sites\.1\.allowed_data\.0: UnknownDataClassError/)
  t.regex(text, /federation\.sites\.1\.site_id: DuplicateSitePolicyError: site "de_south" has a policy already/)
})
