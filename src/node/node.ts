/**
 * The Node: wires the store, the libp2p host, gossip classes, the local API
 * and timers together, and owns their lifecycle. Decisions belong in core/;
 * this file only sequences start-up and shutdown and moves data between parts.
 */
import type { PeerId, PrivateKey } from '@libp2p/interface'
import { createHost, type FedmeshLibp2p, type HostInit, type TransportName } from '../net/host.ts'
import { GossipRegistry } from '../net/gossip.ts'
import type { DhtRecordTypes } from '../net/dht-records.ts'
import { Store } from '../store/store.ts'
import { SublevelDatastore, PEERSTORE_SUBLEVEL } from '../store/datastore.ts'
import type { Config } from '../config/schema.ts'
import { NodeMetrics } from './metrics.ts'
import { silentLogger, type Logger } from './log.ts'
import {
  AGGREGATED_METRICS_CLASS, METRICS_REPORT_SCHEMA_ID, METRICS_REPORT_CONTENT_TYPE, MetricsBoard, decodeMetricsReport, encodeMetricsReport,
  type MetricsReport, type ReceivedMetricsReport
} from './aggregated-metrics.ts'
import { envelopeGossipClass, sealForTopic, type EnvelopeClassInit } from './envelope-gossip.ts'
import { MemberDirectory } from './members.ts'
import { Joining } from './joining.ts'
import { ReplayCache } from '../wire/pipeline.ts'
import { CLOCK_SKEW_MS_MAX } from '../wire/limits.ts'
import { SeenEnvelopes } from '../store/seen-envelopes.ts'
import { ConsensusService } from './consensus-service.ts'
import { SummaryService } from './summary-service.ts'
import type { DataClass } from '../wire/envelope.ts'
import { gossipTopic } from '../net/gossip.ts'
import { hybridSignerFromSeeds, hybridVerifier } from '../crypto/hybrid.ts'
import type { HybridSigner, SignatureVerifier } from '../core/signature.ts'
import { NODE_RECORD_DHT_TYPES, NODE_RECORD_PUBLISH_MS_MAX, NodeRecordPublisher, lookupMemberIdentity, type NodeRecordStatus } from './node-records.ts'
import { randomBytes } from 'node:crypto'

export { DISCOVERY_CONNECTIONS_TARGET } from './joining.ts'

export interface NodeInit {
  config: Config
  privateKey: PrivateKey
  /**
   * the hybrid signer whose Ed25519 half is `privateKey` (from `loadNodeKeys`);
   * absent → a fresh random ML-DSA key for this run (sim, tests), bound to the PeerId by the node record
   */
  signer?: HybridSigner
  /** verifies envelopes; default both halves through `hybridVerifier()` */
  verifier?: SignatureVerifier
  /** absent → in-memory store (sim, tests); the peer store is a sublevel of the store either way */
  dataDir?: string
  transport?: TransportName
  log?: Logger
  now?: () => number
  /** keep libp2p's own metrics in the Prometheus registry (off in the sim: many nodes, one process) */
  libp2pMetrics?: boolean
  /** extra DHT record namespaces */
  dhtRecords?: DhtRecordTypes
  gossipHeartbeatMs?: number
  /** LevelDB block cache per database (the sim keeps it small) */
  cacheSizeBytes?: number
  /** connections sought through discovery; default DISCOVERY_CONNECTIONS_TARGET (the sim lowers it: many nodes, one machine) */
  discoveryConnectionsTarget?: number
  /** a libp2p metrics implementation (the sim's byte counters); wins over `libp2pMetrics` */
  libp2pMetricsImpl?: HostInit['metrics']
  /** refuses a peer while it returns true (the sim's partitions) */
  denyPeer?: HostInit['denyPeer']
  /** connections kept before libp2p prunes; default CONNECTIONS_MAX (the sim lowers it) */
  connectionsMax?: number
}

export interface PeerSummary {
  peer_id: string
  addrs: string[]
  direction: string
  site_id?: string
}

