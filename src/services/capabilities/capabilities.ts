/**
 * The capability service (see index.ts): announces, and discovers with checks.
 */
import { verifyNodeRecord, nodeRecordKey, type NodeRecord } from '../../wire/node-record.ts'
import {
  CAPABILITY_PROVIDERS_MAX, CAPABILITY_QUERY_MS_MAX, capabilityCid, capabilityCids, checkCapabilityQuery, providerRejection
} from '../../net/capability-records.ts'
import { CAPABILITY_PROVIDE_MS_MAX, CAPABILITY_REPROVIDE_MS } from './constants.ts'
import type { Capabilities, CapabilitiesComponents, CapabilitiesInit, CapabilityProvider, DiscoveryResult } from './index.ts'
import type { AbortOptions } from '@libp2p/interface'

export class CapabilityService implements Capabilities {
  private timer: NodeJS.Timeout | undefined
  private running = false
  /** announced to at least one peer since start */
  private announced = false
  private announcing: Promise<void> | undefined

  constructor (private readonly components: CapabilitiesComponents, private readonly init: CapabilitiesInit) {}

  start (): void {
    this.running = true
    if (!this.init.publish || this.init.capabilities.length === 0) return
    this.components.events.addEventListener('peer:connect', this.onPeer)
    this.timer = setInterval(() => { void this.announce() }, this.init.reprovideMs ?? CAPABILITY_REPROVIDE_MS)
    this.timer.unref()
    void this.announce()
  }

  async stop (): Promise<void> {
    this.running = false
    if (this.timer !== undefined) clearInterval(this.timer)
    this.timer = undefined
    this.components.events.removeEventListener('peer:connect', this.onPeer)
    await this.announcing
  }

  /** Until an announcement reached a peer, each new peer triggers one. */
  private readonly onPeer = (): void => {
    if (!this.announced && this.announcing === undefined) void this.announce()
  }

  async announce (): Promise<void> {
    if (!this.running || !this.init.publish) return
    if (this.announcing !== undefined) return await this.announcing
    this.announcing = (async () => {
      const signal = AbortSignal.timeout(CAPABILITY_PROVIDE_MS_MAX)
      let reached = 0
      for (const cid of capabilityCids(this.init.federationId, this.init.capabilities, this.init.jurisdiction)) {
        try {
          for await (const event of this.components.dht.provide(cid, { signal })) {
            if ((event as { name?: string }).name === 'PEER_RESPONSE') reached++
          }
        } catch (err) {
          this.components.logger.debug({ err: (err as Error).message }, 'capability not announced to any peer yet')
        }
      }
      if (reached > 0) this.announced = true
    })().finally(() => { this.announcing = undefined })
    await this.announcing
  }

  async discover (capability: string, jurisdiction?: string, options: AbortOptions = {}): Promise<DiscoveryResult> {
    checkCapabilityQuery(capability, jurisdiction)
    const signal = AbortSignal.any([AbortSignal.timeout(CAPABILITY_QUERY_MS_MAX), ...(options.signal === undefined ? [] : [options.signal])])
    const own = this.components.peerId.toString()
    const found = new Set<string>()
    let truncated = false
    // this node is a provider of its own capabilities whether or not the walk returns it
    if (this.init.capabilities.includes(capability) && (jurisdiction === undefined || jurisdiction === this.init.jurisdiction)) found.add(own)
    try {
      walk: for await (const event of this.components.dht.findProviders(capabilityCid(this.init.federationId, capability, jurisdiction), { signal })) {
        if (event.name !== 'PROVIDER') continue
        for (const info of event.providers ?? []) {
          if (found.has(info.id.toString())) continue
          if (found.size >= CAPABILITY_PROVIDERS_MAX) { truncated = true; break walk }
          found.add(info.id.toString())
        }
      }
    } catch (err) {
      // a timeout or no peers: report what was found so far
      this.components.logger.debug({ err: (err as Error).message }, 'capability provider walk ended early')
    }
    const providers: CapabilityProvider[] = []
    const rejected: DiscoveryResult['rejected'] = []
    for (const node of [...found].sort()) {
      const record = node === own ? this.ownRecord() : await this.lookupRecord(node, signal)
      const reason = providerRejection({ capability, ...(jurisdiction === undefined ? {} : { jurisdiction }), memberKey: this.components.members.key(node), record })
      if (reason !== null) {
        rejected.push({ node_id: node, reason })
        continue
      }
      providers.push({ node_id: node, site_id: this.components.members.siteOf(node) ?? null, jurisdiction: record!.jurisdiction, capabilities: [...record!.capabilities], addrs: [...record!.addrs] })
    }
    return { capability, jurisdiction: jurisdiction ?? null, providers, rejected, truncated }
  }

  private ownRecord (): NodeRecord | undefined {
    const bytes = this.components.ownRecord()
    return bytes === undefined ? undefined : verifyNodeRecord(bytes, this.components.peerId.toString(), this.components.verifier)
  }

  /** The first valid node record of `node` the DHT returns (kad-dht validates and selects on receipt; verified again here). */
  private async lookupRecord (node: string, signal: AbortSignal): Promise<NodeRecord | undefined> {
    let best: NodeRecord | undefined
    try {
      for await (const event of this.components.dht.get(nodeRecordKey(node), { signal })) {
        if (event.name !== 'VALUE' || event.value === undefined) continue
        try {
          best = verifyNodeRecord(event.value, node, this.components.verifier)
          break // kad-dht's selector already chose the newest copy it holds
        } catch {
          // an invalid copy: ignore it, others may be valid
        }
      }
    } catch (err) {
      this.components.logger.debug({ err: (err as Error).message, node }, 'node record lookup ended early')
    }
    return best
  }
}
