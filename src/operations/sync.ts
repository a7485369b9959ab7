/**
 * `sync.status` (`fedmesh sync status`): per origin log, the contiguous
 * frontier, every known gap above it with the peer fetching it now and the
 * peers that store it, gaps no peer can fill any more (retention passed
 * everywhere) and ranges given up — never a silent skip. On a running node
 * it is the sync service's live view (peer frontiers of this run); on a
 * stopped one, the logs as stored, without peer frontiers (those are never
 * persisted: protocols/sync.md).
 */
import { z } from 'zod'
import { LogBook } from '../core/sync/log-book.ts'
import { logLimits } from '../config/log-limits.ts'
import { SyncLogRepository } from '../store/sync-logs.ts'
import { storedStatus, type SyncStatus } from '../services/sync/index.ts'
import { parseArguments as parseArgs } from './arguments.ts'
import type { Operation } from './operation.ts'

const statusArgs = z.strictObject({})

/** `sync.status`: the sync status of this node. */
export const syncStatus: Operation<z.input<typeof statusArgs>, SyncStatus> = {
  name: 'sync.status',
  audited: false,
  async run (context, args) {
    parseArgs(statusArgs, args, 'sync.status')
    const running = context.services?.sync
    if (running !== undefined) return running.status()
    // limits only matter when appending (reading a stored log never prunes), except a superseding class's window
    const window = logLimits(context.config)
    const book = new LogBook((dataClass) => window(dataClass).supersedes === true ? window(dataClass) : { retentionEntries: Number.MAX_SAFE_INTEGER, heldEntriesMax: Number.MAX_SAFE_INTEGER })
    const repository = new SyncLogRepository(context.store)
    await repository.load(book)
    return storedStatus(book.positions(), (dataClass, origin) => book.find(dataClass, origin), (await repository.heldCount()).count, (dataClass) => book.window(dataClass))
  }
}

export const syncOperations: ReadonlyArray<Operation<never, unknown>> = [syncStatus]
