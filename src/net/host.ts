/**
 * The libp2p host: the only place libp2p is assembled (so a move to libp2p 3
 * touches this folder only).
 *
 * TCP (or in-memory for the sim), noise, yamux, identify, ping, gossipsub and
 * a private Kademlia DHT on `/fedmesh/kad/1.0.0`. With federation disabled the
 * host is air-gapped: loopback listen addresses only, no bootstrap, the DHT in
 * client mode, and a gater that refuses every connection in either direction.
 */
import { createLibp2p, type Libp2p } from 'libp2p'
import { tcp } from '@libp2p/tcp'
import { memory } from '@libp2p/memory'
import { noise } from '@chainsafe/libp2p-noise'
import { plaintext } from '@libp2p/plaintext'
import { yamux } from '@chainsafe/libp2p-yamux'
import { identify, type Identify } from '@libp2p/identify'
import { ping, type PingService } from '@libp2p/ping'
import { bootstrap } from '@libp2p/bootstrap'
import { kadDHT, passthroughMapper, type KadDHT } from '@libp2p/kad-dht'
import { gossipsub, type GossipSub, type GossipSubComponents } from '@chainsafe/libp2p-gossipsub'
import { prometheusMetrics } from '@libp2p/prometheus-metrics'
import { multiaddr } from '@multiformats/multiaddr'
import type { PrivateKey, ComponentLogger, ConnectionGater, Logger, Peer, PeerId } from '@libp2p/interface'
import type { Libp2pInit } from 'libp2p'
import type { Key, Datastore, Query, KeyQuery } from 'interface-datastore'
import { BaseDatastore, MemoryDatastore } from 'datastore-core'
import type { AbortOptions } from 'interface-store'
import type { Registry } from 'prom-client'
import { createHash } from 'node:crypto'
import { fedmeshConnectionGater, PendingInbound } from './gater.ts'
import { rateLimitedHandler, streamHandlerOptions, STREAM_BURST, STREAMS_PER_SECOND, TokenBuckets } from './stream-limits.ts'
import { jitteredMs, systemRandom, type Random } from '../runtime/random.ts'
import { GOSSIP_FRAME_BYTES_MAX, gossipRefusalMetrics, handleOversizedFrames } from './gossip-limits.ts'
import type { GossipCounters } from './gossip.ts'
import { guardDhtDatastore, dhtRecordValidators, dhtRecordSelectors, type DhtRecordTypes } from './dht-records.ts'

/** DHT protocol id: a private namespace so a federation never joins the public IPFS DHT. */
export const DHT_PROTOCOL = '/fedmesh/kad/1.0.0'
/** Identify/ping live under our namespace too so a fedmesh node is not mistaken for an IPFS node. */
export const PROTOCOL_PREFIX = 'fedmesh'
export { GOSSIP_FRAME_BYTES_MAX } from './gossip-limits.ts'
/** Connections kept open; a federation is small, the sim keeps many nodes per process. */
export const CONNECTIONS_MAX = 300
/**
 * libp2p's documented reconnect defaults (1 s, ×2), set explicitly: its connection manager hands
 * `undefined` for unset options to p-retry, which copies them over retry's own defaults, so every
 * backoff became `setTimeout(NaN)` (Node's TimeoutNaNWarning) and the retries fired 1 ms apart.
 */
export const RECONNECT_RETRY_INTERVAL_MS = 1000
/**
 * Inbound connections being upgraded at once (noise + yamux), over every address. libp2p's default, 10,
 * let ten idle sockets lock members out; fresh identities are refused right after the handshake, so a
 * slot is held briefly by anyone but an idle socket, which the upgrade timeout ends.
 */
