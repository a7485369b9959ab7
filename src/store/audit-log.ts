/**
 * The audit log in the store: an RFC 9162 Merkle tree over audit records.
 *
 * Appends join the caller's batch: `stage(records)` returns the operations to
 * add to the batch that stores the data the records describe, and the new
 * tree state is swapped in by `commit()` only after that batch is written.
 * One staged append is outstanding at a time (later `stage` calls wait), so
 * leaf indices never collide and a failed batch (`abort()`) leaves no gap.
 *
 * Memory holds only the compact range (≤ 40 hashes); every completed subtree
 * is stored, so proofs for any committed size read ≤ 2·log2(n) keys.
 */
import { createHash } from 'node:crypto'
import type { BatchOperation, Store, Sublevel } from './store.ts'
import { AUDIT_LOG_LEAVES_MAX } from '../core/audit/constants.ts'
import { InputError } from '../core/errors.ts'
import { ProofRangeError } from '../core/audit/errors.ts'
import { consistencyProofRanges, inclusionProofRanges, nodesForRanges, proofFromNodes } from '../core/audit/proof.ts'
import { decodeAuditRecord, encodeAuditRecord, type AuditRecord, type UnknownAuditRecord } from '../core/audit/record.ts'
import { appendLeafHashes, emptyTree, foldRange, frontierNodes, treeRoot, type NodeId, type TreeState } from '../core/audit/tree.ts'
import {
  signedCheckpointFromJson, signedCheckpointToJson, type SignedCheckpoint, type SignedCheckpointJson
} from '../core/audit/checkpoint.ts'
import { AUDIT_SIZE_KEY, AUDIT_SUBLEVELS, leafKey, nodeKey } from './audit-layout.ts'
import { verifyAuditLog, type AuditVerifyReport } from './audit-verify.ts'
import { equalBytes } from '../core/audit/hash.ts'

const LEAF_PREFIX = new Uint8Array([0x00])

/**
 * RFC 9162 leaf hash H(0x00 ‖ leaf), byte for byte core/audit/hash.ts's hashLeaf, with node:crypto's native
 * SHA-256 and without copying the leaf (a group commit hashes one leaf per envelope).
 */
function leafHash (leaf: Uint8Array): Uint8Array {
  const digest = createHash('sha256').update(LEAF_PREFIX).update(leaf).digest()
  return new Uint8Array(digest.buffer, digest.byteOffset, digest.byteLength)
}

/** Most records one `stage` call takes (one store batch). */
export const AUDIT_STAGE_RECORDS_MAX = 4096
/** Most entries one `entries` (tail / export) call returns. */
export const AUDIT_ENTRIES_LIMIT_MAX = 10_000

/** The committed tree: its size and root. */
export interface AuditHead {
  size: number
  root: Uint8Array
}

/** An append prepared for the caller's batch. */
export interface StagedAudit {
  /** add these to the batch that stores what the records describe */
  readonly operations: BatchOperation[]
  /** index of the first staged record */
  readonly firstIndex: number
  /** the head once committed */
  readonly head: AuditHead
  /** call after the batch is written: makes the records part of the log */
  commit: () => void
  /** call when the batch failed or was dropped: the log stays as it was */
  abort: () => void
}

/** One leaf as tail / export return it. */
export interface AuditEntry {
  index: number
  leaf: Uint8Array
  record: AuditRecord | UnknownAuditRecord
}

/** An inclusion proof with what a verifier needs besides the leaf. */
export interface AuditInclusionProof {
  index: number
  /** the leaf's bytes (an encoded record): verifiers hash it themselves */
  leaf: Uint8Array
  size: number
  leafHash: Uint8Array
  root: Uint8Array
  proof: Uint8Array[]
}

/** A consistency proof between two committed sizes, with both roots. */
export interface AuditConsistencyProof {
  oldSize: number
  newSize: number
  oldRoot: Uint8Array
  newRoot: Uint8Array
  proof: Uint8Array[]
}

/** The store lacks a node or leaf the committed size says it has: the store was damaged (run verify). */
export class AuditStoreCorruptError extends InputError {
  static override readonly code = 'AuditStoreCorruptError'
  override readonly name = 'AuditStoreCorruptError'
}

