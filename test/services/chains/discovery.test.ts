/**
 * Capability discovery between real nodes: each announces its capabilities
 * as DHT provider records; a node that offers nothing finds the providers of
 * a capability, optionally in one jurisdiction, each checked against the
 * membership and its signed node record.
 */
import test from 'ava'
import type { FedmeshNode } from '../../../src/node/node.ts'
import { federation, run, until } from './federation.ts'

const ids = (result: { providers: Array<{ site_id: string }> }): string[] => result.providers.map((p) => p.site_id).sort()

test('discover finds the members providing a capability (and in a jurisdiction) through DHT provider records', async (t) => {
  const fed = await federation('discover', [
    { site: 'uk_north', capabilities: ['water'], jurisdiction: 'UK' },
    { site: 'ie_south', capabilities: ['water', 'power'], jurisdiction: 'IE' },
    { site: 'observer' }
  ])
  t.teardown(fed.stop)
  const [a, b, c] = fed.nodes as [FedmeshNode, FedmeshNode, FedmeshNode]
  await Promise.all([a.capabilities.announce(), b.capabilities.announce()])
  await until('the observer to find both water providers', async () => ids(await run(c, 'discover', { capability: 'water' })).length === 2)
  const water = await run(c, 'discover', { capability: 'water' })
  t.deepEqual(ids(water), ['ie_south', 'uk_north'])
  t.deepEqual(water.rejected, [])
  t.like(water.providers.find((p: { site_id: string }) => p.site_id === 'ie_south'), { jurisdiction: 'IE', capabilities: ['water', 'power'], node_id: b.peerId.toString() })
  t.deepEqual(ids(await run(c, 'discover', { capability: 'water', jurisdiction: 'UK' })), ['uk_north'])
  t.deepEqual(ids(await run(c, 'discover', { capability: 'power' })), ['ie_south'])
  t.deepEqual(ids(await run(a, 'discover', { capability: 'water', jurisdiction: 'UK' })), ['uk_north'], 'a provider finds itself')
  t.deepEqual((await run(c, 'discover', { capability: 'gas' })).providers, [])
  await t.throwsAsync(run(c, 'discover', { capability: 'Water!' }), { name: 'InvalidCapabilityQueryError' })
  await t.throwsAsync(run(c, 'discover', { capability: 'water', jurisdiction: 'uk' }), { name: 'InvalidCapabilityQueryError' })
})
