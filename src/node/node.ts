/**
 * The composition root: builds the components (store, host, clock,
 * randomness, signer, verifier, logger, metrics), hands each service only
 * what it uses, starts the services in order and stops them in reverse, and
 * exposes read models for status. Decisions belong in core/, behaviour in the
 * services; this file only wires and sequences.
 */
import type { PeerId, PrivateKey } from '@libp2p/interface'
import { createHost, type FedmeshLibp2p, type HostInit, type TransportName } from '../net/host.ts'
import { GossipRegistry, type GossipCounters } from '../net/gossip.ts'
import type { DhtRecordTypes } from '../net/dht-records.ts'
import { Store } from '../store/store.ts'
import { SublevelDatastore, PEERSTORE_SUBLEVEL } from '../store/datastore.ts'
import { ConsensusStore } from '../store/consensus.ts'
import { genesisDraft } from '../store/consensus-genesis.ts'
import { ParticipantRepository } from '../store/participants.ts'
import { SummaryRepository } from '../store/matching-summaries.ts'
import { loadTaxonomy } from '../store/matching-taxonomy.ts'
import type { Config } from '../config/schema.ts'
import { configPolicy } from '../config/policy.ts'
import { NodeMetrics } from '../runtime/metrics.ts'
import { silentLogger, type Logger } from '../runtime/log.ts'
import { systemClock, type Clock } from '../runtime/clock.ts'
import { systemRandom, type Random } from '../runtime/random.ts'
import { hybridSignerFromSeeds, hybridVerifier } from '../crypto/hybrid.ts'
import type { HybridSigner, SignatureVerifier } from '../core/signature.ts'
import { envelopeChannel, type EnvelopeChannel } from '../services/envelopes/index.ts'
import { multiaddr } from '@multiformats/multiaddr'
import { memberDirectory, membershipChain, type MemberDirectory, type MembershipChainService } from '../services/members/index.ts'
import type { Membership } from '../core/consensus/membership.ts'
import { NODE_RECORD_DHT_TYPES, nodeRecords, type NodeRecordPublisher, type NodeRecordStatus } from '../services/node-records/index.ts'
import { joining } from '../services/joining/index.ts'
import { connectionLimits } from '../services/connection-limits/index.ts'
import { consensus, type ConsensusService } from '../services/consensus/index.ts'
import { votingPolicy } from '../core/consensus/voting-policy.ts'
import { summaries, type SummaryService } from '../services/summaries/index.ts'
import { aggregatedMetrics, AGGREGATED_METRICS_CLASS, type AggregatedMetricsService, type ReceivedMetricsReport } from '../services/aggregated-metrics/index.ts'
import { createOperations, type Operations } from '../operations/index.ts'
import { AuditLog } from '../store/audit-log.ts'
import { AuditWitnessStore } from '../store/audit-witness.ts'
import { audit, auditAppender, type AuditService } from '../services/audit/index.ts'
import { dataPolicies, type DataPolicies } from '../services/policies/index.ts'
import { parseDataPolicy } from '../core/policy/data-policy.ts'
import { chains, type ChainService } from '../services/chains/index.ts'
import { attestations, type AttestationService } from '../services/attestations/index.ts'
import { AttestationRepository } from '../store/attestations.ts'
import { capabilities, type CapabilityService } from '../services/capabilities/index.ts'
import { ChainRepository } from '../store/chains.ts'
import { OriginLogs } from '../services/envelopes/origin-logs.ts'
import { SyncLogRepository } from '../store/sync-logs.ts'
import { sync, LinkVouches, trustPenalty, type SyncService } from '../services/sync/index.ts'
import { logLimits } from '../config/log-limits.ts'
import { migration, type MigrationService } from '../services/migration/index.ts'
import { moveAcks, type MoveAckService } from '../services/move-acks/index.ts'
import { MoveAckRepository } from '../store/move-acks.ts'
import { participantRedirectDhtTypes } from '../net/participant-redirects.ts'
import { MoveRepository } from '../store/participant-moves.ts'
import { handshake, type HandshakeInit, type HandshakeService } from '../services/handshake/index.ts'
import { bilateral, type BilateralInit, type BilateralService } from '../services/bilateral/index.ts'
import { disputes, type DisputeService } from '../services/disputes/index.ts'
import { DisputeRepository } from '../store/disputes.ts'
import { BilateralRepository } from '../store/bilateral-queue.ts'
import { verifyNodeRecord } from '../wire/node-record.ts'

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
  /** default the system clock */
  clock?: Clock
  /** non-secret randomness (envelope ids); default the system CSPRNG, the sim passes a seeded one */
  random?: Random
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
  /** libp2p's hard cap (inbound refused above it); default CONNECTIONS_MAX (the sim lowers it) */
  connectionsMax?: number
  /** above this the node closes connections down to its discovery target; default CONNECTIONS_HIGH_WATER */
  connectionsHighWater?: number
  /** a connection younger than this is never trimmed; default CONNECTION_GRACE_MS */
  connectionGraceMs?: number
  /** IPs gossipsub's colocation penalty spares (the sim's nodes all share 127.0.0.1) */
  ipColocationWhitelist?: string[]
  /** the sim's genesis membership, one object shared by its in-process nodes (instead of a copy in each store) until consensus announces one */
  preloadedMembership?: Membership
  /** memory transport: modelled latency per frame (the virtual-time sim) */
  memoryLatencyMs?: number
  /** also told every gossip verdict (the sim counts them) */
  verdictObserver?: GossipCounters
  /** period of a sync round; default the config's sync.interval_seconds (the sim and tests shorten it) */
  syncIntervalMs?: number
  /** handshake timing and behaviour (tests shorten heartbeats, drive ticks) */
  handshake?: HandshakeInit
  /** bilateral log sync: batch size, resync period, retention (tests lower them) */
  bilateral?: Omit<BilateralInit, 'federationId'>
  /** sim-only host settings (the sim's lean profile: plaintext, in-memory peer store, no IDONTWANT); absent in production */
  simHost?: HostInit['sim']
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
  /** the federation membership this node holds; `loaded: false` until a genesis is loaded */
  membership: MembershipStatus
}