/** A checkpoint to save that is not of this log's committed tree. */
export class ForeignCheckpointError extends InputError {
  static override readonly code = 'ForeignCheckpointError'
  override readonly name = 'ForeignCheckpointError'
}

/** More records in one stage than AUDIT_STAGE_RECORDS_MAX. */
export class AuditBatchTooLargeError extends InputError {
  static override readonly code = 'AuditBatchTooLargeError'
  override readonly name = 'AuditBatchTooLargeError'
}

/** The log holds AUDIT_LOG_LEAVES_MAX leaves already. */
export class AuditLogFullError extends InputError {
  static override readonly code = 'AuditLogFullError'
  override readonly name = 'AuditLogFullError'
}

interface PendingSubmit {
  records: readonly AuditRecord[]
  operations: BatchOperation[]
  resolve: (firstIndex: number) => void
  reject: (err: unknown) => void
}

/** The node's audit log. */
export class AuditLog {
  private readonly leaves: Sublevel<Uint8Array>
  private readonly nodes: Sublevel<Uint8Array>
  private readonly meta: Sublevel<number>
  private readonly checkpointsDb: Sublevel<SignedCheckpointJson>
  private state: TreeState
  private rootCache: Uint8Array | undefined
  private lock: Promise<void> = Promise.resolve()
  /** submits waiting for the batch being written (group commit) */
  private pending: PendingSubmit[] = []
  private flushing = false

  private constructor (store: Store, state: TreeState) {
    this.leaves = store.sublevel<Uint8Array>(AUDIT_SUBLEVELS.leaves, 'view')
    this.nodes = store.sublevel<Uint8Array>(AUDIT_SUBLEVELS.nodes, 'view')
    this.meta = store.sublevel<number>(AUDIT_SUBLEVELS.meta)
    this.checkpointsDb = store.sublevel<SignedCheckpointJson>(AUDIT_SUBLEVELS.checkpoints)
    this.state = state
  }

  /** Opens the log: reads the committed size and its compact range (≤ 40 keys). */
  static async open (store: Store): Promise<AuditLog> {
    const size = (await store.sublevel<number>(AUDIT_SUBLEVELS.meta).get(AUDIT_SIZE_KEY)) ?? 0
    const log = new AuditLog(store, emptyTree())
    log.state = { size, frontier: await log.fetchNodes(frontierNodes(size)) }
    return log
  }

  /** The committed size and root. */
  head (): AuditHead {
    this.rootCache ??= treeRoot(this.state)
    return { size: this.state.size, root: this.rootCache }
  }

  /**
   * Prepares an append of `records` (pushed onto `into` too, when given).
   * Waits while another staged append is outstanding. Throws
   * MalformedAuditRecordError for a record outside its schema.
   */
  async stage (records: readonly AuditRecord[], into?: BatchOperation[]): Promise<StagedAudit> {
    if (records.length > AUDIT_STAGE_RECORDS_MAX) throw new AuditBatchTooLargeError(`stage at most ${AUDIT_STAGE_RECORDS_MAX} records per batch, got ${records.length}`)
    const leaves = records.map(encodeAuditRecord) // before the lock: a bad record must not hold it
    let release!: () => void
    const previous = this.lock
    this.lock = new Promise((resolve) => { release = resolve })
    await previous
    const firstIndex = this.state.size
    if (firstIndex + leaves.length > AUDIT_LOG_LEAVES_MAX) { release(); throw new AuditLogFullError(`the audit log holds ${AUDIT_LOG_LEAVES_MAX} leaves already`) }
    const { state, nodes } = appendLeafHashes(this.state, leaves.map(leafHash))
    const put = (sublevel: Sublevel<unknown>, key: string, value: unknown): BatchOperation =>
      ({ type: 'put', sublevel, key, value } as unknown as BatchOperation)
    const operations: BatchOperation[] = []
    for (const [i, leaf] of leaves.entries()) operations.push(put(this.leaves as Sublevel<unknown>, leafKey(firstIndex + i), leaf))
    for (const node of nodes) operations.push(put(this.nodes as Sublevel<unknown>, nodeKey(node.level, node.index), node.hash))
    operations.push(put(this.meta as Sublevel<unknown>, AUDIT_SIZE_KEY, state.size))
    if (into !== undefined) into.push(...operations)
    let settled = false
    let root: Uint8Array | undefined
    const settle = (): void => {
      if (settled) throw new Error('assertion failed: a staged audit append is committed or aborted once')
      settled = true
    }
    return {
      operations,
      firstIndex,
      get head () { root ??= treeRoot(state); return { size: state.size, root } },
      commit: () => { settle(); this.state = state; this.rootCache = root; release() },
      abort: () => { settle(); release() }
    }
  }

