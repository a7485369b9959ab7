/**
 * Real nodes for the chains service tests: FedmeshNodes on the memory
 * transport with a genesis loaded into each store (as in
 * test/node/consensus-service.test.ts), optionally on data dirs so a node can
 * be stopped and started again on the same store.
 */
import { createHash } from 'node:crypto'
import { generateKeyPairFromSeed } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import type { PrivateKey } from '@libp2p/interface'
import { FedmeshNode } from '../../../src/node/node.ts'
import { parseConfig } from '../../../src/config/load.ts'
import { hybridSignerFromSeeds, hybridVerifier } from '../../../src/crypto/hybrid.ts'
import { signGenesis, verifyGenesis } from '../../../src/core/consensus/genesis.ts'
import { publicKeyToJson } from '../../../src/core/consensus/member.ts'
import { initialTrust } from '../../../src/core/consensus/trust.ts'
import { ConsensusStore } from '../../../src/store/consensus.ts'
import type { HybridSigner } from '../../../src/core/signature.ts'
import type { Clock } from '../../../src/runtime/clock.ts'

export const FEDERATION = 'chains-net'
const seed = (label: string): Uint8Array => new Uint8Array(createHash('sha256').update(label).digest())

export interface SiteSpec {
  site: string
  /** a data dir keeps the store across a restart; absent → in memory */
  dataDir?: string
  /** the node's clock (a test moves it past deadlines); default the system clock */
  clock?: Clock
  /** the config's capabilities (default none) and jurisdiction (default UK) */
  capabilities?: string[]
  jurisdiction?: string
}

export interface Federation {
  nodes: FedmeshNode[]
  /** starts site `i` again (a new FedmeshNode on the same key, address and data dir) */
  restart: (i: number) => Promise<FedmeshNode>
  stop: () => Promise<void>
}

/**
 * Starts one node per site, all founders of one genesis; node 0 is everyone's
 * bootstrap peer. `meshTimeoutMs` bounds the wait for the gossip mesh (default
 * 20 s); `dialAll` connects every pair at once instead of leaving it to DHT
 * discovery (for tests of something else, with more nodes, on a loaded host).
 */
export async function federation (tag: string, sites: SiteSpec[], options: { meshTimeoutMs?: number, dialAll?: boolean } = {}): Promise<Federation> {
  const keys: PrivateKey[] = await Promise.all(sites.map(async (_, i) => await generateKeyPairFromSeed('Ed25519', seed(`${tag}/ed25519/${i}`))))
  const signers: HybridSigner[] = keys.map((key, i) => hybridSignerFromSeeds({ ed25519Seed: key.raw.subarray(0, 32), mldsaSeed: seed(`${tag}/mldsa/${i}`) }))
  const ids = keys.map((key) => peerIdFromPrivateKey(key).toString())
  const genesis = signGenesis({
    version: 1,
    federation_id: FEDERATION,
    created_at: new Date().toISOString(),
    consensus: { threshold: 'bft', min_participating_nodes: 2, tie_breaking: 'timestamp_priority' },
    members: ids.map((id, i) => ({ node_id: id, public_key: publicKeyToJson(signers[i]!.publicKey), site_id: sites[i]!.site }))
  }, new Map(ids.map((id, i) => [id, signers[i]!])))
  const { membership, policy } = verifyGenesis(genesis, hybridVerifier())
  const listen = (i: number): string => `/memory/chains-${tag}-${process.pid}-${i}`

  const nodes: FedmeshNode[] = []
  const create = async (i: number, fresh: boolean): Promise<FedmeshNode> => {
    const config = parseConfig({
      site_id: sites[i]!.site, jurisdiction: sites[i]!.jurisdiction ?? 'UK', capabilities: sites[i]!.capabilities ?? [], listen: [listen(i)],
      federation: { enabled: true, federation_id: FEDERATION, bootstrap: i === 0 ? [] : [`${listen(0)}/p2p/${ids[0]!}`], metrics_interval_seconds: 3600 }
    })
    const { dataDir, clock } = sites[i]!
    const node = await FedmeshNode.create({
      config, privateKey: keys[i]!, signer: signers[i]!, transport: 'memory', libp2pMetrics: false, gossipHeartbeatMs: 100, ...(dataDir === undefined ? {} : { dataDir }), ...(clock === undefined ? {} : { clock })
    })
    if (fresh) await new ConsensusStore(node.store).initGenesis(membership, policy, ids.map((id) => initialTrust(id, Date.now())))
    await node.start()
    return node
  }
  for (let i = 0; i < sites.length; i++) nodes.push(await create(i, true))
  // summaries published before the gossip mesh forms would wait for the periodic republish
  try {
    if (options.dialAll === true) {
      await Promise.all(nodes.flatMap((node, i) => nodes.slice(i + 1).map(async (other) => { await node.libp2p.dial(other.libp2p.getMultiaddrs()) })))
    }
    await until('the summary mesh', () => nodes.every((node) => node.libp2p.services.pubsub.getSubscribers(`/fedmesh/${FEDERATION}/summary/1`).length >= nodes.length - 1), options.meshTimeoutMs)
  } catch (err) {
    // nobody else holds these nodes yet: stop them, or the test process never exits
    await Promise.all(nodes.map(async (node) => { await node.stop() }))
    throw err
  }
  return {
    nodes,
    restart: async (i) => {
      nodes[i] = await create(i, false)
      return nodes[i]!
    },
    stop: async () => { await Promise.all(nodes.map(async (node) => { await node.stop() })) }
  }
}