export const INBOUND_PENDING_MAX = 128
/** Inbound connections being upgraded at once from one IP no member was seen at (gater.ts). */
export const INBOUND_PENDING_PER_IP_MAX = 8
/** IPs members were seen at, remembered (most recent kept) so a member's IP is spared the per-IP limit. */
export const MEMBER_IPS_KEPT_MAX = 1024
/** An inbound connection must finish noise and yamux within this (libp2p's default 10 s let idle sockets hold slots). */
export const INBOUND_UPGRADE_TIMEOUT_MS = 3000
/** Inbound connections accepted per second per IP (libp2p's rate limiter; default 5, too few for a federation behind one NAT). */
export const INBOUND_CONNECTIONS_PER_IP_PER_SECOND = 50
export const RECONNECT_BACKOFF_FACTOR = 2
/**
 * libp2p's connection monitor pings every connection from both ends this often (libp2p's default is 10 s). Relation
 * heartbeats already show a member's liveness every 10 s and suspend it after 30 s (protocols/handshake.md), and
 * yamux's keep-alive pings every connection every 30 s; at 10 s the monitor's two ping streams per connection were
 * the largest stream count of an idle node (~47 a minute per node at 50 nodes, docs/sim.md "The audit loop").
 */
export const CONNECTION_MONITOR_INTERVAL_MS = 30_000
/**
 * A monitor ping unanswered this long aborts its connection, and the ping service waits this long for a ping's
 * bytes. libp2p's adaptive timeout never learns in the monitor (the monitor never reports a ping's duration back),
 * so its 5 s floor was the timeout, and ping's own answering side gave up after 10 s: an event loop busy that long
 * (a join, a burst of verifications) aborted healthy connections, and the redials made it busier (docs/sim.md,
 * "Worker mode"). Shorter than the interval: ping allows one outbound stream per connection, so a ping still open
 * at the next period would fail to open the next one, and that failure aborts the connection too.
 */
export const CONNECTION_MONITOR_TIMEOUT_MS = 20_000
/** kad-dht's self-query period (its default, 5 min), spread per node so nodes started together do not query together. */
export const DHT_SELF_QUERY_INTERVAL_MS = 5 * 60 * 1000
/** kad-dht's first self-query after start (its default 1 s), spread the same way. */
export const DHT_INITIAL_SELF_QUERY_MS = 1000
/** ± this fraction of a maintenance period is drawn per node from its Random component. */
export const DHT_MAINTENANCE_JITTER = 0.2

export type TransportName = 'tcp' | 'memory'

/**
 * Gossipsub peer exchange (PX): a PRUNE carries up to this many other peers of the topic (their signed peer
 * records), and the pruned node dials those it is not connected to. Without it a node whose connected
 * subscribers all pruned it (full meshes: a joiner that grafts busy hubs is refused at `Dhi`, and a pruned
 * peer may not graft again for the 60 s prune backoff) stayed outside the topic's mesh, getting messages only
 * by IHAVE/IWANT at heartbeats: in the 50-node virtual-time sim one such node made the whole p99 (610 ms
 * against a 50 ms diameter). Gossipsub's D (6): enough candidates to rebuild a mesh, not 16 (its default)
 * new connections per prune for the trimmer to close again.
 */
export const GOSSIP_PX_PEERS = 6
/**
 * PX is taken from a pruning peer whose score is at least this. Gossipsub's default (10) trusts PX only from
 * peers that earned a positive score, as on an open network where PX could steer a node toward an attacker's
 * sybils; here every connected peer passed the federation gater, PX records are hints (each dial meets the
 * gater again, so a non-member in a record is never connected), and a prune usually comes from a peer the
 * node was never meshed with (score 0). A peer with a negative score is still ignored.
 */
export const GOSSIP_ACCEPT_PX_THRESHOLD = 0

/**
 * Sim-only host settings (the sim's lean profile): none is set in production, and each one the
 * sim sets is named as a deviation in its report (sim/profile.ts). Production defaults are the
 * absent values.
 */