export interface NodeStatus {
  node_id: string
  site_id: string
  jurisdiction: string
  capabilities: string[]
  federation: { enabled: boolean, federation_id: string, topics: string[] }
  listen: string[]
  uptime_seconds: number
  peers: number
  /** this node's signed node record, as published in the DHT */
  node_record?: NodeRecordStatus
  members: ReceivedMetricsReport[]
}

/** One fedmesh node. */
export class FedmeshNode {
  readonly config: Config
  readonly libp2p: FedmeshLibp2p
  readonly store: Store
  readonly gossip: GossipRegistry
  readonly metrics: NodeMetrics
  readonly board = new MetricsBoard()
  readonly log: Logger
  readonly now: () => number
  readonly signer: HybridSigner
  readonly verifier: SignatureVerifier
  /** envelope ids seen recently (the pipeline's replay check) */
  readonly replay = new ReplayCache()
  readonly members: MemberDirectory
  /** persisted ids of accepted envelopes (replay protection across restarts) */
  readonly seenEnvelopes: SeenEnvelopes
  /** consensus over the federation's vote topic */
  readonly consensus: ConsensusService
  /** participants' summaries over the summary topic */
  readonly summaries: SummaryService
  private startedAt = 0
  private metricsTimer: NodeJS.Timeout | undefined
  /** this node's signed record, kept current in the DHT */
  readonly records: NodeRecordPublisher
  private joining: Joining | undefined
  private connectionsTarget: number | undefined
  private running = false

  private constructor (parts: { config: Config, libp2p: FedmeshLibp2p, store: Store, metrics: NodeMetrics, log: Logger, now: () => number, signer: HybridSigner, verifier: SignatureVerifier, dataDir: string | undefined }) {
    this.signer = parts.signer
    this.verifier = parts.verifier
    this.seenEnvelopes = new SeenEnvelopes(parts.store, CLOCK_SKEW_MS_MAX)
    this.members = new MemberDirectory({
      allowList: parts.config.federation.members,
      now: parts.now,
      lookup: async (nodeId, signal) => await lookupMemberIdentity(this.libp2p, this.verifier, nodeId, signal)
    })
    this.members.add(parts.libp2p.peerId.toString(), { key: parts.signer.publicKey, siteId: parts.config.site_id })
    this.config = parts.config
    this.libp2p = parts.libp2p
    this.store = parts.store
    this.metrics = parts.metrics
    this.log = parts.log
    this.now = parts.now
    this.gossip = new GossipRegistry({
      pubsub: parts.libp2p.services.pubsub,
      federationId: parts.config.federation.federation_id,
      counters: parts.metrics,
      log: parts.log
    })
    this.consensus = new ConsensusService(this)
    this.summaries = new SummaryService(this, parts.dataDir)
    this.records = new NodeRecordPublisher({ config: parts.config, libp2p: parts.libp2p, signer: parts.signer, verifier: parts.verifier, now: parts.now, log: parts.log })
  }

