/**
 * A small in-process federation for handshake and bilateral tests: nodes on
 * the memory transport, each with a deterministic identity, the same
 * preloaded membership (or one a test edits per node), its own data
 * policies, and optionally an injected clock, handshake timing and a libp2p
 * metrics implementation (the wire capture).
 */
import { FedmeshNode, type NodeInit } from '../../../src/node/node.ts'
import { parseConfig } from '../../../src/config/load.ts'
import { membershipOfKeys, testIdentity, type TestIdentity } from '../../fixtures/federation.ts'
import type { HybridPublicKey } from '../../../src/core/signature.ts'
import type { DataClass } from '../../../src/core/data-class.ts'
import { DEFAULT_ALLOWED_DATA } from '../../../src/core/policy/data-policy.ts'

export const FEDERATION = 'boundary-net'
let run = 0

/** Waits for a condition, polling, bounded (no assertion on how long it took). */
export async function until (what: string, check: () => Promise<boolean> | boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
}

export interface NodeSpec {
  site: string
  /** bilateral classes this node's config allows with each other site */
  allows?: Record<string, DataClass[]>
  /** edits the membership this node holds (a revoked key, a missing member) */
  membership?: (members: Map<string, { key: HybridPublicKey, siteId: string }>) => void
  init?: Partial<NodeInit>
  /** created (a member) but not started: the test starts it (an offline peer) */
  offline?: boolean
}

export interface Federation {
  nodes: FedmeshNode[]
  ids: TestIdentity[]
  stop: () => Promise<void>
}

/** Starts the nodes in order; each later one bootstraps to the first. */
export async function startFederation (label: string, specs: NodeSpec[]): Promise<Federation> {
  run++
  const ids = await Promise.all(specs.map(async (spec) => await testIdentity(`${label}/${spec.site}`, spec.site)))
  const nodes: FedmeshNode[] = []
  for (const [i, spec] of specs.entries()) {
    const members = new Map(ids.map((id) => [id.peerId, { key: id.signer.publicKey, siteId: id.site }]))
    spec.membership?.(members)
    const config = parseConfig({
      site_id: spec.site,
      jurisdiction: 'UK',
      listen: [`/memory/${label}-${process.pid}-${run}-${i}`],
      federation: {
        enabled: true,
        federation_id: FEDERATION,
        bootstrap: i === 0 ? [] : [nodes[0]!.multiaddrs()[0]],
        metrics_interval_seconds: 3600,
        sites: Object.entries(spec.allows ?? {}).map(([site, classes]) => ({ site_id: site, allowed_data: [...DEFAULT_ALLOWED_DATA, ...classes] }))
      },
      audit: { checkpoint_interval_seconds: 86_400 }
    })
    const node = await FedmeshNode.create({
      config,
      privateKey: ids[i]!.privateKey,
      signer: ids[i]!.signer,
      transport: 'memory',
      libp2pMetrics: false,
      gossipHeartbeatMs: 100,
      preloadedMembership: membershipOfKeys(FEDERATION, [...members]),
      ...spec.init
    })
    if (spec.offline !== true) await node.start()
    nodes.push(node)
  }
  return {
    nodes,
    ids,
    stop: async () => { await Promise.all(nodes.map(async (node) => { await node.stop() })) }
  }
}

/** Two members, site_a and site_b, each allowing the other `incident_summary`, started; their relation active both ways. */
export interface RelatedPair {
  federation: Federation
  a: FedmeshNode
  b: FedmeshNode
  ia: TestIdentity
  ib: TestIdentity
}

/** Starts site_a (with `init`) and site_b (with `initB`, default `init`), then waits for their relation to be active on both sides. */
export async function startRelatedPair (label: string, init: Partial<NodeInit>, initB: Partial<NodeInit> = init): Promise<RelatedPair> {
  const federation = await startFederation(label, [
    { site: 'site_a', allows: { site_b: ['incident_summary'] }, init },
    { site: 'site_b', allows: { site_a: ['incident_summary'] }, init: initB }
  ])
  const [a, b] = federation.nodes as [FedmeshNode, FedmeshNode]
  const [ia, ib] = federation.ids as [TestIdentity, TestIdentity]
  try {
    await until('both relations active', () => a.handshake.relation(ib.peerId)?.state === 'active' && b.handshake.relation(ia.peerId)?.state === 'active')
  } catch (err) {
    await federation.stop()
    throw err
  }
  return { federation, a, b, ia, ib }
}

/** The node's audit log entries (as `fedmesh audit export` gives them). */
export async function auditEntries (node: FedmeshNode): Promise<any[]> {
  return ((await node.operations.run('audit.export', {})) as { entries: any[] }).entries
}