export interface SimHostOptions {
  /**
   * 'plaintext': connections are not encrypted (@libp2p/plaintext: the peers exchange public keys,
   * then bytes travel in the clear and unauthenticated) — a "network-only" sim that leaves noise's
   * CPU out. Default 'noise'.
   */
  encryption?: 'noise' | 'plaintext'
  /** libp2p's peer store in a MemoryDatastore of its own instead of the node's store (which the DHT keeps using). */
  inMemoryPeerStore?: boolean
  /** false: gossipsub never sends IDONTWANT (v1.2) to its mesh peers. Default true (gossipsub's default). */
  idontwant?: boolean
  /** a transport used instead of the one `HostInit.transport` names: the sim's cross-thread transport (sim/thread-transport.ts, `--threads K`) */
  transport?: NonNullable<Libp2pInit['transports']>[number]
}

/** The keep-alive tag kad-dht 15 puts on its 20 closest peers (@libp2p/kad-dht KEEP_ALIVE_TAG; neither the tag nor the set size is configurable). */
export const KAD_KEEP_ALIVE_TAG = 'keep-alive-kad-dht'

/**
 * Keeps kad-dht's keep-alive tag out of the peer store. libp2p's reconnect queue redials a keep-alive peer the
 * moment it disconnects, so every connection the trimmer (src/services/connection-limits) closed to one of the
 * node's 20 closest DHT peers came straight back: a whole new connection (upgrade, identify, gossipsub, a first
 * sync round...) per trim, and the connection limits did not hold. Joining keeps the node connected; kad-dht
 * dials the peers a query needs. Other keep-alive tags (an operator's, a test's) are untouched.
 */
function dropKadKeepAlive (host: Pick<Libp2p, 'peerStore'>): void {
  const peerStore = host.peerStore
  const merge = peerStore.merge.bind(peerStore)
  peerStore.merge = async (peer, data, options) => {
    if (data.tags === undefined || !(KAD_KEEP_ALIVE_TAG in data.tags)) return await merge(peer, data, options)
    const { [KAD_KEEP_ALIVE_TAG]: _dropped, ...tags } = data.tags
    return await merge(peer, { ...data, tags }, options)
  }
}

/** What `skipKnownProtocolMerges` needs of the host. */
export interface ProtocolMergeHost {
  peerStore: Pick<Libp2p['peerStore'], 'merge' | 'delete'>
  addEventListener: (type: 'peer:update', listener: (event: CustomEvent<{ peer: Peer }>) => void) => void
}

/**
 * libp2p writes a peer's protocol into the peer store at both ends of every stream it negotiates
 * (`peerStore.merge(peer, { protocols: [protocol] })`): a write lock, a protobuf decode and encode of the
 * peer's record, and the lock queue's abort error, for every heartbeat, ping and DHT request, almost always
 * to record a protocol the store already holds (docs/sim.md, "Idle at 50–200 nodes"). Here a merge of
 * protocols only, all of which the peer's last known record holds, returns that record without touching the
 * store. The record known is the one the store last announced (`peer:update`, sent on every change) or last
 * returned from a merge no change overtook; a deleted peer's is forgotten.
 */
export function skipKnownProtocolMerges (host: ProtocolMergeHost): void {
  const peerStore = host.peerStore
  const merge = peerStore.merge.bind(peerStore)
  const remove = peerStore.delete.bind(peerStore)
  const known = new Map<string, Peer>()
  /** changes announced per peer: a merge's result is kept only if none came while it ran */
  const changes = new Map<string, number>()
  const changed = (id: string): void => { changes.set(id, (changes.get(id) ?? 0) + 1) }
  host.addEventListener('peer:update', ({ detail }) => {
    const id = detail.peer.id.toString()
    changed(id)
    known.set(id, detail.peer)
  })
  peerStore.merge = async (peer, data, options) => {
    const id = peer.toString()
    const protocolsOnly = data.protocols !== undefined && Object.keys(data).length === 1
    const record = protocolsOnly ? known.get(id) : undefined
    if (record !== undefined && data.protocols!.every((protocol) => record.protocols.includes(protocol))) return record
    const before = changes.get(id) ?? 0
    const result = await merge(peer, data, options)
    if ((changes.get(id) ?? 0) === before) known.set(id, result)
    return result
  }
  peerStore.delete = async (peer, options) => {
    const id = peer.toString()
    known.delete(id)
    changed(id)
    await remove(peer, options)
    known.delete(id)
  }
}