export interface MembershipStatus {
  loaded: boolean
  federation_id?: string
  epoch?: number
  members?: number
  /** this node's site id in the membership (null when it is not a member) */
  site_id?: string | null
  /** what to do next, when there is something to do */
  note?: string
}

/** What the composition root starts and stops. */
interface Lifecycle {
  start: () => Promise<void> | void
  stop?: () => Promise<void> | void
}

/** The parts create() builds before the node exists. */
interface Parts {
  config: Config
  libp2p: FedmeshLibp2p
  store: Store
  metrics: NodeMetrics
  log: Logger
  clock: Clock
  random: Random
  signer: HybridSigner
  verifier: SignatureVerifier
  dataDir: string | undefined
  members: MemberDirectory
  init: NodeInit
  auditLog: AuditLog
}

/** One fedmesh node. */
export class FedmeshNode {
  readonly config: Config
  readonly libp2p: FedmeshLibp2p
  readonly store: Store
  readonly metrics: NodeMetrics
  readonly log: Logger
  readonly clock: Clock
  readonly signer: HybridSigner
  readonly verifier: SignatureVerifier
  /** signed envelopes in and out (the sim registers its load class here) */
  readonly envelopes: EnvelopeChannel
  /** the operator actions, bound to this node's store and services */
  readonly operations: Operations
  private readonly gossip: GossipRegistry
  private readonly members: MemberDirectory
  private readonly records: NodeRecordPublisher
  /** consensus (tests drive its deadline check and reload directly) */
  readonly consensus: ConsensusService
  private readonly summaries: SummaryService
  private readonly aggregatedMetrics: AggregatedMetricsService
  /** the data policies in force (the handshake will agree per-peer entries through it) */
  readonly policies: DataPolicies
  /** checkpoints and witnessing of audit logs (tests drive checkpoints directly) */
  readonly audit: AuditService
  /** chain settlement (tests drive its deadline tick and retries directly) */
  readonly chains: ChainService
  /** attestations issued and received (tests drive a pass directly) */
  readonly attestations: AttestationService
  /** capability provider records in the DHT and discovery */
  readonly capabilities: CapabilityService
  /** anti-entropy sync over the per-origin logs (tests and the sim read its status) */
  readonly sync: SyncService
  /** serves and fetches the membership chain, dials members at their address hints (federated nodes only) */
  private readonly membershipChain: MembershipChainService | undefined
  /** participant moves: export, accept, redirects, resolution (tests drive its tick) */
  readonly migration: MigrationService
  readonly moveAcks: MoveAckService
  /** relations with peers: handshake, heartbeats, suspension, termination (tests drive ticks) */
  readonly handshake: HandshakeService
  /** bilateral data classes on the direct stream, with store-and-forward */
  readonly bilateral: BilateralService
  /** disputes across nodes: /fedmesh/dispute/1.0.0 */
  readonly disputes: DisputeService
  /** started in this order, stopped in reverse */
  private readonly services: Lifecycle[]
  private startedAt = 0
  private running = false

