/**
 * A cluster: the real `FedmeshNode`s of one process. The coordinator drives
 * the whole network through the `Cluster` interface; `LocalCluster` runs
 * nodes in this process (memory transport, or TCP loopback inside a worker),
 * `WorkerCluster` (workers.ts) spreads them over child processes.
 */
import { createHash } from 'node:crypto'
import { generateKeyPairFromSeed } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import type { PeerId, PrivateKey } from '@libp2p/interface'
import { FedmeshNode } from '../src/node/node.ts'
import { InputError } from '../src/core/errors.ts'
import { parseConfig } from '../src/config/load.ts'
import { DATA_CLASSES } from '../src/core/data-class.ts'
import { gossipTopic } from '../src/net/gossip.ts'
import { hybridSignerFromSeeds } from '../src/crypto/hybrid.ts'
import type { HybridPublicKey, HybridSigner } from '../src/core/signature.ts'
import type { Membership } from '../src/core/consensus/membership.ts'
import { decodeEnvelope, type DataClass } from '../src/wire/envelope.ts'
import { seededRandom, type Random } from '../src/runtime/random.ts'
import type { Scenario } from './scenario.ts'
import type { Plan } from './plan.ts'
import { ByteCounter } from './byte-counter.ts'
import { attributeDials } from './idle-profile.ts'
import type { SimGraph } from './graph.ts'
import { LinkNetwork, pipelineMemoryLatency, type LinkUsage } from './memory-links.ts'
import { attack, consensusView, loadSimGenesis, simGenesis, type NodeConsensusView, type SimGenesis } from './consensus.ts'
import { VOTE_CLASS } from '../src/services/consensus/index.ts'
import { LOAD_CONTENT_TYPE, LOAD_SCHEMA_ID, decodeLoadPayload, encodeLoadPayload, simNow } from './load.ts'
import { AttackPlayer, type AttackStats, type PenaltyStats } from './attacks.ts'
import { CachingVerifier, simHostOptions } from './profile.ts'
import { hybridVerifier } from '../src/crypto/hybrid.ts'
import type { ThreadNetwork } from './thread-transport.ts'

/** How long a simulated node waits for a proposal to reach it before it votes, and how often it looks (ms). */
const VOTE_EVENT_WAIT_MS = 10_000
const VOTE_EVENT_POLL_MS = 20

/** The scenario loads a data class the node already handles itself (its deliveries could not be observed). */
export class SimLoadClassError extends InputError {
  static override readonly code = 'SimLoadClassError'
  override readonly name = 'SimLoadClassError'
}

/** The federation every sim node belongs to. */
export const SIM_FEDERATION_ID = 'sim'
/** Latency of every in-process link under virtual time (one value for now; per-link draws from the seed are not done yet). */
export const VIRTUAL_LINK_LATENCY_MS = 10
/** How often unjoined nodes are checked for their first mesh peer. */
const JOIN_POLL_MS = 50
/** Bound on one topology dial. */
const DIAL_MS_MAX = 10_000

/** memory: @libp2p/memory in one process; tcp: loopback between worker processes; thread: sim/thread-transport.ts between worker threads */
export type SimTransport = 'memory' | 'tcp' | 'thread'

/** A sim node's memory address (in-process and thread modes); `simAddressOwner` reads the index back. */
function simMemoryAddress (runId: string, index: number): string {
  return `/memory/sim-${runId}-${index}`
}
const SIM_MEMORY_ADDRESS = /^\/memory\/sim-\d+-(\d+)$/

/**
 * The thread owning a sim node's address in the multi-thread mode (`simMemoryAddress`: node index i lives in
 * thread i % threads); undefined for any other address.
 */
export function simAddressOwner (threads: number): (address: string) => number | undefined {
  return (address) => {
    const match = SIM_MEMORY_ADDRESS.exec(address)
    return match === null ? undefined : Number(match[1]) % threads
  }
}

/** One node's state at a sample. Byte counts add up over all its lives. */
export interface NodeSample {
  index: number
  up: boolean
  /** start of the current life (simNow ms) */
  startedAtMs?: number
  /** first gossipsub mesh peer on the load topic in the current life */
  joinedAtMs?: number
  connections: number
  bytesSent: number
  bytesReceived: number
}

