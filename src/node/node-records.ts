/**
 * Node records in the DHT: each node publishes its signed record under
 * `/fedmesh-node/<peerId>` (binding its ML-DSA key to its PeerId), and looks
 * up other nodes' records to learn the keys that verify their envelopes.
 */
import type { HybridSigner, SignatureVerifier } from '../core/signature.ts'
import type { MemberIdentity } from './members.ts'
import type { DhtRecordTypes } from '../net/dht-records.ts'
import type { FedmeshLibp2p } from '../net/host.ts'
import type { Config } from '../config/schema.ts'
import type { Logger } from './log.ts'
import {
  NODE_RECORD_NAMESPACE, createNodeRecord, nodeRecordKey, selectNodeRecord, validateNodeRecordEntry, verifyNodeRecord, type NodeRecord
} from '../wire/node-record.ts'

/** A node republishes its record this often, and whenever its addresses change. */
export const NODE_RECORD_REPUBLISH_MS = 10 * 60 * 1000
/** How long one publication may spend reaching the closest peers. */
export const NODE_RECORD_PUBLISH_MS_MAX = 30_000

/** The DHT namespace of node records, for the host's validators and selectors. */
export const NODE_RECORD_DHT_TYPES: DhtRecordTypes = {
  [NODE_RECORD_NAMESPACE]: { validate: validateNodeRecordEntry, select: selectNodeRecord }
}

/** Builds this node's signed record. `seq` must grow with every new record. */
export function ownNodeRecord (init: { config: Config, libp2p: FedmeshLibp2p, signer: HybridSigner, seq: number, nowMs: number }): Uint8Array {
  return createNodeRecord({
    peerId: init.libp2p.peerId.toString(),
    seq: init.seq,
    timestampMs: init.nowMs,
    siteId: init.config.site_id,
    jurisdiction: init.config.jurisdiction,
    capabilities: init.config.capabilities,
    federationEnabled: init.config.federation.enabled,
    addrs: init.libp2p.getMultiaddrs().map((ma) => ma.toString()).slice(0, 16)
  }, init.signer)
}

/** Stores the record locally and sends it to the peers closest to its key. */
export async function publishNodeRecord (libp2p: FedmeshLibp2p, record: Uint8Array, signal: AbortSignal): Promise<void> {
  for await (const event of libp2p.services.dht.put(nodeRecordKey(libp2p.peerId), record, { signal })) {
    void event
  }
}

/** Finds and verifies a node's record in the DHT; undefined when there is none or it does not verify. */
export async function lookupNodeRecord (libp2p: FedmeshLibp2p, verifier: SignatureVerifier, nodeId: string, signal: AbortSignal): Promise<NodeRecord | undefined> {
  let found: Uint8Array | undefined
  try {
    for await (const event of libp2p.services.dht.get(nodeRecordKey(nodeId), { signal })) {
      if (event.name === 'VALUE') found = event.value
    }
  } catch {
    if (found === undefined) return undefined
  }
  if (found === undefined) return undefined
  try {
    return verifyNodeRecord(found, nodeId, verifier)
  } catch {
    return undefined
  }
}

/** The hybrid key and site id from a node's DHT record (the member directory's lookup). */
export async function lookupMemberIdentity (libp2p: FedmeshLibp2p, verifier: SignatureVerifier, nodeId: string, signal: AbortSignal): Promise<MemberIdentity | undefined> {
  const record = await lookupNodeRecord(libp2p, verifier, nodeId, signal)
  return record === undefined ? undefined : { key: record.publicKey, siteId: record.siteId }
}

export type { NodeRecord }

/** This node's record as `fedmesh status` shows it. */
export interface NodeRecordStatus {
  seq: number
  timestamp_ms: number
  addrs: string[]
  federation_enabled: boolean
  mldsa_level: number
  /** base64 of the ML-DSA public key the record binds to this PeerId */
  mldsa_public_key: string
}

/** Keeps this node's signed record current in the DHT: at start, on the first peer, and every NODE_RECORD_REPUBLISH_MS. */
export class NodeRecordPublisher {
  private readonly init: { config: Config, libp2p: FedmeshLibp2p, signer: HybridSigner, verifier: SignatureVerifier, now: () => number, log: Logger }
  private timer: NodeJS.Timeout | undefined
  private seq = 0
  private running = false
  /** the current signed record (what the DHT holds under /fedmesh-node/<peerId>) */
  current: Uint8Array | undefined

  constructor (init: NodeRecordPublisher['init']) {
    this.init = init
  }

  /** Signs the first record; when federated, publishes it and keeps republishing. */
  start (): void {
    this.running = true
    this.current = this.next()
    if (!this.init.config.federation.enabled) return
    this.timer = setInterval(() => { void this.publish() }, NODE_RECORD_REPUBLISH_MS)
    this.timer.unref()
    void this.publish()
  }

  stop (): void {
    this.running = false
    if (this.timer !== undefined) clearInterval(this.timer)
    this.timer = undefined
  }

  /** Publishes a fresh record (stored locally at once, then sent to the peers closest to its key). */
  async publish (): Promise<void> {
    if (!this.running) return
    this.current = this.next()
    try {
      await publishNodeRecord(this.init.libp2p, this.current, AbortSignal.timeout(NODE_RECORD_PUBLISH_MS_MAX))
    } catch (err) {
      if (this.running) this.init.log.debug({ err: (err as Error).message }, 'node record not published to any peer yet')
    }
  }

  /** The current record, verified. */
  record (): NodeRecord | undefined {
    return this.current === undefined ? undefined : verifyNodeRecord(this.current, this.init.libp2p.peerId.toString(), this.init.verifier)
  }

  /** The current record for `fedmesh status`. */
  status (): NodeRecordStatus | undefined {
    const record = this.record()
    if (record === undefined) return undefined
    return {
      seq: record.seq,
      timestamp_ms: record.timestampMs,
      addrs: record.addrs,
      federation_enabled: record.federationEnabled,
      mldsa_level: record.publicKey.mldsaLevel,
      mldsa_public_key: Buffer.from(record.publicKey.mldsa).toString('base64')
    }
  }

  /** A new record whose seq is above every earlier one, across restarts too (it is at least the time in ms). */
  private next (): Uint8Array {
    const nowMs = this.init.now()
    this.seq = Math.max(this.seq + 1, nowMs)
    return ownNodeRecord({ config: this.init.config, libp2p: this.init.libp2p, signer: this.init.signer, seq: this.seq, nowMs })
  }
}