/**
 * How kad-dht's routing table verifies a contact before adding it, in place of its own check. kad-dht 15
 * pings every new contact (`RoutingTable.verifyNewContact`: every peer named in a DHT response's closer
 * peers, every peer that connects speaking the DHT protocol, every stored peer at start) whenever its bucket
 * has room, and a ping to an unconnected peer dials it: a whole connection (upgrade, identify, gossipsub,
 * fedmesh's handshake with an ML-DSA signature each side) made only to be pinged, which the trimmer then
 * closes. In a 25-node sim run those pings were 267 of the 450 connections opened, each one to a peer the
 * node had already been connected to and trimmed; at N nodes a node hears of most of the others, so the
 * dials grew ~N^2 (docs/sim.md, "Virtual time: fewer dials and a bigger young generation").
 * Here a contact is verified when it is connected (it passed the gater and identify showed it speaks the
 * DHT) or, unconnected, when it is a member: the federation's membership, not a ping, says who belongs in
 * the table, and a non-member (which the gater would refuse anyway) never enters it. A member that is
 * offline stays until its bucket fills, when kad-dht's old-contact pings (unchanged, they dial) evict it.
 * No option of kad-dht 15 turns the new-contact ping off; this sets the private `routingTable.kb.verify`
 * and fails loudly if it moves.
 */
export function verifyDhtContactsByMembership (dht: KadDHT, host: Pick<Libp2p, 'getConnections'>, admits: (peerId: string) => boolean): void {
  const kb = (dht as unknown as { routingTable?: { kb?: { verify?: unknown } } }).routingTable?.kb
  if (kb === undefined || typeof kb.verify !== 'function') throw new Error('kad-dht has no routingTable.kb.verify: update verifyDhtContactsByMembership in src/net/host.ts')
  kb.verify = async (contact: { peerId: PeerId }): Promise<boolean> => host.getConnections(contact.peerId).length > 0 || admits(contact.peerId.toString())
}

/** One logger that does nothing, for every libp2p component, connection and stream (quietLibp2pLogger). */
const QUIET_LOG: Logger = Object.assign(() => {}, { error: () => {}, trace: () => {}, enabled: false, newScope: (): Logger => QUIET_LOG })

/**
 * libp2p's logger when its debug output is off: libp2p's default (@libp2p/logger) builds three `weald` debug
 * instances (each with a terminal colour check, `tty.isatty`) for every component, connection and stream it
 * opens, whether or not anything logs; in the 200-node virtual-time sim that was 1.2 % of the join's CPU.
 * libp2p's output is switched on only through the `DEBUG` environment variable (weald reads it when loaded),
 * so with `DEBUG` unset or empty the host hands libp2p one no-op logger; with it set, libp2p's own (undefined
 * here). fedmesh's own log (pino) is separate and unchanged.
 */
export function quietLibp2pLogger (env: Record<string, string | undefined> = process.env): ComponentLogger | undefined {
  if ((env['DEBUG'] ?? '') !== '') return undefined
  return { forComponent: () => QUIET_LOG }
}

/** A PRUNE control entry as gossipsub 14's private `handlePrune` receives it. */
interface PruneEntry { topicID?: string, peers?: unknown[], backoff?: number }