/** A message reaching a node's application (accepted by the wire pipeline). */
export interface Delivery {
  message: number
  node: number
  atMs: number
}

/** What a cluster reports at each sample; deliveries and verdicts since the previous sample. */
export interface ClusterSample {
  rssBytes: number
  nodes: NodeSample[]
  deliveries: Delivery[]
  /** `accept`, `ignore:<reason>`, `reject:<reason>` → count, for the load's data classes */
  verdicts: Record<string, number>
  /** the lean profile's verification cache counts so far (workers report theirs here; absent in the production profile) */
  verificationCache?: { hits: number, misses: number }
}

export interface PublishResult {
  message: number
  node: number
  publishedAtMs: number
  recipients: number
  /** hex id of the envelope that carried it */
  envelopeId: string
}

/** Consensus actions on the nodes (in-process clusters only). */
export interface SimConsensus {
  /** An honest proposal by `node`; resolves to its event hash. */
  propose: (node: number, slot: string) => Promise<string>
  vote: (node: number, slot: string, eventHash: string) => Promise<void>
  /** A byzantine member's behaviours in one slot (forging in `victim`'s name); resolves to the messages it sent. */
  attack: (node: number, slot: string, honestHash: string, victim: number) => Promise<number>
  /** Every up node's QCs for `slots` and its evidence, read from its store. */
  views: (slots: string[]) => Promise<NodeConsensusView[]>
  /** Verdicts on the vote class since the start: accept, ignore:<code>, reject:<code>. */
  verdicts: () => Record<string, number>
  /** every node's peer id, by index */
  nodeIds: () => Promise<string[]>
}

/** A scenario's attack on the nodes (in-process clusters only; sim/attacks.ts). */
export interface SimAttackControl {
  start: () => Promise<void>
  /** one round: dials, junk, and a sample of who is connected to whom */
  tick: () => Promise<void>
  /** what the attack did so far, and the gossipsub scores honest nodes hold for the attackers now */
  observe: () => { stats: AttackStats, penalties: PenaltyStats }
}

/** The operations the coordinator needs, whatever the processes behind them. */
export interface Cluster {
  /** the lean profile's verification cache counts (in-process clusters; undefined otherwise) */
  verificationCache?: () => { hits: number, misses: number } | undefined
  /** present when the scenario has an attack */
  attack?: SimAttackControl
  /** present when the cluster can play consensus slots */
  consensus?: SimConsensus
  /** Starts a node knowing only `bootstrap`; resolves to its dialable addresses. */
  start: (index: number, bootstrap: string[]) => Promise<string[]>
  stop: (index: number) => Promise<void>
  /** A topology dial; false when it failed. */
  dial: (index: number, address: string) => Promise<boolean>
  publish: (event: { message: number, node: number, dataClass: DataClass }) => Promise<PublishResult>
  /** Splits the network (`groupOf[node]` = group) or heals it (null). */
  partition: (groupOf: number[] | null) => Promise<void>
  sample: () => Promise<ClusterSample>
  /** who is connected to whom and the load topic's mesh, by node index (in-process clusters only) */
  graph?: () => SimGraph
  /** the modelled latency of every link (virtual time; undefined in real time) */
  linkLatencyMs?: number
  /** the scenario's per-link model (virtual time with `links`): what its links carried, and the largest load envelope */
  linkModel?: () => { usage: LinkUsage, messageBytes: number } | undefined
  close: () => Promise<void>
}

export interface LocalClusterInit {
  scenario: Scenario
  plan: Plan
  /** node indices this cluster runs */
  local: number[]
  transport: SimTransport
  /** transport 'thread': this thread's share of the cross-thread network */
  threadNetwork?: ThreadNetwork
  /** virtual time: links get a modelled latency, and host measurements (RSS) are left out of samples */
  virtual?: boolean
}

interface Identity {
  privateKey: PrivateKey
  peerId: PeerId
  signer: HybridSigner
  /** the node's seeded randomness, kept across its lives so a restarted node continues the stream */
  random: Random
}