  private constructor (parts: Parts) {
    const { config, libp2p, store, metrics, log, clock, random, signer, verifier, members, init, auditLog } = parts
    const auditing = auditAppender(auditLog, store)
    this.policies = dataPolicies({ policy: parseDataPolicy(config.federation) })
    this.config = config
    this.libp2p = libp2p
    this.store = store
    this.metrics = metrics
    this.log = log
    this.clock = clock
    this.signer = signer
    this.verifier = verifier
    const nodeId = libp2p.peerId.toString()
    const federated = config.federation.enabled
    this.gossip = new GossipRegistry({
      pubsub: libp2p.services.pubsub,
      federationId: config.federation.federation_id,
      counters: init.verdictObserver === undefined ? metrics : bothCounters(metrics, init.verdictObserver),
      log,
      // every member publishes its metrics report on this period: the one topic with mesh-delivery penalties (P3/P3b)
      ...(federated ? { periodic: { dataClass: AGGREGATED_METRICS_CLASS, periodMs: config.federation.metrics_interval_seconds * 1000 } } : {})
    })
    this.members = members
    if (init.preloadedMembership !== undefined) members.setMembership(init.preloadedMembership)
    const logs = new OriginLogs({
      repository: new SyncLogRepository(store),
      limits: logLimits(config),
      logger: log,
      nodeId,
      // a federated node with no own log entry stored learns where its logs stand from a member before sequencing
      recoverOwn: federated,
      ownKey: signer.publicKey
    })
    // sync vouches there for fetched entries a hash link proved (protocols/sync.md); everything else is verified as before
    const vouches = new LinkVouches(verifier)
    this.envelopes = envelopeChannel({ federationId: config.federation.federation_id })({
      gossip: this.gossip, store, signer, verifier: vouches, members: this.members, clock, random, logger: log, nodeId, logs, audit: auditing, policy: this.policies
    })
    this.sync = sync({ intervalMs: init.syncIntervalMs ?? config.sync.interval_seconds * 1000, federationId: config.federation.federation_id })({
      envelopes: this.envelopes, logs, host: libp2p, members: this.members, clock, random: random.fork('sync'), logger: log, nodeId, vouches, registry: metrics.registry,
      // an origin caught equivocating in its log loses consensus trust like a vote equivocator
      penalise: trustPenalty({ consensusStore: new ConsensusStore(store), clock, reload: async () => { await this.consensus.reload() } }),
      // equivocation evidence also travels on its gossip topic
      gossip: this.gossip
    })
    this.records = nodeRecords({ siteId: config.site_id, jurisdiction: config.jurisdiction, capabilities: config.capabilities, federationEnabled: federated })({
      dht: libp2p.services.dht, peerId: libp2p.peerId, addresses: () => libp2p.getMultiaddrs(), signer, verifier, clock, random: random.fork('node-records'), logger: log
    })
    this.consensus = consensus({ fallbackPolicy: configPolicy(config), slotTimeoutMs: config.consensus.slot_timeout_seconds * 1000, votingPolicy: votingPolicy(config.consensus.voting) })({
      envelopes: this.envelopes,
      consensusStore: new ConsensusStore(store),
      signer,
      verifier,
      clock,
      logger: log,
      nodeId,
      audit: auditing,
      // the membership is the only source of members: keys, site labels and the gater's admission
      membershipChanged: (membership) => { this.membershipChanged(membership) }
    })
    this.summaries = summaries({ siteId: config.site_id, publish: federated })({
      envelopes: this.envelopes,
      participants: new ParticipantRepository(store),
      summaries: new SummaryRepository(store),
      taxonomy: async () => await loadTaxonomy(parts.dataDir),
      members: this.members,
      clock,
      logger: log
    })
    this.aggregatedMetrics = aggregatedMetrics({ siteId: config.site_id, publish: federated, intervalMs: config.federation.metrics_interval_seconds * 1000 })({
      envelopes: this.envelopes,
      source: { peers: () => libp2p.getPeers().length, messagesIn: () => metrics.messagesIn, messagesOut: () => metrics.messagesOut },
      members,
      clock,
      logger: log,
      nodeId
    })
    this.audit = audit({ federationId: config.federation.federation_id, checkpointIntervalMs: config.audit.checkpoint_interval_seconds * 1000, spacingMsPerMember: config.audit.checkpoint_spacing_ms_per_member, publish: federated, witnessesPerCheckpoint: config.audit.witnesses_per_checkpoint })({
      envelopes: this.envelopes, log: auditLog, witnesses: new AuditWitnessStore(store), audit: auditing, signer, verifier, members: this.members, random: random.fork('audit-witness'), streams: libp2p, clock, logger: log, nodeId, registry: metrics.registry
    })
    this.chains = chains({ federationId: config.federation.federation_id, siteId: config.site_id })({
      host: libp2p, chainStore: new ChainRepository(store), participants: new ParticipantRepository(store), members: this.members, signer, verifier, clock, logger: log, nodeId,
      exchangesRecorded: () => {
        this.attestations.changed()
        this.disputes.exchangesRecorded().catch((err) => { log.warn({ err }, 'applying dispute rulings to new exchanges failed') })
      },
      movedParticipants: async () => new Set((await new MoveRepository(store).allOutgoing()).map((move) => move.participant))
    })
    this.membershipChain = federated
      ? membershipChain({ federationId: config.federation.federation_id })({
        host: libp2p, consensusStore: new ConsensusStore(store), members, verifier, logger: log, fallbackPolicy: configPolicy(config), reload: async () => { await this.consensus.reload() }, nodeId
      })
      : undefined
    this.attestations = attestations({ federationId: config.federation.federation_id, publish: federated })({
      envelopes: this.envelopes, attestations: new AttestationRepository(store), chainStore: new ChainRepository(store), participants: new ParticipantRepository(store), members: this.members, signer, verifier, clock, logger: log, nodeId
    })
    this.capabilities = capabilities({ federationId: config.federation.federation_id, capabilities: config.capabilities, jurisdiction: config.jurisdiction, publish: federated })({
      dht: libp2p.services.dht, ownRecord: () => this.records.current, peerId: libp2p.peerId, members: this.members, verifier, events: libp2p, logger: log
    })
    const hours = 3_600_000
    this.migration = migration({
      federationId: config.federation.federation_id,
      siteId: config.site_id,
      cooldownMs: config.migration.cooldown_hours * hours,
      graceMs: config.migration.grace_hours * hours,
      recoveryWindowMs: config.migration.recovery_window_hours * hours,
      pollMs: config.migration.poll_seconds * 1000
    })({
      dht: libp2p.services.dht, participants: new ParticipantRepository(store), moves: new MoveRepository(store), chainStore: new ChainRepository(store), members: this.members, signer, verifier, clock, logger: log, nodeId,
      hostingChanged: () => { this.summaries.changed() },
      moved: async (move, home) => { await this.moveAcks.acknowledge(move, home) }
    })
    this.moveAcks = moveAcks({ federationId: config.federation.federation_id, publish: federated, pollMs: config.migration.poll_seconds * 1000 })({
      envelopes: this.envelopes, acks: new MoveAckRepository(store), members: { key: this.members.key, siteOf: this.members.siteOf, members: () => this.members.members() },
      resolve: async (id) => await this.migration.resolve(id), signer, verifier, clock, logger: log, nodeId
    })
    // with a connection grace given (the sim's), relations open only over connections older than it (HandshakeInit.openAfterMs)
    this.handshake = handshake({ ...(init.connectionGraceMs === undefined ? {} : { openAfterMs: init.connectionGraceMs }), ...init.handshake })({
      host: libp2p,
      members: this.members,
      policies: this.policies,
      nodeRecord: () => this.records.current,
      verifyNodeRecord: (bytes, peer) => verifyNodeRecord(bytes, peer, verifier),
      signer,
      verifier,
      clock,
      random: random.fork('handshake'),
      logger: log,
      audit: auditing,
      nodeId
    })
    this.bilateral = bilateral({ ...init.bilateral, federationId: config.federation.federation_id })({
      host: libp2p, relations: this.handshake, policies: this.policies, members: this.members, repository: new BilateralRepository(store), audit: auditing,
      signer, verifier, clock, random: random.fork('bilateral'), logger: log, registry: metrics.registry, nodeId
    })
    this.disputes = disputes()({
      host: libp2p, disputes: new DisputeRepository(store), chainStore: new ChainRepository(store), accuracy: new AttestationRepository(store),
      members: { key: this.members.key, list: () => [...(this.members.current()?.members.keys() ?? [])] }, signer, verifier, clock, logger: log, nodeId,
      rulingRecorded: () => { this.attestations.changed() }
    })
    this.services = [this.envelopes, this.aggregatedMetrics, this.consensus, this.summaries, this.records, this.chains, this.attestations, this.capabilities, this.audit, this.migration, this.moveAcks, this.handshake, this.bilateral, this.disputes]
    if (federated) this.services.push(this.sync)
    if (this.membershipChain !== undefined) this.services.push(this.membershipChain)
    if (federated) {
      this.services.push(joining({
        bootstrap: config.federation.bootstrap,
        ...(init.discoveryConnectionsTarget === undefined ? {} : { connectionsTarget: init.discoveryConnectionsTarget })
      })({ connections: libp2p, dht: libp2p.services.dht, random, logger: log }))
      const pubsub = libp2p.services.pubsub
      this.services.push(connectionLimits({
        ...(init.connectionsHighWater === undefined ? {} : { highWater: init.connectionsHighWater }),
        ...(init.discoveryConnectionsTarget === undefined ? {} : { lowWater: init.discoveryConnectionsTarget }),
        ...(init.connectionGraceMs === undefined ? {} : { graceMs: init.connectionGraceMs })
      })({ connections: libp2p, meshPeers: () => pubsub.getTopics().flatMap((topic) => pubsub.getMeshPeers(topic)), clock, logger: log }))
    }
    metrics.observe({
      now: clock.now,
      peers: () => this.peersByState(),
      membership: () => { const m = members.current(); return m === undefined ? undefined : { members: m.members.size, epoch: m.epoch } },
      consensusSlots: () => this.consensus.slots(),
      lastAccepted: () => this.envelopes.lastAccepted(),
      ...(store.location === undefined ? {} : { storeDirectory: store.location })
    })
    this.operations = createOperations({
      store, config, dataDir: parts.dataDir, clock, verifier, services: {
        consensus: this.consensus,
        summaries: this.summaries,
        chains: this.chains,
        ...(federated ? { sync: this.sync } : {}),
        capabilities: this.capabilities,
        migration: this.migration,
        moveAcks: this.moveAcks,
        handshake: this.handshake,
        bilateral: this.bilateral,
        disputes: this.disputes,
        // the genesis draft being signed: its founders are admitted (and dialled) until a genesis is loaded
        members: { setDraft: (founders) => { this.members.setDraft(founders.map((f) => f.node_id)); if (this.running && this.members.current() === undefined) this.membershipChain?.dialMembers(founders) } }
      }, auditLog
    })
  }