/**
 * Two changes to how gossipsub takes peer exchange, both on private methods of gossipsub 14 (if either
 * moves, the host fails to build, loudly):
 *
 * - PX is taken only when the prune leaves the topic's mesh below `Dlo`: a node with a mesh to spare does
 *   not need new peers, and each PX dial is a whole new connection (upgrade, identify, gossipsub, DHT...)
 *   that the trimmer closes again. A hub pruning down to D at its heartbeat sends PX to every peer it drops;
 *   taken always, PX put 26 % more timer firings into a 50-node virtual-time run. The records of a declined
 *   PX are not read (nothing enters the peer store).
 * - The dials run detached from the PRUNE handler. gossipsub awaits them inside it (`handlePrune` →
 *   `pxConnect` → `Promise.all` of dials), so one refused dial — a record naming a peer the gater refuses,
 *   an address no longer reachable — rejected the handler: the rest of that RPC's prunes (other topics kept
 *   a stale mesh entry and no backoff), its IDONTWANTs and the reply to its IHAVE/IWANT were dropped, and
 *   the next prune waited for the dials. A failed PX dial needs no action (the gater or the network answered).
 */
function takePxWhenNeeded (pubsub: GossipSub): void {
  const target = pubsub as unknown as { pxConnect?: (peers: unknown[]) => Promise<void>, handlePrune?: (id: string, prune: PruneEntry[]) => Promise<void> }
  const pxConnect = target.pxConnect
  const handlePrune = target.handlePrune
  if (typeof pxConnect !== 'function' || typeof handlePrune !== 'function') throw new Error('gossipsub has no pxConnect/handlePrune: update takePxWhenNeeded in src/net/host.ts')
  target.pxConnect = async (peers) => { pxConnect.call(pubsub, peers).catch(() => {}) }
  target.handlePrune = async (id, prune) => {
    const needed = prune.map((entry) => {
      if (entry.topicID === undefined || entry.peers === undefined || entry.peers.length === 0) return entry
      const mesh = pubsub.mesh.get(entry.topicID)
      const left = mesh === undefined ? 0 : mesh.size - (mesh.has(id) ? 1 : 0)
      return left < pubsub.opts.Dlo ? entry : { ...entry, peers: [] }
    })
    await handlePrune.call(pubsub, id, needed)
  }
}

/** libp2p's peer store keeps every peer under this key prefix (@libp2p/peer-store NAMESPACE_COMMON). */
export const PEER_STORE_PREFIX = '/peers/'

/** A datastore that keeps the peer store's keys in memory and passes every other key to `inner` (SimHostOptions.inMemoryPeerStore). */
export class PeerStoreInMemory extends BaseDatastore {
  /** the peer store's keys (tests read it) */
  readonly peers = new MemoryDatastore()
  private readonly inner: Datastore

  constructor (inner: Datastore) {
    super()
    this.inner = inner
  }

  private route (key: Key): Datastore {
    return key.toString().startsWith(PEER_STORE_PREFIX) ? this.peers : this.inner
  }

  private routeQuery (prefix: string | undefined): Datastore {
    return prefix?.startsWith(PEER_STORE_PREFIX) === true ? this.peers : this.inner
  }

  override put (key: Key, value: Uint8Array, options?: AbortOptions): ReturnType<Datastore['put']> { return this.route(key).put(key, value, options) }
  override get (key: Key, options?: AbortOptions): ReturnType<Datastore['get']> { return this.route(key).get(key, options) }
  override has (key: Key, options?: AbortOptions): ReturnType<Datastore['has']> { return this.route(key).has(key, options) }
  override delete (key: Key, options?: AbortOptions): ReturnType<Datastore['delete']> { return this.route(key).delete(key, options) }
  override query (query: Query, options?: AbortOptions): ReturnType<Datastore['query']> { return this.routeQuery(query.prefix).query(query, options) }
  override queryKeys (query: KeyQuery, options?: AbortOptions): ReturnType<Datastore['queryKeys']> { return this.routeQuery(query.prefix).queryKeys(query, options) }
}

export type HostServices = {
  identify: Identify
  ping: PingService
  dht: KadDHT
  pubsub: GossipSub
}

export type FedmeshLibp2p = Libp2p<HostServices>