interface Life {
  node: FedmeshNode
  bytes: ByteCounter
  startedAtMs: number
  joinedAtMs?: number
  joinTopic: string
}

let clusterCount = 0

/** The nodes of this process. */
export class LocalCluster implements Cluster {
  private readonly scenario: Scenario
  private readonly transport: SimTransport
  private readonly threadNetwork: ThreadNetwork | undefined
  private readonly virtual: boolean
  private readonly identities = new Map<number, Identity>()
  private readonly indexOfPeer = new Map<string, number>()
  /** every node's PeerId, by index */
  private readonly memberIds: string[]
  private readonly membership: Membership
  private readonly lives = new Map<number, Life>()
  /** bytes of finished lives, by node */
  private readonly pastBytes = new Map<number, { sent: number, received: number }>()
  private readonly local: number[]
  private readonly bootstrapNodes: Set<number>
  /**
   * names this cluster's memory addresses apart from another run's in the same process. Fixed width, and no
   * process id: the addresses travel in identify and DHT messages, so their length is in the report's byte counts
   * (a 4-digit and a 5-digit pid once made two runs of one seed differ by ~0.2 % in bytes and nothing else)
   */
  private readonly runId = String(clusterCount++ % 1_000_000).padStart(6, '0')
  private groupOf: number[] | null = null
  private deliveries: Delivery[] = []
  private verdicts: Record<string, number> = {}
  private readonly joinTimer: NodeJS.Timeout
  private genesis: SimGenesis | undefined
  private readonly voteVerdicts: Record<string, number> = {}
  private attackPlayer: AttackPlayer | undefined
  /** the lean profile's verification cache, shared by this process's nodes */
  private readonly verifier: CachingVerifier | undefined
  /** the per-link model (virtual time with scenario `links`); undefined: every link the fixed latency */
  private readonly links: LinkNetwork | undefined
  /** the largest load envelope published, bytes (its serialization time per hop is in the modelled diameter) */
  private loadEnvelopeBytes = 0

  private constructor (init: LocalClusterInit, identities: Map<number, Identity>, memberKeys: Array<[string, HybridPublicKey]>, peerIds: string[]) {
    this.scenario = init.scenario
    this.transport = init.transport
    if (init.transport === 'thread' && init.threadNetwork === undefined) throw new Error('the thread transport needs the thread\'s network (threadNetwork)')
    this.threadNetwork = init.threadNetwork
    this.virtual = init.virtual === true
    this.local = init.local
    this.bootstrapNodes = new Set(init.plan.nodes.filter((n) => n.bootstrap).map((n) => n.index))
    this.identities = identities
    // one membership object shared by every in-process node (a genesis copy in each of 1000 stores would cost GBs);
    // built directly, not through createMembership, because a scenario may exceed a real federation's MEMBERS_MAX
    this.membership = { federation_id: SIM_FEDERATION_ID, epoch: 0, members: new Map(memberKeys.map(([id, key], i) => [id, { node_id: id, public_key: key, site_id: `sim-${i}`, joined_at: 0 }])) }
    this.memberIds = peerIds
    peerIds.forEach((id, index) => this.indexOfPeer.set(id, index))
    this.joinTimer = setInterval(() => { this.checkJoins() }, JOIN_POLL_MS)
    this.verifier = init.scenario.profile === 'lean' ? new CachingVerifier(hybridVerifier()) : undefined
    this.links = this.virtual && init.scenario.links !== undefined ? new LinkNetwork(init.scenario.links, init.scenario.seed) : undefined
  }

  /** The lean profile's verification cache counts (undefined in the production profile). */
  verificationCache (): { hits: number, misses: number } | undefined {
    return this.verifier === undefined ? undefined : { hits: this.verifier.hits, misses: this.verifier.misses }
  }