  /** Opens the store and peer store and assembles the host; nothing listens until `start`. */
  static async create (init: NodeInit): Promise<FedmeshNode> {
    const log = init.log ?? silentLogger()
    const clock = init.clock ?? systemClock
    const random = init.random ?? systemRandom
    const store = await Store.open({ ...(init.dataDir === undefined ? {} : { dataDir: init.dataDir }), ...(init.cacheSizeBytes === undefined ? {} : { cacheSizeBytes: init.cacheSizeBytes }) })
    const datastore = new SublevelDatastore(store.sublevel<Uint8Array>(PEERSTORE_SUBLEVEL, 'view'))
    const metrics = new NodeMetrics()
    const bootstrapPeers = init.config.federation.bootstrap.map((address) => multiaddr(address).getPeerId()).filter((id): id is string => id !== null)
    const draft = await genesisDraft(store)
    const members = memberDirectory({ bootstrapPeers, ...(draft === undefined ? {} : { draftPeers: draft.founders }) })({ logger: log })
    const verifier = init.verifier ?? hybridVerifier()
    const clockNow = (): number => clock.now()
    const redirectTypes = participantRedirectDhtTypes({
      membership: { nodeKey: members.key, nodeOfSite: members.nodeOfSite },
      verifier,
      federationId: init.config.federation.federation_id,
      now: clockNow,
      recoveryWindowMs: init.config.migration.recovery_window_hours * 3_600_000
    })
    const libp2p = await createHost({
      privateKey: init.privateKey,
      transport: init.transport ?? 'tcp',
      listen: init.config.listen,
      federationEnabled: init.config.federation.enabled,
      bootstrap: init.config.federation.bootstrap,
      admits: members.admits,
      datastore,
      ...(init.libp2pMetrics === false ? {} : { metricsRegistry: metrics.registry }),
      gossipCounters: metrics,
      dhtRecords: { ...NODE_RECORD_DHT_TYPES, ...redirectTypes, ...init.dhtRecords },
      ...(init.gossipHeartbeatMs === undefined ? {} : { gossipHeartbeatMs: init.gossipHeartbeatMs }),
      ...(init.libp2pMetricsImpl === undefined ? {} : { metrics: init.libp2pMetricsImpl }),
      ...(init.denyPeer === undefined ? {} : { denyPeer: init.denyPeer }),
      ...(init.connectionsMax === undefined ? {} : { connectionsMax: init.connectionsMax }),
      ...(init.ipColocationWhitelist === undefined ? {} : { ipColocationWhitelist: init.ipColocationWhitelist }),
      random,
      ...(init.memoryLatencyMs === undefined ? {} : { memoryLatencyMs: init.memoryLatencyMs }),
      ...(init.simHost === undefined ? {} : { sim: init.simHost })
    })
    // without a key file (sim, tests) the ML-DSA half is fresh for this run: from `random`, so a seeded run is reproducible
    const signer = init.signer ?? hybridSignerFromSeeds({ ed25519Seed: init.privateKey.raw.subarray(0, 32), mldsaSeed: random.fork('mldsa-seed').bytes(32) })
    if (!Buffer.from(signer.publicKey.ed25519).equals(Buffer.from(init.privateKey.publicKey.raw))) {
      throw new Error('the hybrid signer\'s Ed25519 key is not the node\'s libp2p key')
    }
    return new FedmeshNode({
      config: init.config, libp2p, store, metrics, log, clock, random, signer, verifier, dataDir: init.dataDir, members, init, auditLog: await AuditLog.open(store)
    })
  }