export interface HostInit {
  privateKey: PrivateKey
  transport: TransportName
  /** listen multiaddrs as configured; rewritten to loopback when air-gapped */
  listen: string[]
  federationEnabled: boolean
  bootstrap: string[]
  /** whether the gater lets a peer connect when federated (the member directory, read live) */
  admits: (peerId: string) => boolean
  datastore: Datastore
  /** DHT record namespaces beyond the defaults (validators + selectors) */
  dhtRecords?: DhtRecordTypes
  /**
   * prom-client registry for libp2p's own metrics; absent = no libp2p metrics (the sim).
   * @libp2p/prometheus-metrics keeps its metric objects in module state, so only the
   * first node of a process exports them: fine for the daemon, which runs one node.
   */
  metricsRegistry?: Registry
  logger?: ComponentLogger
  /** gossipsub heartbeat; the sim shortens it */
  gossipHeartbeatMs?: number
  /** a libp2p metrics implementation used instead of `metricsRegistry` (the sim's light byte counters) */
  metrics?: Libp2pInit['metrics']
  /** refuses a peer (dials and both directions after the handshake) while it returns true, on top of the federation gater: the sim's partitions */
  denyPeer?: (peer: PeerId) => boolean
  /** connections kept before the connection manager prunes; default CONNECTIONS_MAX (the sim lowers it) */
  connectionsMax?: number
  /** IPs gossipsub's IP-colocation penalty (P6) spares: the sim's nodes all share 127.0.0.1 */
  ipColocationWhitelist?: string[]
  /** draws the per-node jitter of DHT maintenance; default the system CSPRNG (the sim passes a seeded one) */
  random?: Random
  /** memory transport only: each frame waits this long (the virtual-time sim's modelled link latency) */
  memoryLatencyMs?: number
  /** libp2p connection monitor period; default CONNECTION_MONITOR_INTERVAL_MS (tests shorten it) */
  connectionMonitorIntervalMs?: number
  /** where gossipsub's own refusals (and oversized frames) are counted, next to the validators' verdicts */
  gossipCounters?: GossipCounters
  /** sim-only settings (the lean profile); absent in production */
  sim?: SimHostOptions
}

/** Rewrites listen addresses to loopback (same port) for an air-gapped node. */
export function airGappedListenAddrs (listen: string[]): string[] {
  return listen.map((address) => {
    const ma = multiaddr(address)
    const parts = ma.toString().split('/')
    if (parts[1] === 'ip4' || parts[1] === 'dns4' || parts[1] === 'dns') { parts[1] = 'ip4'; parts[2] = '127.0.0.1' }
    if (parts[1] === 'ip6' || parts[1] === 'dns6') { parts[1] = 'ip6'; parts[2] = '::1' }
    // an air-gapped node admits and dials nobody: an ephemeral port, so a taken port never stops `npm start`
    if (parts[3] === 'tcp') parts[4] = '0'
    return parts.join('/')
  })
}

/** Message id = sha256 of the bytes: envelopes carry their own signatures, so content identifies a message. */
function contentMessageId (message: { data: Uint8Array }): Uint8Array {
  return createHash('sha256').update(message.data).digest()
}

/** Adds `denyPeer` on top of a gater: dials and encrypted connections either way to a denied peer are refused. */
function withDenyPeer (gater: ConnectionGater, denyPeer: ((peer: PeerId) => boolean) | undefined): ConnectionGater {
  if (denyPeer === undefined) return gater
  type PeerCheck = ((peer: PeerId, ...rest: never[]) => boolean | Promise<boolean>) | undefined
  const either = (own: PeerCheck) => async (peer: PeerId, ...rest: never[]): Promise<boolean> => denyPeer(peer) || (await own?.(peer, ...rest) ?? false)
  return {
    ...gater,
    denyDialPeer: either(gater.denyDialPeer),
    denyInboundEncryptedConnection: either(gater.denyInboundEncryptedConnection),
    denyOutboundEncryptedConnection: either(gater.denyOutboundEncryptedConnection)
  }
}