  /** Derives every node's keys from the plan (peer ids of all, signers of the local ones). */
  static async create (init: LocalClusterInit): Promise<LocalCluster> {
    // the memory transport's own latency queues buffers one after another (a 100-buffer/s pipe): model a latency
    if (init.virtual === true) await pipelineMemoryLatency()
    const local = new Set(init.local)
    const identities = new Map<number, Identity>()
    const memberKeys: Array<[string, HybridPublicKey]> = []
    const peerIds: string[] = []
    for (const spec of init.plan.nodes) {
      const privateKey = await generateKeyPairFromSeed('Ed25519', spec.ed25519Seed)
      const peerId = peerIdFromPrivateKey(privateKey)
      peerIds.push(peerId.toString())
      // every node is a member, so every node's public key is needed
      const signer = hybridSignerFromSeeds({ ed25519Seed: spec.ed25519Seed, mldsaSeed: spec.mldsaSeed })
      memberKeys.push([peerId.toString(), signer.publicKey])
      if (local.has(spec.index)) identities.set(spec.index, { privateKey, peerId, signer, random: seededRandom(spec.randomSeed) })
    }
    // eclipse attackers are members: the membership names them, so the gater admits them (they are not nodes of the plan)
    if (init.scenario.attack?.kind === 'eclipse') {
      for (const seed of init.plan.attackerSeeds) {
        const signer = hybridSignerFromSeeds({ ed25519Seed: seed, mldsaSeed: new Uint8Array(createHash('sha256').update(seed).update('mldsa').digest()) })
        memberKeys.push([peerIdFromPrivateKey(await generateKeyPairFromSeed('Ed25519', seed)).toString(), signer.publicKey])
      }
    }
    const cluster = new LocalCluster(init, identities, memberKeys, peerIds)
    if (init.scenario.attack !== undefined) {
      cluster.attackPlayer = new AttackPlayer({
        scenario: init.scenario,
        plan: init.plan,
        runId: cluster.runId,
        nodes: () => [...cluster.lives].map(([index, life]) => ({ index, node: life.node }))
      })
    }
    if (init.scenario.federation.genesis) cluster.genesis = await simGenesis(init.plan, SIM_FEDERATION_ID)
    return cluster
  }

  async start (index: number, bootstrap: string[]): Promise<string[]> {
    const identity = this.identities.get(index)
    if (identity === undefined) throw new Error(`node ${index} does not run in this process`)
    if (this.lives.has(index)) throw new Error(`node ${index} is already up`)
    const scenario = this.scenario
    const listen = this.transport === 'tcp' ? '/ip4/127.0.0.1/tcp/0' : simMemoryAddress(this.runId, index)
    if (this.transport === 'memory') this.links?.listen(listen, index, identity.peerId.toString())
    const config = parseConfig({
      site_id: `sim-${index}`,
      jurisdiction: 'ZZ',
      federation: {
        enabled: true,
        federation_id: SIM_FEDERATION_ID,
        bootstrap,
        metrics_interval_seconds: scenario.federation.metrics_interval_seconds,
        // the load classes travel by gossip in the sim (a deviation: bilateral classes do not in production, docs/policies.md)
        default_allowed_data: [...DATA_CLASSES]
      },
      audit: {
        ...(scenario.audit_checkpoint_interval_seconds === undefined ? {} : { checkpoint_interval_seconds: scenario.audit_checkpoint_interval_seconds }),
        ...(scenario.audit_checkpoints_retained === undefined ? {} : { checkpoints_retained: scenario.audit_checkpoints_retained }),
        ...(scenario.audit_checkpoint_spacing_ms_per_member === undefined ? {} : { checkpoint_spacing_ms_per_member: scenario.audit_checkpoint_spacing_ms_per_member })
      },
      listen: [listen],
      log: { level: 'silent' }
    })
    const bytes = new ByteCounter()
    const simHost = this.threadNetwork === undefined ? simHostOptions(scenario) : { ...simHostOptions(scenario), transport: this.threadNetwork.transport() }
    const node = await FedmeshNode.create({
      config,
      privateKey: identity.privateKey,
      signer: identity.signer,
      ...(this.verifier === undefined ? {} : { verifier: this.verifier }),
      random: identity.random,
      transport: this.transport === 'tcp' ? 'tcp' : 'memory',
      libp2pMetrics: false,
      libp2pMetricsImpl: () => bytes,
      gossipHeartbeatMs: scenario.gossip_heartbeat_ms,
      syncIntervalMs: scenario.sync_interval_ms,
      ...(this.virtual ? { memoryLatencyMs: VIRTUAL_LINK_LATENCY_MS } : {}),
      discoveryConnectionsTarget: scenario.connections_target,
      // bootstrap nodes keep the production hard cap (every joining node dials them first), but the
      // trimmer holds them, like every node, to connections_max once a joiner's grace period is over
      ...(this.bootstrapNodes.has(index) ? {} : { connectionsMax: scenario.connections_max }),
      connectionsHighWater: scenario.connections_max,
      ...(scenario.connection_grace_ms === undefined ? {} : { connectionGraceMs: scenario.connection_grace_ms }),
      denyPeer: (peer) => {
        // runs before the federation gater on every dial and handshake: a non-member seen here is refused by it
        this.attackPlayer?.gaterCheck(this.membership.members.has(peer.toString()))
        return this.denied(index, peer)
      },
      preloadedMembership: this.membership,
      // Every sim node shares 127.0.0.1 over TCP; gossipsub's IP colocation penalty (P6) would graylist
      // them all. That is an artefact of one machine, not of the network under test.
      ...(this.transport === 'tcp' ? { ipColocationWhitelist: ['127.0.0.1'] } : {}),
      verdictObserver: { message: (dataClass, direction, result, reason) => { this.countVerdict(dataClass, direction, result, reason) } },
      // the lean profile's sim-only host settings (plaintext, in-memory peer store, no IDONTWANT): named in the report's deviations
      ...(simHost === undefined ? {} : { simHost })
    })
    // every life starts from an empty store: the genesis is loaded again, as an operator would
    if (this.genesis !== undefined) await loadSimGenesis(node, this.genesis, Date.now())
    attributeDials(node.libp2p)
    await node.start()
    for (const dataClass of scenario.load.data_classes) this.registerLoad(index, node, dataClass)
    this.lives.set(index, { node, bytes, startedAtMs: simNow(), joinTopic: gossipTopic(SIM_FEDERATION_ID, scenario.load.data_classes[0]) })
    return node.multiaddrs()
  }

