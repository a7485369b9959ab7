/**
 * The handshake over real libp2p (memory transport, noise, yamux): members
 * negotiate on their first connection and agree each side's bilateral
 * classes from their configs; every transition is audited; a member whose
 * key the other side no longer holds is refused.
 */
import test from 'ava'
import { clockFrom } from '../../../src/runtime/clock.ts'
import { auditEntries, startFederation, startRelatedPair, until } from './federation.ts'

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
  // both allow a bilateral class with the other (a node with nothing to agree opens no relation)
  const federation = await startFederation('hs-revoked', [
    { site: 'site_a', allows: { site_b: ['incident_summary'] } },
    // site_b's membership holds another key (site_b's own) for site_a's PeerId: site_a's key was rotated away or revoked there
    {
      site: 'site_b',
      allows: { site_a: ['incident_summary'] },
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
  t.is(a!.handshake.relation(ib!.peerId)!.agreed, undefined, 'nothing agreed')
  await until('the refusal audited', async () => (await auditEntries(b!)).some((e) => e.kind === 'handshake' && e.to_state === 'failed' && /revoked_key/.test(e.reason ?? '')))
  t.pass()
})

test('graceful termination: both sides keep the relation through the notice, then it is terminated and nothing more goes to the peer', async (t) => {
  let nowMs = Date.now()
  const init = { clock: clockFrom(() => nowMs), handshake: { heartbeatIntervalMs: 1000, tickMs: 0 } }
  const { federation, a, b, ia, ib } = await startRelatedPair('hs-graceful', init)
  t.teardown(federation.stop)

  const view = await a!.operations.run('relations.terminate', { to: 'site_b', notice_seconds: 60, reason: 'contract_ended' }) as { state: string, terminates_at_ms: number }
  t.is(view.state, 'terminating')
  t.is(view.terminates_at_ms, nowMs + 60_000)
  await until('b to hear the notice', () => b!.handshake.relation(ia!.peerId)?.state === 'terminating')
  // during the notice the relation still carries what was agreed
  t.like(await a!.bilateral.send({ dataClass: 'incident_summary', to: 'site_b', payload: new Uint8Array([1]) }), { status: 'delivered' })

  nowMs += 60_000
  await Promise.all([a!.handshake.tick(), b!.handshake.tick()])
  t.is(a!.handshake.relation(ib!.peerId)!.state, 'terminated')
  t.is(b!.handshake.relation(ia!.peerId)!.state, 'terminated')
  await t.throwsAsync(a!.bilateral.send({ dataClass: 'incident_summary', to: 'site_b', payload: new Uint8Array([2]) }), { name: 'RelationNotActiveError' })
  t.deepEqual(await a!.bilateral.queued(), {}, 'nothing queued for a terminated relation')
  t.true((await auditEntries(a!)).some((e) => e.kind === 'handshake' && e.from_state === 'terminating' && e.to_state === 'terminated'))
})

test('forced termination: the peer\'s handshakes are refused until both operators re-establish', async (t) => {
  const federation = await startFederation('hs-forced', [
    { site: 'site_a', allows: { site_b: ['incident_summary'] } },
    { site: 'site_b', allows: { site_a: ['incident_summary'] } }
  ])
  t.teardown(federation.stop)
  const [a, b] = federation.nodes
  const [ia, ib] = federation.ids
  await until('both relations active', () => a!.handshake.relation(ib!.peerId)?.state === 'active' && b!.handshake.relation(ia!.peerId)?.state === 'active')

  await a!.handshake.terminate(ib!.peerId, { forced: true, reason: 'compromised' })
  t.like(a!.handshake.relation(ib!.peerId), { state: 'terminated', forced: true, reason: 'compromised' })
  await until('b to hear the forced termination', () => b!.handshake.relation(ia!.peerId)?.state === 'terminated')
  t.true(b!.handshake.relation(ia!.peerId)!.forced)

  // b's operator tries again: refused locally, and a refuses b's handshake while its own block stands
  await t.throwsAsync(b!.handshake.establish(ia!.peerId), { name: 'RelationTerminatedError' })
  b!.handshake.allow(ia!.peerId)
  const refused = await b!.handshake.establish(ia!.peerId)
  t.like(refused, { state: 'failed', reason: 'refused_by_peer' }, 'a refused it')
  t.true((await auditEntries(a!)).some((e) => e.kind === 'handshake' && e.peer === ib!.peerId && e.reason === 'refused:terminated'))

  // a's operator lifts its block too: the relation is re-established
  const again = await a!.operations.run('relations.establish', { to: 'site_b' }) as { state: string, establishments: number }
  t.is(again.state, 'active')
  t.true(again.establishments >= 2, 're-established')
})