  /** Appends records in one batch of their own together with `operations` (the caller's data); resolves to the new head. */
  async append (records: readonly AuditRecord[], store: Store, operations: BatchOperation[] = []): Promise<AuditHead> {
    const staged = await this.stage(records)
    try {
      await store.batch([...operations, ...staged.operations])
    } catch (err) {
      staged.abort()
      throw err
    }
    staged.commit()
    return staged.head
  }

  /**
   * Group commit: appends `records` with the caller's `operations`, sharing one
   * store batch with every other submit made while the previous batch was
   * being written (so concurrent single-message callers get batched rates).
   * Resolves to the index of the caller's first record once it is on disk. If
   * the shared batch fails, each caller is retried alone, so one bad caller's
   * operations fail only that caller.
   */
  async submit (records: readonly AuditRecord[], store: Store, operations: BatchOperation[] = []): Promise<number> {
    return await new Promise<number>((resolve, reject) => {
      this.pending.push({ records, operations, resolve, reject })
      if (!this.flushing) void this.flush(store)
    })
  }

  private async flush (store: Store): Promise<void> {
    this.flushing = true
    while (this.pending.length > 0) {
      const group: PendingSubmit[] = []
      let count = 0
      while (this.pending.length > 0 && count + this.pending[0].records.length <= AUDIT_STAGE_RECORDS_MAX) {
        const next = this.pending.shift() as PendingSubmit
        group.push(next)
        count += next.records.length
      }
      if (group.length === 0) group.push(this.pending.shift() as PendingSubmit) // too large alone: stage reports it
      await this.writeGroup(group, store)
    }
    this.flushing = false
  }

  private async writeGroup (group: PendingSubmit[], store: Store): Promise<void> {
    if (group.length > 1) {
      try {
        const staged = await this.stage(group.flatMap((g) => g.records))
        try {
          await store.batch([...group.flatMap((g) => g.operations), ...staged.operations])
        } catch (err) {
          staged.abort()
          throw err
        }
        staged.commit()
        let index = staged.firstIndex
        for (const g of group) { g.resolve(index); index += g.records.length }
        return
      } catch { /* one caller's records or operations spoiled the group: retry each alone */ }
    }
    for (const g of group) {
      try {
        const staged = await this.stage(g.records)
        try { await store.batch([...g.operations, ...staged.operations]) } catch (err) { staged.abort(); throw err }
        staged.commit()
        g.resolve(staged.firstIndex)
      } catch (err) {
        g.reject(err)
      }
    }
  }

  /** Committed entries from index `since`, at most `limit` (≤ AUDIT_ENTRIES_LIMIT_MAX). */
  async entries (init: { since?: number, limit?: number } = {}): Promise<AuditEntry[]> {
    const since = Math.max(0, init.since ?? 0)
    const limit = Math.min(init.limit ?? AUDIT_ENTRIES_LIMIT_MAX, AUDIT_ENTRIES_LIMIT_MAX)
    if (since >= this.state.size) return []
    const rows = await this.leaves.iterator({ gte: leafKey(since), lt: leafKey(this.state.size), limit }).all()
    return rows.map(([key, leaf]) => ({ index: Number.parseInt(key, 16), leaf, record: decodeAuditRecord(leaf) }))
  }