  /** Opens the store and peer store and assembles the host; nothing listens until `start`. */
  static async create (init: NodeInit): Promise<FedmeshNode> {
    const log = init.log ?? silentLogger()
    const now = init.now ?? Date.now
    const store = await Store.open({ ...(init.dataDir === undefined ? {} : { dataDir: init.dataDir }), ...(init.cacheSizeBytes === undefined ? {} : { cacheSizeBytes: init.cacheSizeBytes }) })
    const datastore = new SublevelDatastore(store.sublevel<Uint8Array>(PEERSTORE_SUBLEVEL, 'view'))
    const metrics = new NodeMetrics()
    const libp2p = await createHost({
      privateKey: init.privateKey,
      transport: init.transport ?? 'tcp',
      listen: init.config.listen,
      federationEnabled: init.config.federation.enabled,
      bootstrap: init.config.federation.bootstrap,
      members: init.config.federation.members,
      datastore,
      ...(init.libp2pMetrics === false ? {} : { metricsRegistry: metrics.registry }),
      dhtRecords: { ...NODE_RECORD_DHT_TYPES, ...init.dhtRecords },
      ...(init.gossipHeartbeatMs === undefined ? {} : { gossipHeartbeatMs: init.gossipHeartbeatMs }),
      ...(init.libp2pMetricsImpl === undefined ? {} : { metrics: init.libp2pMetricsImpl }),
      ...(init.denyPeer === undefined ? {} : { denyPeer: init.denyPeer }),
      ...(init.connectionsMax === undefined ? {} : { connectionsMax: init.connectionsMax })
    })
    const signer = init.signer ?? hybridSignerFromSeeds({ ed25519Seed: init.privateKey.raw.subarray(0, 32), mldsaSeed: randomBytes(32) })
    if (!Buffer.from(signer.publicKey.ed25519).equals(Buffer.from(init.privateKey.publicKey.raw))) {
      throw new Error('the hybrid signer\'s Ed25519 key is not the node\'s libp2p key')
    }
    const node = new FedmeshNode({
      config: init.config, libp2p, store, metrics, log, now, signer, verifier: init.verifier ?? hybridVerifier(), dataDir: init.dataDir
    })
    if (init.discoveryConnectionsTarget !== undefined) node.connectionsTarget = init.discoveryConnectionsTarget
    return node
  }

  get peerId (): PeerId {
    return this.libp2p.peerId
  }

  /** Starts listening, registers the data classes and, when federated, discovery and the metrics publisher. */
  async start (): Promise<void> {
    if (this.running) return
    this.startedAt = this.now()
    await this.seenEnvelopes.load(this.replay, this.now())
    await this.libp2p.start()
    this.registerEnvelopeClass({
      dataClass: AGGREGATED_METRICS_CLASS,
      decodePayload: decodeMetricsReport,
      deliver: (report) => { this.board.record(report, this.now()) }
    })
    await this.consensus.start()
    await this.summaries.start()
    this.running = true
    this.records.start()
    this.libp2p.addEventListener('connection:open', this.onConnectionOpen)
    this.libp2p.addEventListener('connection:open', this.onConnectionsChanged)
    this.libp2p.addEventListener('connection:close', this.onConnectionsChanged)
    if (this.config.federation.enabled) {
      const interval = this.config.federation.metrics_interval_seconds * 1000
      this.metricsTimer = setInterval(() => { void this.publishMetrics() }, interval)
      this.metricsTimer.unref()
      this.joining = new Joining({ libp2p: this.libp2p, bootstrap: this.config.federation.bootstrap, log: this.log, ...(this.connectionsTarget === undefined ? {} : { connectionsTarget: this.connectionsTarget }) })
      this.joining.start()
    }
    this.log.info({ peerId: this.peerId.toString(), addrs: this.multiaddrs(), federation: this.config.federation.enabled }, 'node started')
  }

  /** Stops timers, the host and the stores; safe to call twice. */
  async stop (): Promise<void> {
    if (this.metricsTimer !== undefined) clearInterval(this.metricsTimer)
    this.metricsTimer = undefined
    this.records.stop()
    this.joining?.stop()
    this.summaries.stop()
    this.consensus.stop()
    this.joining = undefined
    if (this.running) {
      this.libp2p.removeEventListener('connection:open', this.onConnectionOpen)
      this.libp2p.removeEventListener('connection:open', this.onConnectionsChanged)
      this.libp2p.removeEventListener('connection:close', this.onConnectionsChanged)
      this.gossip.stop()
      await this.libp2p.stop()
      this.running = false
    }
    await this.store.close()
    this.log.info('node stopped')
  }

  /** The addresses peers can dial. */
  multiaddrs (): string[] {
    return this.libp2p.getMultiaddrs().map((ma) => ma.toString())
  }

  /** Publishes this node's counters to the federation. */
  async publishMetrics (): Promise<void> {
    try {
      await this.gossip.publish(AGGREGATED_METRICS_CLASS, this.seal(AGGREGATED_METRICS_CLASS, METRICS_REPORT_SCHEMA_ID, encodeMetricsReport(this.ownMetrics()), METRICS_REPORT_CONTENT_TYPE))
    } catch (err) {
      this.log.warn({ err }, 'publishing aggregated metrics failed')
    }
  }