/** Waits for `check` to hold, polling; fails after `timeoutMs` naming `what`. */
export async function until (what: string, check: () => Promise<boolean> | boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

// operation results are plain JSON; the tests read fields of several shapes
export const run = async (node: FedmeshNode, name: string, args: unknown = {}): Promise<any> => await node.operations.run(name, args)

/** Settles the seed chain A proposes (alice and carol on A, bob on B) through the operations: consents, deliveries, confirmations with these satisfactions (0…1, by recipient); resolves with the chain id once both nodes completed it. */
export async function settle (a: FedmeshNode, b: FedmeshNode, satisfactions: { carol: number, bob: number, alice: number }): Promise<string> {
  const { chain_id: id } = await run(a, 'chain.propose', {})
  await until('B to bind', async () => (await run(b, 'chains.list', {})).chains.some((c: { chain_id: string, state: string }) => c.chain_id === id && c.state === 'consenting'))
  await run(b, 'chain.consent', { chain_id: id, participant: 'bob' })
  await run(a, 'chain.consent', { chain_id: id, participant: 'alice' })
  await run(a, 'chain.consent', { chain_id: id, participant: 'carol' })
  await until('the commit', async () => (await run(b, 'chain.show', { chain_id: id })).state === 'committed' && (await run(a, 'chain.show', { chain_id: id })).state === 'committed')
  await run(a, 'chain.deliver', { chain_id: id, participant: 'alice' })
  await run(a, 'chain.deliver', { chain_id: id, participant: 'carol' })
  await run(b, 'chain.deliver', { chain_id: id, participant: 'bob' })
  await run(a, 'chain.confirm', { chain_id: id, participant: 'carol', satisfaction: satisfactions.carol })
  await run(a, 'chain.confirm', { chain_id: id, participant: 'alice', satisfaction: satisfactions.alice })
  await until('B to see every delivery', async () => (await run(b, 'chain.show', { chain_id: id })).edges.every((e: { delivered: boolean }) => e.delivered))
  await run(b, 'chain.confirm', { chain_id: id, participant: 'bob', satisfaction: satisfactions.bob })
  await until('both to complete', async () => (await run(a, 'chain.show', { chain_id: id })).state === 'complete' && (await run(b, 'chain.show', { chain_id: id })).state === 'complete')
  return id
}