  /** The inclusion proof of leaf `index` in the committed tree of `size` (default: the current size). */
  async inclusionProof (index: number, size: number = this.state.size): Promise<AuditInclusionProof> {
    this.checkCommittedSize(size)
    const ranges = inclusionProofRanges(index, size)
    const [lookup, leaf] = await Promise.all([this.lookup([{ level: 0, index }, ...nodesForRanges(ranges), ...frontierNodes(size)]), this.leaves.get(leafKey(index))])
    if (leaf === undefined) throw new AuditStoreCorruptError(`the store lacks audit leaf ${index}: run audit verify`)
    return { index, leaf, size, leafHash: lookup({ level: 0, index }), root: this.rootFrom(size, lookup), proof: proofFromNodes(ranges, lookup) }
  }

  /** The consistency proof from the committed size `oldSize` to `newSize` (default: the current size). */
  async consistencyProof (oldSize: number, newSize: number = this.state.size): Promise<AuditConsistencyProof> {
    this.checkCommittedSize(newSize)
    const ranges = consistencyProofRanges(oldSize, newSize)
    const lookup = await this.lookup([...nodesForRanges(ranges), ...frontierNodes(oldSize), ...frontierNodes(newSize)])
    return { oldSize, newSize, oldRoot: this.rootFrom(oldSize, lookup), newRoot: this.rootFrom(newSize, lookup), proof: proofFromNodes(ranges, lookup) }
  }

  /** The root of the committed tree's first `size` leaves. */
  async rootAt (size: number): Promise<Uint8Array> {
    if (size === this.state.size) return this.head().root
    this.checkCommittedSize(size)
    return foldRange(await this.fetchNodes(frontierNodes(size)))
  }

  /** Keeps a signed checkpoint of this log (the node signs `head()` every N seconds); verify checks the tree against it. */
  async saveCheckpoint (checkpoint: SignedCheckpoint): Promise<void> {
    if (checkpoint.size > this.state.size || !equalBytes(await this.rootAt(checkpoint.size), checkpoint.root)) {
      throw new ForeignCheckpointError(`checkpoint at size ${checkpoint.size} is not of this log's committed tree`)
    }
    await this.checkpointsDb.put(leafKey(checkpoint.size), signedCheckpointToJson(checkpoint))
  }

  /** The node's own saved checkpoints, by size (at most `limit`, newest first when `reverse`). */
  async checkpoints (init: { limit?: number, reverse?: boolean } = {}): Promise<SignedCheckpoint[]> {
    const values = await this.checkpointsDb.values({ limit: init.limit ?? -1, reverse: init.reverse ?? false }).all()
    return values.map(signedCheckpointFromJson)
  }

  /** Recomputes the whole tree from the stored leaves; names the first bad leaf (see audit-verify.ts). */
  async verify (): Promise<AuditVerifyReport> {
    return await verifyAuditLog({ leaves: this.leaves, nodes: this.nodes, meta: this.meta, checkpoints: this.checkpointsDb })
  }

  private checkCommittedSize (size: number): void {
    if (!Number.isSafeInteger(size) || size < 0 || size > this.state.size) {
      throw new ProofRangeError(`size ${size} is not a committed size of this log (0..${this.state.size})`)
    }
  }

  private rootFrom (size: number, lookup: (node: NodeId) => Uint8Array): Uint8Array {
    return size === this.state.size ? this.head().root : foldRange(frontierNodes(size).map(lookup))
  }

  private async fetchNodes (ids: readonly NodeId[]): Promise<Uint8Array[]> {
    const lookup = await this.lookup(ids)
    return ids.map(lookup)
  }

  /** Reads the nodes in one getMany and returns a lookup that throws AuditStoreCorruptError for a missing one. */
  private async lookup (ids: readonly NodeId[]): Promise<(node: NodeId) => Uint8Array> {
    const keys = [...new Set(ids.map((id) => nodeKey(id.level, id.index)))]
    const values = keys.length === 0 ? [] : await this.nodes.getMany(keys)
    const byKey = new Map(keys.map((key, i) => [key, values[i]]))
    return (node) => {
      const hash = byKey.get(nodeKey(node.level, node.index))
      if (hash === undefined) throw new AuditStoreCorruptError(`the store lacks audit node ${node.level}/${node.index}: run audit verify`)
      return hash
    }
  }
}
