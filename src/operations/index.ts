/**
 * Operations: the operator actions that read or change a node's store
 * (`participant add`, `match`, `consensus history`, …).
 *
 * One definition serves two paths: the CLI runs an operation directly on the
 * store when no node is running, and through the running node's local API
 * (`POST /ops/<name>`) when the node holds the store's lock. Either way the
 * same `run` executes against the same store, so both paths behave alike.
 * `createOperations(components)` binds them to what they may use; there is
 * no global registry.
 */
import { consensusOperations } from './consensus.ts'
import { matchingOperations } from './matching.ts'
import { auditOperations } from './audit.ts'
import { chainOperations } from './chains.ts'
import { participantChainOperations } from './participant-chains.ts'
import { membershipOperations } from './membership.ts'
import { syncOperations } from './sync.ts'
import { attestationOperations } from './attestations.ts'
import { disputeOperations } from './disputes.ts'
import { discoveryOperations } from './discovery.ts'
import { migrationOperations } from './migration.ts'
import { relationOperations } from './relations.ts'
import { bilateralOperations } from './bilateral.ts'
import { UnknownOperationError, type Operation, type OperationComponents } from './operation.ts'
import { AuditLog } from '../store/audit-log.ts'
import { operatorRecord } from '../services/audit/records.ts'

export { OperationArgumentError } from './arguments.ts'
export * from './operation.ts'

/** The operations bound to one node's components. */
export interface Operations {
  names: () => string[]
  /** Runs the named operation; UnknownOperationError for a name no operation has. */
  run: (name: string, args: unknown) => Promise<unknown>
}

/** Every operation the node offers, by name. */
export const OPERATION_LIST: ReadonlyArray<Operation<never, unknown>> = [
  ...consensusOperations,
  ...matchingOperations,
  ...chainOperations,
  ...participantChainOperations,
  ...auditOperations,
  ...membershipOperations,
  ...syncOperations,
  ...attestationOperations,
  ...disputeOperations,
  ...discoveryOperations,
  ...migrationOperations,
  ...relationOperations,
  ...bilateralOperations,
]

/** Binds every operation to `components`. */
export function createOperations (components: OperationComponents): Operations {
  const byName = new Map<string, Operation<never, unknown>>()
  for (const operation of OPERATION_LIST) {
    if (byName.has(operation.name)) throw new Error(`operation ${operation.name} defined twice`)
    byName.set(operation.name, operation)
  }
  // one AuditLog per store: the running node's, else this store's own, opened once on first use
  let ownLog: Promise<AuditLog> | undefined
  const openAudit = async (): Promise<AuditLog> => components.auditLog ?? await (ownLog ??= AuditLog.open(components.store))
  return {
    names: () => [...byName.keys()].sort(),
    run: async (name, args) => {
      const operation = byName.get(name) as Operation<unknown, unknown> | undefined
      if (operation === undefined) throw new UnknownOperationError(`no operation named "${name.slice(0, 80)}"`)
      const auditLog = await openAudit()
      const bound = { ...components, auditLog }
      if (operation.audited === false) return await operation.run(bound, args)
      // every operator action is recorded with its outcome once it ran (its own writes are its own batches);
      // a result is returned only once its record is on disk, and a failure to record is the operation's failure
      const record = async (error?: unknown): Promise<void> => {
        await auditLog.submit([operatorRecord({ nowMs: components.clock.now(), action: name, ...(error === undefined ? {} : { error }) })], components.store)
      }
      let result: unknown
      try {
        result = await operation.run(bound, args)
      } catch (err) {
        await record(err).catch(() => {}) // the operation's own error is the one to report
        throw err
      }
      await record()
      return result
    }
  }
}
