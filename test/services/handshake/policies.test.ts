/**
 * What the handshake asks of the data policies: which classes it negotiates,
 * what a site's config allows of them, and how an agreement replaces only the
 * bilateral part of a site's entry.
 */
import test from 'ava'
import { dataPolicies } from '../../../src/services/policies/index.ts'
import { DEFAULT_ALLOWED_DATA, parseDataPolicy } from '../../../src/core/policy/data-policy.ts'

const policies = (): ReturnType<typeof dataPolicies> => dataPolicies({
  policy: parseDataPolicy({
    default_allowed_data: [...DEFAULT_ALLOWED_DATA],
    sites: [
      { site_id: 'de_south', allowed_data: ['summary', 'vote', 'attestation', 'audit_checkpoint', 'move_ack', 'incident_summary', 'playbook_metadata'] },
      { site_id: 'fr_west', allowed_data: [...DEFAULT_ALLOWED_DATA, 'coordination_request'] }
    ]
  })
})

test('the negotiated classes are the bilateral ones (not chain, which has its own protocol) plus any class a policy keeps out of gossip', (t) => {
  // de_south's entry withholds aggregated_metrics: it cannot be gossiped, so it may only go bilaterally
  t.deepEqual(policies().bilateralClasses(), ['incident_summary', 'playbook_metadata', 'coordination_request', 'aggregated_metrics'])
})

test('a site is offered the bilateral classes its config entry allows (else the default\'s)', (t) => {
  const p = policies()
  t.deepEqual(p.bilateralAllowed('de_south'), ['incident_summary', 'playbook_metadata'])
  t.deepEqual(p.bilateralAllowed('fr_west'), ['aggregated_metrics', 'coordination_request'])
  t.deepEqual(p.bilateralAllowed('uk_north'), ['aggregated_metrics'], 'no entry: the default')
})

test('an agreement replaces the site\'s bilateral classes only, and the send path sees it at once', (t) => {
  const p = policies()
  p.agreeBilateral('de_south', ['incident_summary'])
  t.true(p.mayDeliver('de_south', 'incident_summary'))
  t.false(p.mayDeliver('de_south', 'playbook_metadata'), 'not agreed')
  t.true(p.mayDeliver('de_south', 'vote'), 'federation-wide classes stay')
  t.throws(() => { p.checkDelivery('de_south', 'playbook_metadata') }, { name: 'DataClassNotAllowedError' })
  t.deepEqual(p.bilateralAllowed('de_south'), ['incident_summary', 'playbook_metadata'], 'the next handshake starts from the config again')
  // nothing an agreement names outside the bilateral classes is taken
  p.agreeBilateral('fr_west', ['summary', 'coordination_request'])
  t.true(p.mayGossip('summary'))
  t.true(p.mayDeliver('fr_west', 'coordination_request'))
  t.true(p.mayGossip('vote'), 'gossip is unchanged by agreements')
})