  async stop (index: number): Promise<void> {
    const life = this.lives.get(index)
    if (life === undefined) return
    this.lives.delete(index)
    const past = this.pastBytes.get(index) ?? { sent: 0, received: 0 }
    await life.node.stop()
    this.pastBytes.set(index, { sent: past.sent + life.bytes.counts.sent, received: past.received + life.bytes.counts.received })
  }

  async dial (index: number, address: string): Promise<boolean> {
    const life = this.lives.get(index)
    if (life === undefined) return false
    try {
      await life.node.libp2p.dial(multiaddr(address), { signal: AbortSignal.timeout(DIAL_MS_MAX) })
      return true
    } catch {
      return false
    }
  }

  async publish (event: { message: number, node: number, dataClass: DataClass }): Promise<PublishResult> {
    const life = this.lives.get(event.node)
    if (life === undefined) throw new Error(`node ${event.node} is not up to publish message ${event.message}`)
    const publishedAtMs = simNow()
    const payload = encodeLoadPayload(event.message, publishedAtMs, this.scenario.load.payload_bytes)
    const envelope = life.node.envelopes.seal(event.dataClass, LOAD_SCHEMA_ID, payload, LOAD_CONTENT_TYPE)
    this.loadEnvelopeBytes = Math.max(this.loadEnvelopeBytes, envelope.byteLength)
    const recipients = await life.node.envelopes.publish(event.dataClass, envelope)
    return { message: event.message, node: event.node, publishedAtMs, recipients, envelopeId: decodeEnvelope(envelope).idHex }
  }

  async partition (groupOf: number[] | null): Promise<void> {
    this.groupOf = groupOf
    if (groupOf === null) return
    // the gater refuses new connections across groups; existing ones are cut here
    await Promise.all([...this.lives].map(async ([index, life]) => {
      const across = life.node.libp2p.getPeers().filter((peer) => this.denied(index, peer))
      await Promise.all(across.map(async (peer) => { await life.node.libp2p.hangUp(peer).catch(() => {}) }))
    }))
  }

