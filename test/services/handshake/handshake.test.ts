/**
 * The handshake over real libp2p (memory transport, noise, yamux): members
 * negotiate on their first connection and agree each side's bilateral
 * classes from their configs; every transition is audited; a member whose
 * key the other side no longer holds is refused.
 */
import test from 'ava'
import { auditEntries, startFederation, until } from './federation.ts'

test('two members handshake on their first connection, agree the bilateral policy both configs allow, and audit it', async (t) => {
  const federation = await startFederation('hs-happy', [
    { site: 'site_a', allows: { site_b: ['incident_summary', 'playbook_metadata'] } },
    { site: 'site_b', allows: { site_a: ['incident_summary'] } }
  ])
  t.teardown(federation.stop)
  const [a, b] = federation.nodes
  const [ia, ib] = federation.ids
  await until('both relations active', () => a!.handshake.relation(ib!.peerId)?.state === 'active' && b!.handshake.relation(ia!.peerId)?.state === 'active')

  const view = a!.handshake.relations().find((r) => r.peer === ib!.peerId)!
  t.is(view.site, 'site_b')
  t.deepEqual(view.sends, ['incident_summary'], 'site_b wants only incident_summary')
  t.deepEqual(view.receives, ['incident_summary'], 'site_b offers only incident_summary')
  t.is(typeof view.last_heartbeat_ms, 'number')
  // the agreed classes are now the send path's policy for that site
  t.true(a!.policies.mayDeliver('site_b', 'incident_summary'))
  t.false(a!.policies.mayDeliver('site_b', 'playbook_metadata'), 'offered by a, not wanted by b: not agreed')
  t.true(a!.policies.mayGossip('vote'), 'federation-wide classes are untouched')

  // the operation shows the same
  const listed = await a!.operations.run('relations', {}) as { relations: any[] }
  t.like(listed.relations.find((r) => r.peer === ib!.peerId), { state: 'active', site: 'site_b', sends: ['incident_summary'] })

  await until('the activation audited on both sides', async () => {
    const both = await Promise.all([auditEntries(a!), auditEntries(b!)])
    return both.every((entries) => entries.some((e) => e.kind === 'handshake' && e.to_state === 'active') && entries.some((e) => e.kind === 'policy' && e.change === 'bilateral_policy_agreed'))
  })
  const entries = await auditEntries(a!)
  t.true(entries.some((e) => e.kind === 'handshake' && e.peer === ib!.peerId && e.from_state === 'new' && e.to_state === 'handshaking'))
})

test('over libp2p, a member whose key was revoked from the other side\'s membership is refused (revoked_key) on both ends', async (t) => {
  const federation = await startFederation('hs-revoked', [
    { site: 'site_a' },
    // site_b's membership holds another key (site_b's own) for site_a's PeerId: site_a's key was rotated away or revoked there
    {
      site: 'site_b',
      membership: (members) => {
        const [a, b] = [...members.keys()]
        members.set(a!, { key: members.get(b!)!.key, siteId: 'site_a' })
      }
    }
  ])
  t.teardown(federation.stop)
  const [a, b] = federation.nodes
  const [ia, ib] = federation.ids
  await until('both ends failed', () => a!.handshake.relation(ib!.peerId)?.state === 'failed' && b!.handshake.relation(ia!.peerId)?.state === 'failed')
  const reasons = [a!.handshake.relation(ib!.peerId)!.reason, b!.handshake.relation(ia!.peerId)!.reason].sort()
  // whichever side opened, the side holding the other key refuses with revoked_key, the other hears the refusal
  t.deepEqual(reasons, ['refused_by_peer', 'revoked_key'])
  t.false(a!.policies.mayDeliver('site_b', 'incident_summary'))
  await until('the refusal audited', async () => (await auditEntries(b!)).some((e) => e.kind === 'handshake' && e.to_state === 'failed' && /revoked_key/.test(e.reason ?? '')))
  t.pass()
})
