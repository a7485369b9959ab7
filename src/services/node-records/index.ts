/**
 * Node records in the DHT: each node publishes its signed record under
 * `/fedmesh-node/<peerId>` (binding its ML-DSA key to its PeerId), and looks
 * up other nodes' records to learn the keys that verify their envelopes.
 */
import type { PeerId, AbortOptions } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'
import type { HybridSigner, SignatureVerifier } from '../../core/signature.ts'
import type { DhtRecordTypes } from '../../net/dht-records.ts'
import type { Clock } from '../../runtime/clock.ts'
import type { Random } from '../../runtime/random.ts'
import type { Logger } from '../../runtime/log.ts'
import { NODE_RECORD_NAMESPACE, selectNodeRecord, validateNodeRecordEntry } from '../../wire/node-record.ts'
import { NodeRecordPublisher } from './node-records.ts'

export { NodeRecordPublisher } from './node-records.ts'

/** The DHT namespace of node records, for the host's validators and selectors. */
export const NODE_RECORD_DHT_TYPES: DhtRecordTypes = {
  [NODE_RECORD_NAMESPACE]: { validate: validateNodeRecordEntry, select: selectNodeRecord }
}

/** The part of the DHT records use (kad-dht's put and get). */
export interface RecordDht {
  put: (key: Uint8Array, value: Uint8Array, options?: AbortOptions) => AsyncIterable<unknown>
  get: (key: Uint8Array, options?: AbortOptions) => AsyncIterable<{ name: string, value?: Uint8Array }>
}

export interface NodeRecordsComponents {
  dht: RecordDht
  peerId: PeerId
  /** the addresses peers can dial, now */
  addresses: () => Multiaddr[]
  signer: HybridSigner
  verifier: SignatureVerifier
  clock: Clock
  /** spreads the republish period */
  random: Random
  logger: Logger
}

export interface NodeRecordsInit {
  siteId: string
  jurisdiction: string
  capabilities: string[]
  federationEnabled: boolean
  /** default NODE_RECORD_REPUBLISH_MS */
  republishMs?: number
}

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

/** Builds the publisher of this node's record. */
export function nodeRecords (init: NodeRecordsInit): (components: NodeRecordsComponents) => NodeRecordPublisher {
  return (components) => new NodeRecordPublisher(components, init)
}
