/**
 * `discover`: the federation members that provide a capability (optionally
 * in one jurisdiction), found through DHT provider records and each checked
 * against the membership and its signed node record (src/net/capability-records.ts).
 * Needs the running node (it walks the DHT).
 */
import { z } from 'zod'
import type { DiscoveryResult } from '../services/capabilities/index.ts'
import { parseArguments as parseArgs } from './arguments.ts'
import { NodeNotRunningError, requireServices, type Operation } from './operation.ts'

const discoverArgs = z.strictObject({ capability: z.string().min(1).max(64), jurisdiction: z.string().min(1).max(16).optional() })

export const discover: Operation<z.input<typeof discoverArgs>, DiscoveryResult> = {
  name: 'discover',
  audited: false,
  async run (context, args) {
    const { capability, jurisdiction } = parseArgs(discoverArgs, args, 'discover')
    const { capabilities } = requireServices(context, 'discover')
    if (capabilities === undefined) throw new NodeNotRunningError('this node runs no capability discovery')
    return await capabilities.discover(capability, jurisdiction)
  }
}

export const discoveryOperations: ReadonlyArray<Operation<never, unknown>> = [discover]
