import test from 'ava'
import {
  allowedFor, DEFAULT_ALLOWED_DATA, DuplicateSitePolicyError, mayDeliver, mayGossip, parseDataPolicy, POLICY_SITES_MAX,
  TooManySitePoliciesError, UnknownDataClassError, withAgreedPolicy
} from '../../../src/core/policy/data-policy.ts'
import { BILATERAL_CLASSES, FEDERATION_WIDE_CLASSES } from '../../../src/core/data-class.ts'

const policy = parseDataPolicy({
  default_allowed_data: [...DEFAULT_ALLOWED_DATA],
  sites: [
    { site_id: 'de_south', allowed_data: ['summary', 'vote', 'attestation', 'audit_checkpoint', 'incident_summary'] },
    { site_id: 'fr_west', allowed_data: [...DEFAULT_ALLOWED_DATA, 'playbook_metadata'] }
  ]
})

test('by default every federation-wide class may be gossiped and no bilateral class may', (t) => {
  const open = parseDataPolicy({ default_allowed_data: [...DEFAULT_ALLOWED_DATA], sites: [] })
  for (const dataClass of FEDERATION_WIDE_CLASSES) t.true(mayGossip(open, dataClass), dataClass)
  for (const dataClass of BILATERAL_CLASSES) t.false(mayGossip(open, dataClass), dataClass)
})

test('a class one site may not receive never enters gossip, however many others allow it', (t) => {
  t.false(mayGossip(policy, 'aggregated_metrics'), 'de_south withholds it')
  t.true(mayGossip(policy, 'vote'))
  t.false(mayGossip(policy, 'incident_summary'), 'the default withholds it')
})

test('a direct delivery follows the site\'s own entry, else the default', (t) => {
  t.true(mayDeliver(policy, 'de_south', 'incident_summary'))
  t.false(mayDeliver(policy, 'de_south', 'aggregated_metrics'))
  t.true(mayDeliver(policy, 'fr_west', 'playbook_metadata'))
  t.false(mayDeliver(policy, 'uk_north', 'playbook_metadata'), 'no entry: the default')
  t.false(mayDeliver(policy, undefined, 'incident_summary'), 'an unknown peer: the default')
  t.deepEqual([...allowedFor(policy, 'uk_north')], [...DEFAULT_ALLOWED_DATA])
})

test('the handshake\'s agreed classes replace a site\'s entry without touching the others', (t) => {
  const agreed = withAgreedPolicy(policy, 'de_south', ['summary', 'vote', 'attestation', 'audit_checkpoint', 'aggregated_metrics'])
  t.true(mayDeliver(agreed, 'de_south', 'aggregated_metrics'))
  t.false(mayDeliver(agreed, 'de_south', 'incident_summary'))
  t.true(mayGossip(agreed, 'aggregated_metrics'))
  t.true(mayDeliver(policy, 'de_south', 'incident_summary'), 'the old policy is unchanged')
  t.is(agreed.sites.get('fr_west'), policy.sites.get('fr_west'))
})

test('a policy naming an unknown class, a site twice, or too many sites is refused with a named error', (t) => {
  t.throws(() => parseDataPolicy({ default_allowed_data: ['summary', 'raw_records'], sites: [] }), { instanceOf: UnknownDataClassError, message: /default_allowed_data: "raw_records"/ })
  t.throws(() => parseDataPolicy({ default_allowed_data: [], sites: [{ site_id: 'a', allowed_data: ['votes'] }] }), { instanceOf: UnknownDataClassError, message: /sites\.0\.allowed_data/ })
  t.throws(() => parseDataPolicy({ default_allowed_data: [], sites: [{ site_id: 'a', allowed_data: [] }, { site_id: 'a', allowed_data: [] }] }), { instanceOf: DuplicateSitePolicyError, message: /sites\.1/ })
  const sites = Array.from({ length: POLICY_SITES_MAX + 1 }, (_, i) => ({ site_id: `s${i}`, allowed_data: [] }))
  t.throws(() => parseDataPolicy({ default_allowed_data: [], sites }), { instanceOf: TooManySitePoliciesError })
  t.notThrows(() => parseDataPolicy({ default_allowed_data: [], sites: sites.slice(0, POLICY_SITES_MAX) }))
})