/** Every handler registered under `/fedmesh/` gets a per-connection stream cap and a per-peer token bucket (stream-limits.ts). */
function limitFedmeshStreams (host: FedmeshLibp2p, counters: GossipCounters | undefined): void {
  const buckets = new TokenBuckets({ burst: STREAM_BURST, perSecond: STREAMS_PER_SECOND })
  const handle = host.handle.bind(host)
  host.handle = async (protocols, handler, options) => {
    const list = Array.isArray(protocols) ? protocols : [protocols]
    if (!list.every((protocol) => protocol.startsWith(`/${PROTOCOL_PREFIX}/`) && protocol !== DHT_PROTOCOL && !protocol.includes('/ping/') && !protocol.includes('/id/'))) {
      await handle(protocols, handler, options)
      return
    }
    await handle(protocols, rateLimitedHandler(list.join(','), handler, buckets, (protocol) => { counters?.message(protocol, 'in', 'reject', 'stream_rate_limited') }), streamHandlerOptions(options))
  }
}

/** Creates (but does not start) the libp2p host. */
export async function createHost (init: HostInit): Promise<FedmeshLibp2p> {
  const listen = init.federationEnabled ? init.listen : airGappedListenAddrs(init.listen)
  const peerDiscovery = init.federationEnabled && init.bootstrap.length > 0
    ? [bootstrap({ list: init.bootstrap, timeout: 100 })]
    : []
  const sim = init.sim ?? {}
  const guarded = guardDhtDatastore(init.datastore, init.dhtRecords ?? {})
  const datastore = sim.inMemoryPeerStore === true ? new PeerStoreInMemory(guarded) : guarded
  const random = (init.random ?? systemRandom).fork('dht-maintenance')
  const logger = init.logger ?? quietLibp2pLogger()
  // IPs members were seen at (connected from, either direction): such an IP is never held to the per-IP limit
  const memberIpsSeen = new Set<string>()
  const pendingInbound = new PendingInbound({ perIpMax: INBOUND_PENDING_PER_IP_MAX, holdMs: INBOUND_UPGRADE_TIMEOUT_MS })
  const host = await createLibp2p({
    privateKey: init.privateKey,
    start: false,
    datastore,
    ...(logger === undefined ? {} : { logger }),
    addresses: { listen },
    transports: [sim.transport ?? (init.transport === 'memory' ? memory(init.memoryLatencyMs === undefined ? {} : { latency: init.memoryLatencyMs }) : tcp())],
    connectionEncrypters: [sim.encryption === 'plaintext' ? plaintext() : noise()],
    streamMuxers: [yamux()],
    peerDiscovery,
    connectionGater: withDenyPeer(fedmeshConnectionGater({
      federationEnabled: init.federationEnabled,
      admits: init.admits,
      pending: pendingInbound,
      memberAddress: (ip) => memberIpsSeen.has(ip)
    }), init.denyPeer),
    connectionManager: {
      maxConnections: init.connectionsMax ?? CONNECTIONS_MAX,
      maxIncomingPendingConnections: INBOUND_PENDING_MAX,
      inboundUpgradeTimeout: INBOUND_UPGRADE_TIMEOUT_MS,
      inboundConnectionThreshold: INBOUND_CONNECTIONS_PER_IP_PER_SECOND,
      reconnectRetryInterval: RECONNECT_RETRY_INTERVAL_MS,
      reconnectBackoffFactor: RECONNECT_BACKOFF_FACTOR
    },
    // the monitor pings every connection; under libp2p's default /ipfs prefix each ping was a failed
    // protocol negotiation (ping is mounted under /fedmesh), and one that missed its timeout aborted the connection
    connectionMonitor: {
      protocolPrefix: PROTOCOL_PREFIX,
      pingInterval: init.connectionMonitorIntervalMs ?? CONNECTION_MONITOR_INTERVAL_MS,
      pingTimeout: { minTimeout: CONNECTION_MONITOR_TIMEOUT_MS, maxTimeout: CONNECTION_MONITOR_TIMEOUT_MS }
    },
    ...(init.metrics !== undefined ? { metrics: init.metrics } : init.metricsRegistry === undefined ? {} : { metrics: prometheusMetrics({ registry: init.metricsRegistry, collectDefaultMetrics: false, preserveExistingMetrics: true }) }),
    services: {
      identify: identify({ protocolPrefix: PROTOCOL_PREFIX }),
      // ping's answering side aborted a stream whose bytes had not come in 10 s (its default), which the pinging
      // monitor took for a failed ping: answer as patiently as the monitor waits
      ping: ping({ protocolPrefix: PROTOCOL_PREFIX, timeout: CONNECTION_MONITOR_TIMEOUT_MS }),
      dht: kadDHT({
        protocol: DHT_PROTOCOL,
        // Members reach each other by construction; automatic mode waits for public reachability and never flips on a private network.
        clientMode: !init.federationEnabled,
        // Federations run on private networks: keep private addresses in DHT answers.
        peerInfoMapper: passthroughMapper,
        validators: dhtRecordValidators(init.dhtRecords),
        selectors: dhtRecordSelectors(init.dhtRecords),
        allowQueryWithZeroPeers: false,
        querySelfInterval: jitteredMs(DHT_SELF_QUERY_INTERVAL_MS, DHT_MAINTENANCE_JITTER, random),
        initialQuerySelfInterval: jitteredMs(DHT_INITIAL_SELF_QUERY_MS, DHT_MAINTENANCE_JITTER, random)
      }),
      // gossipsub's factory is typed as the generic PubSub; the instance is a GossipSub (scores, validation reports).
      pubsub: gossipsub({
        // Envelopes carry hybrid signatures; gossipsub's own signing would be redundant work.
        globalSignaturePolicy: 'StrictNoSign',
        msgIdFn: contentMessageId,
        asyncValidation: true,
        allowPublishToZeroTopicPeers: true,
        // every member speaks gossipsub; floodsub would only widen what a peer can send us
        fallbackToFloodsub: false,
        emitSelf: false,
        // peer exchange on prune, so a node pruned by every connected subscriber learns others to mesh with
        // (taken only when the prune leaves the mesh below Dlo: takePxWhenNeeded)
        doPX: true,
        prunePeers: GOSSIP_PX_PEERS,
        scoreThresholds: { acceptPXThreshold: GOSSIP_ACCEPT_PX_THRESHOLD },
        // one envelope and its framing (gossip-limits.ts): larger frames are refused from their length prefix
        maxInboundDataLength: GOSSIP_FRAME_BYTES_MAX,
        // no message is ever large enough to earn an IDONTWANT
        ...(sim.idontwant === false ? { idontwantMinDataSize: Number.MAX_SAFE_INTEGER } : {}),
        ...(init.gossipCounters === undefined ? {} : gossipRefusalMetrics(init.gossipCounters)),
        ...(init.gossipHeartbeatMs === undefined ? {} : { heartbeatInterval: init.gossipHeartbeatMs })
      }) as unknown as (components: GossipSubComponents) => GossipSub
    }
  })
  for (const ip of init.ipColocationWhitelist ?? []) host.services.pubsub.score.params.IPColocationFactorWhitelist.add(ip)
  host.addEventListener('connection:open', ({ detail: connection }) => {
    if (!init.admits(connection.remotePeer.toString()) || !connection.remoteAddr.isThinWaistAddress()) return
    const ip = connection.remoteAddr.nodeAddress().address
    memberIpsSeen.delete(ip)
    memberIpsSeen.add(ip)
    if (memberIpsSeen.size > MEMBER_IPS_KEPT_MAX) memberIpsSeen.delete(memberIpsSeen.values().next().value!)
  })
  dropKadKeepAlive(host)
  skipKnownProtocolMerges(host)
  verifyDhtContactsByMembership(host.services.dht, host, init.admits)
  takePxWhenNeeded(host.services.pubsub)
  handleOversizedFrames(host.services.pubsub, { counters: init.gossipCounters, hangUp: async (peer) => { await host.hangUp(peer) } })
  limitFedmeshStreams(host, init.gossipCounters)
  return host
}
