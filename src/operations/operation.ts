/**
 * What an operation is and what it may use.
 */
import type { Store } from '../store/store.ts'
import type { Config } from '../config/schema.ts'
import type { SignatureVerifier } from '../core/signature.ts'
import type { Clock } from '../runtime/clock.ts'
import type { Consensus } from '../services/consensus/index.ts'
import type { Summaries } from '../services/summaries/index.ts'
import type { Chains } from '../services/chains/index.ts'
import type { Sync } from '../services/sync/index.ts'
import type { Capabilities } from '../services/capabilities/index.ts'
import type { Migration } from '../services/migration/index.ts'
import type { MoveAcks } from '../services/move-acks/index.ts'
import type { Handshake } from '../services/handshake/index.ts'
import type { Bilateral } from '../services/bilateral/index.ts'
import type { Disputes } from '../services/disputes/index.ts'
import { InputError } from '../core/errors.ts'
import type { AuditLog } from '../store/audit-log.ts'

/** The services of a running node operations may call (absent on the CLI's direct path). */
export interface RunningServices {
  consensus: Consensus
  summaries: Summaries
  /** chain settlement (optional so callers that build services by hand need not give it) */
  chains?: Chains
  /** the members service: takes the founders of the genesis draft being signed (admitted, and dialled at their address hints, until a genesis is loaded) */
  members?: { setDraft: (founders: ReadonlyArray<{ node_id: string, addresses?: string[] }>) => void }
  /** anti-entropy sync (optional: absent on a node without federation) */
  sync?: Sync
  /** capability discovery in the DHT (optional, as chains) */
  capabilities?: Capabilities
  /** participant moves (issue 14; optional like chains) */
  migration?: Migration
  /** the receipts of participant moves (issue 14; optional like chains) */
  moveAcks?: MoveAcks
  /** relations with peers (optional, as chains) */
  handshake?: Handshake
  /** bilateral data on the direct stream (optional, as chains) */
  bilateral?: Bilateral
  /** disputes across nodes (optional, as chains) */
  disputes?: Disputes
}

/** What operations may use. */
export interface OperationComponents {
  store: Store
  config: Config
  /** the node's data dir (taxonomy, relative genesis paths); absent for an in-memory node */
  dataDir: string | undefined
  clock: Clock
  /** verifies signatures with the node's configured ML-DSA backend */
  verifier: SignatureVerifier
  services?: RunningServices
  /** the running node's audit log (there is one per store); absent → operations open the store's own */
  auditLog?: AuditLog
}

/** An operator action; `args` and the result are plain JSON. */
export interface Operation<A = unknown, R = unknown> {
  /** stable name, also the API route: `POST /ops/<name>` */
  readonly name: string
  /** false for reads the operator console polls (the audit log's own reads): not recorded in the audit log */
  readonly audited?: false
  run: (components: OperationComponents, args: A) => Promise<R>
}

/** The operation needs the running node (it sends to the federation): start it first. */
export class NodeNotRunningError extends InputError {
  static override readonly code = 'NodeNotRunningError'
  override readonly name = 'NodeNotRunningError'
}

export class UnknownOperationError extends InputError {
  static override readonly code = 'UnknownOperationError'
  override readonly name = 'UnknownOperationError'
}

/** The running node's services, or NodeNotRunningError naming the operation. */
export function requireServices (components: OperationComponents, operation: string): RunningServices {
  if (components.services === undefined) throw new NodeNotRunningError(`${operation} sends to the federation: start the node ("fedmesh start") and run it again`)
  return components.services
}
