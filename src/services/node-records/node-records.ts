/**
 * This node's signed record, kept current in the DHT (see index.ts). Members'
 * keys come from the membership, never from these records.
 */
import { createNodeRecord, nodeRecordKey, verifyNodeRecord, type NodeRecord } from '../../wire/node-record.ts'
import { jitteredMs } from '../../runtime/random.ts'
import { NODE_RECORD_ADDRS_MAX, NODE_RECORD_PUBLISH_MS_MAX, NODE_RECORD_REPUBLISH_JITTER, NODE_RECORD_REPUBLISH_MS } from './constants.ts'
import type { NodeRecordStatus, NodeRecordsComponents, NodeRecordsInit } from './index.ts'

/** Keeps this node's signed record current in the DHT: at start, on the first peer, and every NODE_RECORD_REPUBLISH_MS. */
export class NodeRecordPublisher {
  private readonly components: NodeRecordsComponents
  private readonly init: NodeRecordsInit
  private timer: NodeJS.Timeout | undefined
  private seq = 0
  private running = false
  private publishing: Promise<void> | undefined
  /** the current signed record (what the DHT holds under /fedmesh-node/<peerId>) */
  current: Uint8Array | undefined

  constructor (components: NodeRecordsComponents, init: NodeRecordsInit) {
    this.components = components
    this.init = init
  }

  /** Signs the first record; when federated, publishes it and keeps republishing. */
  start (): void {
    this.running = true
    this.current = this.next()
    if (!this.init.federationEnabled) return
    this.scheduleRepublish()
    void this.publish()
  }

  stop (): void {
    this.running = false
    if (this.timer !== undefined) clearTimeout(this.timer)
    this.timer = undefined
  }

  /** Each period is drawn afresh (± NODE_RECORD_REPUBLISH_JITTER), so nodes started together do not republish together. */
  private scheduleRepublish (): void {
    const delayMs = jitteredMs(this.init.republishMs ?? NODE_RECORD_REPUBLISH_MS, NODE_RECORD_REPUBLISH_JITTER, this.components.random)
    this.timer = setTimeout(() => {
      if (!this.running) return
      this.scheduleRepublish()
      void this.publish()
    }, delayMs)
    this.timer.unref()
  }

  /**
   * Publishes a fresh record (stored locally at once, then sent to the peers closest to its key). A call while a
   * publication is under way joins it: the one at start waits in kad-dht for the first peer, so the node's
   * "first peer" publication would otherwise walk the DHT (and sign a record) a second time at every join.
   */
  async publish (): Promise<void> {
    if (!this.running) return
    if (this.publishing === undefined) this.publishing = this.publishOnce().finally(() => { this.publishing = undefined })
    await this.publishing
  }

  private async publishOnce (): Promise<void> {
    this.current = this.next()
    try {
      for await (const event of this.components.dht.put(nodeRecordKey(this.components.peerId), this.current, { signal: AbortSignal.timeout(NODE_RECORD_PUBLISH_MS_MAX) })) {
        void event
      }
    } catch (err) {
      if (this.running) this.components.logger.debug({ err: (err as Error).message }, 'node record not published to any peer yet')
    }
  }

  /** The current record, verified. */
  record (): NodeRecord | undefined {
    return this.current === undefined ? undefined : verifyNodeRecord(this.current, this.components.peerId.toString(), this.components.verifier)
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
    const nowMs = this.components.clock.now()
    this.seq = Math.max(this.seq + 1, nowMs)
    return createNodeRecord({
      peerId: this.components.peerId.toString(),
      seq: this.seq,
      timestampMs: nowMs,
      siteId: this.init.siteId,
      jurisdiction: this.init.jurisdiction,
      capabilities: this.init.capabilities,
      federationEnabled: this.init.federationEnabled,
      addrs: this.components.addresses().map((ma) => ma.toString()).slice(0, NODE_RECORD_ADDRS_MAX)
    }, this.components.signer)
  }
}