  /**
   * Registers a data class whose messages are signed envelopes, validated by
   * this node's pipeline (its federation, clock, replay cache, verifier and
   * member directory) and remembered for replay protection across restarts.
   */
  registerEnvelopeClass<T> (init: Pick<EnvelopeClassInit<T>, 'dataClass' | 'decodePayload' | 'deliver'>): string {
    return this.gossip.register(envelopeGossipClass({
      ...init,
      federationId: this.config.federation.federation_id,
      now: this.now,
      replay: this.replay,
      verifier: this.verifier,
      members: this.members,
      remember: async (idHex, timestampMs) => { await this.seenEnvelopes.record(idHex, timestampMs) }
    }))
  }

  /** Signs a payload into an envelope for this node's federation topic of `dataClass`. */
  seal (dataClass: DataClass, schemaId: string, payload: Uint8Array, contentType?: string): Uint8Array {
    const federationId = this.config.federation.federation_id
    return sealForTopic({
      signer: this.signer,
      source: this.peerId.toString(),
      federationId,
      topic: gossipTopic(federationId, dataClass),
      dataClass,
      schemaId,
      payload,
      nowMs: this.now(),
      ...(contentType === undefined ? {} : { contentType })
    })
  }

  /** This node's own report. */
  ownMetrics (): MetricsReport {
    return {
      node_id: this.peerId.toString(),
      site_id: this.config.site_id,
      peers: this.libp2p.getPeers().length,
      messages_in: this.metrics.messagesIn,
      messages_out: this.metrics.messagesOut,
      uptime_seconds: Math.max(0, (this.now() - this.startedAt) / 1000),
      timestamp: this.now()
    }
  }

  /** What `fedmesh status` shows. */
  status (): NodeStatus {
    const own = { ...this.ownMetrics(), received_at: this.now() }
    const record = this.records.status()
    return {
      node_id: this.peerId.toString(),
      site_id: this.config.site_id,
      jurisdiction: this.config.jurisdiction,
      capabilities: this.config.capabilities,
      federation: { enabled: this.config.federation.enabled, federation_id: this.config.federation.federation_id, topics: this.gossip.topics() },
      listen: this.multiaddrs(),
      uptime_seconds: own.uptime_seconds,
      peers: this.libp2p.getPeers().length,
      ...(record === undefined ? {} : { node_record: record }),
      members: [own, ...this.board.list().filter((r) => r.node_id !== own.node_id)]
    }
  }

  /** Connected peers, one entry per peer. */
  peers (): PeerSummary[] {
    const sites = new Map(this.board.list().map((r) => [r.node_id, r.site_id]))
    const byPeer = new Map<string, PeerSummary>()
    for (const connection of this.libp2p.getConnections()) {
      const id = connection.remotePeer.toString()
      const entry = byPeer.get(id) ?? { peer_id: id, addrs: [], direction: connection.direction, ...(sites.has(id) ? { site_id: sites.get(id) } : {}) }
      entry.addrs.push(connection.remoteAddr.toString())
      byPeer.set(id, entry)
    }
    return [...byPeer.values()].sort((a, b) => a.peer_id.localeCompare(b.peer_id))
  }

  /** On a new peer: learn its key early, and on the first peer push our record out (it had nowhere to go before). */
  private readonly onConnectionOpen = (event: CustomEvent<{ remotePeer: PeerId }>): void => {
    if (!this.config.federation.enabled) return
    const peer = event.detail.remotePeer.toString()
    void this.members.resolve(peer, AbortSignal.timeout(NODE_RECORD_PUBLISH_MS_MAX))
    if (this.libp2p.getPeers().length === 1) void this.records.publish()
  }

  private readonly onConnectionsChanged = (): void => {
    this.metrics.setPeers(this.libp2p.getPeers().length)
  }
}