  get peerId (): PeerId {
    return this.libp2p.peerId
  }

  /** Starts listening, then every service in order (data classes, publishers, and when federated, joining). */
  async start (): Promise<void> {
    if (this.running) return
    this.startedAt = this.clock.now()
    await this.libp2p.start()
    this.running = true
    for (const service of this.services) await service.start()
    this.libp2p.addEventListener('connection:open', this.onConnectionOpen)
    this.libp2p.addEventListener('connection:open', this.onConnectionsChanged)
    this.libp2p.addEventListener('connection:close', this.onConnectionsChanged)
    this.log.info({ peerId: this.peerId.toString(), addrs: this.multiaddrs(), federation: this.config.federation.enabled }, 'node started')
    const membership = this.membershipStatus()
    if (this.config.federation.enabled && !membership.loaded) this.log.warn({ bootstrap: this.config.federation.bootstrap.length }, membership.note ?? 'no genesis loaded')
  }

  /** Stops the services in reverse order, then the host and the store; safe to call twice. */
  async stop (): Promise<void> {
    if (this.running) {
      for (const service of [...this.services].reverse()) await service.stop?.()
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

  /** Publishes this node's counters to the federation now. */
  async publishMetrics (): Promise<void> {
    await this.aggregatedMetrics.publish()
  }

  /** What `fedmesh status` shows. */
  status (): NodeStatus {
    const own = { ...this.aggregatedMetrics.own(), received_at: this.clock.now() }
    const record = this.records.status()
    return {
      node_id: this.peerId.toString(),
      site_id: this.config.site_id,
      jurisdiction: this.config.jurisdiction,
      capabilities: this.config.capabilities,
      federation: { enabled: this.config.federation.enabled, federation_id: this.config.federation.federation_id, topics: this.envelopes.topics() },
      listen: this.multiaddrs(),
      uptime_seconds: Math.max(0, (this.clock.now() - this.startedAt) / 1000),
      peers: this.libp2p.getPeers().length,
      ...(record === undefined ? {} : { node_record: record }),
      members: [own, ...this.aggregatedMetrics.received()],
      membership: this.membershipStatus()
    }
  }

  /** What status says about the membership. */
  private membershipStatus (): MembershipStatus {
    const membership = this.members.current()
    if (membership === undefined) {
      const draft = this.members.draftSize()
      const admitted = draft === 0 ? 'only its bootstrap peers' : `only its bootstrap peers and the ${draft} founders of the genesis draft it signed`
      return { loaded: false, note: `no genesis loaded: this node admits ${admitted} and accepts no envelopes; run the genesis ceremony ("fedmesh genesis …", docs/operator.md) and "fedmesh consensus genesis <file>"` }
    }
    const own = this.members.identity(this.peerId.toString())
    return {
      loaded: true, federation_id: membership.federation_id, epoch: membership.epoch, members: membership.members.size,
      site_id: own === undefined ? null : own.siteId ?? null,
      ...(own === undefined ? { note: 'this node is not a member of the membership it holds' } : {})
    }
  }

  /** A new membership: the directory takes it, and connections to peers no longer in it close. */
  private membershipChanged (membership: Membership): void {
    this.members.setMembership(membership)
    const own = this.members.identity(this.peerId.toString())
    if (own?.siteId !== undefined && own.siteId !== this.config.site_id) {
      this.log.warn({ config: this.config.site_id, membership: own.siteId }, 'config.yaml site_id differs from this node\'s site id in the membership; peers label this node with the membership\'s')
    }
    if (!this.running) return
    for (const connection of this.libp2p.getConnections()) {
      if (!this.members.admits(connection.remotePeer.toString())) void connection.close().catch(() => {})
    }
    this.membershipChain?.membershipChanged(membership)
  }

  /** Connected peers, one entry per peer. */
  peers (): PeerSummary[] {
    const byPeer = new Map<string, PeerSummary>()
    for (const connection of this.libp2p.getConnections()) {
      const id = connection.remotePeer.toString()
      const site = this.members.siteOf(id)
      const entry = byPeer.get(id) ?? { peer_id: id, addrs: [], direction: connection.direction, ...(site === undefined ? {} : { site_id: site }) }
      entry.addrs.push(connection.remoteAddr.toString())
      byPeer.set(id, entry)
    }
    return [...byPeer.values()].sort((a, b) => a.peer_id.localeCompare(b.peer_id))
  }

  /** On the first peer push our record out (it had nowhere to go before); members' keys come from the membership, never from a lookup. */
  private readonly onConnectionOpen = (): void => {
    if (!this.config.federation.enabled) return
    if (this.libp2p.getPeers().length === 1) void this.records.publish()
  }

  /** Peers by state, for the metrics. */
  private peersByState (): { member_connected: number, other_connected: number, member_disconnected: number, gossip_mesh: number } {
    const connected = new Set(this.libp2p.getPeers().map((peer) => peer.toString()))
    const memberIds = [...(this.members.current()?.members.keys() ?? [])].filter((id) => id !== this.peerId.toString())
    const memberConnected = memberIds.filter((id) => connected.has(id)).length
    const pubsub = this.libp2p.services.pubsub
    const mesh = new Set(pubsub.getTopics().flatMap((topic) => pubsub.getMeshPeers(topic)))
    return { member_connected: memberConnected, other_connected: connected.size - memberConnected, member_disconnected: memberIds.length - memberConnected, gossip_mesh: mesh.size }
  }

  private readonly onConnectionsChanged = (): void => {
    this.metrics.setPeers(this.libp2p.getPeers().length)
  }
}

/** Counts every verdict in two places. */
function bothCounters (a: GossipCounters, b: GossipCounters): GossipCounters {
  return {
    message: (...args) => { a.message(...args); b.message(...args) },
    queueDepth: (...args) => { a.queueDepth?.(...args) },
    queueDropped: (...args) => { a.queueDropped?.(...args) },
    validationsInFlight: (...args) => { a.validationsInFlight?.(...args) },
    validated: (...args) => { a.validated?.(...args) }
  }
}