  async sample (): Promise<ClusterSample> {
    this.checkJoins()
    const nodes = this.local.map((index): NodeSample => {
      const life = this.lives.get(index)
      const past = this.pastBytes.get(index) ?? { sent: 0, received: 0 }
      if (life === undefined) return { index, up: false, connections: 0, bytesSent: past.sent, bytesReceived: past.received }
      return {
        index,
        up: true,
        startedAtMs: life.startedAtMs,
        ...(life.joinedAtMs === undefined ? {} : { joinedAtMs: life.joinedAtMs }),
        connections: life.node.libp2p.getConnections().length,
        bytesSent: past.sent + life.bytes.counts.sent,
        bytesReceived: past.received + life.bytes.counts.received
      }
    })
    // RSS is a host measurement: under virtual time it would make two runs of one seed differ
    const sample: ClusterSample = { rssBytes: this.virtual ? 0 : process.memoryUsage.rss(), nodes, deliveries: this.deliveries, verdicts: this.verdicts, ...(this.verifier === undefined ? {} : { verificationCache: { hits: this.verifier.hits, misses: this.verifier.misses } }) }
    this.deliveries = []
    this.verdicts = {}
    return sample
  }

  get attack (): SimAttackControl | undefined {
    const player = this.attackPlayer
    if (player === undefined) return undefined
    return {
      start: async () => { await player.start(SIM_FEDERATION_ID) },
      tick: async () => { await player.tick(SIM_FEDERATION_ID) },
      observe: () => ({ stats: player.snapshot(), penalties: player.penalties() })
    }
  }

  /** The load topic's mesh and the connections of every up node, by index. */
  graph (): SimGraph {
    const topic = gossipTopic(SIM_FEDERATION_ID, this.scenario.load.data_classes[0])
    const indices = (peers: Array<{ toString: () => string }>): number[] => peers.map((peer) => this.indexOfPeer.get(peer.toString())).filter((i): i is number => i !== undefined).sort((a, b) => a - b)
    const size = this.memberIds.length
    const mesh: number[][] = Array.from({ length: size }, () => [])
    const connections: number[][] = Array.from({ length: size }, () => [])
    const meshless: SimGraph['meshless'] = []
    for (const [index, life] of this.lives) {
      const pubsub = life.node.libp2p.services.pubsub
      mesh[index] = indices(pubsub.getMeshPeers(topic))
      connections[index] = indices(life.node.libp2p.getPeers())
      if (mesh[index].length > 0) continue
      // gossipsub's prune backoffs are private; read (not changed) to say why a node has no mesh peer
      const backoff = (pubsub as unknown as { backoff?: Map<string, Map<string, number>> }).backoff?.get(topic)
      const subscribers = pubsub.getSubscribers(topic).map((peer) => peer.toString())
      meshless.push({ node: index, subscribers: subscribers.length, backoff: subscribers.filter((peer) => (backoff?.get(peer) ?? 0) > Date.now()).length })
    }
    return { mesh, connections, meshless }
  }

  get linkLatencyMs (): number | undefined {
    return this.virtual ? VIRTUAL_LINK_LATENCY_MS : undefined
  }

  linkModel (): { usage: LinkUsage, messageBytes: number } | undefined {
    return this.links === undefined ? undefined : { usage: this.links.usage(), messageBytes: this.loadEnvelopeBytes }
  }

  /** The running node at `index` (tests look at its host). */
  node (index: number): FedmeshNode | undefined {
    return this.lives.get(index)?.node
  }

  async close (): Promise<void> {
    clearInterval(this.joinTimer)
    await this.attackPlayer?.close()
    await Promise.all([...this.lives.keys()].map(async (index) => { await this.stop(index) }))
    this.links?.close()
  }

