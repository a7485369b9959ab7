/**
 * Bilateral data (protocols/bilateral.md): `send` hands one payload of a
 * bilateral class to the running node, which delivers it to the peer whose
 * agreed policy allows it, or queues it while the relation is not carrying
 * (refused at once when the policy does not allow it); `bilateral.inbox`
 * reads what peers delivered (from the store when the node is not running).
 */
import { z } from 'zod'
import { fromString } from 'uint8arrays'
import { DATA_CLASSES } from '../core/data-class.ts'
import { PAYLOAD_BYTES_MAX } from '../wire/limits.ts'
import { BilateralRepository, type ReceivedBilateral } from '../store/bilateral-queue.ts'
import type { BilateralSendResult } from '../services/bilateral/index.ts'
import { INBOX_READ_MAX } from '../services/bilateral/constants.ts'
import { parseArguments } from './arguments.ts'
import { NodeNotRunningError, requireServices, type Operation } from './operation.ts'

const base64 = z.string().max(Math.ceil(PAYLOAD_BYTES_MAX / 3) * 4).regex(/^[A-Za-z0-9+/]*={0,2}$/, 'base64')

/** `fedmesh send --class <class> --to <site> FILE`. */
export const bilateralSend: Operation<{ class: string, to: string, payload_base64: string, schema_id?: string }, BilateralSendResult> = {
  name: 'send',
  async run (components, args) {
    const parsed = parseArguments(z.strictObject({
      class: z.enum(DATA_CLASSES),
      to: z.string().min(1).max(128),
      payload_base64: base64,
      schema_id: z.string().min(1).max(64).regex(/^[a-z0-9][a-z0-9._-]*(?:\/[a-z0-9._-]+)*$/).optional()
    }), args, 'send')
    const bilateral = requireServices(components, 'send').bilateral
    if (bilateral === undefined) throw new NodeNotRunningError('send: this node runs no bilateral service')
    return await bilateral.send({ dataClass: parsed.class, to: parsed.to, payload: fromString(parsed.payload_base64, 'base64pad'), ...(parsed.schema_id === undefined ? {} : { schemaId: parsed.schema_id }) })
  }
}

/** Bilateral messages peers delivered, oldest first. */
export const bilateralInbox: Operation<{ since_ms?: number, limit?: number }, { messages: ReceivedBilateral[] }> = {
  name: 'bilateral.inbox',
  audited: false,
  async run (components, args) {
    const parsed = parseArguments(z.strictObject({ since_ms: z.number().int().nonnegative().optional(), limit: z.number().int().min(1).max(INBOX_READ_MAX).default(100) }), args, 'bilateral.inbox')
    const init = { limit: parsed.limit, ...(parsed.since_ms === undefined ? {} : { sinceMs: parsed.since_ms }) }
    const running = components.services?.bilateral
    return { messages: running === undefined ? await new BilateralRepository(components.store).inboxEntries(init) : await running.inbox(init) }
  }
}

export const bilateralOperations = [bilateralSend, bilateralInbox]