  /** Consensus on this process's nodes: present when the scenario loads a genesis. */
  get consensus (): SimConsensus | undefined {
    if (this.genesis === undefined) return undefined
    const up = (index: number): FedmeshNode => {
      const life = this.lives.get(index)
      if (life === undefined) throw new Error(`node ${index} is not up`)
      return life.node
    }
    return {
      propose: async (index, slot) => (await up(index).consensus.propose({ type: 'governance_proposal', slot, body: { title: `sim proposal ${slot}`, text: '' } })).event_hash,
      vote: async (index, slot, eventHash) => {
        // a node signs only events it has seen: wait (bounded) for the proposal to reach it; one that never sees it does not vote
        const node = up(index)
        const deadline = simNow() + VOTE_EVENT_WAIT_MS
        while (!node.consensus.pending().some((s) => s.slot === slot && s.events.some((e) => e.event_hash === eventHash))) {
          if (simNow() >= deadline || node.consensus.slot(slot)?.status !== undefined && node.consensus.slot(slot)?.status !== 'pending') return
          await new Promise((resolve) => setTimeout(resolve, VOTE_EVENT_POLL_MS))
        }
        await node.consensus.vote(slot, eventHash)
      },
      attack: async (index, slot, honestHash, victim) => await attack({
        node: up(index), federationId: SIM_FEDERATION_ID, slot, honestHash, victim: this.memberIds[victim], behaviours: this.scenario.byzantine.behaviours, nowMs: Date.now(), seed: this.scenario.seed
      }),
      views: async (slots) => await Promise.all([...this.lives].map(async ([index, life]) => await consensusView(index, life.node, slots))),
      verdicts: () => ({ ...this.voteVerdicts }),
      nodeIds: async () => [...this.memberIds]
    }
  }

  /** True when a partition puts `peer` in another group than node `index`. */
  private denied (index: number, peer: PeerId): boolean {
    if (this.groupOf === null) return false
    const other = this.indexOfPeer.get(peer.toString())
    return other !== undefined && this.groupOf[other] !== this.groupOf[index]
  }

  /** The load's data class on one node: the node's own envelope channel (pipeline, commit), with deliveries recorded. */
  private registerLoad (index: number, node: FedmeshNode, dataClass: DataClass): void {
    if (node.envelopes.topics().includes(gossipTopic(SIM_FEDERATION_ID, dataClass))) {
      throw new SimLoadClassError(`data class ${dataClass} is handled by the node itself; load the sim on another one (scenario load.data_classes)`)
    }
    node.envelopes.register({
      dataClass,
      decodePayload: decodeLoadPayload,
      commit: async (payload, _envelope, persist) => {
        await persist([])
        this.deliveries.push({ message: payload.message, node: index, atMs: simNow() })
        return undefined
      }
    })
  }

  /** Counts the verdicts on the load's data classes: `accept`, `ignore:<code>`, `reject:<code>`. */
  private countVerdict (dataClass: string, direction: 'in' | 'out', result: string, reason: string): void {
    if (direction === 'in' && dataClass === VOTE_CLASS) {
      const key = result === 'accept' ? 'accept' : `${result}:${reason}`
      this.voteVerdicts[key] = (this.voteVerdicts[key] ?? 0) + 1
    }
    // audit gossip arrivals, apart from the load's (docs/sim.md: the audit share of the bytes)
    if (direction === 'in' && dataClass === 'audit_checkpoint') {
      const key = `audit_checkpoint/${result === 'accept' ? 'accept' : `${result}:${reason}`}`
      this.verdicts[key] = (this.verdicts[key] ?? 0) + 1
    }
    if (direction !== 'in' || !(this.scenario.load.data_classes as string[]).includes(dataClass)) return
    const key = result === 'accept' ? 'accept' : `${result}:${reason}`
    this.verdicts[key] = (this.verdicts[key] ?? 0) + 1
  }

  private checkJoins (): void {
    for (const life of this.lives.values()) {
      if (life.joinedAtMs !== undefined) continue
      if (life.node.libp2p.services.pubsub.getMeshPeers(life.joinTopic).length === 0) continue
      // and it knows where its own logs stand (after its first sync round with a member): until then a node whose
      // store holds no own log entry holds its own messages back (protocols/sync.md, "Own envelopes before the own logs
      // are settled"), so a message planned before that would be delivered late and count against the latency figures
      if (!life.node.sync.status().own_logs_settled) continue
      life.joinedAtMs = simNow()
    }
  }
}
